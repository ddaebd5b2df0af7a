"""Incremental crawls: which known articles to fetch again, and when to stop paging back.

:class:`IncrementalExtension` loads, when the spider opens, what the archive already knows
about each source (articles, their HTTP validators and recheck schedule) and gives the spider
a :class:`Gate`. The spider asks the gate about every article URL it discovers, every listing
page it reads, and at start for the known articles that are due. The decisions themselves
are the archive's (:mod:`archive.recheck`); this module only adapts them to a crawl.

Settings: ``ARSHIF_INCREMENTAL_ENABLED`` (default True), ``ARSHIF_RECHECK`` (``all``, ``due``
or ``none``; ``arshif crawl --recheck``), ``ARSHIF_BACKFILL`` (``--backfill``) and
``ARSHIF_BACKFILL_SINCE`` (``--since``, an ISO date). Stats: ``arshif/recheck/<reason>``
(``due``, ``signal``, ``all``), ``arshif/recheck/skipped``, ``arshif/paging_stopped``,
``arshif/backfill/too_old``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import StatsCollector

from archive.recheck import (
    RECHECK_MODES,
    KnownArticle,
    RecheckMode,
    RecheckPolicy,
    policy_for,
    recheck_reason,
)
from archive.sources import Source
from archive.store import Archive
from archive.types import utcnow
from archive.urls import canonical_url

log = logging.getLogger(__name__)

_PAGE_PATH = re.compile(r"^(.*?)/page/\d+/?$")
# The same URLs are canonicalised at discovery, request and response time: cache them.
_canonical = lru_cache(maxsize=1 << 16)(canonical_url)
_PAGE_PARAMS = frozenset({"page", "paged", "pg", "pagenum", "start", "offset"})


def is_pagination(page_url: str, link_url: str) -> bool:
    """Whether ``link_url`` is another page of the listing at ``page_url``: the same path
    with ``/page/N`` (WordPress) or with a page number parameter (``?page=N``)."""
    a, b = urlsplit(canonical_url(page_url)), urlsplit(canonical_url(link_url))
    if a.netloc != b.netloc:
        return False
    if _PAGE_PATH.match(b.path):
        return _PAGE_PATH.sub(r"\1", a.path).rstrip("/") == _PAGE_PATH.sub(r"\1", b.path)
    if a.path.rstrip("/") != b.path.rstrip("/"):
        return False
    qa = {k: v for k, v in parse_qsl(a.query) if k.lower() not in _PAGE_PARAMS}
    qb = parse_qsl(b.query)
    numbered = [v for k, v in qb if k.lower() in _PAGE_PARAMS]
    rest = {k: v for k, v in qb if k.lower() not in _PAGE_PARAMS}
    return bool(numbered) and all(v.isdigit() for v in numbered) and qa == rest


class Gate:
    """What the archive knew when the crawl started, and the rules for using it."""

    def __init__(
        self,
        sources: Mapping[str, Source],
        known: Mapping[str, Mapping[str, KnownArticle]],
        *,
        mode: RecheckMode = "due",
        backfill: bool = False,
        since: datetime | None = None,
        now: datetime | None = None,
        stats: StatsCollector | None = None,
    ) -> None:
        if mode not in RECHECK_MODES:
            raise ValueError(f"recheck mode must be one of {RECHECK_MODES}, not {mode!r}")
        self.sources = sources
        self.known = known
        self.mode: RecheckMode = mode
        self.backfill = backfill
        self.since = since
        self.now = now or utcnow()
        self.stats = stats
        self.policies: dict[str, RecheckPolicy] = {n: policy_for(s) for n, s in sources.items()}
        self._signals: dict[tuple[str, str], datetime] = {}  # newest discovery date per URL

    def article(
        self, src: Source, url: str, signal: datetime | None, dated: datetime | None
    ) -> dict[str, Any] | None:
        """Request meta for fetching a discovered article URL, or None to leave it alone.

        ``signal``: the discovery's change date (sitemap lastmod, feed updated); ``dated``:
        its publication date, if it gives one (for ``--since``)."""
        known = self._known(src.name, url)
        meta: dict[str, Any] = {"arshif_lastmod": signal} if signal else {}
        if signal is not None:
            key = (src.name, _canonical(url))
            self._signals[key] = max(signal, self._signals.get(key, signal))
        if known is None:
            if self.backfill and self.since and dated and dated < self.since:
                self._inc("arshif/backfill/too_old")
                return None
            return meta
        reason = recheck_reason(
            known, mode=self.mode, now=self.now, policy=self.policies[src.name], signal=signal
        )
        if reason is None:
            self._inc("arshif/recheck/skipped")
            return None
        self._inc(f"arshif/recheck/{reason}")
        return {**meta, "arshif_recheck": reason}

    def rechecks(self, src: Source) -> list[str]:
        """Known articles to fetch again whether or not discovery finds them."""
        if self.mode == "none":
            return []
        policy = self.policies[src.name]
        return sorted(
            url
            for url, known in self.known.get(src.name, {}).items()
            if recheck_reason(known, mode=self.mode, now=self.now, policy=policy)
        )

    def stop_paging(self, src: Source, page_url: str, article_urls: Sequence[str]) -> bool:
        """Whether to stop following this listing's next pages: every article on it is known
        (in a backfill with ``--since``: known and published before that date)."""
        known = [self._known(src.name, u) for u in article_urls]
        if not known or any(k is None for k in known):
            return False
        if self.backfill and (
            self.since is None
            or any(
                k is None or k.published_at is None or k.published_at >= self.since for k in known
            )
        ):
            return False
        self._inc("arshif/paging_stopped")
        log.debug("%s: every article listed is known: not paging further back", page_url)
        return True

    def lastmod(self, source: str, url: str) -> datetime | None:
        """The newest discovery date seen in this crawl for ``url`` (a page may be requested
        before the sitemap that dates it has been read)."""
        return self._signals.get((source, _canonical(url)))

    def validators(self, source: str, url: str) -> tuple[str | None, str | None] | None:
        """(ETag, Last-Modified) to send when re-fetching ``url``, if any."""
        src = self.sources.get(source)
        known = self._known(source, url)
        if src is None or known is None or not src.conditional_requests:
            return None
        if known.etag is None and known.last_modified is None:
            return None
        return known.etag, known.last_modified

    def _known(self, source: str, url: str) -> KnownArticle | None:
        return self.known.get(source, {}).get(_canonical(url))

    def _inc(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(key)


class IncrementalExtension:
    """Gives the spider a :class:`Gate` when it opens (see the module docstring)."""

    def __init__(
        self,
        crawler: Crawler,
        db_url: str | None,
        mode: RecheckMode,
        backfill: bool,
        since: datetime | None,
    ) -> None:
        self.crawler = crawler
        self.db_url = db_url
        self.mode: RecheckMode = mode
        self.backfill = backfill
        self.since = since

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalExtension:
        settings = crawler.settings
        if not settings.getbool("ARSHIF_INCREMENTAL_ENABLED", True) or not settings.getbool(
            "ARSHIF_ARCHIVE_ENABLED", True
        ):
            raise NotConfigured
        mode = settings.get("ARSHIF_RECHECK") or "due"
        if mode not in RECHECK_MODES:
            raise ValueError(f"ARSHIF_RECHECK must be one of {RECHECK_MODES}, not {mode!r}")
        since = parse_since(settings.get("ARSHIF_BACKFILL_SINCE"))
        ext = cls(
            crawler,
            settings.get("ARSHIF_DB_URL"),
            mode,
            settings.getbool("ARSHIF_BACKFILL", False),
            since,
        )
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        sources: Mapping[str, Source] | None = getattr(spider, "sources", None)
        if not sources:
            return
        with Archive.open(self.db_url) as archive:
            archive.sync_sources(sources.values())
            known = {name: archive.known_articles(name) for name in sources}
        spider.gate = Gate(  # type: ignore[attr-defined]
            sources,
            known,
            mode=self.mode,
            backfill=self.backfill,
            since=self.since,
            stats=self.crawler.stats,
        )
        log.info(
            "recheck %s%s: %s known article(s)",
            self.mode,
            ", backfill" + (f" since {self.since:%Y-%m-%d}" if self.since else "")
            if self.backfill
            else "",
            sum(len(k) for k in known.values()),
        )


def parse_since(value: str | datetime | None) -> datetime | None:
    """``--since``: an ISO date or date-time; no time zone means UTC."""
    if value is None or value == "":
        return None
    from archive.extract import parse_datetime

    when = value if isinstance(value, datetime) else parse_datetime(str(value))
    if when is None:
        raise ValueError(f"--since: not an ISO date (YYYY-MM-DD): {value!r}")
    return when
