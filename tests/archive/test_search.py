"""Arabic full-text search on real databases: spelling variants, filters, ranking, phrases,
an index kept current on ingest, the migration's backfill, and the SQL-side functions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, text

from archive import migrate
from archive.normalize import search_key
from archive.search import Hit, Query, SearchError, search, snippet, sql_for
from archive.search_index import FOLD_VERSION, refresh
from archive.selection import Selection, period_end, period_start
from archive.sources import Source
from archive.store import Archive
from tests.archive.conftest import FixtureArchive
from tests.archive.pages import article_html, page, seed

GOV = Source(name="gov", url="http://gov.example/")
T0 = datetime(2019, 3, 22, 12, 0, tzinfo=UTC)


def hits(db: FixtureArchive, query: str, selection: Selection | None = None) -> list[Hit]:
    with Archive.open(db.url) as archive, archive.engine.connect() as conn:
        return search(conn, query, selection, limit=100)


# -- query parsing --------------------------------------------------------------------------


def test_query_is_folded_like_the_index() -> None:
    q = Query.parse("الأميركيّة «الولايات المتحدة» سورية")
    assert q.terms == (("الامريكيه",), ("الولايات", "المتحده"), ("سوريا",))
    assert q.fts5() == '"الامريكيه" "الولايات المتحده" "سوريا"'
    assert q.tsquery() == "'الامريكيه' & ('الولايات' <-> 'المتحده') & 'سوريا'"
    assert Query.parse("سوريا، سوريا!").terms == (("سوريا",),)
    with pytest.raises(SearchError, match="nothing to search for"):
        Query.parse(" ،؟ «» ")


def test_fts5_syntax_in_a_query_is_plain_text() -> None:
    # Operators and quotes a user types cannot break the MATCH expression.
    q = Query.parse('sana OR "x* NEAR(" -y: ^z')
    assert q.fts5() == '"sana" "or" "x near" "y" "z"'


def test_snippet_shows_the_stored_spelling_around_the_match() -> None:
    body = "مقدمة طويلة " * 20 + "قالت الخارجية الأميركيّة، اليوم: إن سورية تواجه.\nسطر آخر"
    out = snippet(body, Query.parse("الامريكية سوريا").words, size=12)
    assert out.startswith("… ")
    assert "[الأميركيّة]،" in out
    assert "[سورية]" in out


# -- searching the fixture archive ----------------------------------------------------------


def test_spelling_variants_find_both_outlets(fixture_db: FixtureArchive) -> None:
    found = hits(fixture_db, "الامريكية")
    sources = {h.source for h in found}
    assert sources == {"alsham", "hurriya"}
    snippets = " ".join(h.snippet for h in found)
    assert "[الأميركية]" in snippets  # alsham's spelling
    assert "[الأمريكية]" in snippets  # hurriya's spelling
    # Diacritics, tatweel and hamza in the query change nothing.
    for variant in ("الأميركيّة", "الأمـــريكية", "الأمريكيَّة"):
        assert [h.article_id for h in hits(fixture_db, variant)] == [h.article_id for h in found]


def test_country_name_variants(fixture_db: FixtureArchive) -> None:
    syria = hits(fixture_db, "سوريا")
    assert {h.source for h in syria} == {"alsham", "hurriya"}
    assert {h.article_id for h in syria} == {h.article_id for h in hits(fixture_db, "سورية")}


def test_duplicates_are_left_out_unless_asked(fixture_db: FixtureArchive) -> None:
    wheat = hits(fixture_db, '"السورية للحبوب" القمح')
    assert [h.url for h in wheat] == [fixture_db.facts.wire_url]
    everything = hits(fixture_db, '"السورية للحبوب" القمح', Selection(include_duplicates=True))
    assert {h.source for h in everything} == {"alsham", "hurriya", "mirror"}
    copies = [h for h in everything if h.duplicate_of_id is not None]
    assert len(copies) == 2


def test_filters_by_outlet_and_period(fixture_db: FixtureArchive) -> None:
    only = hits(fixture_db, "الامريكية", Selection(sources=("hurriya",)))
    assert only
    assert {h.source for h in only} == {"hurriya"}
    march = Selection(since=period_start("2019-03"), until=period_end("2019-03"))
    found = hits(fixture_db, "سوريا", march)
    assert found
    for h in found:
        assert h.published_at.strftime("%Y-%m") == "2019-03"
    assert hits(fixture_db, "سوريا", Selection(since=period_start("2020"))) == []


def test_title_matches_rank_first(fixture_db: FixtureArchive) -> None:
    found = hits(fixture_db, "روسيا")  # in one title (4533), in the text of three others
    assert len(found) >= 4
    assert "روسيا" in (found[0].title or "")
    ranks = [h.rank for h in found]
    assert ranks == sorted(ranks)


def _ranked(
    db: FixtureArchive,
    query: str,
    candidates: int | None,
    selection: Selection | None = None,
    limit: int = 100,
) -> list[Hit]:
    with Archive.open(db.url) as archive, archive.engine.connect() as conn:
        return search(conn, query, selection, limit=limit, candidates=candidates)


def _ids(found: list[Hit]) -> list[int]:
    return [h.article_id for h in found]


@pytest.mark.parametrize("query", ["سوريا", "روسيا", "الأمريكية سوريا", '"الولايات المتحدة"'])
def test_queries_with_few_matches_are_ranked_exactly(
    fixture_db: FixtureArchive, query: str
) -> None:
    exact = _ids(_ranked(fixture_db, query, None))  # every match ranked
    assert exact
    bounded = _ranked(fixture_db, query, len(exact), limit=len(exact))  # all are candidates
    assert _ids(bounded) == exact


def test_common_queries_rank_the_newest_and_the_title_matches(fixture_db: FixtureArchive) -> None:
    word = "الشمالي"
    exact = _ranked(fixture_db, word, None)
    in_title = sorted(h.article_id for h in exact if word in search_key(h.title or "").split())
    newest = sorted(h.article_id for h in exact)[-3:]
    candidates = set(newest) | set(in_title[-3:])
    expected = [a for a in _ids(exact) if a in candidates][:3]
    assert expected != _ids(exact)[:3]  # an older text match ranks in the exact top 3
    assert _ids(_ranked(fixture_db, word, 3, limit=3)) == expected


def test_candidates_are_chosen_within_the_selection(fixture_db: FixtureArchive) -> None:
    archive_newest = max(h.article_id for h in hits(fixture_db, "سوريا"))
    oldest = min(hits(fixture_db, "سوريا"), key=lambda h: h.article_id)
    outlet = Selection(sources=(oldest.source,))
    exact = _ids(_ranked(fixture_db, "سوريا", None, outlet))
    assert archive_newest not in exact
    assert _ids(_ranked(fixture_db, "سوريا", 1, outlet, limit=1)) == exact[:1]


def test_a_larger_limit_widens_the_candidates(fixture_db: FixtureArchive) -> None:
    exact = _ids(_ranked(fixture_db, "سوريا", None))
    assert len(exact) > 2
    assert _ids(_ranked(fixture_db, "سوريا", 1)) == exact  # limit 100 > 1 candidate


def test_phrases_keep_word_order(fixture_db: FixtureArchive) -> None:
    forward = hits(fixture_db, '"الولايات المتحدة"')
    assert forward
    assert hits(fixture_db, '"المتحدة الولايات"') == []
    assert len(hits(fixture_db, "المتحدة الولايات")) >= len(forward)


def test_search_sql_for_other_clients(fixture_db: FixtureArchive) -> None:
    """`arshif search --sql` prints SQL that gives the same hits in any client."""
    sql = sql_for(fixture_db.dialect, "الأميركية سورية")
    engine = create_engine(fixture_db.url)
    try:
        with engine.connect() as conn:
            urls = [r[3] for r in conn.exec_driver_sql(sql.replace("%", "%%"))]
    finally:
        engine.dispose()
    assert urls == [h.url for h in hits(fixture_db, "الأميركية سورية")][:20]


# -- keeping the index current -------------------------------------------------------------


@pytest.fixture
def archive(db_url: str) -> Iterator[Archive]:
    with Archive.open(db_url) as arc:
        arc.sync_sources([GOV])
        yield arc


def _search(archive: Archive, query: str) -> list[int]:
    with archive.engine.connect() as conn:
        return [h.article_id for h in search(conn, query)]


def test_index_follows_new_versions(archive: Archive) -> None:
    url = "http://gov.example/archives/1"
    paragraphs = seed("004")
    first = archive.ingest(page("gov", url, article_html("عنوان أول", paragraphs), fetched_at=T0))
    assert _search(archive, "أستانا") == [first.article_id]
    assert _search(archive, "زلزال") == []
    edited = [p.replace("أستانا", "زلزال") for p in paragraphs]
    archive.ingest(
        page("gov", url, article_html("عنوان ثان", edited), fetched_at=T0 + timedelta(days=1))
    )
    assert _search(archive, "زلزال") == [first.article_id]
    assert _search(archive, "أستانا") == []  # only the latest version is searchable
    assert _search(archive, "ثان") == [first.article_id]


def test_refresh_repairs_missing_and_stale_documents(archive: Archive) -> None:
    a = archive.ingest(
        page("gov", "http://gov.example/archives/1", article_html("أ", seed("004")), fetched_at=T0)
    )
    b = archive.ingest(
        page("gov", "http://gov.example/archives/2", article_html("ب", seed("000")), fetched_at=T0)
    )
    with archive.engine.begin() as conn:
        conn.execute(
            text("DELETE FROM search_documents WHERE article_id = :a"), {"a": a.article_id}
        )
        conn.execute(
            text(
                "UPDATE search_documents SET fold_version = 0, folded_text = 'x' WHERE article_id = :b"
            ),
            {"b": b.article_id},
        )
    assert _search(archive, "أستانا") == []
    seen: list[int] = []
    assert refresh(archive.engine, rebuild=True, progress=seen.append) == 2
    assert seen[-1] == 2
    assert _search(archive, "أستانا") == [a.article_id]
    with archive.engine.connect() as conn:
        versions = conn.execute(text("SELECT DISTINCT fold_version FROM search_documents")).all()
    assert versions == [(FOLD_VERSION,)]
    assert refresh(archive.engine) == 0  # nothing left to do


def test_upgrading_an_existing_archive_indexes_its_articles(db_url: str) -> None:
    with Archive.open(db_url) as archive:
        archive.sync_sources([GOV])
        result = archive.ingest(
            page("gov", "http://gov.example/archives/1", article_html("لافروف", seed("004")))
        )
        migrate.downgrade(archive.engine, "0001")  # an archive from before the search index
        with archive.engine.connect() as conn:
            assert conn.execute(text("SELECT COUNT(*) FROM latest_versions")).scalar() == 1
        migrate.upgrade(archive.engine)
        assert _search(archive, "الأميركية") == [result.article_id]
        assert _search(archive, "لافروف") == [result.article_id]


# -- the SQL-side folding (PostgreSQL) -----------------------------------------------------

FOLD_SAMPLES = [
    "الأميركية",
    "الولايات المتحدة الأمريكيّة، وسورية!",
    "«السورية للحبوب» تُعلن ـــ ٢٠١٩ — مُدُن",
    "إلى مستشفى الرّقة؛ ؤ ئ آ ٱ ى ی ک",
    "Syria's  (SANA) report: 3.5%  \u200fRLM\u200f",
    "فسورية وبسورية لسورية سوريةً",
    "  ",
]
ALPHABET = st.sampled_from(
    [chr(c) for c in range(0x0621, 0x064B)]
    + ["\u064b", "\u064e", "\u0651", "\u0652", "\u0640", "\u0670", "ٱ", "ی", "ک"]
    + list("٠١٢٣٤٥٦٧٨٩0123456789abcXYZ")
    + list(" ،؛؟«».,:;!?()\"'-–—/…%\n")
    + ["سورية", "أميرك"]
)


@pytest.fixture(scope="module")
def pg_fold(pg_admin_url: str) -> Iterator[object]:
    import uuid

    from sqlalchemy.engine import make_url

    name = f"arshif_fold_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = create_engine(make_url(pg_admin_url).set(database=name))
    try:
        migrate.upgrade(engine)
        with engine.connect() as conn:
            yield lambda s: conn.execute(text("SELECT arshif_fold(:s)"), {"s": s}).scalar()
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("sample", FOLD_SAMPLES)
def test_sql_folding_matches_python(pg_fold: object, sample: str) -> None:
    assert pg_fold(sample) == search_key(sample)  # type: ignore[operator]


@pytest.mark.postgres
@settings(max_examples=300, deadline=None)
@given(st.lists(ALPHABET, max_size=30).map("".join))
def test_sql_folding_matches_python_on_arabic_text(pg_fold: object, sample: str) -> None:
    assert pg_fold(sample) == search_key(sample)  # type: ignore[operator]


def test_sql_search_agrees_with_python(fixture_db: FixtureArchive) -> None:
    """PostgreSQL: arshif_search(); SQLite: FTS5 MATCH arshif_fold() in `arshif query`."""
    from archive.readonly import readonly_engine, run_query

    sql = (
        "SELECT article_id FROM arshif_search('الأمريكية سوريا') ORDER BY rank, article_id"
        if fixture_db.dialect == "postgresql"
        else "SELECT rowid FROM search_fts WHERE search_fts MATCH arshif_fold('الأمريكية سوريا') "
        "ORDER BY bm25(search_fts, 10.0, 1.0), rowid"
    )
    engine = readonly_engine(fixture_db.url)
    try:
        with run_query(engine, sql) as (_, rows):
            ids = [r[0] for r in rows]
    finally:
        engine.dispose()
    expected = hits(fixture_db, "الأمريكية سوريا", Selection(include_duplicates=True))
    assert ids == [h.article_id for h in expected]
    assert len(ids) >= 3


# -- the command ----------------------------------------------------------------------------


def test_search_command_prints_ranked_hits(
    fixture_db: FixtureArchive, capsys: pytest.CaptureFixture[str]
) -> None:
    from archive.cli import main

    assert main(["search", "--db", fixture_db.url, "الامريكية", "--limit", "3"]) == 0
    out = capsys.readouterr().out
    blocks = [b for b in out.strip().split("\n\n") if b]
    assert len(blocks) == 3
    first = blocks[0].splitlines()
    assert first[0].startswith("1. ")  # (stripped)
    assert " · 2019-" in first[0]  # outlet · date · title
    assert "[الأ" in first[1]  # the snippet marks the match, in the stored spelling
    assert first[2].lstrip().startswith("#")

    assert main(["search", "--db", fixture_db.url, "--json", "سوريا", "--source", "alsham"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data
    assert {d["source"] for d in data} == {"alsham"}
    assert set(data[0]) >= {"rank", "article_id", "url", "published_at", "title", "snippet"}

    assert main(["search", "--db", fixture_db.url, "كلمةغيرموجودة"]) == 1
    assert "no matches" in capsys.readouterr().err

    assert main(["search", "--db", fixture_db.url, "--sql", "الأميركية"]) == 0
    sql = capsys.readouterr().out
    assert ("الامريكيه" in sql) if fixture_db.dialect == "sqlite" else ("arshif_search" in sql)


def test_search_command_errors(
    fixture_db: FixtureArchive, capsys: pytest.CaptureFixture[str]
) -> None:
    from archive.cli import main

    assert main(["search", "--db", fixture_db.url, "«»،"]) == 2
    assert "nothing to search for" in capsys.readouterr().err
    assert main(["search", "--db", fixture_db.url, "x", "--source", "nope"]) == 2
    assert "no outlet named 'nope'" in capsys.readouterr().err


def test_reindex_command(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    from archive.cli import main

    with Archive.open(db_url) as archive:
        archive.sync_sources([GOV])
        archive.ingest(page("gov", "http://gov.example/archives/1", article_html("أ", seed("004"))))
        with archive.engine.begin() as conn:
            conn.execute(text("DELETE FROM search_documents"))
    assert main(["search", "--db", db_url, "--reindex"]) == 0
    assert "search index: 1 document (re)indexed" in capsys.readouterr().err
    assert main(["search", "--db", db_url, "--json", "أستانا"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 1
