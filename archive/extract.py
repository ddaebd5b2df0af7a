"""From fetched bytes to a cleaned article: decode, parse once, metadata, trafilatura, clean.

:func:`extract` is a pure function and exactly what ingest stores (``arshif extract`` prints
it). Internal failures raise :class:`ExtractionError` / ``DecodeError`` with the reason.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import trafilatura
from lxml.html import HtmlElement
from trafilatura.settings import Document
from trafilatura.utils import load_html

from archive.clean import CLEANER_VERSION, clean_text
from archive.decode import arabic_ratio, decode_html
from archive.normalize import fold_arabic

log = logging.getLogger(__name__)

EXTRACTOR = f"trafilatura-{trafilatura.__version__}+clean-{CLEANER_VERSION}"
_ARTICLE_TYPES = {
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
_WORD_RE = re.compile(r"\w+")


class ExtractionError(ValueError):
    """The page could not be turned into text; the message says why."""


@dataclass(frozen=True, slots=True)
class Extraction:
    title: str | None
    text: str
    authors: str | None
    published_at: datetime | None
    modified_at: datetime | None
    date_source: str | None  # "json-ld", "meta", "hint" (e.g. news sitemap), "trafilatura"
    language: str | None
    description: str | None
    canonical_url: str | None
    attribution: str | None
    article_markup: bool  # og:type=article or a JSON-LD article type on the page
    encoding: str
    removed_lines: int

    @property
    def word_count(self) -> int:
        return len(_WORD_RE.findall(self.text))

    def as_dict(self) -> dict[str, Any]:
        out = {name: getattr(self, name) for name in self.__slots__}
        out["word_count"] = self.word_count
        return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in out.items()}


def extract(
    body: bytes,
    *,
    url: str,
    content_type: str | None = None,
    boilerplate: Sequence[re.Pattern[str]] = (),
    published_hint: datetime | None = None,
) -> Extraction:
    """Extract and clean the main text and metadata of one HTML page."""
    decoded = decode_html(body, content_type)
    tree = load_html(decoded.text)
    if tree is None:
        raise ExtractionError("not an HTML document (no parsable tree)")
    meta = _page_metadata(tree)
    result = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        deduplicate=False,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    doc = result if isinstance(result, Document) else None
    raw_text = (doc.text or "") if doc is not None else ""
    title = meta.title or (doc.title if doc is not None else None)
    cleaned = clean_text(_drop_leading_title(raw_text, title), extra_patterns=boilerplate)

    published = meta.published
    date_source: str | None = "json-ld" if meta.published_ld else "meta"
    if published is None and published_hint is not None:
        published, date_source = published_hint, "hint"
    if published is None and doc is not None and doc.date:
        published, date_source = parse_datetime(doc.date), "trafilatura"
    if published is None:
        date_source = None

    language = _language(cleaned.text, meta.lang)
    return Extraction(
        title=title,
        text=cleaned.text,
        authors=meta.authors or (doc.author if doc is not None else None),
        published_at=published,
        modified_at=meta.modified,
        date_source=date_source,
        language=language,
        description=meta.description or (doc.description if doc is not None else None),
        canonical_url=meta.canonical,
        attribution=cleaned.attribution,
        article_markup=meta.article_markup,
        encoding=decoded.encoding,
        removed_lines=len(cleaned.removed),
    )


@dataclass
class _Meta:
    title: str | None = None
    authors: str | None = None
    published: datetime | None = None
    published_ld: bool = False
    modified: datetime | None = None
    description: str | None = None
    canonical: str | None = None
    lang: str | None = None
    article_markup: bool = False


def _page_metadata(tree: HtmlElement) -> _Meta:
    """Structured metadata, in order of trust: JSON-LD, then OpenGraph/article meta tags."""
    meta = _Meta()
    for obj in _json_ld_objects(tree):
        types = obj.get("@type")
        type_names = {
            t.lower() for t in (types if isinstance(types, list) else [types]) if isinstance(t, str)
        }
        if not type_names & _ARTICLE_TYPES:
            continue
        meta.article_markup = True
        for key in ("datePublished", "dateCreated", "uploadDate"):
            if meta.published is None and (when := parse_datetime(obj.get(key))):
                meta.published, meta.published_ld = when, True
        meta.modified = meta.modified or parse_datetime(obj.get("dateModified"))
        headline = obj.get("headline") or obj.get("name")
        meta.title = meta.title or (headline.strip() if isinstance(headline, str) else None)
        meta.authors = meta.authors or _authors(obj.get("author"))
        desc = obj.get("description")
        meta.description = meta.description or (desc.strip() if isinstance(desc, str) else None)

    props: dict[str, str] = {}
    for el in tree.iter("meta"):
        key = (el.get("property") or el.get("name") or "").strip().lower()
        content = (el.get("content") or "").strip()
        if key and content and key not in props:
            props[key] = content
    if props.get("og:type", "").lower() == "article":
        meta.article_markup = True
    meta.published = meta.published or parse_datetime(props.get("article:published_time"))
    meta.modified = meta.modified or parse_datetime(props.get("article:modified_time"))
    meta.title = meta.title or props.get("og:title")
    meta.description = meta.description or props.get("og:description") or props.get("description")
    meta.authors = meta.authors or props.get("author") or props.get("article:author")

    for link in tree.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            meta.canonical = link.get("href", "").strip()
            break
    meta.canonical = meta.canonical or props.get("og:url")
    html_lang = tree.get("lang") or tree.get("xml:lang")
    meta.lang = html_lang.split("-")[0].strip().lower() if html_lang else None
    return meta


def _json_ld_objects(tree: HtmlElement) -> Iterator[dict[str, Any]]:
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


def _authors(value: Any) -> str | None:
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and name.strip():
            names.append(name.strip())
    return "; ".join(names) or None


def parse_datetime(value: Any) -> datetime | None:
    """An ISO 8601 timestamp or date as aware UTC; naive values are taken as UTC."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if when.year < 1990:  # placeholder dates such as 1970-01-01
        return None
    return when.astimezone(UTC)


def _drop_leading_title(text: str, title: str | None) -> str:
    """trafilatura keeps the headline when it sits inside the article element; the title
    is stored on its own, so a first line that repeats it is dropped from the text."""
    if not title:
        return text
    first, _, rest = text.lstrip().partition("\n")
    return rest if fold_arabic(first) == fold_arabic(title) else text


def _language(text: str, declared: str | None) -> str | None:
    if text and arabic_ratio(text) >= 0.5:
        return "ar"
    return declared
