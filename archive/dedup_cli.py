"""Duplicate commands: ``arshif dedup rebuild`` and ``arshif duplicates URL``.

Added to the ``arshif`` parser by :func:`add_commands` (called from ``archive.cli``).
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from archive.cli import db_option, render_table


def _fraction(value: str) -> float:
    try:
        t = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1], got {value!r}") from None
    if not 0.0 < t <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1], got {value!r}")
    return t


def add_commands(commands: Any) -> None:
    dedup = commands.add_parser(
        "dedup",
        help="maintain duplicate detection",
        description="Maintain the duplicate clusters (see docs/dedup.md).",
    )
    actions = dedup.add_subparsers(dest="dedup_command", metavar="ACTION", required=True)
    rebuild = actions.add_parser(
        "rebuild",
        parents=[db_option()],
        help="re-cluster the whole archive",
        description="Re-cluster the whole archive from the stored fingerprints: recompute "
        "fingerprints made with another normaliser or other MinHash parameters, drop every "
        "duplicate link and partial-reprint row, and link every article again in "
        "precedence order (earliest published first). Commits in batches; crawls may keep "
        "running, but the corpus view has fewer links until the rebuild ends.",
    )
    rebuild.add_argument(
        "--threshold",
        type=_fraction,
        metavar="T",
        help="near-duplicate threshold on the estimated Jaccard similarity for this rebuild "
        "(default: $ARSHIF_DEDUP_THRESHOLD, else 0.5). Crawls use $ARSHIF_DEDUP_THRESHOLD: "
        "set it too to keep new articles consistent.",
    )
    rebuild.set_defaults(handler=cmd_rebuild)

    dups = commands.add_parser(
        "duplicates",
        parents=[db_option()],
        help="show an article's duplicate cluster",
        description="Show the cluster of the article at URL: its original (the earliest "
        "published copy), the duplicates linked to it with their outlets, dates and "
        "similarity, its partial reprints, and the full story when it is itself a brief.",
    )
    dups.add_argument("url", metavar="URL", help="the article's URL (as crawled or canonical)")
    dups.add_argument("--json", action="store_true", help="print JSON instead of a table")
    dups.set_defaults(handler=cmd_duplicates)


def cmd_rebuild(args: argparse.Namespace) -> int:
    from archive.dedup import default_verifier
    from archive.dedup_rebuild import rebuild
    from archive.fingerprint import candidate_probability
    from archive.progress import Progress
    from archive.similarity import Verifier
    from archive.store import Archive

    verifier = default_verifier(args.threshold)
    if verifier.near_threshold < Verifier().near_threshold:
        reach = candidate_probability(verifier.near_threshold)
        print(
            f"note: the LSH bands were chosen for 0.5; at similarity {verifier.near_threshold} "
            f"they propose {reach:.0%} of pairs, so some copies near the threshold are missed"
        )
    progress = Progress()
    with Archive.open(args.db) as archive:
        try:
            report = rebuild(archive.sessions, verifier, progress.update)
        finally:
            progress.close()
    print(
        f"{report.articles:,} articles re-clustered in {report.seconds:.1f} s "
        f"(threshold {verifier.near_threshold}): {report.duplicates:,} duplicate(s) in "
        f"{report.clusters:,} cluster(s), {report.partial_reprints:,} partial reprint(s); "
        f"{report.recomputed:,} fingerprint(s) recomputed"
    )
    return 0


def cmd_duplicates(args: argparse.Namespace) -> int:
    from archive.clusters import cluster, find_article
    from archive.store import Archive

    with Archive.open(args.db) as archive, archive.sessions() as session:
        article_id = find_article(session, args.url)
        if article_id is None:
            print(f"arshif: no archived article at {args.url}")
            return 1
        members = cluster(session, article_id)
    if args.json:
        print(
            json.dumps(
                [m.as_dict() for m in members],
                default=_iso,
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    dups = sum(m.role == "duplicate" for m in members)
    partial = sum(m.role == "partial reprint" for m in members)
    outlets = len({m.source for m in members if m.role in ("original", "duplicate")})
    print(
        f"{dups + 1} cop{'ies' if dups else 'y'} of this story from {outlets} outlet(s)"
        f"{f', {partial} partial reprint(s)' if partial else ''}:"
    )
    print(
        render_table(
            ["", "role", "source", "published", "kind", "similarity", "url", "title"],
            [
                [
                    "*" if m.asked else "",
                    m.role,
                    m.source,
                    m.published_at.strftime("%Y-%m-%d %H:%M") if m.published_at else "-",
                    m.kind or "-",
                    f"{m.similarity:.2f}" if m.similarity is not None else "-",
                    unquote(m.url),
                    _short(m.title),
                ]
                for m in members
            ],
        )
    )
    return 0


def _short(title: str | None, width: int = 50) -> str:
    if not title:
        return "-"
    return title if len(title) <= width else title[: width - 1] + "…"


def _iso(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
