"""Pure parsers for article discovery: sitemaps, RSS/Atom feeds, robots.txt and their dates.

No Scrapy here: the spider passes ``response.body`` and ``response.url`` and gets plain values
back. We parse sitemaps ourselves because ``scrapy.utils.sitemap.Sitemap`` flattens
``<news:news>`` to ``''`` and loses ``news:publication_date`` (NOTES.md §1.2).

* Bodies are sniffed, never trusted by name or header: gzip by its magic bytes, decompressed
  up to ``max_bytes`` (default 50 MB, the sitemaps.org limit).
* XML: no entity expansion, no DTD or network access, and a resolver that refuses every
  external load (external parameter entities are otherwise read from disk by some lxml option
  combinations, e.g. ``collect_ids=False``). Broken XML is retried in recover mode after its
  references are rewritten, because recover mode silently drops ``&amp;`` after an error.
* Elements match by lower-cased local name, so a missing or wrong namespace, or an undeclared
  ``news:`` prefix, still parses. URLs are resolved against the document URL (and
  ``xml:base``); anything but absolute http(s) is dropped. URLs are not canonicalised here.
* Dates are aware UTC. No offset (or RFC 822 ``-0000``) is taken as UTC: these dates are
  discovery hints and fallbacks only; page metadata decides (NOTES.md §3.3).
"""

from __future__ import annotations

import gzip
import io
import logging
import re
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html.entities import html5
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

from lxml import etree

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 50 * 1024 * 1024  # sitemaps.org: at most 50 MB uncompressed per sitemap

_GZIP_MAGIC = b"\x1f\x8b\x08"  # ID1, ID2 and CM=8 (deflate, the only method gzip defines)
_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
_RDF_ABOUT = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about"
_FEED_ROOTS = frozenset({"rss", "rdf", "feed"})
_CDATA = re.compile(rb"(<!\[CDATA\[.*?\]\]>)", re.S)
_REFERENCE = re.compile(rb"&(?:(#[0-9]+|#[xX][0-9a-fA-F]+)|([A-Za-z_][\w.-]*));|&")
_W3C_PARTIAL = re.compile(r"(\d{4})(?:-(\d{2}))?")  # "2019", "2019-03": W3C allows, Python not
_UTC_SUFFIX = re.compile(r"\s*(?:UTC|GMT)$")
_RFC822_OFFSET = re.compile(  # " +03:00", "GMT+3", "UTC+03:00", optionally before "(EEST)"
    r"(?:\s|\b(?:GMT|UTC|UT))\s*([+-])(\d{1,2})(?::?(\d{2}))?(?=\s*(?:\([^)]*\))?\s*$)", re.I
)
_RFC822_ZONES = {"EET": "+0200", "EEST": "+0300", "CET": "+0100", "CEST": "+0200", "MSK": "+0300"}
_RFC822_ZONE = re.compile(r"\b(EET|EEST|CET|CEST|MSK)\b", re.I)
_RFC822_DATE_ONLY = re.compile(r"(?:[A-Za-z]+,?\s*)?\d{1,2}[\s-]+[A-Za-z]+[\s-]+\d{2,4}")


class DiscoveryError(ValueError):
    """A body is not what the caller expected; the message names the URL and the problem."""


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    loc: str
    lastmod: datetime | None = None
    news_publication_date: datetime | None = None
    news_title: str | None = None
    news_language: str | None = None


@dataclass(frozen=True, slots=True)
class Sitemap:
    kind: Literal["index", "urlset"]
    entries: tuple[SitemapEntry, ...]  # for an index: the child sitemaps (loc + lastmod)


@dataclass(frozen=True, slots=True)
class FeedEntry:
    link: str
    title: str | None = None
    published: datetime | None = None
    updated: datetime | None = None


def looks_like_gzip(body: bytes) -> bool:
    return body[:3] == _GZIP_MAGIC


