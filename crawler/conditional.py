"""Conditional requests: re-fetch a known article with its validators, accept a 304.

For an article request whose URL (after any redirect) is an archived article with a stored
ETag or Last-Modified, this downloader middleware sends ``If-None-Match`` /
``If-Modified-Since`` and lets a ``304 Not Modified`` answer through to the spider, which
records it as "checked, unchanged". The validators come from the spider's
:class:`~crawler.incremental.Gate`; a source with ``conditional_requests = false`` gets none.
A server that ignores them answers 200, and the archive then compares the cleaned content
as usual: validators save bytes, they never decide what is an edit.

Settings: ``ARSHIF_CONDITIONAL_ENABLED`` (default True). Stats:
``arshif/conditional/sent``, ``arshif/conditional/not_modified``.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response


class ConditionalRequestMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalRequestMiddleware:
        if not crawler.settings.getbool("ARSHIF_CONDITIONAL_ENABLED", True):
            raise NotConfigured
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if request.meta.get("arshif_kind") != "article":
            return
        gate = getattr(self.crawler.spider, "gate", None)
        source = request.meta.get("arshif_source")
        if gate is None or source is None:
            return
        validators = gate.validators(source, request.url)
        if validators is None:
            return
        etag, last_modified = validators
        if etag:
            request.headers[b"If-None-Match"] = etag
        if last_modified:
            request.headers[b"If-Modified-Since"] = last_modified
        allowed = list(request.meta.get("handle_httpstatus_list") or [])
        if 304 not in allowed:
            request.meta["handle_httpstatus_list"] = [*allowed, 304]
        self._inc("arshif/conditional/sent")

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status == 304 and (
            b"If-None-Match" in request.headers or b"If-Modified-Since" in request.headers
        ):
            self._inc("arshif/conditional/not_modified")
        return response

    def _inc(self, key: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key)
