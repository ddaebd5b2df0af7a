"""From fetched bytes to a cleaned article: decode, parse once, metadata, trafilatura, clean.

:func:`extract` is a pure function of its arguments and exactly what ingest stores
(``arshif extract`` prints it). Internal failures raise :class:`ExtractionError` /
``DecodeError`` with the reason.

Steps: :func:`archive.decode.decode_html` (lying charsets, mojibake) → one lxml tree →
:func:`archive.metadata.page_metadata` (JSON-LD, meta tags) → the source's ``prune`` XPaths are
removed from the tree → dates in the order of trust (:func:`archive.metadata.choose_published`)
→ the page kind (:mod:`archive.pagekind`) → trafilatura's main-text extraction on the same tree
(its own metadata and date guessing are off: they are slow and htmldate mis-dates Levantine
months) → the headline line dropped → :func:`archive.clean.clean_text` (built-in rules, the
source's patterns, learned per-source lines) → language detected from the cleaned text →
quality flags (:mod:`archive.quality`) and the opening dateline (:mod:`archive.dateline`),
both read from the cleaned text, which keeps the dateline.

Versions: :data:`EXTRACTOR` names trafilatura's version and this module's
:data:`EXTRACT_VERSION` (bump it when the output changes for any input); :data:`CLEANER`
names the cleaning rules (``archive.clean.CLEANER_VERSION``). Both are stored per version.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

import trafilatura
from lxml.html import HtmlElement
from trafilatura.settings import Document
from trafilatura.utils import load_html

from archive.clean import CLEANER_VERSION, clean_text
from archive.dateline import parse_dateline
from archive.dates import parse_iso
from archive.decode import decode_html
from archive.errors import ExtractionError
from archive.language import detect_language
from archive.metadata import choose_published, page_metadata
from archive.normalize import fold_arabic
from archive.pagekind import classify_markup
from archive.quality import assess

log = logging.getLogger(__name__)

EXTRACT_VERSION = 2
EXTRACTOR = f"trafilatura-{trafilatura.__version__}+extract-{EXTRACT_VERSION}"
CLEANER = f"clean-{CLEANER_VERSION}"
_WORD_RE = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Extraction:
    title: str | None
    text: str
    authors: str | None
    published_at: datetime | None
    modified_at: datetime | None
    date_precision: str | None  # "exact" | "day" | "month" | "relative"
    date_source: str | None  # "json-ld" | "meta" | "hint" | "url" | "url+text" | "text"
    language: str | None  # detected from the cleaned text (archive.language)
    description: str | None
    canonical_url: str | None
    image: str | None
    categories: tuple[str, ...]
    tags: tuple[str, ...]
    attribution: str | None
    article_markup: bool  # og:type=article or a JSON-LD article type on the page
    page_kind: str  # "article" | "listing" (archive.pagekind); "short" is decided by ingest
    page_kind_reason: str | None
    encoding: str
    declared_encoding: str | None  # what the HTTP header (else the <meta>) claimed
    removed_lines: int
    # (line_hash, line) of short lines for learned boilerplate (archive.learned)
    line_candidates: tuple[tuple[str, str], ...] = ()
    # Text-quality flags (archive.quality) and the opening dateline (archive.dateline).
    quality_flags: tuple[str, ...] = ()
    arabic_share: float | None = None
    dateline: str | None = None
    dateline_place: str | None = None
    dateline_source: str | None = None
    dateline_reporter: str | None = None

    @property
    def word_count(self) -> int:
        return len(_WORD_RE.findall(self.text))

    def as_dict(self) -> dict[str, Any]:
        out = {name: getattr(self, name) for name in self.__slots__ if name != "line_candidates"}
        out["word_count"] = self.word_count
        out["extractor"], out["cleaner"] = EXTRACTOR, CLEANER
        return {
            k: v.isoformat() if isinstance(v, datetime) else list(v) if isinstance(v, tuple) else v
            for k, v in out.items()
        }


def extract(
    body: bytes,
    *,
    url: str,
    content_type: str | None = None,
    boilerplate: Sequence[re.Pattern[str]] = (),
    published_hint: datetime | None = None,
    fetched_at: datetime | None = None,
    zone: tzinfo = UTC,
    prune: Sequence[str] = (),
    learned: Collection[str] = (),
) -> Extraction:
    """Extract and clean the main text and metadata of one HTML page.

    ``fetched_at`` (default: now) resolves relative dates and rejects future ones; ``zone`` is
    the site's time zone for naive timestamps; ``prune`` are XPath expressions removed from
    the tree before extraction; ``learned`` are learned boilerplate line hashes."""
    fetched_at = fetched_at or datetime.now(UTC)
    decoded = decode_html(body, content_type)
    tree = load_html(decoded.text)
    if tree is None:
        raise ExtractionError("not an HTML document (no parsable tree)")
    meta = page_metadata(tree, zone, fetched_at)
    _prune(tree, prune)
    _unwrap_layout_tables(tree)
    published, precision, date_source, visible_modified = choose_published(
        meta, hint=published_hint, url=url, tree=tree, zone=zone, fetched_at=fetched_at
    )
    kind = classify_markup(
        tree,
        body,
        decoded.encoding,
        url,
        article_markup=meta.article_markup,
        listing_markup=meta.listing_markup,
    )
    headline = _first_heading(tree)
    result = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=False,
        include_comments=False,
        include_tables=True,
        deduplicate=False,
    )
    doc = result if isinstance(result, Document) else None
    raw_text = (doc.text or "") if doc is not None else ""
    title = meta.title or headline
    cleaned = clean_text(
        _drop_leading_title(raw_text, (meta.title, headline)),
        extra_patterns=boilerplate,
        learned=learned,
    )
    quality = assess(cleaned.text, meta.declared_lang, title)
    dateline = parse_dateline(cleaned.text)
    return Extraction(
        title=title,
        text=cleaned.text,
        authors=meta.authors,
        published_at=published,
        modified_at=meta.modified or visible_modified,
        date_precision=precision,
        date_source=date_source,
        language=detect_language(cleaned.text),
        description=meta.description,
        canonical_url=meta.canonical,
        image=meta.image,
        categories=tuple(meta.categories),
        tags=tuple(meta.tags),
        attribution=cleaned.attribution,
        article_markup=meta.article_markup,
        page_kind=kind.kind,
        page_kind_reason=kind.reason,
        encoding=decoded.encoding,
        declared_encoding=decoded.declared,
        removed_lines=len(cleaned.removed),
        line_candidates=cleaned.candidates,
        quality_flags=quality.flags,
        arabic_share=quality.arabic_share,
        dateline=dateline.text if dateline else None,
        dateline_place=dateline.place if dateline else None,
        dateline_source=dateline.source if dateline else None,
        dateline_reporter=dateline.reporter if dateline else None,
    )


def parse_datetime(value: Any, zone: tzinfo = UTC) -> datetime | None:
    """An ISO 8601 timestamp or date as aware UTC; naive values are in ``zone``.

    Placeholders (before 1990) are refused."""
    parsed = parse_iso(value, zone)
    return parsed[0] if parsed else None


def _prune(tree: HtmlElement, xpaths: Sequence[str]) -> None:
    for xpath in xpaths:
        for el in tree.xpath(xpath):
            if isinstance(el, HtmlElement) and el.getparent() is not None:
                el.drop_tree()  # keeps the element's tail text


# A layout table holds the page's headline or several long paragraphs in its cells.
_LAYOUT_TABLE = "boolean(.//td//h1) or count(.//td//p[string-length(normalize-space()) > 100]) >= 2"


_TABLE_PARTS = frozenset({"table", "tbody", "thead", "tfoot", "tr", "td", "th"})


def _unwrap_layout_tables(tree: HtmlElement) -> None:
    """Tables used for page layout (cells holding the ``h1`` or several long paragraphs, as on
    legacy Arabic sites) become plain ``div``s, so trafilatura reads paragraphs, not rows.
    Data tables (short cells) are left alone."""
    layout = [t for t in tree.iter("table") if t.xpath(_LAYOUT_TABLE)]
    for table in layout:  # the table's own rows and cells only; nested tables decide alone
        own = table.xpath("./*/tr/td | ./*/tr/th | ./tr/td | ./tr/th | ./*/tr | ./tr | ./*")
        for el in [table, *own]:
            if el.tag in _TABLE_PARTS:
                el.tag = "div"


def _first_heading(tree: HtmlElement) -> str | None:
    h1 = tree.find(".//h1")
    if h1 is None:
        return None
    text = " ".join(h1.text_content().split())
    return text or None


def _drop_leading_title(text: str, titles: Sequence[str | None]) -> str:
    """trafilatura keeps the headline when it sits inside the article element; the title
    is stored on its own, so a first line that repeats it is dropped from the text."""
    keys = {fold_arabic(t) for t in titles if t}
    if not keys:
        return text
    first, _, rest = text.lstrip().partition("\n")
    return rest if fold_arabic(first) in keys else text
