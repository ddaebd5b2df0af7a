"""The database-free half of ingesting a page: extraction and the text's fingerprint.

:func:`prepare_page` is a pure function of picklable arguments, so the crawler can run it in
a worker process while its own process downloads and stores pages
(``ARSHIF_EXTRACT_PROCESSES``, see ``docs/operations.md``); :func:`archive.ingest.ingest_page`
calls it in-process when it is not given a :class:`Prepared`. Either way the page's HTML is
decoded and parsed exactly once. This module imports no database code, so a worker process
stays small.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin

from archive.changes import change_hash
from archive.errors import DecodeError, ExtractionError
from archive.extract import Extraction, extract
from archive.fingerprint import TextFingerprint, fingerprint_key, signature_to_bytes
from archive.normalize import search_key
from archive.similarity import numbers_of
from archive.sources import Source
from archive.urls import canonical_url
from archive.wire import wire_credit

# gzip level 4: about half the CPU of level 6 for 3 % larger raw captures (real Arabic news
# pages of ~20 kB: 0.29 vs 0.48 ms, 31.8 vs 30.8 % of the raw size).
GZIP_LEVEL = 4
# Below this size compression does not pay for its header.
MIN_COMPRESS = 256


@dataclass(frozen=True)
class FetchedPage:
    """What a crawler hands to the archive: the raw response and where it came from."""

    source: str
    url: str  # the URL requested
    final_url: str  # after redirects
    status: int
    headers: Mapping[str, str]  # lower-case names
    body: bytes
    fetched_at: datetime
    # The crawler's judgement: True when discovery says "article" (sitemap, feed, pattern),
    # None when it does not know (a page reached by following links).
    is_article: bool | None = None
    published_hint: datetime | None = None  # e.g. a news sitemap's publication_date
    # The discovery date that led to this fetch (sitemap lastmod, feed updated): recheck state.
    lastmod_hint: datetime | None = None


@dataclass(frozen=True, slots=True)
class PackedBody:
    """A raw body as ``raw_bodies`` stores it (:mod:`archive.capture`)."""

    sha256: str  # of the raw bytes
    compression: str  # "gzip" | "none"
    size: int  # bytes before compression
    data: bytes


def pack_body(body: bytes) -> PackedBody:
    """Hash and compress a raw body (gzip level 6, unless that does not make it smaller)."""
    compression, data = "none", body
    if len(body) >= MIN_COMPRESS:
        packed = gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
        if len(packed) < len(body):
            compression, data = "gzip", packed
    return PackedBody(hashlib.sha256(body).hexdigest(), compression, len(body), data)


@dataclass(frozen=True, slots=True)
class Derived:
    """What the writer stores for an article page, computed from the page alone (so the
    extraction worker does it, not the crawl's writer thread): the packed raw body, the
    change hash, the folded search document and the fingerprint's storage form."""

    article_url: str  # the article's key (:func:`article_url`)
    word_count: int  # Extraction.word_count (a regex over the text, needed twice)
    body: PackedBody
    change_hash: str  # archive.changes.change_hash(title, text)
    folded_title: str  # archive.search_index.document
    folded_text: str
    wire: str | None  # the agency the text credits (archive.wire)
    signature: bytes  # the fingerprint's stored signature (b"" when too short)
    numbers: tuple[str, ...]  # archive.similarity.numbers_of(fingerprint key)
    buckets: tuple[tuple[int, int], ...]  # the fingerprint's LSH rows


@dataclass(frozen=True, slots=True)
class Prepared:
    """An extraction and its fingerprint, or the reason the page could not be extracted."""

    extraction: Extraction | None
    error: DecodeError | ExtractionError | None = None
    fingerprint: TextFingerprint | None = None  # None for listings
    derived: Derived | None = None  # None for listings and failures


def article_url(ex: Extraction, final_url: str, source: Source) -> str:
    """The article's key: its rel=canonical when that stays on the source's site."""
    if ex.canonical_url:
        canonical = canonical_url(urljoin(final_url, ex.canonical_url))
        if source.owns(canonical):
            return canonical
    return canonical_url(final_url)


def fold_text(text: str) -> tuple[str, str]:
    """``(search_key(text), dedup_key(text))`` with each line folded once: the two keys
    fold lines alike and differ only in that the dedup key drops repeated lines."""
    lines = [key for key in map(search_key, text.splitlines()) if key]
    folded = " ".join(lines)
    unique = dict.fromkeys(lines)
    # Usually no line repeats: one string for both, so a pickled Prepared carries it once.
    return folded, folded if len(unique) == len(lines) else " ".join(unique)


def derive(
    body: bytes,
    ex: Extraction,
    fp: TextFingerprint,
    final_url: str,
    source: Source,
    folded_text: str | None = None,
) -> Derived:
    """The pure per-page values of an article page the writer stores (:class:`Derived`);
    ``folded_text``: ``search_key(ex.text)`` when the caller has it (:func:`fold_text`)."""
    sig = fp.signature
    return Derived(
        article_url=article_url(ex, final_url, source),
        word_count=ex.word_count,
        body=pack_body(body),
        change_hash=change_hash(ex.title, ex.text),
        folded_title=search_key(ex.title or ""),
        folded_text=search_key(ex.text) if folded_text is None else folded_text,
        wire=wire_credit(ex.text, ex.attribution),
        signature=signature_to_bytes(sig) if sig is not None else b"",
        numbers=numbers_of(fp.key),
        buckets=tuple(fp.buckets),
    )


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
    if ex.page_kind == "listing":
        return Prepared(ex, None, None)
    folded, key = fold_text(ex.text)
    fp = fingerprint_key(key)  # = fingerprint(ex.text), the text folded once for both
    return Prepared(ex, None, fp, derive(body, ex, fp, url, source, folded))


def prepare_fetched(page: FetchedPage, source: Source, learned: Collection[str]) -> Prepared:
    """:func:`prepare_page` of a fetched page (what ingest and the extraction workers call)."""
    return prepare_page(
        page.body,
        url=page.final_url,
        headers=page.headers,
        source=source,
        learned=learned,
        published_hint=page.published_hint,
        fetched_at=page.fetched_at,
    )


def warm_up() -> bool:
    """Called once in a fresh worker process, so that its start-up costs are paid while the
    crawl fetches robots.txt and sitemaps, not on its first page: the MinHash kernel's
    compiled code (numba's cache, about a second to load) and the lazily imported parts of
    the extraction."""
    fingerprint_key("نص تمهيدي لتحميل نواة البصمة " * 40)
    page = (
        "<html><head><title>تمهيد</title></head><body><article><h1>تمهيد</h1>"
        + "<p>هذه فقرة تمهيدية لتحميل أدوات الاستخراج قبل الصفحة الأولى.</p>" * 8
        + "</article></body></html>"
    )
    with contextlib.suppress(DecodeError, ExtractionError):
        extract(page.encode("utf-8"), url="http://warm-up.invalid/", content_type="text/html")
    return True
