"""Commands for SQL users and researchers: ``query``, ``search``, ``export``.

Registered by :func:`archive.cli.add_archive_commands`; no Scrapy involved.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from archive.cli import db_option
from archive.errors import ConfigError
from archive.selection import Selection, period_end, period_start
from archive.tabular import FORMATS, clip, json_value, render_table, write_csv, write_json

DEFAULT_MAX_ROWS = 200
DEFAULT_MAX_WIDTH = 50


def _positive_or_zero(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {value!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {value!r}")
    return n


def _selection_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--source",
        action="append",
        default=[],
        metavar="NAME",
        help="only this outlet (repeat for several)",
    )
    parser.add_argument(
        "--since",
        metavar="DATE",
        help="published on or after DATE: YYYY, YYYY-MM, YYYY-MM-DD (UTC) or an ISO time",
    )
    parser.add_argument(
        "--until",
        metavar="DATE",
        help="published on or before DATE (the whole year/month/day given; UTC)",
    )
    parser.add_argument(
        "--include-duplicates",
        action="store_true",
        help="also republications (by default only the deduplicated corpus: one article "
        "per story, the earliest published)",
    )


def _selection(args: argparse.Namespace) -> Selection:
    return Selection(
        sources=tuple(dict.fromkeys(args.source)),
        since=period_start(args.since) if args.since else None,
        until=period_end(args.until) if args.until else None,
        include_duplicates=args.include_duplicates,
    )


def add_sql_commands(commands: Any) -> None:
    query = commands.add_parser(
        "query",
        parents=[db_option()],
        help="run one read-only SQL statement and print the result",
        description="Run one SQL statement against the archive, read-only (a SQLite "
        "read-only connection, a PostgreSQL read-only transaction): a statement that would "
        "write is refused and changes nothing. Tables and views: docs/schema.md. In SQLite "
        "archives, arshif_fold(text) folds Arabic spelling like the search index.",
    )
    query.add_argument("sql", nargs="?", metavar="SQL", help="the statement (or use -f)")
    query.add_argument(
        "-f", "--file", metavar="FILE", help="read the statement from FILE (- = stdin)"
    )
    query.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="table (for a terminal; default), csv, json (an array of objects) or jsonl",
    )
    query.add_argument(
        "--max-rows",
        type=_positive_or_zero,
        default=DEFAULT_MAX_ROWS,
        metavar="N",
        help=f"table format: show at most N rows (default {DEFAULT_MAX_ROWS}; 0 = all)",
    )
    query.add_argument(
        "--max-width",
        type=_positive_or_zero,
        default=DEFAULT_MAX_WIDTH,
        metavar="N",
        help=f"table format: cut values to N columns (default {DEFAULT_MAX_WIDTH}; 0 = never)",
    )
    query.set_defaults(handler=cmd_query)

    search = commands.add_parser(
        "search",
        parents=[db_option()],
        help="full-text search, Arabic spelling variants included",
        description='Search the latest version of every article. All words must occur; "quoted '
        'words" must occur together. Spelling variants match (أ/إ/آ/ا, ى/ي, ة/ه, diacritics, '
        "tatweel, سورية/سوريا, الأميركية/الأمريكية). Prints the best hits first: outlet, "
        "date, title and a snippet with the matched words marked. A query with more than 250 "
        "matches is ranked over its 250 newest matches and 250 newest title matches (narrow "
        "it with --source/--since/--until to reach older articles; docs/schema.md).",
    )
    search.add_argument("query", nargs="?", metavar="QUERY", help="words to search for")
    _selection_options(search)
    search.add_argument(
        "--limit",
        type=_positive_or_zero,
        default=20,
        metavar="N",
        help="at most N hits (default 20)",
    )
    search.add_argument("--json", action="store_true", help="print the hits as JSON")
    search.add_argument(
        "--sql",
        action="store_true",
        help="print SQL that runs the same search in any client, instead of searching",
    )
    search.add_argument(
        "--reindex",
        action="store_true",
        help="first index every article whose search document is missing or stale (and "
        "rebuild SQLite's FTS5 index); QUERY is then optional",
    )
    search.set_defaults(handler=cmd_search)

    export = commands.add_parser(
        "export",
        parents=[db_option()],
        help="export the corpus (JSON lines, Parquet, CSV) or the raw captures (WARC)",
        description="Export articles with their metadata, streamed (constant memory). "
        "By default: the deduplicated corpus, one record per story (its latest version), "
        "with the outlets that republished it. Fields and the Parquet schema: docs/export.md. "
        "--format warc writes the raw captures instead (every fetch that produced a version, "
        "as received; --since/--until then select by fetch time): docs/versions.md.",
    )
    export.add_argument(
        "--format",
        metavar="FORMAT",
        help="jsonl, parquet, csv or warc (default: from --out's suffix, else jsonl)",
    )
    export.add_argument(
        "--out",
        metavar="PATH",
        help="output file (default: standard output; Parquet needs a file). Written under a "
        "temporary name and renamed when complete",
    )
    _selection_options(export)
    export.add_argument(
        "--all-versions",
        action="store_true",
        help="one record per version instead of each article's latest",
    )
    export.add_argument("-q", "--quiet", action="store_true", help="no progress or summary")
    export.set_defaults(handler=cmd_export)


# -- query ----------------------------------------------------------------------------------


def cmd_query(args: argparse.Namespace) -> int:
    from archive.readonly import QueryError, readonly_engine, run_query

    if (args.sql is None) == (args.file is None):
        raise QueryError("give the SQL as an argument or with -f FILE (one of them)")
    if args.file == "-":
        sql = sys.stdin.read()
    elif args.file is not None:
        sql = Path(args.file).read_text(encoding="utf-8")
    else:
        sql = args.sql
    engine = readonly_engine(args.db)
    try:
        with run_query(engine, sql) as (columns, rows):
            if not columns:
                print("(statement returned no rows)", file=sys.stderr)
                return 0
            _print_rows(args, columns, rows, sys.stdout)
    finally:
        engine.dispose()
    return 0


def _print_rows(args: argparse.Namespace, columns: list[str], rows: Any, out: TextIO) -> None:
    if args.format == "csv":
        write_csv(out, columns, rows)
    elif args.format in ("json", "jsonl"):
        write_json(out, columns, rows, lines=args.format == "jsonl")
    else:
        shown: list[Any] = []
        more = 0
        for row in rows:
            if args.max_rows and len(shown) >= args.max_rows:
                more += 1
            else:
                shown.append(row)
        print(render_table(columns, shown, args.max_width), file=out)
        total = len(shown) + more
        note = f"({total} row{'s' if total != 1 else ''}"
        if more:
            note += f"; {more} not shown: --max-rows 0 shows all, --format csv is for pipes"
        print(note + ")", file=out)


# -- search ---------------------------------------------------------------------------------


def cmd_search(args: argparse.Namespace) -> int:
    from archive.search import search, sql_for
    from archive.search_index import refresh
    from archive.store import Archive

    if not args.query and not args.reindex:
        raise ConfigError("search: give a QUERY (or --reindex)")
    selection = _selection(args)
    with Archive.open(args.db) as archive:
        if args.reindex:
            n = refresh(archive.engine, rebuild=True, progress=_counter("indexed", "documents"))
            if sys.stderr.isatty():
                print(file=sys.stderr)
            print(f"search index: {n} document{'s' if n != 1 else ''} (re)indexed", file=sys.stderr)
            if not args.query:
                return 0
        if args.sql:
            print(sql_for(archive.engine.dialect.name, args.query))
            return 0
        tty = sys.stdout.isatty()
        mark = ("\x1b[1m", "\x1b[0m") if tty and not args.json else ("[", "]")
        with archive.engine.connect() as conn:
            selection.check_sources(conn)
            hits = search(conn, args.query, selection, limit=args.limit or 1_000_000, mark=mark)
    if args.json:
        print(
            json.dumps(
                [{k: json_value(v) for k, v in vars(h).items()} for h in hits],
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    if not hits:
        print("no matches", file=sys.stderr)
        return 1
    for i, hit in enumerate(hits, 1):
        day = hit.published_at.strftime("%Y-%m-%d") if hit.published_at else "undated"
        copy = f"  (republication of #{hit.duplicate_of_id})" if hit.duplicate_of_id else ""
        print(f"{i:>2}. {hit.source} · {day} · {clip(hit.title or '(no title)', 100)}{copy}")
        print(f"    {hit.snippet}")
        print(f"    #{hit.article_id} {hit.url}\n")
    return 0


# -- export ---------------------------------------------------------------------------------


def cmd_export(args: argparse.Namespace) -> int:
    from archive.export import ExportOptions, export, formats
    from archive.store import Archive

    known = formats()
    fmt = args.format
    if fmt is None:
        out = str(args.out) if args.out and args.out != "-" else ""
        fmt = next((f.name for f in known.values() if out.endswith(f.suffix)), "jsonl")
    if fmt not in known:
        raise ConfigError(f"--format: unknown format {fmt!r} (known: {', '.join(known)})")
    options = ExportOptions(selection=_selection(args), all_versions=args.all_versions)
    show = not args.quiet and sys.stderr.isatty()
    started = time.monotonic()
    with Archive.open(args.db) as archive:
        n = export(
            archive.engine,
            fmt,
            args.out,
            options,
            progress=_counter("exported", "records") if show else None,
        )
    if not args.quiet:
        where = args.out if args.out and args.out != "-" else "standard output"
        seconds = time.monotonic() - started
        print(
            f"exported {n} record{'s' if n != 1 else ''} ({fmt}) to {where} in {seconds:.1f} s",
            file=sys.stderr,
        )
    return 0


def _counter(verb: str, unit: str | None) -> Any:
    """A progress callback that rewrites one line on a terminal's stderr."""
    if not sys.stderr.isatty():
        return None
    last = [0.0]

    def show(done: int, total: int | None = None) -> None:
        now = time.monotonic()
        if now - last[0] < 0.2 and (total is None or done < total):
            return
        last[0] = now
        of = f" / {total:,}" if total else ""
        pct = f" ({100 * done // total}%)" if total else ""
        print(f"\r{verb} {done:,}{of} {unit or ''}{pct}  ", end="", file=sys.stderr, flush=True)
        if total is not None and done >= total:
            print(file=sys.stderr)

    return show
