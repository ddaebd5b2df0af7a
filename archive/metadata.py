"""Structured page metadata from the parsed tree: JSON-LD, meta tags, links, visible dates.

Order of trust for ``published_at`` (see :func:`choose_published`): JSON-LD (``datePublished``,
``dateCreated``, ``uploadDate``; any ``@type`` list containing an article type) →
``article:published_time`` and similar meta tags (and Al Mayadeen's ``tawsiyat-metadata`` JSON) →
the news-sitemap ``publication_date`` the spider hands over → a date in the URL → a visible date
on the page (``<time>``, date bylines; never the body text). ``modified_at`` comes from
``dateModified``, ``article:modified_time`` or a visible "آخر تحديث" line.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from lxml import etree
from lxml.html import HtmlElement

from archive.dates import ParsedDate, date_from_url, parse_iso, parse_visible_date

log = logging.getLogger(__name__)

ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "blogposting",
        "opinionnewsarticle",
        "backgroundnewsarticle",
        "reviewnewsarticle",
        "socialmediaposting",
        "liveblogposting",
        "videoobject",
    }
)
LISTING_TYPES = frozenset({"collectionpage", "itemlist", "searchresultspage", "blog"})
MAX_TERMS = 30  # categories / tags kept per page
_Iso = Callable[[Any], "tuple[datetime, str] | None"]


@dataclass
class PageMeta:
    title: str | None = None
    authors: str | None = None
    published: tuple[datetime, str] | None = None  # (value, precision)
    published_source: str | None = None  # "json-ld" | "meta"
    modified: datetime | None = None
    description: str | None = None
    canonical: str | None = None
    image: str | None = None
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    article_markup: bool = False  # og:type=article or a JSON-LD article type
    listing_markup: bool = False  # a JSON-LD CollectionPage / ItemList / SearchResultsPage
    declared_lang: str | None = None


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _terms(value: Any) -> list[str]:
    """JSON-LD ``keywords`` / ``articleSection``: a string (comma separated) or a list."""
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        if isinstance(item, str):
            out += [t.strip() for t in re.split(r"[,،]", item) if t.strip()]
    return out


def _add_terms(target: list[str], terms: list[str]) -> None:
    for term in terms:
        if term not in target and len(target) < MAX_TERMS and len(term) <= 100:
            target.append(term)


def _image(value: Any) -> str | None:
    if isinstance(value, list):
        return next((u for v in value if (u := _image(v))), None)
    if isinstance(value, dict):
        return _text(value.get("url")) or _text(value.get("contentUrl"))
    return _text(value)


def _authors(value: Any) -> str | None:
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and name.strip() and name.strip() not in names:
            names.append(name.strip())
    return "; ".join(names) or None


def json_ld_objects(tree: HtmlElement) -> Iterator[dict[str, Any]]:
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            data = json.loads(script.text_content() or "")
        except ValueError:
            log.debug("ignoring unparsable JSON-LD block")
            continue
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                yield item
                if isinstance(item.get("@graph"), list):
                    stack.extend(item["@graph"])


def page_metadata(tree: HtmlElement, zone: tzinfo, fetched_at: datetime | None) -> PageMeta:
    """Everything the page states about itself in markup (no visible-text dates)."""
    meta = PageMeta()

    def iso(value: Any) -> tuple[datetime, str] | None:
        return parse_iso(value, zone, fetched_at)

    _from_json_ld(meta, tree, iso)
    _from_meta_tags(meta, tree, iso)
    _from_links(meta, tree)
    html_lang = tree.get("lang") or tree.get("xml:lang")
    meta.declared_lang = html_lang.split("-")[0].strip().lower() if html_lang else None
    return meta


def _from_json_ld(meta: PageMeta, tree: HtmlElement, iso: _Iso) -> None:
    for obj in json_ld_objects(tree):
        types = obj.get("@type")
        names = {
            t.lower() for t in (types if isinstance(types, list) else [types]) if isinstance(t, str)
        }
        if names & LISTING_TYPES:
            meta.listing_markup = True
        if not names & ARTICLE_TYPES:
            continue
        meta.article_markup = True
        for key in ("datePublished", "dateCreated", "uploadDate"):
            if meta.published is None and (when := iso(obj.get(key))):
                meta.published, meta.published_source = when, "json-ld"
        if meta.modified is None and (when := iso(obj.get("dateModified"))):
            meta.modified = when[0]
        meta.title = meta.title or _text(obj.get("headline")) or _text(obj.get("name"))
        meta.authors = meta.authors or _authors(obj.get("author"))
        meta.description = meta.description or _text(obj.get("description"))
        meta.image = meta.image or _image(obj.get("image")) or _image(obj.get("thumbnailUrl"))
        _add_terms(meta.categories, _terms(obj.get("articleSection")))
        _add_terms(meta.tags, _terms(obj.get("keywords")))


def _from_meta_tags(meta: PageMeta, tree: HtmlElement, iso: _Iso) -> None:
    props: dict[str, list[str]] = {}
    for el in tree.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        content = (el.get("content") or "").strip()
        if key and content:
            props.setdefault(key, []).append(content)

    def prop(*keys: str) -> str | None:
        return next((props[k][0] for k in keys if k in props), None)

    if (prop("og:type") or "").lower() == "article":
        meta.article_markup = True
    _meta_dates(meta, tree, prop, iso)
    meta.title = meta.title or prop("og:title", "twitter:title")
    if meta.title is None and (title := tree.find(".//title")) is not None:
        meta.title = _text(title.text_content())
    meta.description = meta.description or prop("og:description", "description")
    meta.authors = meta.authors or prop("author", "article:author")
    meta.image = meta.image or prop("og:image", "og:image:url", "twitter:image")
    meta.canonical = prop("og:url")
    _add_terms(meta.categories, props.get("article:section", []))
    _add_terms(meta.tags, props.get("article:tag", []))
    for key in ("news_keywords", "keywords"):
        for value in props.get(key, []):
            _add_terms(meta.tags, _terms(value))


def _meta_dates(
    meta: PageMeta, tree: HtmlElement, prop: Callable[..., str | None], iso: _Iso
) -> None:
    for key in ("article:published_time", "datepublished", "pubdate", "publishdate"):
        if meta.published is None and (when := iso(prop(key))) is not None:
            meta.published, meta.published_source = when, "meta"
    if meta.published is None and (page_json := _tawsiyat(tree)) is not None:
        if (when := iso(page_json.get("published_time"))) is not None:
            meta.published, meta.published_source = when, "meta"
        if meta.modified is None and (when := iso(page_json.get("last_updated"))):
            meta.modified = when[0]
    for key in ("article:modified_time", "og:updated_time", "datemodified"):
        if meta.modified is None and (when := iso(prop(key))) is not None:
            meta.modified = when[0]


_REL_LINKS = etree.XPath("//link[@rel] | //a[contains(@rel, 'tag')]")


def _from_links(meta: PageMeta, tree: HtmlElement) -> None:
    """``rel=canonical`` (beats ``og:url``) and WordPress ``rel="tag"`` / ``"category tag"``."""
    canonical = None
    for link in _REL_LINKS(tree):
        rel = (link.get("rel") or "").lower().split()
        if link.tag == "link" and "canonical" in rel and link.get("href") and not canonical:
            canonical = link.get("href", "").strip() or None
        elif link.tag == "a" and "tag" in rel:
            term = (link.text_content() or "").strip()
            _add_terms(meta.categories if "category" in rel else meta.tags, [term] if term else [])
    meta.canonical = canonical or meta.canonical


def _tawsiyat(tree: HtmlElement) -> dict[str, Any] | None:
    """Al Mayadeen's ``<script id="tawsiyat-metadata">{"postid", "published_time", …}``."""
    for script in tree.iter("script"):
        if script.get("id") == "tawsiyat-metadata":
            try:
                data = json.loads(script.text_content() or "")
            except ValueError:
                return None
            return data if isinstance(data, dict) else None
    return None


