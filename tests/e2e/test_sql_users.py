"""An analyst's session, end to end: crawl the fixture web, then answer questions with
`arshif query`, find spelling variants with `arshif search`, export the corpus and load it
in pandas. Real subprocesses, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from crawler.demo.web import FixtureWeb
from tests.archive.cookbook import recipes
from tests.e2e.test_crawl import arshif, crawl

pytestmark = pytest.mark.e2e


@pytest.fixture
def web() -> Iterator[FixtureWeb]:
    with FixtureWeb() as fixture:
        yield fixture


def test_crawl_then_query_search_export(web: FixtureWeb, tmp_path: Path, db_url: str) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(web.sources_toml(), encoding="utf-8")
    crawl(sources, db_url)

    # A cookbook question, from a file, as an analyst would run it.
    dialect = "sqlite" if db_url.startswith("sqlite") else "postgresql"
    recipe = next(r for r in recipes() if r.number == 2)
    question = tmp_path / "republished.sql"
    question.write_text(recipe.sql[dialect], encoding="utf-8")
    result = arshif("query", "--db", db_url, "--format", "csv", "-f", str(question))
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    original, copy = web.syndicated_pair()
    assert [(r["source"], r["republished_by"]) for r in rows] == [("alsham", "hurriya")]

    table = arshif("query", "--db", db_url, "SELECT source, title, text FROM corpus")
    assert table.returncode == 0
    assert table.stdout.rstrip().endswith("(13 rows)")
    assert "…" in table.stdout

    refused = arshif("query", "--db", db_url, "DELETE FROM articles")
    assert refused.returncode == 2
    assert "read-only" in refused.stderr

    # One spelling in the query, both outlets' spellings found.
    found = arshif("search", "--db", db_url, "--json", "الامريكية")
    assert found.returncode == 0, found.stderr
    hits = json.loads(found.stdout)
    assert {h["source"] for h in hits} == {"alsham", "hurriya"}
    snippets = " ".join(h["snippet"] for h in hits)
    assert "الأميركية" in snippets
    assert "الأمريكية" in snippets

    out = tmp_path / "corpus.parquet"
    exported = arshif("export", "--db", db_url, "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    df = pd.read_parquet(out)
    assert len(df) == 13
    wire = df[df["url"] == original].iloc[0]
    assert list(wire["republished_by"]) == ["hurriya"]
    assert copy not in set(df["url"])
