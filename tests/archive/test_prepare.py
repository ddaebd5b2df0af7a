"""The extraction worker's half of ingest (archive.prepare): picklable, and what it derives is
exactly what the writer would have computed itself."""

from __future__ import annotations

import gzip
import hashlib
import pickle
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from archive.changes import change_hash
from archive.fingerprint import fingerprint, signature_to_bytes
from archive.normalize import dedup_key, search_key
from archive.prepare import (
    MIN_COMPRESS,
    FetchedPage,
    Prepared,
    derive,
    fold_text,
    pack_body,
    prepare_page,
)
from archive.similarity import numbers_of
from archive.sources import Source
from archive.store import Archive
from tests.archive.pages import article_html, page

SRC = Source(name="zaman", url="http://zaman.example/")
T0 = datetime(2019, 3, 1, 9, 0, tzinfo=UTC)
WORDS = " ".join(f"كلمة{i}" for i in range(60))
PARAGRAPHS = [f"قال المصدر إن {n} شخصا أصيبوا في الحي. {WORDS}" for n in (3, 14, 159)]


def prepared_page(n: int) -> tuple[FetchedPage, Prepared]:
    url = f"http://zaman.example/news/article/{n}"
    fetched = page("zaman", url, article_html(f"خبر {n}", PARAGRAPHS), fetched_at=T0)
    prepared = prepare_page(
        fetched.body,
        url=fetched.final_url,
        headers=fetched.headers,
        source=SRC,
        learned=frozenset(),
        fetched_at=fetched.fetched_at,
    )
    return fetched, prepared


def test_derived_values_are_what_the_writer_would_compute() -> None:
    fetched, prepared = prepared_page(1)
    ex, fp, derived = prepared.extraction, prepared.fingerprint, prepared.derived
    assert ex is not None
    assert fp is not None
    assert derived is not None
    assert derived == derive(fetched.body, ex, fp, fetched.final_url, SRC)
    assert derived.article_url == "http://zaman.example/news/article/1"
    assert derived.change_hash == change_hash(ex.title, ex.text)
    assert (derived.folded_title, derived.folded_text) == (
        search_key(ex.title),
        search_key(ex.text),
    )
    again = fingerprint(ex.text)  # what the writer computes for an in-process page
    assert (fp.key, fp.norm_hash, fp.shingles) == (again.key, again.norm_hash, again.shingles)
    assert fp.buckets == again.buckets
    assert derived.signature == signature_to_bytes(fp.signature)
    assert derived.numbers == numbers_of(fp.key)
    assert list(derived.buckets) == fp.buckets
    body = derived.body
    assert body.sha256 == hashlib.sha256(fetched.body).hexdigest()
    assert (body.compression, gzip.decompress(body.data)) == ("gzip", fetched.body)
    unpickled = pickle.loads(pickle.dumps(prepared))
    assert unpickled.derived == derived
    assert unpickled.extraction == ex


@pytest.mark.parametrize(
    "text",
    ["", "سطر\nسطر\n\nسطر آخر", "Line one.\nالإمارات  والسعوديه\nLine one.\n\u200fتطبيع"],
)
def test_fold_text_is_search_key_and_dedup_key(text: str) -> None:
    assert fold_text(text) == (search_key(text), dedup_key(text))


def test_a_small_body_is_stored_uncompressed() -> None:
    small = b"<p>x</p>"
    assert len(small) < MIN_COMPRESS
    packed = pack_body(small)
    assert (packed.compression, packed.data, packed.size) == ("none", small, len(small))


@pytest.fixture
def archive(db_url: str) -> Iterator[Archive]:
    with Archive.open(db_url) as arc:
        arc.sync_sources([SRC])
        yield arc


def test_worker_and_in_process_ingest_store_the_same_rows(archive: Archive) -> None:
    """A page prepared by a worker (with derived values), one prepared by an older worker
    (without), and one extracted in-process store identical rows."""
    run = archive.start_run("zaman")
    results = []
    for n, mode in enumerate(("worker", "older worker", "in-process")):
        fetched, prepared = prepared_page(n)
        if mode == "older worker":
            prepared = replace(prepared, derived=None)
        results.append(archive.ingest(fetched, run, None if mode == "in-process" else prepared))
    assert [r.outcome.value for r in results] == ["new", "new", "new"]
    with archive.engine.connect() as conn:
        docs = conn.execute(
            text(
                "SELECT d.folded_title, d.folded_text, v.title, v.text, v.content_hash "
                "FROM search_documents d JOIN article_versions v ON v.id = d.version_id"
            )
        ).all()
        bodies = conn.execute(text("SELECT compression, size FROM raw_bodies")).all()
    assert len(docs) == 3
    for folded_title, folded_text, title, body, chash in docs:
        assert (folded_title, folded_text) == (search_key(title), search_key(body))
        assert chash == change_hash(title, body)
    assert len(bodies) == 3
    assert {b[0] for b in bodies} == {"gzip"}
