"""Items the spider yields. Pages are the archive's own :class:`~archive.prepare.FetchedPage`."""

from __future__ import annotations

from dataclasses import dataclass

from archive.prepare import FetchedPage

__all__ = ["FetchFailed", "FetchedPage"]


@dataclass(frozen=True)
class FetchFailed:
    """A request that produced no page: HTTP error, network error, bad sitemap or feed."""

    source: str
    url: str
    kind: str  # "http" | "network" | "discovery"
    message: str
    http_status: int | None = None
