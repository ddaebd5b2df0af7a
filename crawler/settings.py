"""Scrapy settings for arshif crawls: polite by default.

Per-source politeness (``delay``, ``concurrency`` in the sources file) becomes Scrapy
``DOWNLOAD_SLOTS`` (see :func:`crawler.run.crawl_settings`). Any setting can be
overridden with ``arshif crawl -s NAME=VALUE``.
"""

from __future__ import annotations

from archive import __version__

BOT_NAME = "arshif"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = f"arshif/{__version__} (news archive crawler; +https://example.org/arshif)"
ROBOTSTXT_OBEY = True
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # Scrapy 2.19's HTTP control port: not wanted on crawl hosts

# Politeness: a few parallel requests per site, a base delay, and AutoThrottle adapting
# the delay to the server's latency (never faster than DOWNLOAD_DELAY).
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.5
DOWNLOAD_DELAY_JITTER = 0.5  # each delay is DOWNLOAD_DELAY ± 50 %
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0

DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2

# Scrapy handles every response's output with CONCURRENT_ITEMS asyncio tasks (default 100),
# created even when the page yields a single item: a tenth of the crawl process's CPU. Our
# pipeline writes one page at a time anyway, so 8 costs no throughput.
CONCURRENT_ITEMS = 8

ITEM_PIPELINES = {"crawler.pipelines.ArchivePipeline": 300}
SPIDER_MIDDLEWARES = {"crawler.frontier.FrontierMiddleware": 950}  # next to the spider
# Incremental crawls (docs/versions.md): rechecks, paging, conditional requests.
DOWNLOADER_MIDDLEWARES = {"crawler.conditional.ConditionalRequestMiddleware": 560}
EXTENSIONS = {
    "crawler.incremental.IncrementalExtension": 100,
    "crawler.lease.LeaseExtension": 500,
    "crawler.progress.ProgressExtension": 500,
}
LOG_LEVEL = "INFO"
LOGSTATS_INTERVAL = 0  # replaced by ProgressExtension (ARSHIF_PROGRESS_INTERVAL)

# arshif's own settings
ARSHIF_DB_URL = None  # None: --db / $ARSHIF_DB_URL / ./arshif.db
ARSHIF_ARCHIVE_ENABLED = True
ARSHIF_FRONTIER_ENABLED = True  # resume pages a killed run had not reached (crawler.frontier)
ARSHIF_LEASE_SECONDS = 300.0  # crawl lock lease, renewed every third of it (crawler.lease)
# Progress: "bar" (a live line), "log" (a line per interval), "off"; "auto": bar on a TTY.
ARSHIF_PROGRESS = "auto"
ARSHIF_PROGRESS_INTERVAL = 30.0  # seconds between progress lines in "log" mode
ARSHIF_INCREMENTAL_ENABLED = True
ARSHIF_RECHECK = "due"  # all | due | none (arshif crawl --recheck)
ARSHIF_BACKFILL = False  # arshif crawl --backfill: page back past known articles
ARSHIF_BACKFILL_SINCE = None  # arshif crawl --since DATE (ISO)
ARSHIF_CONDITIONAL_ENABLED = True  # If-None-Match / If-Modified-Since on rechecks
# Worker processes that extract pages while the crawl's process downloads and stores them
# (crawler.extractors); 0: extract in the crawl's process.
ARSHIF_EXTRACT_PROCESSES = 1
# Sitemap entries become requests only while Scrapy's scheduler holds fewer than this many:
# the rest wait in the spider as small tuples, so a huge sitemap does not fill memory.
ARSHIF_MAX_QUEUED = 1000
