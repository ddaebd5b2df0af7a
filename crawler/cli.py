"""``arshif``: the archive's commands plus ``crawl``, ``run`` and ``demo``."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from archive.cli import build_parser, db_option, render_table, run
from archive.config import ENV_SOURCES, resolve_sources_path
from archive.errors import ConfigError, SourcesError
from archive.sources import DEFAULT_SOURCES_FILE, load_sources


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


def crawl_options() -> argparse.ArgumentParser:
    """Options of `arshif crawl` that `arshif run` passes on to its crawls."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--max-pages",
        type=_positive,
        metavar="N",
        help="fetch at most N article pages per source (sitemaps, feeds and listing pages "
        "do not count)",
    )
    parent.add_argument(
        "-s",
        "--set",
        dest="settings",
        action="append",
        type=_setting,
        default=[],
        metavar="NAME=VALUE",
        help="override a Scrapy setting, e.g. -s DOWNLOAD_DELAY=2",
    )
    parent.add_argument("-q", "--quiet", action="store_true", help="only log warnings and errors")
    return parent


def add_crawl_commands(commands: Any) -> None:
    from crawler.schedule_cli import CRAWL_EPILOG, add_due_option, add_run_command

    crawl = commands.add_parser(
        "crawl",
        parents=[db_option(), crawl_options()],
        help="crawl sources into the archive",
        description="Crawl the named sources (all if none is named) into the archive: "
        "discover articles through sitemaps, feeds and links, fetch them politely "
        "(robots.txt, AutoThrottle), and store new articles and new versions. Each source "
        "is crawled under a lock: a source another process is crawling is skipped. A run "
        "that was killed is resumed: its unreached pages are fetched first.",
        epilog=CRAWL_EPILOG,
    )
    crawl.add_argument("names", nargs="*", metavar="NAME", help="sources to crawl (default: all)")
    crawl.add_argument(
        "--sources",
        metavar="FILE",
        help=f"sources file (default: ${ENV_SOURCES}, else ./{DEFAULT_SOURCES_FILE})",
    )
    add_due_option(crawl)
    add_incremental_options(crawl)
    crawl.set_defaults(handler=cmd_crawl, own_logging=True)
    add_run_command(commands, parents=[db_option(), crawl_options()])

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
    from crawler.schedule_cli import crawl_exit_status, due_sources, report_skipped

    path = resolve_sources_path(args.sources)
    sources = load_sources(path)
    unknown = [n for n in args.names if n not in sources]
    if unknown:
        raise SourcesError(
            f"{path}: no source named {', '.join(map(repr, unknown))} (known: {', '.join(sources)})"
        )
    chosen = {n: sources[n] for n in args.names} if args.names else sources
    last_starts = None
    if args.due:
        chosen, last_starts = due_sources(chosen, args.db)
        if not chosen:
            return 0
    from crawler.run import run_crawl  # Scrapy: only once there is something to crawl

    result = run_crawl(
        chosen,
        db_url=args.db,
        max_pages=args.max_pages,
        overrides=[*incremental_settings(args), *args.settings],
        log_level="DEBUG" if args.verbose else ("WARNING" if args.quiet else None),
        last_starts=last_starts,
    )
    report_skipped(result, due=args.due)
    reports = result.reports
    if not reports:
        return crawl_exit_status(result, due=args.due)
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
    return crawl_exit_status(result, due=args.due)


def cmd_demo(args: argparse.Namespace) -> int:
    from crawler.demo.run import run_demo

    return run_demo(args.dir)


def main(argv: Sequence[str] | None = None) -> int:
    parser, commands = build_parser("arshif")
    add_crawl_commands(commands)
    return run(parser, argv)


if __name__ == "__main__":
    raise SystemExit(main())