def parse_sitemap(body: bytes, url: str, *, max_bytes: int = MAX_BODY_BYTES) -> Sitemap:
    """Parse a sitemap index, a urlset (incl. Google News) or an RSS/Atom feed.

    Feeds (which sitemaps.org accepts as sitemaps) come back as a urlset with
    ``lastmod = updated or published``. An index entry pointing at ``url`` itself is dropped;
    guarding longer loops (a seen-set, a depth limit) is the caller's job.
    """
    root = _parse_xml(_prepare(body, url, max_bytes), url, "sitemap")
    if (root_name := _local(root)) in _FEED_ROOTS:
        feed = _feed_entries(root, url)
        urls = tuple(SitemapEntry(e.link, e.updated or e.published) for e in feed)
        return Sitemap("urlset", urls)
    if root_name not in ("urlset", "sitemapindex"):
        hint = " (an HTML page, e.g. a soft 404)" if root_name == "html" else ""
        raise DiscoveryError(f"{url} is not a sitemap: root element is <{root_name}>{hint}")
    kind: Literal["index", "urlset"] = "index" if root_name == "sitemapindex" else "urlset"
    entries: list[SitemapEntry] = []
    for item in _children(root, "sitemap" if kind == "index" else "url"):
        loc = _absolute(_child_text(item, "loc"), _base(item, url))
        if loc is None or (kind == "index" and loc == url):
            logger.debug("%s: skipping sitemap entry with loc %r", url, _child_text(item, "loc"))
            continue
        lastmod = parse_w3c_datetime(_child_text(item, "lastmod"))
        if not (news := _children(item, "news")):  # Google News <news:news>, any namespace
            entries.append(SitemapEntry(loc, lastmod))
            continue
        published = parse_w3c_datetime(_child_text(news[0], "publication_date"))
        title = _collapse(_child_text(news[0], "title"))
        publication = _children(news[0], "publication")
        language = _child_text(publication[0], "language") if publication else None
        entries.append(SitemapEntry(loc, lastmod, published, title, language))
    return Sitemap(kind, tuple(entries))


def parse_feed(body: bytes, url: str, *, max_bytes: int = MAX_BODY_BYTES) -> tuple[FeedEntry, ...]:
    """Parse RSS 2.0/0.9x, RSS 1.0 (RDF) or Atom 1.0/0.3; entries without a link are skipped.

    The encoding comes from the XML declaration (lxml decodes the bytes, e.g. windows-1256).
    """
    data = _prepare(body, url, max_bytes)
    root = _parse_xml(data, url, "feed")
    if (root_name := _local(root)) not in _FEED_ROOTS:
        raise DiscoveryError(f"{url} is not a feed (RSS or Atom): root element is <{root_name}>")
    return _feed_entries(root, url)


def robots_sitemaps(body: bytes | str, url: str) -> tuple[str, ...]:
    """Absolute ``Sitemap:`` URLs from a robots.txt, de-duplicated, in order of appearance.

    The key is case-insensitive (``Site-map`` too, as Google accepts); ``#`` starts a comment.
    """
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    found: dict[str, None] = {}
    for line in text.removeprefix("\ufeff").splitlines():
        key, sep, value = line.split("#", 1)[0].partition(":")
        if not sep or key.strip().lower() not in ("sitemap", "site-map"):
            continue
        if (absolute := None if "\ufffd" in value else _absolute(value, url)) is None:
            logger.debug("%s: ignoring robots.txt line %r", url, line)
            continue
        found.setdefault(absolute, None)
    return tuple(found)


def parse_w3c_datetime(value: str | None) -> datetime | None:
    """W3C datetime / ISO 8601 -> aware UTC, or None; never raises.

    Accepts "2019", "2019-03", "2019-03-21" (midnight UTC), "...T10:15+02:00", "...Z",
    fractional seconds, a space for "T" and a trailing " UTC"/" GMT". No offset means UTC.
    Falls back to RFC 822, which some sitemaps put in ``<lastmod>``.
    """
    return _iso(value) or _rfc822(value)


