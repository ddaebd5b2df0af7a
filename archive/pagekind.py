"""Is a fetched page an article, a listing, or not worth storing? Pure, explainable rules.

* ``not-text``: the response is not an HTML/text document (``Content-Type`` says image, PDF,
  video, …). Binary bytes served as ``text/html`` are a decoding failure instead.
* ``listing``: category, tag, search, archive and pagination pages, recognised only when the
  page has no article markup (``og:type=article``, a JSON-LD article type), in this order:
  JSON-LD ``CollectionPage``/``ItemList``/``SearchResultsPage``; ≥ 3 teaser links
  ("اقرأ المزيد", "أكمل القراءة »", "Read more", "Continue reading"); a listing-shaped URL
  (``/tag/``, ``/category/``, ``/page/2``, ``?page=2``, ``?s=``, ``/search``, ``/author/``, date
  archives); ≥ 3 ``<article>`` elements; ≥ 6 headings that are links.
* ``short``: fewer than the caller's minimum words of cleaned text.
* ``article``: everything else.

Listing pages are still parsed by the spider for links; the archive only refuses to store them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml.html import HtmlElement

__all__ = ["PageKind", "classify_markup", "not_text_reason"]

MIN_TEASERS = 3
MIN_ARTICLE_ELEMENTS = 3
MIN_LINKED_HEADINGS = 6

_TEXT_TYPES_RE = re.compile(r"^\s*(?:text/|application/(?:xhtml\+xml|xml)|$)", re.IGNORECASE)
_LISTING_URL_RE = re.compile(
    r"/(?:tag|tags|category|categories|cat|section|topics?|author|search|archive|archives/date)/"
    r"|/page/\d+/?$|/date/\d{4}|[?&](?:page|paged|s|q|cat|tag)=",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class PageKind:
    kind: str  # "article" | "listing" | "short" | "not-text"
    reason: str | None = None


def not_text_reason(content_type: str | None) -> str | None:
    """Why the response is not a text document at all (None when it is one).

    Only the server's ``Content-Type`` counts here: binary bytes served as ``text/html`` are a
    decoding failure (``archive.decode``), recorded in ``fetch_failures``."""
    if content_type and not _TEXT_TYPES_RE.match(content_type):
        return f"Content-Type {content_type.split(';')[0].strip()} is not a text document"
    return None


# A teaser link in the HTML source: "…>اقرأ المزيد</a>", "…>أكمل القراءة &raquo;</span></a>".
# Scanning the markup for the few marker words, then checking their surroundings, is far
# cheaper than reading every anchor's text.
# Needles searched in the raw bytes (bytes.find is fast); the window around each hit must then
# read as a whole teaser link: ">اقرأ المزيد</a>", ">… أكمل القراءة &raquo;</span></a>".
_TEASER_NEEDLES = ("المزيد", "القراءة", "ead more", "ead More", "EAD MORE", "ontinue reading")
_TEASER_LINK_RE = re.compile(
    r">\s*(?:[.…]+\s*)?(?:[اإ]قر[أا] المزيد|[أا]كمل القراءة|read more|continue reading)"
    r"\s*(?:[»›>.…]|&raquo;|&rsaquo;|&hellip;|&#8230;|&#187;)*\s*(?:</(?:span|i|b|strong|em)>\s*)*"
    r"</a>",
    re.IGNORECASE,
)
_WINDOW_BEFORE = 40
_WINDOW_AFTER = 80


def _teasers(body: bytes, encoding: str) -> int:
    """Teaser links, found in the raw bytes (far faster than scanning the decoded text or
    every anchor of the tree); only a small window around each hit is decoded and checked."""
    count = 0
    for word in _TEASER_NEEDLES:
        try:
            needle = word.encode(encoding)
        except (UnicodeEncodeError, LookupError):
            continue  # an Arabic marker cannot occur in a Latin-1 page
        start = body.find(needle)
        while start != -1:
            end = start + len(needle)
            lo = max(0, start - _WINDOW_BEFORE)
            head = body[lo:end].decode(encoding, errors="ignore")
            window = head + body[end : end + _WINDOW_AFTER].decode(encoding, errors="ignore")
            gt = head.rfind(">")
            if gt != -1 and _TEASER_LINK_RE.match(window, gt):
                count += 1
            start = body.find(needle, end)
    return count


def _linked_headings(tree: HtmlElement) -> int:
    return sum(
        1
        for h in tree.iter("h2", "h3", "h4")
        if h.find(".//a") is not None or (h.getparent() is not None and h.getparent().tag == "a")
    )


def classify_markup(  # noqa: PLR0911 (one return per rule, in the documented order)
    tree: HtmlElement,
    body: bytes,
    encoding: str,
    url: str,
    *,
    article_markup: bool,
    listing_markup: bool,
) -> PageKind:
    """``listing`` or ``article`` from markup (``tree``, and the raw ``body`` in ``encoding``)
    and URL alone (word counts are the caller's)."""
    if article_markup:
        return PageKind("article")
    if listing_markup:
        return PageKind("listing", "JSON-LD collection/list page")
    teasers = _teasers(body, encoding)
    if teasers >= MIN_TEASERS:
        return PageKind("listing", f"{teasers} 'read more' teaser links")
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    if _LISTING_URL_RE.search(target):
        return PageKind("listing", f"listing URL {parts.path or '/'}")
    articles = sum(1 for _ in tree.iter("article"))
    if articles >= MIN_ARTICLE_ELEMENTS:
        return PageKind("listing", f"{articles} <article> elements")
    headings = _linked_headings(tree)
    if headings >= MIN_LINKED_HEADINGS:
        return PageKind("listing", f"{headings} linked headings")
    return PageKind("article")
