"""Commands for versions and raw captures: ``versions``, ``diff``, ``reextract``.

WARC export is a format of ``arshif export`` (``archive.export_warc``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from archive.cli import db_option, render_table
from archive.errors import NotInArchive

ENV_SOURCES = "ARSHIF_SOURCES"


def add_versions_commands(commands: Any) -> None:
    ver = commands.add_parser(
        "versions",
        parents=[db_option()],
        help="list the versions of an article",
        description="List the versions of the article at URL (its canonical URL, or any URL "
        "it was fetched from): when each was fetched, its kind (first, edit, or reextraction: "
        "the same page read by a newer extractor, not an edit) and how many words changed.",
    )
    ver.add_argument("url", metavar="URL")
    ver.add_argument("--json", action="store_true", help="print JSON instead of a table")
    ver.set_defaults(handler=cmd_versions)

    diff = commands.add_parser(
        "diff",
        parents=[db_option()],
        help="word-level diff between two versions of an article",
        description="Print what changed between two versions of the article at URL, word by "
        "word: one line per changed paragraph, removed words as [-...-] and added words as "
        "{+...+} (coloured on a terminal). Works for right-to-left text. Default: the latest "
        "version against the one before it.",
    )
    diff.add_argument("url", metavar="URL")
    diff.add_argument("--from", dest="old", type=int, metavar="N", help="older version number")
    diff.add_argument("--to", dest="new", type=int, metavar="M", help="newer version number")
    diff.add_argument("--full", action="store_true", help="print unchanged paragraphs too")
    diff.add_argument(
        "--color",
        choices=["auto", "always", "never"],
        default="auto",
        help="colour the changes (default: auto, only on a terminal)",
    )
    diff.set_defaults(handler=cmd_diff)

    rex = commands.add_parser(
        "reextract",
        parents=[db_option()],
        help="re-run extraction over stored raw pages",
        description="Extract and clean the stored raw page of every article again with the "
        "current extractor (by default only articles extracted by an older one). A result that "
        "reads differently is stored as a version of kind 'reextraction', never as an edit.",
    )
    rex.add_argument("--source", metavar="NAME", help="only this source")
    rex.add_argument(
        "--sources",
        metavar="FILE",
        help="sources file for per-source boilerplate patterns "
        f"(default: ${ENV_SOURCES}, else ./sources.toml if it exists)",
    )
    rex.add_argument(
        "--all",
        dest="everything",
        action="store_true",
        help="also articles already extracted by the current extractor (e.g. after "
        "changing boilerplate patterns)",
    )
    rex.set_defaults(handler=cmd_reextract)


def _date(value: str) -> datetime:
    from archive.extract import parse_datetime

    when = parse_datetime(value)
    if when is None:
        raise argparse.ArgumentTypeError(f"expected an ISO date (YYYY-MM-DD), got {value!r}")
    return when


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def cmd_versions(args: argparse.Namespace) -> int:
    from archive.history import history
    from archive.store import Archive

    with Archive.open(args.db) as archive:
        hist = history(archive.sessions, args.url)
    if args.json:
        out = {
            "article_id": hist.article_id,
            "source": hist.source,
            "url": hist.url,
            "first_seen_at": hist.first_seen_at.isoformat(),
            "last_seen_at": hist.last_seen_at.isoformat(),
            "versions": [
                {
                    **{k: getattr(v, k) for k in v.__slots__},
                    "fetched_at": v.fetched_at.isoformat(),
                    "modified_at": v.modified_at.isoformat() if v.modified_at else None,
                }
                for v in hist.versions
            ],
        }
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    edits = sum(1 for v in hist.versions if v.kind == "edit")
    print(f"article {hist.article_id} ({hist.source}): {hist.url}")
    print(
        f"first seen {_when(hist.first_seen_at)}, last seen {_when(hist.last_seen_at)}; "
        f"{len(hist.versions)} version(s), {edits} edit(s)"
    )
    print(
        render_table(
            ["version", "kind", "fetched", "words", "added", "removed", "title"],
            [
                [
                    v.version,
                    v.kind,
                    _when(v.fetched_at),
                    v.word_count,
                    "" if v.words_added is None else f"+{v.words_added}",
                    "" if v.words_removed is None else f"-{v.words_removed}",
                    _short(v.title or ""),
                ]
                for v in hist.versions
            ],
        )
    )
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    from archive.history import version_pair
    from archive.store import Archive
    from archive.worddiff import diff_text, render, summarize

    with Archive.open(args.db) as archive:
        hist, old, new = version_pair(archive.sessions, args.url, args.old, args.new)
    color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty())
    summary = summarize(old.title, old.text, new.title, new.text)
    print(f"article {hist.article_id} ({hist.source}): {hist.url}")
    print(f"--- version {old.version} ({_kind(old.kind)}), fetched {_when(old.fetched_at)}")
    print(
        f"+++ version {new.version} ({_kind(new.kind)}), fetched {_when(new.fetched_at)}: "
        f"+{summary.words_added} / -{summary.words_removed} words"
    )
    if summary.title_changed or args.full:
        for title in render(diff_text(old.title or "", new.title or ""), color=color, full=True):
            print("title:" + title.split(":", 1)[1])
    lines = render(diff_text(old.text, new.text), color=color, full=args.full)
    for line in lines:
        print(line)
    if not lines and not summary.title_changed:
        print("(no change in the text)")
    return 0


def _kind(kind: str) -> str:
    return "re-extraction, not an edit" if kind == "reextraction" else kind


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def cmd_reextract(args: argparse.Namespace) -> int:
    from archive.reextract import reextract
    from archive.sources import DEFAULT_SOURCES_FILE, Source, load_sources
    from archive.store import Archive

    path = args.sources or os.environ.get(ENV_SOURCES)
    sources: dict[str, Source] = {}
    if path:
        sources = load_sources(path)
    elif Path(DEFAULT_SOURCES_FILE).is_file():
        sources = load_sources(DEFAULT_SOURCES_FILE)
    else:
        print(
            f"arshif: note: no sources file ({DEFAULT_SOURCES_FILE}): re-extracting without "
            "per-source boilerplate patterns",
            file=sys.stderr,
        )
    tty = sys.stderr.isatty()

    def progress(source: str, n: int, total: int) -> None:
        if n == total or (tty and n % 10 == 0) or n % 500 == 0:
            end = "\n" if n == total or not tty else "\r"
            print(f"{source}: {n}/{total} articles", end=end, file=sys.stderr, flush=True)

    with Archive.open(args.db) as archive:
        try:
            reports = reextract(
                archive, sources, source=args.source, everything=args.everything, progress=progress
            )
        except LookupError as exc:
            raise NotInArchive(str(exc.args[0])) from None
    print(
        render_table(
            ["source", "checked", "revised", "unchanged", "no capture", "failed"],
            [
                [r.source, r.checked, r.revised, r.unchanged, r.no_capture, r.failed]
                for r in reports
            ],
        )
    )
    return 1 if any(r.failed for r in reports) else 0
