"""Is a fetched page an article, a listing, or not worth storing? Pure, explainable rules.

* ``not-text``: the response is not an HTML/text document (``Content-Type`` says image, PDF,
  video, …). Binary bytes served as ``text/html`` are a decoding failure instead.
* ``listing``: category, tag, search, archive and pagination pages. Without article markup
  (``og:type=article``, a JSON-LD article type): JSON-LD ``CollectionPage``/``ItemList``/
  ``SearchResultsPage``, a listing-shaped URL (``/tag/``, ``/category/``, ``/page/2``,
  ``?page=2``, ``?s=``, ``/search``, ``/author/``, date archives), or many teasers (≥ 3
  "اقرأ المزيد"/"أكمل القراءة"/"Read more"/"[…]" links or ≥ 3 ``<article>`` elements, or ≥ 6
  headings that are links). With article markup, only the teaser count can overrule it.
* ``short``: fewer than the caller's minimum words of cleaned text.
* ``article``: everything else.

Listing pages are still parsed by the spider for links; the archive only refuses to store them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml import etree
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
_TEASER_RE = re.compile(
    r"^\s*(?:[.…]+\s*)?(?:اقرأ المزيد|إقرأ المزيد|اقرا المزيد|أكمل القراءة|اكمل القراءة|"
    r"read more|continue reading)\s*[»›>.…]*\s*$|^\s*\[(?:…|\.\.\.)\]\s*$",
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


# Anchors that may be teaser links, found in C; _TEASER_RE then checks the whole text.
_TEASER_CANDIDATES = etree.XPath(
    "//a[contains(., 'المزيد') or contains(., 'القراءة') or contains(., '[…]')"
    " or contains(., '[...]') or contains(translate(., 'READMOCNTIUG', 'readmocntiug'), 'read more')"
    " or contains(translate(., 'READMOCNTIUG', 'readmocntiug'), 'continue reading')]"
)


def _teasers(tree: HtmlElement) -> int:
    return sum(
        1
        for a in _TEASER_CANDIDATES(tree)
        if len(text := a.text_content()) < 40 and _TEASER_RE.match(text)
    )


def _linked_headings(tree: HtmlElement) -> int:
    return sum(
        1
        for h in tree.iter("h2", "h3", "h4")
        if h.find(".//a") is not None or (h.getparent() is not None and h.getparent().tag == "a")
    )


def classify_markup(  # noqa: PLR0911 (one return per rule, in the documented order)
    tree: HtmlElement, url: str, *, article_markup: bool, listing_markup: bool
) -> PageKind:
    """``listing`` or ``article`` from markup and URL alone (word counts are the caller's)."""
    teasers = _teasers(tree)
    if teasers >= MIN_TEASERS:
        return PageKind("listing", f"{teasers} 'read more' teaser links")
    if article_markup:
        return PageKind("article")
    if listing_markup:
        return PageKind("listing", "JSON-LD collection/list page")
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
