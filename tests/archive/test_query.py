"""`arshif query` on real databases: output formats, and read-only for real."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from archive.cli import main
from archive.readonly import check_statement, split_statements
from archive.store import Archive
from archive.tabular import clip, display_width
from tests.archive.conftest import FixtureArchive

COUNTS = "SELECT source, COUNT(*) AS n FROM articles_overview GROUP BY source ORDER BY source"


def query(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["query", *args])
    out, err = capsys.readouterr()
    return code, out, err


def totals(url: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [
                tuple(r)
                for r in conn.execute(
                    text(
                        "SELECT (SELECT COUNT(*) FROM articles), (SELECT COUNT(*) FROM sources), "
                        "(SELECT COUNT(*) FROM article_versions), (SELECT COUNT(*) FROM search_documents)"
                    )
                )
            ]
    finally:
        engine.dispose()


# -- formats --------------------------------------------------------------------------------


def test_table_for_a_terminal(
    fixture_db: FixtureArchive, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = query(
        capsys,
        "--db",
        fixture_db.url,
        "--max-width",
        "30",
        "SELECT source, word_count, text FROM corpus ORDER BY article_id",
    )
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["source", "word_count", "text"]
    assert set(lines[1]) <= {"-", " "}
    assert lines[-1] == "(13 rows)"
    body = lines[2:-1]
    assert len(body) == 13
    start = lines[0].index("text")  # the columns before it are ASCII
    for line in body:
        text_cell = line[start:]
        assert display_width(text_cell) <= 30
        assert text_cell.endswith("…")  # every article is longer than 30 columns
        assert "\n" not in text_cell


def test_table_row_limit_says_what_was_left_out(
    fixture_db: FixtureArchive, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = query(capsys, "--db", fixture_db.url, "--max-rows", "2", "SELECT url FROM articles")
    assert out.splitlines()[-1].startswith("(15 rows; 13 not shown")
    assert len(out.splitlines()) == 5


def test_csv_and_json_for_pipes(
    fixture_db: FixtureArchive, capsys: pytest.CaptureFixture[str]
) -> None:
    sql = "SELECT article_id, source, title, text, published_at FROM corpus ORDER BY article_id"
    _, out, _ = query(capsys, "--db", fixture_db.url, "--format", "csv", sql)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 13
    assert "\n" in rows[0]["text"]  # full values, newlines kept (quoted)
    assert rows[0]["published_at"].startswith("2019-")

    _, out, _ = query(capsys, "--db", fixture_db.url, "--format", "json", sql)
    objects = json.loads(out)
    assert [o["text"] for o in objects] == [r["text"] for r in rows]
    assert isinstance(objects[0]["article_id"], int)

    _, out, _ = query(capsys, "--db", fixture_db.url, "--format", "jsonl", sql)
    assert [json.loads(line) for line in out.splitlines()] == objects


def test_sql_from_a_file_or_stdin(
    fixture_db: FixtureArchive,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "q.sql"
    path.write_text(f"-- outlets\n{COUNTS};\n", encoding="utf-8")
    _, out, _ = query(capsys, "--db", fixture_db.url, "--format", "csv", "-f", str(path))
    assert out == "source,n\nalsham,7\nhurriya,7\nmirror,1\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(COUNTS))
    _, again, _ = query(capsys, "--db", fixture_db.url, "--format", "csv", "-f", "-")
    assert again == out


def test_like_with_percent_signs(
    fixture_db: FixtureArchive, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = query(
        capsys,
        "--db",
        fixture_db.url,
        "--format",
        "csv",
        "SELECT COUNT(*) AS n FROM articles WHERE url LIKE '%archives%'",
    )
    assert out == "n\n7\n"


# -- read-only ------------------------------------------------------------------------------

WRITES = [
    "INSERT INTO sources (name, url, created_at) VALUES ('x', 'http://x/', '2020-01-01')",
    "UPDATE articles SET url = 'gone'",
    "DELETE FROM article_versions",
    "DROP TABLE articles",
    "CREATE TABLE t (x INTEGER)",
    "WITH doomed AS (SELECT id FROM articles) DELETE FROM articles WHERE id IN (SELECT id FROM doomed)",
    "SELECT 1; DELETE FROM articles",
    "COMMIT",
]


@pytest.mark.parametrize("sql", WRITES)
def test_writes_are_refused_and_change_nothing(
    fixture_db: FixtureArchive, capsys: pytest.CaptureFixture[str], sql: str
) -> None:
    before = totals(fixture_db.url)
    code, out, err = query(capsys, "--db", fixture_db.url, sql)
    assert code == 2
    assert out == ""
    assert err.startswith("arshif-archive: error: ")
    assert "read-only" in err or "one statement at a time" in err
    assert "Traceback" not in err
    assert totals(fixture_db.url) == before


def test_the_database_refuses_what_the_statement_check_lets_through(
    fixture_db: FixtureArchive, capsys: pytest.CaptureFixture[str]
) -> None:
    """Layer 2: a write hidden in a function call reaches the database, which refuses it."""
    sql = (
        "SELECT nextval('articles_id_seq')"
        if fixture_db.dialect == "postgresql"
        else "SELECT * FROM articles WHERE id IN (SELECT 1) LIMIT 0"
    )
    code, _, err = query(capsys, "--db", fixture_db.url, sql)
    if fixture_db.dialect == "postgresql":
        assert code == 2
        assert "read-only" in err
    else:
        assert code == 0


def test_connection_is_read_only_even_without_the_check(fixture_db: FixtureArchive) -> None:
    from archive.readonly import readonly_engine

    engine = readonly_engine(fixture_db.url)
    before = totals(fixture_db.url)
    try:
        with engine.connect() as conn:
            conn.begin()
            raw = conn.connection.driver_connection
            assert raw is not None
            with pytest.raises(engine.dialect.loaded_dbapi.Error, match=r"readonly|read-only"):
                raw.execute("DELETE FROM fetch_failures")
            conn.rollback()
    finally:
        engine.dispose()
    assert totals(fixture_db.url) == before


def test_sql_errors_are_one_line(
    fixture_db: FixtureArchive, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = query(capsys, "--db", fixture_db.url, "SELECT nope FROM nowhere")
    assert code == 2
    assert err.count("\n") == 1
    assert "SQL error" in err
    assert "nowhere" in err


def test_missing_sqlite_archive_is_not_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "absent.db"
    code, _, err = query(capsys, "--db", str(path), "SELECT 1")
    assert code == 2
    assert f"no archive at {path}" in err
    assert not path.exists()


def test_reads_while_a_crawl_holds_the_write_lock(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """WAL: a reader is not blocked by an open write transaction and sees committed data."""
    with Archive.open(sqlite_url) as archive:
        from archive.sources import Source

        archive.sync_sources([Source(name="gov", url="http://gov.example/")])
    path = make_url(sqlite_url).database
    writer = sqlite3.connect(str(path), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute(
        "INSERT INTO sources (name, url, created_at) VALUES ('new', 'http://n/', '2020-01-01')"
    )
    result: list[tuple[int, str]] = []
    thread = threading.Thread(
        target=lambda: result.append(
            (main(["query", "--db", sqlite_url, "--format", "csv", "SELECT name FROM sources"]), "")
        )
    )
    thread.start()
    thread.join(timeout=20)
    writer.execute("ROLLBACK")
    writer.close()
    assert not thread.is_alive(), "the reader waited for the writer"
    assert result[0][0] == 0
    out = capsys.readouterr().out
    assert out == "name\ngov\n"  # the uncommitted row is invisible


# -- units ----------------------------------------------------------------------------------


def test_statement_splitting_respects_quotes_and_comments() -> None:
    assert split_statements("SELECT ';' -- ; \n ; /* ; */ SELECT 2;") == [
        "SELECT ';' -- ;",
        "/* ; */ SELECT 2",
    ]
    assert split_statements("SELECT $x$ ; $x$, 'it''s;'") == ["SELECT $x$ ; $x$, 'it''s;'"]
    assert split_statements("-- only a comment\n;;") == []
    assert check_statement("  select 1 ;") == "select 1"
    assert check_statement("WITH d AS (SELECT 'delete') SELECT * FROM d")
    assert check_statement("PRAGMA table_info(articles)")
    with pytest.raises(ValueError, match="PRAGMA"):
        check_statement("PRAGMA journal_mode = DELETE")


def test_display_width_and_clipping_of_arabic() -> None:
    assert display_width("سُورِيَّة") == 5  # diacritics take no column
    assert display_width("\u200fسوريا\u200f") == 5  # nor do bidi marks
    assert display_width("中文") == 4
    assert clip("الأولى\nالثانية", 0) == "الأولى الثانية"
    cut = clip("كلمة " * 20, 12)
    assert cut.endswith("…")
    assert display_width(cut) <= 12
