"""The archive's own commands (no Scrapy): ``db``, ``stats``, ``extract``, ``status``,
``report`` (in ``archive.ops_cli``), and ``query``, ``search``, ``export`` (in ``archive.cli_sql``).

``crawler.cli`` adds ``crawl`` and ``demo`` on top and is what ``arshif`` runs.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from archive import __version__
from archive.errors import (
    ConfigError,
    DecodeError,
    ExtractionError,
    NotInArchive,
    SchemaError,
    SourcesError,
)
from archive.ops_cli import add_ops_commands

Handler = Callable[[argparse.Namespace], int]
# Errors a user can fix: printed as one line, exit status 2, no traceback.
USER_ERRORS: tuple[type[Exception], ...] = (
    ConfigError,
    SchemaError,
    SourcesError,
    DecodeError,
    ExtractionError,
    FileNotFoundError,
    NotInArchive,
)


def db_option() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--db",
        metavar="URL",
        help="archive database: a SQLite path or URL, or postgresql://... "
        "(default: $ARSHIF_DB_URL, else ./arshif.db)",
    )
    return parent


def build_parser(prog: str = "arshif") -> tuple[argparse.ArgumentParser, Any]:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="arshif: crawl news sites into a deduplicating, versioned SQL archive.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    add_archive_commands(commands)
    return parser, commands


def add_archive_commands(commands: Any) -> None:
    db = commands.add_parser(
        "db", help="manage the archive's schema", description="Manage the archive's schema."
    )
    db_cmds = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    up = db_cmds.add_parser(
        "upgrade",
        parents=[db_option()],
        help="migrate the schema to the latest revision",
        description="Migrate the archive's schema (Alembic) to REVISION (default: head). "
        "Back up the archive first. An empty database is also initialised automatically "
        "on first use.",
    )
    up.add_argument("revision", nargs="?", default="head", help="target revision (default: head)")
    up.set_defaults(handler=cmd_db_upgrade)
    down = db_cmds.add_parser(
        "downgrade",
        parents=[db_option()],
        help="migrate the schema down to REVISION",
        description="Migrate the schema down to REVISION ('base' drops every arshif table: "
        "all archived data is lost).",
    )
    down.add_argument("revision", help="target revision, e.g. 'base' or '-1'")
    down.set_defaults(handler=cmd_db_downgrade)
    cur = db_cmds.add_parser(
        "current",
        parents=[db_option()],
        help="print the schema revision",
        description="Print the archive's schema revision and the one this arshif needs.",
    )
    cur.set_defaults(handler=cmd_db_current)

    stats = commands.add_parser(
        "stats",
        parents=[db_option()],
        help="counts per source",
        description="Per source: articles, versions, duplicates and the last crawl.",
    )
    stats.add_argument("--json", action="store_true", help="print JSON instead of a table")
    stats.set_defaults(handler=cmd_stats)

    ext = commands.add_parser(
        "extract",
        help="print the cleaned text of one saved HTML file",
        description="Print the cleaned main text of one saved HTML page exactly as ingest "
        "would store it. Reads raw bytes, so the encoding is detected as during a crawl.",
    )
    ext.add_argument("file", help="HTML file, or - for standard input")
    ext.add_argument("--url", default="http://localhost/", help="the page's URL (for links)")
    ext.add_argument("--content-type", help="the HTTP Content-Type header the page was served with")
    ext.add_argument("--json", action="store_true", help="print text and metadata as JSON")
    ext.add_argument(
        "--timezone",
        metavar="ZONE",
        help="the site's time zone for naive dates, e.g. Asia/Damascus (default: UTC)",
    )
    ext.add_argument(
        "--fetched-at",
        metavar="ISO",
        help="when the page was fetched (ISO 8601; resolves 'منذ ساعتين', rejects later dates; "
        "default: now)",
    )
    ext.set_defaults(handler=cmd_extract)

    add_ops_commands(commands, db_option())  # status, report (archive/ops_cli.py)
    from archive.cli_sql import add_sql_commands  # imports db_option from here

    add_sql_commands(commands)
    from archive.versions_cli import add_versions_commands  # versions, diff, reextract, export

    add_versions_commands(commands)
    from archive import dedup_cli  # imports this module: deferred to avoid a cycle

    dedup_cli.add_commands(commands)


def run(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> int:
    args = parser.parse_args(argv)
    if not getattr(args, "own_logging", False):  # crawls let Scrapy configure logging
        logging.basicConfig(
            level=logging.DEBUG if args.verbose else logging.WARNING,
            format="%(levelname)s %(name)s: %(message)s",
        )
    handler: Handler = args.handler
    try:
        return handler(args)
    except USER_ERRORS as exc:
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        from sqlalchemy.exc import OperationalError  # imported late: `--help` stays fast

        if not isinstance(exc, OperationalError):  # a bug: let the traceback show
            raise
        url = getattr(args, "db", None) or "(default)"  # cannot connect, cannot open, ...
        print(f"{parser.prog}: error: cannot use database {url}: {exc.orig}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{parser.prog}: interrupted", file=sys.stderr)
        return 130


def main(argv: Sequence[str] | None = None) -> int:
    parser, _ = build_parser("arshif-archive")
    return run(parser, argv)


# -- commands -------------------------------------------------------------------------------


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from archive import migrate
    from archive.db import create_engine

    engine = create_engine(args.db)
    try:
        before = migrate.current_revision(engine)
        migrate.upgrade(engine, args.revision)
        after = migrate.current_revision(engine)
    finally:
        engine.dispose()
    where = engine.url.render_as_string(hide_password=True)
    if before == after:
        print(f"{where}: already at revision {after}")
    else:
        print(f"{where}: upgraded {before or 'empty database'} -> {after}")
    return 0


def cmd_db_downgrade(args: argparse.Namespace) -> int:
    from archive import migrate
    from archive.db import create_engine

    engine = create_engine(args.db)
    try:
        migrate.downgrade(engine, args.revision)
        print(f"now at revision {migrate.current_revision(engine) or 'base (empty)'}")
    finally:
        engine.dispose()
    return 0


def cmd_db_current(args: argparse.Namespace) -> int:
    from archive import migrate
    from archive.db import create_engine

    engine = create_engine(args.db)
    try:
        current = migrate.current_revision(engine)
    finally:
        engine.dispose()
    head = migrate.head_revision()
    state = "up to date" if current == head else "needs `arshif db upgrade`"
    print(f"revision {current or 'none (empty)'}; this arshif needs {head}: {state}")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from archive.store import Archive

    with Archive.open(args.db) as archive:
        rows = archive.stats()
    if args.json:
        print(
            json.dumps(
                [asdict(r) for r in rows], default=_json_default, ensure_ascii=False, indent=2
            )
        )
        return 0
    if not rows:
        print("the archive is empty: run `arshif crawl` first")
        return 0
    print(
        render_table(
            ["source", "articles", "versions", "duplicates", "last crawl", "status"],
            [
                [
                    r.source,
                    r.articles,
                    r.versions,
                    r.duplicates,
                    _when(r.last_run_started_at),
                    r.last_run_status or "-",
                ]
                for r in rows
            ],
        )
    )
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    from archive.extract import extract
    from archive.extract_options import cli_zone_and_time

    zone, fetched_at = cli_zone_and_time(args.timezone, args.fetched_at)
    body = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    try:
        result = extract(
            body, url=args.url, content_type=args.content_type, zone=zone, fetched_at=fetched_at
        )
    except (DecodeError, ExtractionError) as exc:
        where = "<stdin>" if args.file == "-" else args.file
        raise type(exc)(f"{where}: {exc}") from exc
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(result.text)
    return 0


# -- output helpers -------------------------------------------------------------------------


def render_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain-text table; numbers right-aligned."""
    cells = [[str(h) for h in headers]] + [["" if v is None else str(v) for v in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    numeric = [all(isinstance(r[i], int | float) for r in rows) for i in range(len(headers))]

    def fmt(row: list[str]) -> str:
        return "  ".join(
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(row, widths, numeric, strict=True)
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([fmt(cells[0]), rule, *(fmt(r) for r in cells[1:])])


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "never"


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


if __name__ == "__main__":
    raise SystemExit(main())
