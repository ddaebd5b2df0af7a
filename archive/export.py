"""Corpus exports that stream: rows go from a database cursor to the file in batches, so
memory stays flat whatever the archive's size.

One record per story by default (the deduplicated corpus, latest versions), with the list of
outlets that republished it; ``--include-duplicates`` adds the republications themselves,
``--all-versions`` gives one record per version instead of the latest. Every format writes
the same fields (:data:`FIELDS`, documented in ``docs/export.md``).

Formats are a registry (:func:`formats`, :func:`register`): a format is a name, a file
suffix and a function that opens a :class:`RecordWriter` on a stream; it may bring its own
record source. Built-in formats live in the modules of :data:`FORMAT_MODULES`; a new
format is a new module listed there.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Protocol

from sqlalchemy import Connection, Engine, text

from archive.errors import ConfigError
from archive.selection import Selection
from archive.types import UTCDateTime
from archive.urls import display_url

# (name, type, nullable, meaning). Types: int, float, str, timestamp (UTC), list[str].
FIELDS: tuple[tuple[str, str, bool, str], ...] = (
    ("article_id", "int", False, "articles.id"),
    ("version", "int", False, "version number (the latest unless --all-versions)"),
    ("source", "str", False, "outlet name (sources file)"),
    ("url", "str", False, "canonical URL"),
    ("url_display", "str", False, "the URL for reading: escaped Arabic (UTF-8 or cp1256) decoded"),
    ("title", "str", True, "headline"),
    ("text", "str", False, "cleaned main text, one paragraph per line"),
    ("authors", "str", True, "author names separated by '; '"),
    ("language", "str", True, "'ar' when mostly Arabic script, else the page's language"),
    ("description", "str", True, "the page's summary"),
    ("attribution", "str", True, "source credit removed from the end of the text"),
    ("word_count", "int", False, "words in text"),
    ("published_at", "timestamp", True, "publication time (UTC)"),
    ("modified_at", "timestamp", True, "the page's modification time (UTC)"),
    ("fetched_at", "timestamp", False, "when this version was fetched (UTC)"),
    ("first_seen_at", "timestamp", False, "first successful fetch of the article (UTC)"),
    ("last_seen_at", "timestamp", False, "latest successful fetch of the article (UTC)"),
    ("content_hash", "str", False, "sha256 of title and text (whitespace collapsed)"),
    ("duplicate_of_id", "int", True, "the original's article_id when this is a republication"),
    ("duplicate_kind", "str", True, "'exact' or 'near' for republications"),
    ("similarity", "float", True, "estimated Jaccard similarity to the matched article"),
    ("duplicate_count", "int", False, "how many republications are linked to this article"),
    ("republished_by", "list[str]", False, "distinct outlets of those republications, sorted"),
    ("quality_flags", "str", True, "'low_quality' and/or 'visual_order_suspect' (space-separated)"),
    ("dateline_place", "str", True, "place of the dateline opening the text"),
    ("dateline_source", "str", True, "its sources as written, origin first, joined with ' > '"),
    ("dateline_reporter", "str", True, "a reporter named in the dateline"),
)
FIELD_NAMES = tuple(f[0] for f in FIELDS)
TIMESTAMPS = tuple(f[0] for f in FIELDS if f[1] == "timestamp")
LIST_SEPARATOR = ", "  # how republished_by is joined where lists are not native (CSV, SQL)
BATCH = 1000

_OUTLETS = {
    "sqlite": (
        "(SELECT group_concat(name, ', ') FROM (SELECT DISTINCT ds.name FROM articles d "
        "JOIN sources ds ON ds.id = d.source_id WHERE d.duplicate_of_id = a.id "
        "ORDER BY ds.name))"
    ),
    "postgresql": (
        "(SELECT string_agg(DISTINCT ds.name, ', ' ORDER BY ds.name) FROM articles d "
        "JOIN sources ds ON ds.id = d.source_id WHERE d.duplicate_of_id = a.id)"
    ),
}
_LATEST = "v.version = (SELECT MAX(v2.version) FROM article_versions v2 WHERE v2.article_id = a.id)"
_RECORDS = """
SELECT a.id AS article_id, v.version, s.name AS source, a.url, a.url AS url_display,
       v.title, v.text, v.authors,
       v.language, v.description, v.attribution, v.word_count, a.published_at, v.modified_at,
       v.fetched_at, a.first_seen_at, a.last_seen_at, v.content_hash,
       a.duplicate_of_id, a.duplicate_kind, a.similarity,
       (SELECT COUNT(*) FROM articles d WHERE d.duplicate_of_id = a.id) AS duplicate_count,
       {outlets} AS republished_by,
       v.quality_flags, v.dateline_place, v.dateline_source, v.dateline_reporter
