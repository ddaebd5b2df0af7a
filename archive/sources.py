"""The sources file: a typed registry of outlets, loaded from TOML and validated eagerly.

Format (see ``docs/sources.md``)::

    [defaults]                 # optional; applies to every source unless it sets the key
    language = "ar"

    [sources.alwatan]
    url = "https://alwatan.sy/"
    sitemaps = ["https://alwatan.sy/sitemap_index.xml"]
    feeds = ["https://alwatan.sy/feed/"]
    article_pattern = '/archives/\\d+'

A bad file raises :class:`SourcesError` naming the file, the source and the key.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from archive.dates import get_zone
from archive.durations import MAX_EVERY, MIN_EVERY, format_duration, parse_duration
from archive.errors import SourcesError
from archive.urls import canonical_url

DEFAULT_SOURCES_FILE = "sources.toml"
# How often a source is crawled when neither it nor [defaults] sets `every`.
DEFAULT_EVERY = timedelta(hours=1)
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


@dataclass(frozen=True)
class Source:
    name: str
    url: str
    sitemaps: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    article_pattern: re.Pattern[str] | None = None
    language: str | None = None
    follow_links: bool = True
    max_depth: int = 2
    allowed_hosts: tuple[str, ...] = ()
    delay: float | None = None
    concurrency: int | None = None
    boilerplate: tuple[re.Pattern[str], ...] = field(default=(), repr=False)
    every: timedelta = DEFAULT_EVERY  # crawl schedule (`arshif crawl --due`, `arshif run`)
    # Rechecks and conditional requests (docs/versions.md); None = the policy's default.
    conditional_requests: bool = True
    recheck_min_interval: timedelta | None = None
    recheck_max_interval: timedelta | None = None
    recheck_factor: float | None = None
    recheck_max_age: timedelta | None = None
    timezone: str | None = None  # IANA name for naive timestamps, e.g. "Asia/Damascus"
    prune: tuple[str, ...] = field(default=(), repr=False)  # XPath expressions (from CSS too)

    @property
    def zone(self) -> tzinfo:
        """The site's time zone (UTC when not configured)."""
        return get_zone(self.timezone)

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc.lower()

    @property
    def hosts(self) -> frozenset[str]:
        """Hosts (``host[:port]``) whose pages belong to this source."""
        base = {self.host, *(h.lower() for h in self.allowed_hosts)}
        www = {h[4:] if h.startswith("www.") else f"www.{h}" for h in base}
        return frozenset(base | www)

    def owns(self, url: str) -> bool:
        return urlsplit(url).netloc.lower() in self.hosts

    def is_article_url(self, url: str) -> bool | None:
        """True/False when the source has an ``article_pattern``, None when it cannot tell.

        The pattern is searched in the canonical URL's ``path?query`` (tracking parameters
        removed, query sorted), so ``$`` anchors work whatever the link carried."""
        if self.article_pattern is None:
            return None
        parts = urlsplit(canonical_url(url))
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        return self.article_pattern.search(target) is not None


