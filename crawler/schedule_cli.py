"""Scheduled crawling on the command line: ``arshif crawl --due`` and ``arshif run``.

Exit status of ``arshif crawl`` (also in ``arshif crawl --help`` and docs/operations.md):

- 0: every source crawled ended ``ok``; with ``--due``, also when nothing was due;
- 1: a run failed or was interrupted;
- 2: bad input (sources file, ``--db``, an unknown source name);
- 3: a source named on the command line (or every source, when none is named) is being
  crawled by another process and was skipped; the others were crawled. With ``--due`` a
  locked source is simply not due, so this status does not occur.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from archive.config import resolve_sources_path
from archive.durations import format_duration, humanize
from archive.schedule import read_schedules
from archive.sources import Source
from archive.types import utcnow

if TYPE_CHECKING:
    from crawler.run import CrawlResult

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 3

CRAWL_EPILOG = """\
exit status: 0 every run ok (with --due: also nothing due); 1 a run failed or was
interrupted; 2 bad input; 3 a source was skipped because another process is crawling it
(the others were crawled).
"""


def add_due_option(crawl: argparse.ArgumentParser) -> None:
    crawl.add_argument(
        "--due",
        action="store_true",
        help="crawl only the sources that are due (`every` in the sources file, default "
        "1h); exits at once when none is. For cron and systemd timers",
    )


def due_sources(
    sources: Mapping[str, Source], db_url: str | None
) -> tuple[dict[str, Source], dict[str, datetime | None]]:
    """The due subset of ``sources`` and, for each, its latest run start as seen now."""
    now = utcnow()
    plan = read_schedules(db_url, sources, now)
    due = {name: src for name, src in sources.items() if plan[name].is_due(now)}
    if not due and sys.stderr.isatty():  # cron mails any output: say nothing there
        waiting = [s for s in plan.values() if not s.running]
        running = sorted(s.source for s in plan.values() if s.running)
        message = "nothing is due"
        if waiting:
            nxt = min(waiting, key=lambda s: s.next_due)
            message += (
                f"; next: {nxt.source} at {nxt.next_due:%Y-%m-%d %H:%M} UTC "
                f"(in {humanize(nxt.next_due - now)}, every {format_duration(nxt.every)})"
            )
        if running:
            message += f"; being crawled now: {', '.join(running)}"
        print(message, file=sys.stderr)
    return due, {name: plan[name].last_started_at for name in due}


def report_skipped(result: CrawlResult, *, due: bool) -> None:
    """Say which sources were skipped. With --due, losing a race to another machine is normal
    and said only on a terminal (cron mails any output)."""
    if due and not sys.stderr.isatty():
        return
    for name, lock in result.locked.items():
        print(
            f"arshif: {name}: skipped: another process is crawling it: {lock.describe()}",
            file=sys.stderr,
        )
    for name in result.not_due:
        print(f"arshif: {name}: skipped: crawled by another process meanwhile", file=sys.stderr)


def crawl_exit_status(result: CrawlResult, *, due: bool) -> int:
    if any(r.status != "ok" for r in result.reports):
        return EXIT_FAILED
    if result.locked and not due:
        return EXIT_LOCKED
    return EXIT_OK


# -- arshif run --------------------------------------------------------------------------------


def add_run_command(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    run = commands.add_parser(
        "run",
        parents=parents,
        help="run as a scheduler: crawl sources as they fall due, until stopped",
        description="Run until SIGTERM or Ctrl-C, crawling each source when it falls due "
        "(`every` in the sources file; the file is re-read every minute). Each crawl is a "
        "child `arshif crawl --due` process; crawls take the sources' locks, so schedulers on "
        "other machines or cron jobs never crawl a source twice at once. On SIGTERM/SIGINT no "
        "new crawl starts; running crawls finish the pages in flight, record their runs as "
        "interrupted, and the scheduler exits 0.",
    )
    run.add_argument("names", nargs="*", metavar="NAME", help="sources to schedule (default: all)")
    run.add_argument(
        "--sources",
        metavar="FILE",
        help="sources file (default: $ARSHIF_SOURCES, else ./sources.toml)",
    )
    run.add_argument(
        "--jobs",
        type=_at_least_one,
        default=2,
        metavar="N",
        help="at most N crawl processes at a time (default: 2)",
    )
    run.add_argument(
        "--stop-timeout",
        type=_at_least_one,
        default=120,
        metavar="SECONDS",
        help="after SIGTERM/SIGINT, give running crawls this long to finish the pages in "
        "flight before stopping them at once (default: 120)",
    )
    run.set_defaults(handler=cmd_run, own_logging=True)


def _at_least_one(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value!r}")
    return int(value)


def cmd_run(args: argparse.Namespace) -> int:
    import logging

    from crawler.scheduler import Scheduler

    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s [%(name)s] %(levelname)s: %(message)s",
    )
    crawl_args = ["-s", "ARSHIF_PROGRESS=log"]  # several children share one stderr
    if args.max_pages:
        crawl_args += ["--max-pages", str(args.max_pages)]
    for name, value in args.settings:
        crawl_args += ["-s", f"{name}={value}"]
    if args.quiet:
        crawl_args.append("-q")
    scheduler = Scheduler(
        sources_path=resolve_sources_path(args.sources),
        db_url=args.db,
        only=args.names,
        jobs=args.jobs,
        crawl_args=crawl_args,
        verbose=args.verbose,
        stop_timeout=args.stop_timeout,
    )
    return scheduler.run()