FROM articles a
JOIN sources s ON s.id = a.source_id
JOIN article_versions v ON v.article_id = a.id
WHERE {versions}{where}
ORDER BY a.id, v.version
"""
_COUNT = """
SELECT COUNT(*) FROM articles a
JOIN sources s ON s.id = a.source_id
JOIN article_versions v ON v.article_id = a.id
WHERE {versions}{where}
"""


@dataclass(frozen=True)
class ExportOptions:
    selection: Selection = field(default_factory=Selection)
    all_versions: bool = False

    def describe(self) -> dict[str, Any]:
        sel = self.selection
        return {
            "sources": list(sel.sources),
            "since": sel.since.isoformat() if sel.since else None,
            "until": sel.until.isoformat() if sel.until else None,
            "include_duplicates": sel.include_duplicates,
            "all_versions": self.all_versions,
        }


Record = dict[str, Any]


class RecordWriter(Protocol):
    def write(self, batch: list[Record]) -> None: ...

    def close(self) -> None: ...


RecordSource = Callable[[Connection, "ExportOptions", int], Iterator[list[Record]]]


@dataclass(frozen=True)
class Format:
    name: str
    suffix: str
    binary: bool  # True: needs a file (--out), not standard output
    open: Callable[[IO[Any], ExportOptions], RecordWriter]
    description: str
    records: RecordSource | None = None  # None: :func:`records` (articles and versions)
    count: Callable[[Connection, ExportOptions], int] | None = None  # None: :func:`count`


# Modules that register formats when imported.
FORMAT_MODULES = ("archive.export_formats", "archive.export_warc")
_FORMATS: dict[str, Format] = {}


def register(fmt: Format) -> None:
    """Add an export format (``arshif export --format NAME``)."""
    _FORMATS[fmt.name] = fmt


def formats() -> dict[str, Format]:
    """Every registered format by name."""
    for module in FORMAT_MODULES:
        importlib.import_module(module)
    return dict(_FORMATS)


def _statement(conn: Connection, options: ExportOptions, template: str) -> Any:
    where, params = options.selection.where()
    sql = template.format(
        outlets=_OUTLETS[conn.dialect.name],
        versions="1 = 1" if options.all_versions else _LATEST,
        where=where,
    )
    return text(sql).bindparams(*params)


def count(conn: Connection, options: ExportOptions) -> int:
    return int(conn.execute(_statement(conn, options, _COUNT)).scalar_one())


def records(conn: Connection, options: ExportOptions, batch: int = BATCH) -> Iterator[list[Record]]:
    """The selected records in batches, ordered by article and version, streamed from a
    server-side cursor (PostgreSQL) or SQLite's lazy cursor."""
    stmt = _statement(conn, options, _RECORDS).columns(
        **{name: UTCDateTime() for name in TIMESTAMPS}
    )
    result = conn.execution_options(stream_results=True, yield_per=batch).execute(stmt)
    try:
        for rows in result.mappings().partitions(batch):
            out = []
            for row in rows:
                rec = dict(row)
                outlets = rec["republished_by"]
                rec["republished_by"] = outlets.split(LIST_SEPARATOR) if outlets else []
                rec["url_display"] = display_url(rec["url"])
                out.append(rec)
            yield out
    finally:
        result.close()


def export(
    engine: Engine,
    fmt: str,
    out: str | Path | None,
    options: ExportOptions,
    *,
    progress: Callable[[int, int], None] | None = None,
    batch: int = BATCH,
) -> int:
    """Write the selected records to ``out`` (a path; None or "-" = standard output) in
    format ``fmt``. A file is written under a temporary name and renamed when complete, so
    an interrupted export never leaves a truncated file behind. Returns the record count."""
    spec = formats()[fmt]
    to_stdout = out is None or str(out) == "-"
    if to_stdout and spec.binary:
        raise ConfigError(f"{fmt} is a binary format: give --out FILE")
    with engine.connect() as conn:
        options.selection.check_sources(conn)
        total = (spec.count or count)(conn, options) if progress else 0
        if to_stdout:
            stream: IO[Any] = sys.stdout
            return _write(conn, spec, stream, options, total, progress, batch)
        path = Path(str(out))
        partial = path.with_name(f".{path.name}.partial")
        try:
            mode = (
                {"mode": "wb"} if spec.binary else {"mode": "w", "encoding": "utf-8", "newline": ""}
            )
            with open(partial, **mode) as stream:  # type: ignore[call-overload]
                n = _write(conn, spec, stream, options, total, progress, batch)
            os.replace(partial, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()
        return n


def _write(
    conn: Connection,
    spec: Format,
    stream: IO[Any],
    options: ExportOptions,
    total: int,
    progress: Callable[[int, int], None] | None,
    batch: int,
) -> int:
    writer = spec.open(stream, options)
    source = spec.records or records
    n = 0
    try:
        for chunk in source(conn, options, batch):
            writer.write(chunk)
            n += len(chunk)
            if progress:
                progress(n, total)
    finally:
        writer.close()
    return n


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def plain(record: Mapping[str, Any]) -> Record:
    """A record with timestamps as ISO 8601 strings (JSON, CSV)."""
    return {k: iso(v) if k in TIMESTAMPS else v for k, v in record.items()}