def parse_rfc822_datetime(value: str | None) -> datetime | None:
    """RSS pubDate (RFC 822/2822) -> aware UTC, or None; never raises.

    Beyond ``email.utils``: "+03:00" and "GMT+3" offsets, EET/EEST/CET/CEST/MSK, date-only
    forms (midnight UTC) and an ISO 8601 fallback. No offset (or "-0000") means UTC.
    """
    return _rfc822(value) or _iso(value)


# -- bodies and XML -----------------------------------------------------------------------------


def _prepare(body: bytes, url: str, max_bytes: int) -> bytes:
    for _ in range(2):  # a .gz served with Content-Encoding: gzip may arrive doubly wrapped
        if looks_like_gzip(body):
            try:
                with gzip.GzipFile(fileobj=io.BytesIO(body)) as stream:
                    body = stream.read(max_bytes + 1)  # reads in chunks: a bomb stops at the cap
            except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
                raise DiscoveryError(f"{url}: corrupt gzip body ({exc})") from exc
    if len(body) > max_bytes:
        raise DiscoveryError(f"{url}: body (decompressed) is larger than {max_bytes} bytes")
    if not (body := body.removeprefix(b"\xef\xbb\xbf").lstrip()):
        raise DiscoveryError(f"{url}: empty body")
    return body


class _RefuseExternal(etree.Resolver):  # type: ignore[misc]  # lxml ships no type hints
    def resolve(self, system_url: str, public_id: str, context: Any) -> Any:
        logger.warning("refused to load external XML resource %r", system_url)
        return self.resolve_string("", context)


def _parse_xml(data: bytes, url: str, what: str) -> Any:
    for recover in (False, True):
        parser = etree.XMLParser(
            resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
            recover=recover, remove_comments=True, remove_pis=True,
        )  # fmt: skip
        parser.resolvers.add(_RefuseExternal())
        try:
            root = etree.fromstring(data, parser)
        except etree.XMLSyntaxError as exc:
            if recover:
                raise DiscoveryError(f"{url} is not a {what}: unparseable XML ({exc})") from exc
            logger.info("%s: malformed XML (%s); retrying in recover mode", url, exc)
            start = data.find(b"<?xml", 0, 4096)  # e.g. PHP warnings before the declaration
            data = _numeric_references(data[start:] if start > 0 else data)
            continue
        if root is None:
            raise DiscoveryError(f"{url} is not a {what}: no XML root element")
        return root
    raise AssertionError("unreachable")


def _numeric_references(data: bytes) -> bytes:
    """Outside CDATA: bare ``&`` -> ``&#38;``, HTML entities -> character references, unknown
    entities -> nothing. Recover mode keeps character references but drops named ones."""

    def replace(match: re.Match[bytes]) -> bytes:
        if match[1] or match[2] is None:
            return match[0] if match[1] else b"&#38;"
        return b"".join(b"&#%d;" % ord(c) for c in html5.get(f"{match[2].decode()};", ""))

    parts = _CDATA.split(data)
    return b"".join(p if i % 2 else _REFERENCE.sub(replace, p) for i, p in enumerate(parts))


def _feed_entries(root: Any, url: str) -> tuple[FeedEntry, ...]:
    atom = _local(root) == "feed"
    if atom:
        items = _children(root, "entry")
    else:  # RSS 2.0 nests items in <channel>; RSS 1.0 puts them beside it
        items = _children(root, "item")
        items += [item for ch in _children(root, "channel") for item in _children(ch, "item")]
    entries: list[FeedEntry] = []
    for item in items:
        link = _absolute(_atom_link(item) if atom else _rss_link(item), _base(item, url))
        if link is None:
            logger.debug("%s: skipping feed entry without a usable link", url)
            continue
        if atom:
            published = parse_w3c_datetime(_child_text(item, "published", "issued", "created"))
        else:  # pubDate, then dc:date
            published = parse_rfc822_datetime(_child_text(item, "pubdate", "date", "published"))
        updated = parse_w3c_datetime(_child_text(item, "updated", "modified"))
        entries.append(FeedEntry(link, _collapse(_child_text(item, "title")), published, updated))
    return tuple(entries)