def load_sources(path: str | Path) -> dict[str, Source]:
    """Read and validate a sources file. Returns sources by name, in file order."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SourcesError(f"{path}: sources file not found") from None
    except OSError as exc:
        raise SourcesError(f"{path}: cannot read sources file: {exc.strerror}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise SourcesError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(f"{path}: invalid TOML: {exc}") from None
    return parse_sources(data, origin=str(path))


def parse_sources(data: Mapping[str, Any], origin: str = "<sources>") -> dict[str, Source]:
    unknown = set(data) - {"sources", "defaults"}
    if unknown:
        raise SourcesError(
            f"{origin}: unknown top-level key {sorted(unknown)[0]!r} (expected [sources.NAME] "
            "tables and an optional [defaults] table)"
        )
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        raise SourcesError(f"{origin}: [defaults] must be a table")
    _check_keys(defaults, f"{origin}: [defaults]", allowed=set(_FIELDS) - {"url", *_PER_SOURCE})
    tables = data.get("sources")
    if not isinstance(tables, dict) or not tables:
        raise SourcesError(f"{origin}: no sources: add at least one [sources.NAME] table")
    sources: dict[str, Source] = {}
    for name, table in tables.items():
        where = f"{origin}: [sources.{name}]"
        if not _NAME_RE.match(name):
            raise SourcesError(
                f"{where}: invalid source name (letters, digits, '_', '-', '.'; at most 100)"
            )
        if not isinstance(table, dict):
            raise SourcesError(f"{where}: must be a table of settings")
        _check_keys(table, where, allowed=set(_FIELDS))
        merged = {**defaults, **table}
        if "url" not in merged:
            raise SourcesError(f"{where} url: missing (the outlet's start page)")
        values = {key: _FIELDS[key](value, f"{where} {key}") for key, value in merged.items()}
        sources[name] = Source(name=name, **values)
        _check_recheck(sources[name], where)
    return sources


def _check_recheck(source: Source, where: str) -> None:
    from archive.recheck import policy_for

    try:
        policy_for(source)
    except ValueError as exc:
        raise SourcesError(f"{where}: {exc}") from None


def _check_keys(table: Mapping[str, Any], where: str, allowed: set[str]) -> None:
    for key in table:
        if key not in allowed:
            raise SourcesError(f"{where} {key}: unknown key (known: {', '.join(sorted(allowed))})")


def _url(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise SourcesError(f"{where}: expected a URL string, got {type(value).__name__}")
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SourcesError(f"{where}: {value!r} is not an absolute http(s) URL")
    return value.strip()


def _url_list(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise SourcesError(f"{where}: expected a list of URLs")
    return tuple(_url(v, f"{where}[{i}]") for i, v in enumerate(value))


def _regex(value: Any, where: str) -> re.Pattern[str]:
    if not isinstance(value, str) or not value:
        raise SourcesError(f"{where}: expected a non-empty regular expression string")
    try:
        return re.compile(value)
    except re.error as exc:
        raise SourcesError(f"{where}: invalid regular expression {value!r}: {exc}") from None


def _regex_list(value: Any, where: str) -> tuple[re.Pattern[str], ...]:
    if not isinstance(value, list):
        raise SourcesError(f"{where}: expected a list of regular expressions")
    return tuple(_regex(v, f"{where}[{i}]") for i, v in enumerate(value))


def _str(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SourcesError(f"{where}: expected a non-empty string")
    return value.strip()


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise SourcesError(f"{where}: expected true or false")
    return value


def _int_range(lo: int, hi: int) -> Callable[[Any, str], int]:
    def check(value: Any, where: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise SourcesError(f"{where}: expected an integer from {lo} to {hi}, got {value!r}")
        return value

    return check


def _delay(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 600:
        raise SourcesError(f"{where}: expected seconds between 0 and 600, got {value!r}")
    return float(value)


def _duration(value: Any, where: str) -> timedelta:
    if not isinstance(value, str):
        raise SourcesError(
            f'{where}: expected a duration such as "30m", "6h", "7d" or "2w", got {value!r}'
        )
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise SourcesError(f"{where}: {exc}") from None


def _factor(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 10:
        raise SourcesError(f"{where}: expected a number in (0, 10], got {value!r}")
    return float(value)


def _hosts(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise SourcesError(f"{where}: expected a list of host names")
    return tuple(v.lower() for v in value)


def _every(value: Any, where: str) -> timedelta:
    if not isinstance(value, str):
        raise SourcesError(f'{where}: expected a duration string such as "30m", got {value!r}')
    try:
        every = parse_duration(value)
    except ValueError as exc:
        raise SourcesError(f"{where}: {exc}") from None
    if not MIN_EVERY <= every <= MAX_EVERY:
        raise SourcesError(
            f"{where}: {value!r} is out of range ({format_duration(MIN_EVERY)} to "
            f"{MAX_EVERY.days}d)"
        )
    return every


def _timezone(value: Any, where: str) -> str:
    name = _str(value, where)
    try:
        get_zone(name)
    except ValueError:
        raise SourcesError(
            f"{where}: unknown time zone {name!r} (an IANA name such as 'Asia/Damascus')"
        ) from None
    return name


def _selector(value: Any, where: str) -> str:
    """A CSS selector or an XPath expression (starting with '/', './' or '(') → XPath."""
    if not isinstance(value, str) or not value.strip():
        raise SourcesError(f"{where}: expected a non-empty CSS selector or XPath expression")
    text = value.strip()
    from lxml import etree

    if text.startswith(("/", "./", "(")):
        xpath = text
    else:
        from cssselect import HTMLTranslator, SelectorError

        try:
            xpath = HTMLTranslator().css_to_xpath(text)
        except SelectorError as exc:
            raise SourcesError(f"{where}: invalid CSS selector {text!r}: {exc}") from None
    try:
        etree.XPath(xpath)
    except etree.XPathSyntaxError as exc:
        raise SourcesError(f"{where}: invalid XPath {text!r}: {exc}") from None
    return xpath


def _selector_list(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise SourcesError(f"{where}: expected a list of CSS selectors or XPath expressions")
    return tuple(_selector(v, f"{where}[{i}]") for i, v in enumerate(value))


_FIELDS: dict[str, Callable[[Any, str], Any]] = {
    "url": _url,
    "sitemaps": _url_list,
    "feeds": _url_list,
    "article_pattern": _regex,
    "language": _str,
    "follow_links": _bool,
    "max_depth": _int_range(0, 20),
    "allowed_hosts": _hosts,
    "delay": _delay,
    "concurrency": _int_range(1, 64),
    "boilerplate": _regex_list,
    "every": _every,
    "conditional_requests": _bool,
    "recheck_min_interval": _duration,
    "recheck_max_interval": _duration,
    "recheck_factor": _factor,
    "recheck_max_age": _duration,
    "timezone": _timezone,
    "prune": _selector_list,
}
# Keys that only make sense per source, not in [defaults].
_PER_SOURCE = {"sitemaps", "feeds", "article_pattern", "allowed_hosts"}
