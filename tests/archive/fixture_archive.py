"""A small, realistic archive built with real ingest: the fixture web's pages fetched over HTTP.

What it holds (the facts the cookbook and search tests assert):

- ``alsham`` (government-leaning, "سورية"/"الأميركية") and ``hurriya`` (opposition,
  "سوريا"/"الأمريكية"): the 7 + 7 articles of ``crawler/demo`` (see its README), fetched from
  a live :class:`FixtureWeb` and ingested with :meth:`Archive.ingest`, one crawl run each;
- ``mirror``: a third outlet that republished alsham's wheat story (98771) two days later
  in opposition house style, so that story has two republications (hurriya's 4528 and this);
- a second alsham run that fetches the scripted edit of 98803 (a second version) and
  records a 404.
"""

from __future__ import annotations

import tomllib
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from archive.prepare import FetchedPage
from archive.sources import Source, parse_sources
from archive.store import Archive
from crawler.demo.content import house_style
from crawler.demo.web import FixtureWeb
from tests.archive.pages import article_html

FIRST_CRAWL = datetime(2019, 6, 1, 8, 0, tzinfo=UTC)
SECOND_CRAWL = datetime(2019, 6, 3, 8, 0, tzinfo=UTC)
MIRROR = Source(name="mirror", url="http://mirror.example/", language="ar")
MIRROR_URL = "http://mirror.example/2019/05/14/wheat"


@dataclass(frozen=True)
class Facts:
    wire_url: str  # alsham 98771, the story republished twice
    hurriya_copy_url: str  # hurriya 4528
    edited_url: str  # alsham 98803, two versions
    missing_url: str  # a 404 recorded in fetch_failures


def _fetch(source: str, url: str, fetched_at: datetime) -> FetchedPage:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=10) as resp:
        return FetchedPage(
            source=source,
            url=url,
            final_url=resp.geturl(),
            status=resp.status,
            headers={k.lower(): v for k, v in resp.headers.items()},
            body=resp.read(),
            fetched_at=fetched_at,
            is_article=True,
        )


def build(db_url: str) -> Facts:
    """Fill the (empty) archive at ``db_url``; returns the URLs the tests refer to."""
    with FixtureWeb() as web, Archive.open(db_url) as archive:
        sources = parse_sources(tomllib.loads(web.sources_toml()))
        archive.sync_sources([*sources.values(), MIRROR])
        wire, copy = web.syndicated_pair()
        for name in ("alsham", "hurriya"):
            run = archive.start_run(name)
            for i, url in enumerate(web.article_urls(name)):
                page = _fetch(name, url, FIRST_CRAWL + timedelta(minutes=i))
                archive.ingest(page, run_id=run)
            archive.finish_run(run, "ok", "finished")

        story = next(a for a in web.articles("alsham") if web.article_url(a) == wire)
        run = archive.start_run("mirror")
        body = article_html(
            house_style(story.title),
            [house_style(line) for line in story.text.splitlines()[1:]],
            published=(story.published + timedelta(days=2)).isoformat(),
        )
        archive.ingest(
            FetchedPage("mirror", MIRROR_URL, MIRROR_URL, 200, {}, body, FIRST_CRAWL, True),
            run_id=run,
        )
        archive.finish_run(run, "ok", "finished")

        edited = web.edit_article()
        missing = web.outlets["alsham"].url("/archives/98701")
        run = archive.start_run("alsham")
        archive.ingest(_fetch("alsham", edited, SECOND_CRAWL), run_id=run)
        archive.record_failure("alsham", missing, "http", "HTTP 404", 404, run_id=run)
        archive.finish_run(run, "ok", "finished")
    return Facts(wire, copy, edited, missing)
