"""``arshif export --format warc``: the raw captures as one gzipped WARC/1.1 file.

Registered in the export registry (:mod:`archive.export`). Unlike the corpus formats it
writes captures, not articles: every fetch that produced a version, as the crawler received
it (see :mod:`archive.warc`). ``--source`` selects outlets; ``--since``/``--until`` select
by *fetch* time; ``--include-duplicates`` and ``--all-versions`` do not apply (every capture
is written).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from archive.export import ExportOptions, Format, Record, register
from archive.warc import CaptureWarcWriter, captures_query

_BATCH = 50  # captures carry whole pages: keep batches small


def _query(options: ExportOptions) -> Any:
    sel = options.selection
    return captures_query(sel.sources, sel.since, sel.until)


def _captures(conn: Connection, options: ExportOptions, batch: int) -> Iterator[list[Record]]:
    with Session(bind=conn) as session:
        result = session.execute(_query(options), execution_options={"yield_per": _BATCH})
        for rows in result.partitions(_BATCH):
            yield [{"capture": c, "compression": z, "data": d, "source": n} for c, z, d, n in rows]


def _count(conn: Connection, options: ExportOptions) -> int:
    query = select(func.count()).select_from(_query(options).order_by(None).subquery())
    return int(conn.execute(query).scalar_one())


class _WarcWriter:
    def __init__(self, stream: IO[Any], options: ExportOptions) -> None:
        name = getattr(stream, "name", "arshif.warc.gz")
        filename = str(name).rsplit("/", 1)[-1].removeprefix(".").removesuffix(".partial")
        self.warc = CaptureWarcWriter(stream, filename)  # binary: the registry opens "wb"

    def write(self, batch: list[Record]) -> None:
        for rec in batch:
            self.warc.write(rec["capture"], rec["source"], rec["compression"], rec["data"])

    def close(self) -> None:
        pass


register(
    Format(
        name="warc",
        suffix=".warc.gz",
        binary=True,
        open=_WarcWriter,
        description="raw captures (HTTP responses as fetched) as gzipped WARC/1.1",
        records=_captures,
        count=_count,
    )
)
