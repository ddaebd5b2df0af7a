"""The database-free half of ingesting a page: extraction and the text's fingerprint.

:func:`prepare_page` is a pure function of picklable arguments, so the crawler can run it in
a worker process while its own process downloads and stores pages
(``ARSHIF_EXTRACT_PROCESSES``, see ``docs/operations.md``); :func:`archive.ingest.ingest_page`
calls it in-process when it is not given a :class:`Prepared`. Either way the page's HTML is
decoded and parsed exactly once. This module imports no database code, so a worker process
stays small.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from archive.errors import DecodeError, ExtractionError
from archive.extract import Extraction, extract
from archive.fingerprint import TextFingerprint, fingerprint
from archive.sources import Source


@dataclass(frozen=True, slots=True)
class Prepared:
    """An extraction and its fingerprint, or the reason the page could not be extracted."""

    extraction: Extraction | None
    error: DecodeError | ExtractionError | None = None
    fingerprint: TextFingerprint | None = None  # None for listings


def prepare_page(
    body: bytes,
    *,
    url: str,
    headers: Mapping[str, str],
    source: Source,
    learned: Collection[str],
    published_hint: datetime | None = None,
    fetched_at: datetime | None = None,
) -> Prepared:
    """Extract one fetched page with its source's settings and learned boilerplate lines."""
    try:
        ex = extract(
            body,
            url=url,
            content_type=headers.get("content-type"),
            boilerplate=source.boilerplate,
            published_hint=published_hint,
            fetched_at=fetched_at,
            zone=source.zone,
            prune=source.prune,
            learned=learned,
        )
    except (DecodeError, ExtractionError) as exc:
        return Prepared(None, exc)
    fp = None if ex.page_kind == "listing" else fingerprint(ex.text)
    return Prepared(ex, None, fp)


def warm_up() -> bool:
    """Called once in a fresh worker process, so its imports happen before the first page."""
    return True