# -- visible dates ------------------------------------------------------------------------------

_DATE_HINT_RE = re.compile(r"date|time|publish|posted|tarikh|byline|meta", re.IGNORECASE)
_SKIP_HINT_RE = re.compile(r"comment|related|sidebar|widget|footer|popular|ticker|breaking", re.I)
_MODIFIED_RE = re.compile(r"آخر تحديث|اخر تحديث|تم التحديث|تحديث:|updated|modified", re.I)
MAX_VISIBLE_CANDIDATES = 40
_DATE_TAGS = ("time", "span", "div", "p", "li", "abbr", "small", "td", "font")
_HINT_ATTRS = ("class", "id", "itemprop")
# A date needs digits, or one of the relative words (cheap prefilter before parsing).
_MAYBE_DATE_RE = re.compile(r"[0-9٠-٩۰-۹]|منذ|قبل|أمس|امس|البارحة|اليوم|ago|yesterday|today", re.I)
MAX_VISIBLE_CHARS = 160


def _skipped(el: HtmlElement) -> bool:
    for anc in el.iterancestors():
        if anc.tag in ("aside", "footer", "nav", "form"):
            return True
        if _SKIP_HINT_RE.search(f"{anc.get('class', '')} {anc.get('id', '')}"):
            return True
    return False


