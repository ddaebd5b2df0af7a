"""Operations commands (no Scrapy): ``arshif status [--check]`` and ``arshif report``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from archive.config import ENV_SOURCES
from archive.sources import DEFAULT_SOURCES_FILE

STATUS_EPILOG = """\
exit status: 0 healthy (or without --check); 1 with --check, when any source needs
attention; 2 bad input (sources file, --db).
"""


def add_ops_commands(commands: Any, db_option: argparse.ArgumentParser) -> None:
    status = commands.add_parser(
        "status",
        parents=[db_option],
        help="per source: last run, next due time, new articles per day, warnings",
        description="Per source of the sources file: the latest run, when the source is due "
        "next, new articles per day over the last 7 days (oldest first), and warnings: never "
        "crawled, last run failed or died, no new article in the last N runs, error rate above "
        "a threshold, overdue (the scheduler is not running), stale lock or run. With "
        "--check, exit 1 when any source needs attention (for monitoring).",
        epilog=STATUS_EPILOG,
    )
    status.add_argument(
        "--sources",
        metavar="FILE",
        help=f"sources file (default: ${ENV_SOURCES}, else ./{DEFAULT_SOURCES_FILE})",
    )
    status.add_argument(
        "--check", action="store_true", help="exit 1 when any source needs attention"
    )
    status.add_argument("--json", action="store_true", help="print JSON instead of a table")
    status.add_argument(
        "--stalled-runs",
        type=int,
        default=3,
        metavar="N",
        help="warn when the last N runs found no new article (default: 3)",
    )
    status.add_argument(
        "--max-error-rate",
        type=float,
        default=0.2,
        metavar="R",
        help="warn when errors exceed this share of the last run's requests (default: 0.2)",
    )
    status.add_argument(
        "--overdue",
        type=float,
        default=2.0,
        metavar="F",
        help="warn when the latest run started more than F times `every` ago (default: 2)",
    )
    status.set_defaults(handler=cmd_status)

    report = commands.add_parser(
        "report",
        parents=[db_option],
        help="write an HTML report with charts",
        description="Write one self-contained HTML page (no scripts, no external files) with "
        "articles per day per source, the duplicate share per source and the latest run of "
        "each source.",
    )
    report.add_argument("--out", required=True, metavar="FILE", help="where to write the HTML page")
    report.add_argument(
        "--days", type=int, default=30, metavar="N", help="days to chart (default: 30)"
    )
    report.add_argument(
        "--by",
        choices=["archived", "published"],
        default="archived",
        help="count articles by the day they were first archived (default) or published",
    )
    report.set_defaults(handler=cmd_report)


def cmd_status(args: argparse.Namespace) -> int:
    from archive.cli import render_table
    from archive.config import resolve_sources_path
    from archive.db import create_engine, session_factory
    from archive.errors import ConfigError
    from archive.health import Thresholds, source_health
    from archive.migrate import ensure_schema
    from archive.sources import load_sources
    from archive.types import utcnow

    try:
        limits = Thresholds(args.stalled_runs, args.max_error_rate, args.overdue)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    sources = load_sources(resolve_sources_path(args.sources))
    now = utcnow()
    engine = create_engine(args.db)
    try:
        ensure_schema(engine)
        with session_factory(engine)() as session:
            health = source_health(session, sources, now, limits)
    finally:
        engine.dispose()
    attention = [h for h in health if h.warnings]
    if args.json:
        print(json.dumps([h.as_dict() for h in health], default=str, ensure_ascii=False, indent=2))
    else:
        print(render_table(_STATUS_HEADERS, [_status_row(h, now) for h in health]))
        if attention:
            print("\nneeds attention:")
            for h in attention:
                for warning in h.warnings:
                    print(f"  {h.source}: {warning}")
        else:
            print("\nall sources healthy")
    return 1 if args.check and attention else 0


_STATUS_HEADERS = [
    "source",
    "every",
    "last run",
    "status",
    "took",
    "pages",
    "new",
    "errors",
    "next due",
    "new/day, last 7 days",
    "warnings",
]


def _status_row(h: Any, now: Any) -> list[Any]:
    from archive.durations import format_duration, humanize, humanize_seconds

    run = h.last_run
    if h.running:
        due = "running now"
    elif h.next_due is None or h.next_due <= now:
        due = "now"
    else:
        due = f"in {humanize(h.next_due - now)}"
    took = humanize_seconds(run.duration_seconds) if run and run.duration_seconds else "-"
    return [
        h.source,
        format_duration(h.every),
        f"{run.started_at:%Y-%m-%d %H:%M}" if run else "never",
        run.status if run else "-",
        took,
        run.pages_fetched if run else "-",
        run.new_articles if run else "-",
        run.errors if run else "-",
        due,
        " ".join(str(n) for n in h.new_per_day),
        len(h.warnings) or "",
    ]


def cmd_report(args: argparse.Namespace) -> int:
    from archive.db import create_engine, session_factory
    from archive.errors import ConfigError
    from archive.migrate import ensure_schema
    from archive.report import build_report, render_html
    from archive.types import utcnow

    if args.days < 1:
        raise ConfigError(f"--days must be at least 1, got {args.days}")
    engine = create_engine(args.db)
    try:
        ensure_schema(engine)
        with session_factory(engine)() as session:
            report = build_report(session, utcnow(), days=args.days, by=args.by)
    finally:
        engine.dispose()
    out = Path(args.out)
    try:
        out.write_text(render_html(report), encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"--out {out}: cannot write: {exc.strerror}") from None
    print(f"wrote {out} ({len(report.sources)} sources, {len(report.days)} days)", file=sys.stderr)
    return 0
