"""WARC export of the raw captures, for other web-archive tools (pywb, OpenWayback, warcio).

One gzipped WARC/1.1 file: a ``warcinfo`` record, then per capture (oldest first) a
``response`` record (HTTP status line, headers and body as the crawler received them) and a
``metadata`` record linking it to the archive (article id, capture id, the URL requested
before redirects). A body already written once becomes a ``revisit`` record
(identical-payload-digest profile) instead of a second copy.

The body is the one the crawler stored: after transfer and content decoding (Scrapy
undoes gzip/brotli), so ``Content-Encoding`` and ``Transfer-Encoding`` are dropped and
``Content-Length`` is set to the stored length, as other crawlers writing decoded bodies do.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http.client import responses
from typing import IO, Any

from sqlalchemy import Select, select
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive import __version__
from archive.capture import unpack
from archive.models import Capture, RawBody
from archive.models import Source as SourceRow
from archive.store import Archive

_DROPPED = {"content-encoding", "transfer-encoding", "content-length"}
_BATCH = 50


@dataclass(frozen=True, slots=True)
class WarcSummary:
    captures: int
    revisits: int
    bytes_in: int  # uncompressed body bytes of the captures written


class CaptureWarcWriter:
    """Writes captures as WARC records to a binary stream: a ``warcinfo`` record first,
    then per capture a ``response`` (or ``revisit``) and a ``metadata`` record."""

    def __init__(self, out: IO[bytes], filename: str = "arshif.warc.gz", note: str = "") -> None:
        self.writer = WARCWriter(out, gzip=True, warc_version="1.1")
        self.writer.write_record(
            self.writer.create_warcinfo_record(
                filename,
                {
                    "software": f"arshif/{__version__}",
                    "format": "WARC File Format 1.1",
                    "description": "raw captures of an arshif news archive" + note,
                },
            )
        )
        # body sha256 -> (uri, WARC-Date, WARC-Payload-Digest) of the response that carries it
        self.first: dict[str, tuple[str, str, str]] = {}
        self.captures = self.revisits = self.bytes_in = 0

    def write(self, cap: Capture, source: str, compression: str, data: bytes) -> None:
        body = unpack(compression, data)
        writer = self.writer
        date = _warc_date(cap.fetched_at)
        http = _http_headers(cap.status, json.loads(cap.headers), len(body))
        if cap.body_sha256 in self.first:
            uri, when, digest = self.first[cap.body_sha256]
            record = writer.create_revisit_record(cap.final_url, digest, uri, when, http)
            record.rec_headers.replace_header("WARC-Date", date)
            self.revisits += 1
        else:
            record = writer.create_warc_record(
                cap.final_url,
                "response",
                payload=io.BytesIO(body),
                length=len(body),
                http_headers=http,
                warc_headers_dict={"WARC-Date": date},
            )
            digest = record.rec_headers.get_header("WARC-Payload-Digest")
            self.first[cap.body_sha256] = (cap.final_url, date, digest)
        writer.write_record(record)
        writer.write_record(_metadata(writer, cap, source, date, record))
        self.captures += 1
        self.bytes_in += len(body)

    @property
    def summary(self) -> WarcSummary:
        return WarcSummary(self.captures, self.revisits, self.bytes_in)


def captures_query(
    sources: tuple[str, ...] = (), since: datetime | None = None, until: datetime | None = None
) -> Select[Capture, str, bytes, str]:
    """Captures with their stored bodies and source names, oldest first; ``since``/``until``
    select by fetch time (``[since, until)``)."""
    query = (
        select(Capture, RawBody.compression, RawBody.data, SourceRow.name)
        .join(RawBody, RawBody.sha256 == Capture.body_sha256)
        .join(SourceRow, SourceRow.id == Capture.source_id)
        .order_by(Capture.fetched_at, Capture.id)
    )
    if sources:
        query = query.where(SourceRow.name.in_(sources))
    if since is not None:
        query = query.where(Capture.fetched_at >= since)
    if until is not None:
        query = query.where(Capture.fetched_at < until)
    return query


def write_warc(
    archive: Archive,
    out: IO[bytes],
    source: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    *,
    filename: str = "arshif.warc.gz",
    progress: Callable[[int], None] | None = None,
) -> WarcSummary:
    """Write the captures (of ``source``, fetched in ``[since, until)``) to ``out``."""
    warc = CaptureWarcWriter(out, filename, f" (source {source})" if source else "")
    query = captures_query((source,) if source else (), since, until)
    with archive.sessions() as session:
        for cap, compression, data, name in session.execute(query).yield_per(_BATCH):
            warc.write(cap, name, compression, data)
            if progress is not None:
                progress(warc.captures)
    return warc.summary


def _http_headers(status: int, headers: dict[str, str], length: int) -> StatusAndHeaders:
    pairs = [(k.title(), v) for k, v in sorted(headers.items()) if k.lower() not in _DROPPED]
    pairs.append(("Content-Length", str(length)))
    reason = responses.get(status, "Unknown")
    return StatusAndHeaders(f"{status} {reason}", pairs, protocol="HTTP/1.1")


def _metadata(writer: WARCWriter, cap: Capture, source: str, date: str, response: Any) -> Any:
    fields = [
        ("arshif-source", source),
        ("arshif-article-id", str(cap.article_id)),
        ("arshif-capture-id", str(cap.id)),
        ("requested-url", cap.url),
    ]
    payload = "".join(f"{k}: {v}\r\n" for k, v in fields).encode("utf-8")
    record_id = response.rec_headers.get_header("WARC-Record-ID")
    return writer.create_warc_record(
        cap.final_url,
        "metadata",
        payload=io.BytesIO(payload),
        length=len(payload),
        warc_content_type="application/warc-fields",
        warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": record_id},
    )


def _warc_date(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