def _scopes(tree: HtmlElement) -> list[HtmlElement]:
    """Where a byline date can be: the first ``<article>``, then the area around the ``<h1>``
    (up to three levels up); the whole page only when it has neither. Site headers (with
    *today's* date), sidebars and footers far from the headline are never searched."""
    scopes: list[HtmlElement] = []
    article = tree.find(".//article")
    if article is not None:
        scopes.append(article)
    h1 = tree.find(".//h1")
    if h1 is not None:
        area = h1
        for _ in range(3):
            parent = area.getparent()
            if parent is None or parent.tag in ("body", "html"):
                break
            area = parent
        scopes.append(area)
    return scopes or [tree]


def _visible_candidates(tree: HtmlElement) -> Iterator[tuple[str, str | None]]:
    """(visible text, datetime attribute) of date-like elements near the headline."""
    seen: set[HtmlElement] = set()
    for scope in _scopes(tree):
        for candidate in _date_elements(scope, seen):
            yield candidate
            if len(seen) > MAX_VISIBLE_CANDIDATES:
                return


def _date_elements(scope: HtmlElement, seen: set[HtmlElement]) -> Iterator[tuple[str, str | None]]:
    for el in scope.iter(*_DATE_TAGS):
        if el in seen:
            continue
        if el.tag != "time" and not any(
            (value := el.get(attr)) and _DATE_HINT_RE.search(value) for attr in _HINT_ATTRS
        ):
            continue
        text = " ".join(el.text_content().split())
        if not text and el.get("datetime") is None:
            continue
        if len(text) > MAX_VISIBLE_CHARS or _skipped(el):
            continue
        seen.add(el)
        yield text, el.get("datetime") or el.get("content")


def visible_dates(
    tree: HtmlElement,
    zone: tzinfo,
    fetched_at: datetime | None,
    year_hint: int | None,
) -> tuple[ParsedDate | None, ParsedDate | None]:
    """(published, modified) from ``<time>`` and date-like bylines, first found wins."""
    published: ParsedDate | None = None
    modified: ParsedDate | None = None
    for text, attr in _visible_candidates(tree):
        parsed: ParsedDate | None = None
        if attr and (iso := parse_iso(attr, zone, fetched_at)) is not None:
            parsed = ParsedDate(iso[0], iso[1])
        elif text and _MAYBE_DATE_RE.search(text):
            parsed = parse_visible_date(text, fetched_at=fetched_at, zone=zone, year_hint=year_hint)
        if parsed is None:
            continue
        if _MODIFIED_RE.search(text):
            modified = modified or parsed
        else:
            published = parsed
            break  # a modified date is only taken when it comes before the published one
    return published, modified


def choose_published(
    meta: PageMeta,
    *,
    hint: datetime | None,
    url: str,
    tree: HtmlElement,
    zone: tzinfo,
    fetched_at: datetime | None,
) -> tuple[datetime | None, str | None, str | None, datetime | None]:
    """(published_at, precision, date_source, visible modified_at) in the order of trust.

    The visible "آخر تحديث" date is only looked for when the page has no structured date."""
    if meta.published is not None:  # structured data: the visible text is not even read
        return meta.published[0], meta.published[1], meta.published_source, None
    url_date = date_from_url(url, zone, fetched_at)
    hint_ok = hint if hint is not None and (fetched_at is None or hint <= fetched_at) else None
    year_hint = (
        hint_ok.year if hint_ok else url_date.value.astimezone(zone).year if url_date else None
    )
    visible, visible_modified = visible_dates(tree, zone, fetched_at, year_hint)
    vis_mod = visible_modified.value if visible_modified else None
    if hint_ok is not None and hint_ok.year >= 1990:
        midnight = hint_ok.hour == hint_ok.minute == hint_ok.second == 0
        return hint_ok, "day" if midnight else "exact", "hint", vis_mod
    if url_date is not None:
        # A visible time on the same local day only adds precision to the URL's date.
        if (
            visible is not None
            and visible.precision == "exact"
            and visible.value.astimezone(zone).date() == url_date.value.astimezone(zone).date()
        ):
            return visible.value, "exact", "url+text", vis_mod
        return url_date.value, url_date.precision, "url", vis_mod
    if visible is not None:
        return visible.value, visible.precision, "text", vis_mod
    return None, None, None, vis_mod
