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
from typing import Any, BinaryIO

from sqlalchemy import select
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


def write_warc(
    archive: Archive,
    out: BinaryIO,
    source: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    *,
    filename: str = "arshif.warc.gz",
    progress: Callable[[int], None] | None = None,
) -> WarcSummary:
    """Write the captures (of ``source``, fetched in ``[since, until)``) to ``out``."""
    query = (
        select(Capture, RawBody.compression, RawBody.data, SourceRow.name)
        .join(RawBody, RawBody.sha256 == Capture.body_sha256)
        .join(SourceRow, SourceRow.id == Capture.source_id)
        .order_by(Capture.fetched_at, Capture.id)
    )
    if source is not None:
        query = query.where(SourceRow.name == source)
    if since is not None:
        query = query.where(Capture.fetched_at >= since)
    if until is not None:
        query = query.where(Capture.fetched_at < until)
    writer = WARCWriter(out, gzip=True, warc_version="1.1")
    writer.write_record(
        writer.create_warcinfo_record(
            filename,
            {
                "software": f"arshif/{__version__}",
                "format": "WARC File Format 1.1",
                "description": "raw captures of an arshif news archive"
                + (f" (source {source})" if source else ""),
            },
        )
    )
    # body sha256 -> (uri, WARC-Date, WARC-Payload-Digest) of the response that carries it
    first: dict[str, tuple[str, str, str]] = {}
    count = revisits = size = 0
    with archive.sessions() as session:
        for cap, compression, data, name in session.execute(query).yield_per(_BATCH):
            body = unpack(compression, data)
            date = _warc_date(cap.fetched_at)
            http = _http_headers(cap.status, json.loads(cap.headers), len(body))
            if cap.body_sha256 in first:
                uri, when, digest = first[cap.body_sha256]
                record = writer.create_revisit_record(cap.final_url, digest, uri, when, http)
                record.rec_headers.replace_header("WARC-Date", date)
                revisits += 1
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
                first[cap.body_sha256] = (cap.final_url, date, digest)
            writer.write_record(record)
            writer.write_record(_metadata(writer, cap, name, date, record))
            count += 1
            size += len(body)
            if progress is not None:
                progress(count)
    return WarcSummary(count, revisits, size)


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
