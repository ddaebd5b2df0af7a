"""What keeps ingest fast (docs/benchmarks.md, "Ingest throughput"), checked on a real crawl:
every page's HTML is decoded and parsed once, and a page a worker process extracted is not
extracted again by the archive."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.demo.web import FixtureWeb
from tests.e2e.test_crawl import FAST, sql

pytestmark = pytest.mark.e2e

# Runs `arshif` with counters around lxml's parser entry points and archive.decode, per call
# of archive.ingest.ingest_page (one call per fetched page), and writes them as JSON. A parse
# counts when its input is a whole page (has a <head>): trafilatura also parses fragments of
# its own output (readability's candidate, as a bare trafilatura.extract does), which is not
# the page parsed again.
COUNTING_ARSHIF = """
import json, sys, threading
from collections import Counter
from lxml import etree

state = threading.local()
pages = []

def counted(kind, func, whole_page=lambda arg: True):
    def wrapper(*args, **kwargs):
        counts = getattr(state, "counts", None)
        if counts is not None and whole_page(args[0]):
            counts[kind] += 1
        return func(*args, **kwargs)
    return wrapper

def has_head(text):
    head = text[:4096].lower()
    return (b"<head" if isinstance(head, bytes) else "<head") in head

etree.fromstring = counted("parse", etree.fromstring, has_head)
etree.HTML = counted("parse", etree.HTML, has_head)
import archive.decode
archive.decode.decode_html = counted("decode", archive.decode.decode_html)
import archive.ingest  # imports archive.extract, which now sees the counted decode_html

def per_page(func):
    def wrapper(*args, **kwargs):
        state.counts = Counter()
        try:
            return func(*args, **kwargs)
        finally:
            pages.append(dict(state.counts))
            state.counts = None
    return wrapper

archive.ingest.ingest_page = per_page(archive.ingest.ingest_page)

if __name__ == "__main__":  # not in the extraction workers, which import this module
    from crawler.cli import main  # archive.store binds the counted ingest_page

    try:
        code = main(sys.argv[2:])
    finally:
        with open(sys.argv[1], "w") as out:
            json.dump(pages, out)
    sys.exit(code)
"""


@pytest.mark.parametrize(("processes", "parses"), [("0", 1), ("1", 0)])
def test_each_page_is_decoded_and_parsed_once(
    tmp_path: Path, sqlite_url: str, processes: str, parses: int
) -> None:
    script = tmp_path / "counting_arshif.py"
    script.write_text(COUNTING_ARSHIF, encoding="utf-8")
    counts = tmp_path / "counts.json"
    with FixtureWeb() as web:
        sources = tmp_path / "sources.toml"
        sources.write_text(web.sources_toml(), encoding="utf-8")
        args = ["--sources", str(sources), "--db", sqlite_url, *FAST]
        args += ["-s", f"ARSHIF_EXTRACT_PROCESSES={processes}"]
        done = subprocess.run(
            [sys.executable, str(script), str(counts), "crawl", *args],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
    assert done.returncode == 0, done.stdout + done.stderr
    pages = json.loads(counts.read_text(encoding="utf-8"))
    (fetched,) = sql(sqlite_url, "SELECT SUM(pages_fetched) FROM crawl_runs")[0]
    assert len(pages) == fetched >= 14  # every article of the fixture web went through ingest
    assert sql(sqlite_url, "SELECT COUNT(*) FROM articles")[0][0] >= 14
    # In the crawl's process: parsed and decoded once per page (ARSHIF_EXTRACT_PROCESSES=0),
    # or not at all when a worker process extracted the page (the default).
    assert [p.get("parse", 0) for p in pages] == [parses] * len(pages), pages
    assert [p.get("decode", 0) for p in pages] == [parses] * len(pages), pages
