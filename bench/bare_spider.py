"""The baseline of bench/ingest.py: a bare Scrapy spider that reads a sitemap and runs
``trafilatura.extract`` on every page, nothing else (no storage, no dedup).

Run: python bench/bare_spider.py SITEMAP_URL  (prints one JSON line with the page count)
"""

from __future__ import annotations

import json
import sys
from typing import Any

import trafilatura
from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response
from scrapy.spiders import SitemapSpider

# The concurrency and politeness settings arshif crawls with (crawler/settings.py), with
# AutoThrottle and delays off for both sides of the comparison.
SETTINGS: dict[str, Any] = {
    "ROBOTSTXT_OBEY": True,
    "COOKIES_ENABLED": False,
    "TELNETCONSOLE_ENABLED": False,
    "REMOTE_CONTROL_ENABLED": False,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 4,
    "CONCURRENT_ITEMS": 8,  # as arshif: fewer asyncio tasks per response
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "LOG_LEVEL": "WARNING",
}


class BareSpider(SitemapSpider):
    name = "bare"
    pages = 0
    chars = 0

    def parse(self, response: Response) -> None:
        text = trafilatura.extract(response.text) or ""
        BareSpider.pages += 1
        BareSpider.chars += len(text)


def main() -> int:
    """``bare_spider.py SITEMAP_URL [REQUESTS_PER_HOST]``"""
    settings = dict(SETTINGS)
    if len(sys.argv) > 2:  # the same per-host concurrency as the arshif runs (--per-host)
        settings["CONCURRENT_REQUESTS_PER_DOMAIN"] = int(sys.argv[2])
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(BareSpider)
    stats: dict[str, Any] = {}
    crawler.signals.connect(
        lambda: stats.update(crawler.stats.get_stats()), signal=signals.spider_closed
    )
    process.crawl(crawler, sitemap_urls=[sys.argv[1]])
    process.start()
    print(json.dumps({"pages": BareSpider.pages, "chars": BareSpider.chars}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
