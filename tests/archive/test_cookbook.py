"""docs/schema.md's cookbook, run against the fixture archive on SQLite and PostgreSQL.

The queries are read from the markdown; each recipe's answer is checked against what the
fixture archive is known to hold (tests/archive/fixture_archive.py), so a query that runs
but answers wrongly fails too.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from archive.readonly import readonly_engine, run_query
from archive.search import search
from archive.store import Archive
from tests.archive.conftest import FixtureArchive
from tests.archive.cookbook import all_blocks, recipes

Rows = list[tuple[Any, ...]]


def run(db: FixtureArchive, sql: str) -> Rows:
    engine = readonly_engine(db.url)
    try:
        with run_query(engine, sql) as (_, rows):
            return [tuple(r) for r in rows]
    finally:
        engine.dispose()


def python_search(db: FixtureArchive, query: str) -> list[Any]:
    with Archive.open(db.url) as archive, archive.engine.connect() as conn:
        return search(conn, query, limit=1000)


def check_1(db: FixtureArchive, rows: Rows) -> None:
    assert [(s, m, int(n)) for s, m, n in rows] == [
        ("alsham", "2019-03", 1),
        ("alsham", "2019-04", 2),
        ("alsham", "2019-05", 4),
        ("hurriya", "2019-03", 2),
        ("hurriya", "2019-04", 1),
        ("hurriya", "2019-05", 3),
    ]


def check_2(db: FixtureArchive, rows: Rows) -> None:
    assert len(rows) == 1
    source, day, title, count, outlets = rows[0]
    assert (source, day, int(count), outlets) == ("alsham", "2019-05-12", 2, "hurriya, mirror")
    assert "القمح" in title


def check_3(db: FixtureArchive, rows: Rows) -> None:
    assert [(r[0], r[1], r[3]) for r in rows] == [("alsham", "2019-05-12", "hurriya, mirror")]


def check_4(db: FixtureArchive, rows: Rows) -> None:
    assert [(r[0], r[1], float(r[2])) for r in rows] == [
        ("alsham", "hurriya", 26.42),  # 2019-05-12 10:05 +03:00 -> 2019-05-13 12:30 +03:00
        ("alsham", "mirror", 48.0),
    ]
    assert all(kind in ("exact", "near") and 0.5 < sim <= 1.0 for _, _, _, kind, sim, _ in rows)


def check_5(db: FixtureArchive, rows: Rows) -> None:
    assert [(a, b, int(n), round(float(h), 2)) for a, b, n, h in rows] == [
        ("alsham", "hurriya", 1, 26.42),
        ("alsham", "mirror", 1, 48.0),
    ]


def check_6(db: FixtureArchive, rows: Rows) -> None:
    # Both spellings are found: the government outlet writes الأميركية, the opposition الأمريكية.
    assert {r[0] for r in rows} == {"alsham", "hurriya"}
    expected: dict[tuple[str, str], int] = {}
    for hit in python_search(db, "الأمريكية"):
        assert hit.published_at is not None
        key = (hit.source, hit.published_at.strftime("%Y-%m"))
        expected[key] = expected.get(key, 0) + 1
    assert {(s, m): int(n) for s, m, n in rows} == expected


def check_7(db: FixtureArchive, rows: Rows) -> None:
    hits = python_search(db, '"الولايات المتحدة"')
    assert [r[2] for r in rows] == [h.title for h in hits][:10]
    assert len(rows) >= 2


def check_8(db: FixtureArchive, rows: Rows) -> None:
    assert [(r[0], str(r[1])[:10], *r[2:5]) for r in rows] == [
        ("alsham", "2019-06-03", 2, 193, 222)
    ]
    assert rows[0][6] == db.facts.edited_url
    assert rows[0][7] > 0


def check_9(db: FixtureArchive, rows: Rows) -> None:
    assert rows == []  # the fixture's edits happened in 2019


def check_10(db: FixtureArchive, rows: Rows) -> None:
    assert [(r[0], r[1], r[4]) for r in rows] == [
        (db.facts.edited_url, 1, 193),
        (db.facts.edited_url, 2, 222),
    ]


def check_11(db: FixtureArchive, rows: Rows) -> None:
    assert [r[0] for r in rows] == ["hurriya", "mirror"]
    assert all(r[1] == 282 and 250 < r[2] < 282 for r in rows)


def check_12(db: FixtureArchive, rows: Rows) -> None:
    assert [(r[0], r[2], r[3], r[5], r[7]) for r in rows] == [
        ("alsham", "ok", 1, 1, 1),  # the second run: the edit and a 404
        ("hurriya", "ok", 7, 0, 0),
        ("mirror", "ok", 1, 0, 0),
    ]


def check_13(db: FixtureArchive, rows: Rows) -> None:
    assert rows == [("alsham", "http", 404, "HTTP 404", db.facts.missing_url)]


def check_14(db: FixtureArchive, rows: Rows) -> None:
    assert [(s, int(n), float(avg)) for s, n, avg, _ in rows] == [
        ("alsham", 7, 299.0),
        ("hurriya", 6, 218.0),
    ]


CHECKS: dict[int, Callable[[FixtureArchive, Rows], None]] = {
    int(name.split("_")[1]): fn for name, fn in globals().items() if name.startswith("check_")
}
RECIPES = recipes()


def test_the_cookbook_has_at_least_ten_checked_questions() -> None:
    numbers = [r.number for r in RECIPES]
    assert len(numbers) >= 10
    assert numbers == list(range(1, len(numbers) + 1))
    assert sorted(CHECKS) == numbers, "every recipe needs a check_N here"
    for recipe in RECIPES:
        assert set(recipe.sql) == {"sqlite", "postgresql"}, recipe.question


@pytest.mark.parametrize("recipe", RECIPES, ids=[f"q{r.number}" for r in RECIPES])
def test_recipe(fixture_db: FixtureArchive, recipe: Any) -> None:
    rows = run(fixture_db, recipe.sql[fixture_db.dialect])
    CHECKS[recipe.number](fixture_db, rows)


def test_recipes_run_in_a_plain_client(fixture_db: FixtureArchive) -> None:
    """No arshif in between: what a sqlite3 shell, DB Browser or psql would run."""
    if fixture_db.dialect == "sqlite":
        path = make_url(fixture_db.url).database
        conn: Any = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    else:
        import psycopg

        conn = psycopg.connect(
            make_url(fixture_db.url)
            .set(drivername="postgresql")
            .render_as_string(hide_password=False)
        )
    try:
        for recipe in RECIPES:
            sql = recipe.sql[fixture_db.dialect]
            plain = [
                tuple(r)
                for r in conn.execute(
                    sql if fixture_db.dialect == "sqlite" else sql.replace("%", "%%")
                )
            ]
            assert plain == run(fixture_db, sql), recipe.question
    finally:
        conn.close()


def test_every_sql_example_of_the_page_runs(fixture_db: FixtureArchive) -> None:
    blocks = [sql for dialect, sql in all_blocks() if dialect in ("both", fixture_db.dialect)]
    assert len(blocks) > len(RECIPES)
    for sql in blocks:
        run(fixture_db, sql)
