"""URL canonicalisation: one key per article however the URL was written; URLs for display."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import unquote_to_bytes, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

# Query parameters that identify a campaign or a click, never an article.
_TRACKING_RE = re.compile(
    r"^(utm_[a-z_]+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|mc_cid|mc_eid|igshid|"
    r"_ga|_gl|ref_src|ref_url|share|amp;utm_[a-z_]+)$",
    re.IGNORECASE,
)


def canonical_url(url: str) -> str:
    """The archive's key for ``url``.

    w3lib's ``canonicalize_url`` (sorted query, upper-case percent escapes, raw Arabic
    encoded as UTF-8, no fragment), then: lower-case host, default ports and tracking
    parameters (``utm_*``, ``fbclid``, ...) removed. Scheme is kept as given.
    """
    url = canonicalize_url(url.strip(), keep_fragments=False)
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host
    if (
        port
        and not (parts.scheme == "http" and port == 80)
        and not (parts.scheme == "https" and port == 443)
    ):
        netloc = f"{host}:{port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    query = "&".join(
        pair
        for pair in parts.query.split("&")
        if pair and not _TRACKING_RE.match(pair.split("=", 1)[0])
    )
    return urlunsplit((parts.scheme, netloc, parts.path or "/", query, ""))


def url_hash(url: str) -> str:
    """sha256 hex of an (already canonical) URL: the unique key in ``articles.url_hash``."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


def same_site(a: str, b: str) -> bool:
    """Whether two URLs are on the same host (ignoring a leading ``www.``)."""

    def host(u: str) -> str:
        h = (urlsplit(u).netloc or "").lower()
        return h[4:] if h.startswith("www.") else h

    return host(a) == host(b)


# A run of percent-escaped non-ASCII bytes ("%D8%B9%D9%86", "%DA%E4%E6%C7%E4").
_HIGH_ESCAPES_RE = re.compile(r"(?:%[89A-Fa-f][0-9A-Fa-f])+")


def display_url(url: str) -> str:
    """``url`` for people to read: percent-escaped Arabic shown as letters.

    Each run of escaped non-ASCII bytes is decoded as UTF-8, else as cp1256 (legacy Arabic
    sites wrote query strings such as ``?title=%DA%E4%E6%C7%E4``, "عنوان", in their page
    encoding). ASCII escapes (``%2F``, ``%26``, ``%20``) stay escaped, and so does a run that
    would decode to an invisible or control character (RLM is a cp1256 byte). For display and
    logs only: the archive's key is :func:`canonical_url`, which never changes these bytes.
    """
    return _HIGH_ESCAPES_RE.sub(_decode_run, url)


def _decode_run(match: re.Match[str]) -> str:
    raw = unquote_to_bytes(match.group())
    for encoding in ("utf-8", "cp1256"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if all(unicodedata.category(ch)[0] not in "CZ" or ch == " " for ch in text):
            return text
    return match.group()