def _atom_link(entry: Any) -> str | None:
    alternates = [
        link for link in _children(entry, "link")
        if (link.get("rel") or "alternate").strip().lower() == "alternate" and link.get("href")
    ]  # fmt: skip
    pages = [link for link in alternates if "html" in (link.get("type") or "text/html")]
    return next((str(link.get("href")) for link in pages + alternates), None)


def _rss_link(item: Any) -> str | None:
    if text := _child_text(item, "link"):
        return text
    if href := _atom_link(item):  # <atom:link href="..."/> inside an RSS item
        return href
    for guid in _children(item, "guid"):  # isPermaLink defaults to true (RSS 2.0)
        if (guid.get("isPermaLink") or "true").strip().lower() != "false":
            return _text(guid)
    about = item.get(_RDF_ABOUT)  # RSS 1.0: rdf:about is the item's URL
    return None if about is None else str(about)


# -- small helpers ------------------------------------------------------------------------------


def _local(el: Any) -> str:
    tag = el.tag
    if not isinstance(tag, str):  # entity references
        return ""
    return tag.rpartition("}")[2].rpartition(":")[2].lower()  # ":" for an undeclared prefix


def _children(el: Any, name: str) -> list[Any]:
    return [child for child in el if _local(child) == name]


def _child_text(el: Any, *names: str) -> str | None:
    """Stripped text of the first child named one of ``names`` (in that order) that has text."""
    for name in names:
        for child in _children(el, name):
            if text := _text(child).strip():
                return text
    return None


def _text(el: Any) -> str:
    """``itertext`` where an unexpanded entity becomes its HTML meaning (``&nbsp;``) or nothing
    (``&xxe;``): entity expansion is off, so no reference reaches the output verbatim."""
    parts: list[str] = [el.text or ""]
    for child in el:
        if child.tag is etree.Entity:
            parts.append(html5.get(child.text[1:], ""))
        else:
            parts.append(_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _collapse(text: str | None) -> str | None:
    return (" ".join(text.split()) or None) if text else None


def _base(el: Any, url: str) -> str:
    for node in [*reversed(list(el.iterancestors())), el]:
        if xml_base := node.get(_XML_BASE):
            url = urljoin(url, xml_base.strip())
    return url


def _absolute(raw: str | None, base: str) -> str | None:
    if raw is None or not (raw := raw.strip()):
        return None
    try:
        absolute = urljoin(base, raw)
        parts = urlsplit(absolute)
    except ValueError:  # e.g. "http://[broken"
        return None
    ok = parts.scheme.lower() in ("http", "https") and parts.netloc
    return absolute if ok else None


def _to_utc(value: datetime) -> datetime | None:
    if value.utcoffset() is None:
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:  # e.g. 9999-12-31T23:59-01:00
        return None


def _iso(value: str | None) -> datetime | None:
    text = (value or "").strip().upper()
    if not text or len(text) > 64:
        return None
    try:
        if partial := _W3C_PARTIAL.fullmatch(text):
            return datetime(int(partial[1]), int(partial[2] or 1), 1, tzinfo=UTC)
        return _to_utc(datetime.fromisoformat(_UTC_SUFFIX.sub("+00:00", text)))
    except (ValueError, OverflowError):
        return None


def _rfc822(value: str | None) -> datetime | None:
    text = (value or "").strip()
    if not text or len(text) > 128:
        return None
    text = _RFC822_ZONE.sub(lambda m: _RFC822_ZONES[m[1].upper()], text)
    text = _RFC822_OFFSET.sub(lambda m: f" {m[1]}{int(m[2]):02d}{m[3] or '00'}", text)
    if _RFC822_DATE_ONLY.fullmatch(text):
        text += " 00:00:00 +0000"
    try:
        return _to_utc(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
