"""The recheck policy, the crawl gate, conditional requests and the spider's hooks."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler

from archive.recheck import KnownArticle, NotModified, RecheckPolicy, recheck_reason
from archive.sources import Source
from crawler.conditional import ConditionalRequestMiddleware
from crawler.incremental import Gate, is_pagination
from crawler.spiders.news import NewsSpider

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
SRC = Source(name="gov", url="http://gov.example/", article_pattern=re.compile(r"/archives/\d+$"))
H = timedelta(hours=1)
D = timedelta(days=1)


def known(
    article_id: int = 1,
    *,
    checked: datetime = NOW - H,
    due: datetime | None = NOW + H,
    lastmod: datetime | None = None,
    etag: str | None = '"e1"',
    last_modified: str | None = None,
) -> KnownArticle:
    return KnownArticle(
        article_id=article_id,
        etag=etag,
        last_modified=last_modified,
        last_checked_at=checked,
        next_check_at=due,
        has_state=True,
        lastmod=lastmod,
        published_at=NOW - 2 * D,
        first_seen_at=NOW - 2 * D,
    )


# -- the policy ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "interval"),
    [
        (timedelta(0), H),  # brand new: the minimum, 1 h
        (2 * H, H),
        (8 * H, 2 * H),  # a quarter of the age
        (D, 6 * H),
        (7 * D, 42 * H),
        (40 * D, 7 * D),  # capped at the maximum, 7 days
        (88 * D, 2 * D),  # never past the maximum age: the last check is at 90 days
        (90 * D, None),  # then never again
        (400 * D, None),
    ],
)
def test_default_policy_decays_with_age(age: timedelta, interval: timedelta | None) -> None:
    nxt = RecheckPolicy().next_check(NOW, NOW - age)
    assert (None if nxt is None else nxt - NOW) == interval


def test_policy_validates_eagerly() -> None:
    with pytest.raises(ValueError, match="shorter than recheck_min_interval"):
        RecheckPolicy(min_interval=2 * D, max_interval=D)
    with pytest.raises(ValueError, match="recheck_factor"):
        RecheckPolicy(factor=0)


def test_recheck_reasons() -> None:
    policy = RecheckPolicy()
    not_due = known(due=NOW + H)
    assert recheck_reason(not_due, mode="due", now=NOW, policy=policy) is None
    assert recheck_reason(known(due=NOW - H), mode="due", now=NOW, policy=policy) == "due"
    assert recheck_reason(known(due=None), mode="due", now=NOW, policy=policy) is None  # too old
    assert recheck_reason(not_due, mode="all", now=NOW, policy=policy) == "all"
    assert recheck_reason(known(due=NOW - H), mode="none", now=NOW, policy=policy) is None
    # A discovery date newer than the last known one: due at once, even past the max age.
    dated = known(due=None, lastmod=NOW - D)
    assert recheck_reason(dated, mode="due", now=NOW, policy=policy, signal=NOW - H) == "signal"
    assert recheck_reason(dated, mode="due", now=NOW, policy=policy, signal=NOW - D) is None
    # Without a stored date, the signal is compared with the last check.
    assert recheck_reason(not_due, mode="due", now=NOW, policy=policy, signal=NOW - 2 * H) is None
    assert recheck_reason(not_due, mode="due", now=NOW, policy=policy, signal=NOW) == "signal"


# -- the gate -----------------------------------------------------------------------------------


def gate(**kw: object) -> Gate:
    index = {
        "http://gov.example/archives/1": known(1, due=NOW + H),
        "http://gov.example/archives/2": known(
            2, due=NOW - H, etag=None, last_modified="Sat, 01 Jun 2024 10:00:00 GMT"
        ),
        "http://gov.example/archives/3": known(3, due=None, etag=None),
    }
    return Gate({"gov": SRC}, {"gov": index}, now=NOW, **kw)  # type: ignore[arg-type]


def test_gate_fetches_new_and_due_articles_only() -> None:
    g = gate()
    assert g.article(SRC, "http://gov.example/archives/9", None, None) == {}
    assert g.article(SRC, "http://gov.example/archives/1", None, None) is None
    assert g.article(SRC, "http://gov.example/archives/2", None, None) == {"arshif_recheck": "due"}
    signalled = g.article(SRC, "http://gov.example/archives/1?utm_source=x", NOW, None)
    assert signalled == {"arshif_lastmod": NOW, "arshif_recheck": "signal"}
    assert g.lastmod("gov", "http://gov.example/archives/1") == NOW
    assert g.rechecks(SRC) == ["http://gov.example/archives/2"]
    assert gate(mode="all").rechecks(SRC) == [f"http://gov.example/archives/{n}" for n in (1, 2, 3)]
    assert gate(mode="none").rechecks(SRC) == []


def test_gate_backfill_since_skips_old_dated_entries() -> None:
    g = gate(backfill=True, since=NOW - 10 * D)
    assert g.article(SRC, "http://gov.example/archives/9", None, NOW - 20 * D) is None
    assert g.article(SRC, "http://gov.example/archives/9", None, NOW - 5 * D) == {}
    assert gate().article(SRC, "http://gov.example/archives/9", None, NOW - 20 * D) == {}


def test_gate_stops_paging_at_known_articles_unless_backfilling() -> None:
    page = "http://gov.example/category/news"
    all_known = ["http://gov.example/archives/1", "http://gov.example/archives/2"]
    assert gate().stop_paging(SRC, page, all_known)
    assert not gate().stop_paging(SRC, page, [*all_known, "http://gov.example/archives/9"])
    assert not gate().stop_paging(SRC, page, [])
    assert not gate(backfill=True).stop_paging(SRC, page, all_known)
    # known articles published (2 days ago) before --since: the backfill can stop here
    assert gate(backfill=True, since=NOW - D).stop_paging(SRC, page, all_known)
    assert not gate(backfill=True, since=NOW - 5 * D).stop_paging(SRC, page, all_known)


def test_gate_validators_respect_the_source_switch() -> None:
    assert gate().validators("gov", "http://gov.example/archives/1") == ('"e1"', None)
    assert gate().validators("gov", "http://gov.example/archives/3") is None  # none stored
    assert gate().validators("gov", "http://gov.example/archives/9") is None  # unknown
    off = Source(name="gov", url="http://gov.example/", conditional_requests=False)
    g = Gate({"gov": off}, gate().known, now=NOW)
    assert g.validators("gov", "http://gov.example/archives/1") is None


@pytest.mark.parametrize(
    ("page", "link", "expected"),
    [
        ("http://x.sy/category/news", "http://x.sy/category/news/page/2", True),
        ("http://x.sy/category/news/page/2", "http://x.sy/category/news/page/3/", True),
        ("http://x.sy/category/news", "http://x.sy/category/sport/page/2", False),
        ("http://x.sy/category/syria", "http://x.sy/category/syria?page=2", True),
        ("http://x.sy/category/syria?page=2", "http://x.sy/category/syria?page=3", True),
        ("http://x.sy/category/syria?page=2", "http://x.sy/category/syria", False),
        ("http://x.sy/", "http://x.sy/?p=98760", False),  # a WordPress shortlink
        ("http://x.sy/", "http://x.sy/category/news", False),
        ("http://x.sy/list?cat=1", "http://x.sy/list?cat=2&page=2", False),
        ("http://x.sy/list?cat=1", "http://x.sy/list?cat=1&page=2", True),
        ("http://x.sy/news", "http://y.sy/news/page/2", False),
    ],
)
def test_is_pagination(page: str, link: str, expected: bool) -> None:
    assert is_pagination(page, link) is expected


# -- the components -----------------------------------------------------------------------------


def spider_with_gate(g: Gate) -> NewsSpider:
    crawler = get_crawler(NewsSpider)
    spider: NewsSpider = NewsSpider.from_crawler(crawler, sources={"gov": SRC})
    crawler.spider = spider
    assert crawler.stats is not None
    crawler.stats.open_spider()
    spider.gate = g
    return spider


def test_conditional_middleware_sends_validators_and_accepts_304() -> None:
    spider = spider_with_gate(gate())
    mw = ConditionalRequestMiddleware.from_crawler(spider.crawler)
    meta = {"arshif_source": "gov", "arshif_kind": "article"}
    req = Request("http://gov.example/archives/1", meta=meta)
    mw.process_request(req)
    assert req.headers[b"If-None-Match"] == b'"e1"'
    assert b"If-Modified-Since" not in req.headers
    assert req.meta["handle_httpstatus_list"] == [304]
    req2 = Request("http://gov.example/archives/2", meta=dict(meta))
    mw.process_request(req2)
    assert req2.headers[b"If-Modified-Since"] == b"Sat, 01 Jun 2024 10:00:00 GMT"
    listing = Request("http://gov.example/archives/1", meta={**meta, "arshif_kind": "listing"})
    mw.process_request(listing)
    assert b"If-None-Match" not in listing.headers
    response = Response(req.url, status=304, request=req)
    assert mw.process_response(req, response) is response
    assert spider.crawler.stats is not None
    assert spider.crawler.stats.get_value("arshif/conditional/not_modified") == 1
    assert spider.crawler.stats.get_value("arshif/conditional/sent") == 2


def test_spider_turns_a_304_into_not_modified() -> None:
    spider = spider_with_gate(gate())
    req = Request(
        "http://gov.example/archives/1",
        meta={"arshif_source": "gov", "arshif_kind": "article", "arshif_lastmod": NOW - D},
    )
    response = Response(req.url, status=304, headers={"ETag": '"e2"'}, request=req)
    (item,) = list(spider.parse_article(response))
    assert isinstance(item, NotModified)
    assert (item.source, item.url, item.headers["etag"], item.lastmod_hint) == (
        "gov",
        req.url,
        '"e2"',
        NOW - D,
    )


def test_spider_stops_paging_when_every_listed_article_is_known() -> None:
    links = "".join(f'<a href="/archives/{n}">{n}</a>' for n in (1, 2))
    body = f'<html><body>{links}<a rel="next" href="/category/news/page/2">next</a></body></html>'
    req = Request(
        "http://gov.example/category/news", meta={"arshif_source": "gov", "arshif_depth": 1}
    )

    def follow(g: Gate) -> list[str]:
        spider = spider_with_gate(g)
        resp = HtmlResponse(req.url, body=body.encode(), encoding="utf-8", request=req)
        return [r.url for r in spider.parse_listing(resp)]

    # Article 1 is not due, article 2 is: only 2 is fetched, and no next page.
    assert follow(gate()) == ["http://gov.example/archives/2"]
    assert follow(gate(backfill=True)) == [
        "http://gov.example/archives/2",
        "http://gov.example/category/news/page/2",
    ]
