"""``arshif``: the archive's commands plus ``crawl`` and ``demo``."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from typing import Any

from archive.cli import build_parser, db_option, render_table, run
from archive.config import ConfigError
from archive.sources import DEFAULT_SOURCES_FILE, SourcesError, load_sources

ENV_SOURCES = "ARSHIF_SOURCES"


def _setting(value: str) -> tuple[str, str]:
    name, sep, val = value.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {value!r}")
    return name.strip(), val


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value!r}")
    return n


def add_crawl_commands(commands: Any) -> None:
    crawl = commands.add_parser(
        "crawl",
        parents=[db_option()],
        help="crawl sources into the archive",
        description="Crawl the named sources (all if none is named) into the archive: "
        "discover articles through sitemaps, feeds and links, fetch them politely "
        "(robots.txt, AutoThrottle), and store new articles and new versions.",
    )
    crawl.add_argument("names", nargs="*", metavar="NAME", help="sources to crawl (default: all)")
    crawl.add_argument(
        "--sources",
        metavar="FILE",
        help=f"sources file (default: ${ENV_SOURCES}, else ./{DEFAULT_SOURCES_FILE})",
    )
    crawl.add_argument(
        "--max-pages",
        type=_positive,
        metavar="N",
        help="fetch at most N article pages per source (sitemaps, feeds and listing pages "
        "do not count)",
    )
    crawl.add_argument(
        "-s",
        "--set",
        dest="settings",
        action="append",
        type=_setting,
        default=[],
        metavar="NAME=VALUE",
        help="override a Scrapy setting, e.g. -s DOWNLOAD_DELAY=2",
    )
    add_incremental_options(crawl)
    crawl.add_argument("-q", "--quiet", action="store_true", help="only log warnings and errors")
    crawl.set_defaults(handler=cmd_crawl, own_logging=True)

    demo = commands.add_parser(
        "demo",
        help="crawl a bundled offline news web and show what the archive did",
        description="Serve two fictional Arabic outlets on 127.0.0.1, crawl them into a "
        "fresh archive, edit one article, crawl again, and show the new articles, the new "
        "version and the linked duplicate, with SQL to try next. Needs no network.",
    )
    demo.add_argument(
        "--dir",
        default="arshif-demo",
        metavar="DIR",
        help="where to write the demo archive and sources file (default: ./arshif-demo; "
        "its arshif.db and sources.toml are replaced)",
    )
    demo.set_defaults(handler=cmd_demo)


def add_incremental_options(crawl: argparse.ArgumentParser) -> None:
    """``--recheck``, ``--backfill``, ``--since`` (docs/versions.md)."""
    crawl.add_argument(
        "--recheck",
        choices=["all", "due", "none"],
        default="due",
        help="which known articles to fetch again: those due under the recheck policy or "
        "signalled by a newer sitemap/feed date (due, the default), every one (all), or none",
    )
    crawl.add_argument(
        "--backfill",
        action="store_true",
        help="keep paging back through listings past articles already archived",
    )
    crawl.add_argument(
        "--since",
        type=_iso_date,
        metavar="DATE",
        help="with --backfill: skip dated sitemap/feed entries older than DATE (YYYY-MM-DD) "
        "and stop paging at listings whose archived articles are all older",
    )


def _iso_date(value: str) -> str:
    from crawler.incremental import parse_since

    try:
        parse_since(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {value!r}") from None
    return value


def incremental_settings(args: argparse.Namespace) -> list[tuple[str, str]]:
    if args.since and not args.backfill:
        raise ConfigError("--since needs --backfill")
    out = [("ARSHIF_RECHECK", args.recheck)]
    if args.backfill:
        out += [("ARSHIF_BACKFILL", "True"), ("ARSHIF_BACKFILL_SINCE", args.since or "")]
    return out


def cmd_crawl(args: argparse.Namespace) -> int:
    from crawler.run import run_crawl

    path = args.sources or os.environ.get(ENV_SOURCES) or DEFAULT_SOURCES_FILE
    sources = load_sources(path)
    unknown = [n for n in args.names if n not in sources]
    if unknown:
        raise SourcesError(
            f"{path}: no source named {', '.join(map(repr, unknown))} (known: {', '.join(sources)})"
        )
    chosen = {n: sources[n] for n in args.names} if args.names else sources
    reports = run_crawl(
        chosen,
        db_url=args.db,
        max_pages=args.max_pages,
        overrides=[*incremental_settings(args), *args.settings],
        log_level="DEBUG" if args.verbose else ("WARNING" if args.quiet else None),
    )
    print(
        render_table(
            [
                "source",
                "status",
                "pages",
                "new",
                "versions",
                "unchanged",
                "duplicates",
                "skipped",
                "errors",
            ],
            [
                [
                    r.source,
                    r.status,
                    r.pages_fetched,
                    r.new_articles,
                    r.new_versions,
                    r.unchanged,
                    r.duplicates,
                    r.skipped,
                    r.errors,
                ]
                for r in reports
            ],
        )
    )
    return 0 if reports and all(r.status == "ok" for r in reports) else 1


def cmd_demo(args: argparse.Namespace) -> int:
    from crawler.demo.run import run_demo

    return run_demo(args.dir)


def main(argv: Sequence[str] | None = None) -> int:
    parser, commands = build_parser("arshif")
    add_crawl_commands(commands)
    return run(parser, argv)


if __name__ == "__main__":
    raise SystemExit(main())
