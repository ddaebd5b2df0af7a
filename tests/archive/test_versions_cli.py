"""`arshif versions`, `diff`, `reextract` and `export --format warc` on a real archive."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from warcio.archiveiterator import ArchiveIterator

from archive.extract import EXTRACTOR
from archive.sources import Source
from archive.store import Archive
from crawler.cli import main
from tests.archive.test_versions import BODY, T0, TITLE, URL, fetch, page_html

GOV = Source(name="gov", url="http://gov.example/")
V2 = [
    BODY[0].replace("لافروف", "وزير الخارجية الروسي سيرغي لافروف"),
    *BODY[1:3],
    BODY[3] + " وقتل في الهجوم 17 شخصاً.",
    *BODY[4:],
]
SOFT_TITLE = TITLE.replace("تتجاهل", "لا تولي اهتماماً كافياً")


@pytest.fixture
def archive_url(db_url: str) -> str:
    """An archive with one article in three versions (first, edit, edit) plus another."""
    with Archive.open(db_url) as archive:
        archive.sync_sources([GOV])
        v1 = page_html()
        archive.ingest(fetch(v1, T0, etag='"v1"'))
        archive.ingest(fetch(page_html(paragraphs=V2), T0 + timedelta(hours=3)))
        archive.ingest(fetch(page_html(SOFT_TITLE, V2), T0 + timedelta(days=1)))
        other = fetch(page_html(paragraphs=BODY[2:]), T0)
        archive.ingest(
            other.__class__(
                **{**other.__dict__, "url": URL[:-1] + "2", "final_url": URL[:-1] + "2"}
            )
        )
    return db_url


def test_versions_lists_kinds_dates_and_change_sizes(
    archive_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["versions", URL, "--db", archive_url]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"article 1 (gov): {URL}")
    assert "3 version(s), 2 edit(s)" in out[1]
    rows = [line.split()[:5] for line in out[4:]]
    assert rows == [
        ["1", "first", "2024-05-28", "10:00", "UTC"],
        ["2", "edit", "2024-05-28", "13:00", "UTC"],
        ["3", "edit", "2024-05-29", "10:00", "UTC"],
    ]
    assert "+9" in out[5]
    assert "-0" in out[5]
    assert "+4" in out[6]
    assert "-1" in out[6]
    assert main(["versions", URL + "?utm_source=x", "--db", archive_url, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(v["version"], v["kind"], v["words_added"]) for v in data["versions"]] == [
        (1, "first", None),
        (2, "edit", 9),
        (3, "edit", 4),
    ]


def test_diff_marks_words_line_by_line(
    archive_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["diff", URL, "--db", archive_url, "--from", "1", "--to", "2"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].startswith("--- version 1 (first), fetched 2024-05-28 10:00 UTC")
    assert out[2].endswith("+9 / -0 words")
    assert out[3] == "¶1: " + BODY[0].replace("لافروف", "{+وزير الخارجية الروسي سيرغي+} لافروف", 1)
    assert out[4] == "¶4: " + BODY[3] + " {+وقتل في الهجوم 17 شخصاً.+}"
    assert len(out) == 5  # unchanged paragraphs are not printed; no colour when piped
    assert main(["diff", URL, "--db", archive_url, "--color", "always"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[3] == (
        "title: لافروف: دول الغرب \x1b[31m[-تتجاهل-]\x1b[0m "
        "\x1b[32m{+لا تولي اهتماماً كافياً+}\x1b[0m استخدام الإرهابيين سلاحاً كيميائياً في سورية"
    )
    assert len(out) == 4


def test_diff_and_versions_errors_are_one_line(
    archive_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["diff", "http://gov.example/archives/99", "--db", archive_url]) == 2
    err = capsys.readouterr().err
    assert (
        err == "arshif: error: no article with URL http://gov.example/archives/99 in the archive\n"
    )
    assert main(["diff", URL, "--from", "3", "--to", "7", "--db", archive_url]) == 2
    assert "has no version 7 (--to; it has 1 to 3)" in capsys.readouterr().err
    assert main(["diff", URL[:-1] + "2", "--db", archive_url]) == 2
    assert "has only one version" in capsys.readouterr().err


def test_export_warc_round_trip(
    archive_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "gov.warc.gz"
    assert main(["export", "--format", "warc", "--out", str(out), "--db", archive_url]) == 0
    assert "exported 4 records (warc)" in capsys.readouterr().err
    with out.open("rb") as stream:
        records = [
            (r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r.content_stream().read(), r)
            for r in ArchiveIterator(stream)
        ]
    kinds = [k for k, *_ in records]
    assert kinds == ["warcinfo"] + ["response", "metadata"] * 4
    responses = [(uri, body, r) for kind, uri, body, r in records if kind == "response"]
    assert responses[0][0] == URL
    assert responses[0][1] == page_html()  # the exact bytes the crawler received
    http = responses[0][2].http_headers
    assert http.get_statuscode() == "200"
    assert http.get_header("ETag") == '"v1"'
    assert http.get_header("Content-Length") == str(len(page_html()))
    meta = records[2][2].decode()
    assert "arshif-article-id: 1\r\n" in meta
    assert "arshif-source: gov\r\n" in meta
    # Filters: a source and a time window.
    out2 = tmp_path / "late.warc.gz"
    args = [
        "export",
        "--format",
        "warc",
        "--out",
        str(out2),
        "--since",
        "2024-05-29",
        "--db",
        archive_url,
    ]
    assert main(args) == 0
    with out2.open("rb") as stream:
        uris = [
            r.rec_headers.get_header("WARC-Target-URI")
            for r in ArchiveIterator(stream)
            if r.rec_type == "response"
        ]
    assert uris == [URL]


def test_export_writes_identical_bodies_once(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Archive.open(db_url) as archive:
        archive.sync_sources([GOV])
        page = fetch(page_html(), T0)
        archive.ingest(page)
        archive.ingest(
            page.__class__(**{**page.__dict__, "url": URL[:-1] + "2", "final_url": URL[:-1] + "2"})
        )
    out = tmp_path / "x.warc.gz"
    assert main(["export", "--format", "warc", "--out", str(out), "--db", db_url]) == 0
    with out.open("rb") as stream:
        kinds = [
            (r.rec_type, r.rec_headers.get_header("WARC-Refers-To-Target-URI"))
            for r in ArchiveIterator(stream)
        ]
    assert [k for k, _ in kinds] == ["warcinfo", "response", "metadata", "revisit", "metadata"]
    assert kinds[3][1] == URL


def test_reextract_records_revisions_not_edits(
    archive_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)  # no ./sources.toml here
    # Pretend every latest version came from an older extractor that kept a stray line.
    with Archive.open(archive_url) as archive, archive.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE article_versions SET extractor = 'trafilatura-1.0+clean-0', text = text || :junk "
                "WHERE version = (SELECT MAX(v2.version) FROM article_versions v2 "
                "WHERE v2.article_id = article_versions.article_id)"
            ),
            {"junk": "\nشارك هذا المقال عبر فيسبوك وتويتر وواتساب وتيلغرام الآن"},
        )
    assert main(["reextract", "--db", archive_url]) == 0
    captured = capsys.readouterr()
    assert "no sources file" in captured.err
    assert captured.out.splitlines()[2].split() == ["gov", "2", "2", "0", "0", "0"]
    with Archive.open(archive_url) as archive, archive.engine.connect() as conn:
        kinds = conn.execute(
            text(
                "SELECT article_id, version, kind, extractor FROM article_versions ORDER BY article_id, version"
            )
        ).all()
        edits = conn.execute(
            text("SELECT article_id, from_version, to_version FROM article_edits")
        ).all()
        latest = conn.execute(
            text("SELECT article_id, version FROM latest_versions ORDER BY article_id")
        ).all()
    assert [tuple(k) for k in kinds] == [
        (1, 1, "first", EXTRACTOR),
        (1, 2, "edit", EXTRACTOR),
        (1, 3, "edit", "trafilatura-1.0+clean-0"),
        (1, 4, "reextraction", EXTRACTOR),
        (2, 1, "first", "trafilatura-1.0+clean-0"),
        (2, 2, "reextraction", EXTRACTOR),
    ]
    assert [tuple(e) for e in edits] == [(1, 1, 2), (1, 2, 3)]
    assert [tuple(r) for r in latest] == [(1, 4), (2, 2)]
    # Nothing left to do: a second run checks nothing.
    assert main(["reextract", "--db", archive_url, "--source", "gov"]) == 0
    assert capsys.readouterr().out.splitlines()[2].split() == ["gov", "0", "0", "0", "0", "0"]
    assert main(["reextract", "--db", archive_url, "--source", "nope"]) == 2
    assert "no source named 'nope'" in capsys.readouterr().err
    assert main(["diff", URL, "--db", archive_url]) == 0
    out = capsys.readouterr().out
    assert "+++ version 4 (re-extraction, not an edit)" in out
    assert "[-شارك هذا المقال عبر فيسبوك وتويتر وواتساب وتيلغرام الآن-]" in out
