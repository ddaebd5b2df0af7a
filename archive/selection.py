"""Which articles a search or an export covers: outlets, a publication period, duplicates.

Shared by ``arshif search`` and ``arshif export`` so both read ``--source``, ``--since``,
``--until`` and ``--include-duplicates`` the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, text
from sqlalchemy.sql.elements import BindParameter

from archive.errors import ConfigError
from archive.types import UTCDateTime

_PERIOD_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass(frozen=True)
class Selection:
    sources: tuple[str, ...] = ()  # outlet names; empty = all
    since: datetime | None = None  # published at or after (UTC)
    until: datetime | None = None  # published before (UTC), exclusive
    include_duplicates: bool = False  # default: the deduplicated corpus

    def where(self, article: str = "a", source: str = "s") -> tuple[str, list[BindParameter[Any]]]:
        """SQL conditions (joined with AND, each starting with ' AND ') and their parameters,
        for a query with ``articles`` aliased ``article`` and ``sources`` aliased ``source``."""
        sql = ""
        params: list[BindParameter[Any]] = []
        if self.sources:
            sql += f" AND {source}.name IN :sel_sources"
            params.append(bindparam("sel_sources", list(self.sources), expanding=True))
        if self.since is not None:
            sql += f" AND {article}.published_at >= :sel_since"
            params.append(bindparam("sel_since", self.since, type_=UTCDateTime()))
        if self.until is not None:
            sql += f" AND {article}.published_at < :sel_until"
            params.append(bindparam("sel_until", self.until, type_=UTCDateTime()))
        if not self.include_duplicates:
            sql += f" AND {article}.duplicate_of_id IS NULL"
        return sql, params

    def check_sources(self, conn: Connection) -> None:
        """Refuse outlet names the archive does not know (a typo would match nothing)."""
        if not self.sources:
            return
        known = {name for (name,) in conn.execute(text("SELECT name FROM sources"))}
        unknown = [s for s in self.sources if s not in known]
        if unknown:
            listing = ", ".join(sorted(known)) or "none yet"
            raise ConfigError(
                f"--source: no outlet named {', '.join(map(repr, unknown))} in the archive "
                f"(known: {listing})"
            )


def period_start(value: str) -> datetime:
    """``--since``: the first instant of YYYY, YYYY-MM or YYYY-MM-DD (UTC), or an ISO time."""
    return _period(value, "--since")[0]


def period_end(value: str) -> datetime:
    """``--until`` (inclusive): the instant after YYYY, YYYY-MM or YYYY-MM-DD (UTC), or an
    ISO time itself."""
    return _period(value, "--until")[1]


def _period(value: str, option: str) -> tuple[datetime, datetime]:
    m = _PERIOD_RE.match(value.strip())
    try:
        if m:
            year, month, day = int(m[1]), int(m[2] or 1), int(m[3] or 1)
            start = datetime(year, month, day, tzinfo=UTC)
            if m[3]:
                end = datetime.fromordinal(start.toordinal() + 1).replace(tzinfo=UTC)
            elif m[2]:
                end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
            else:
                end = datetime(year + 1, 1, 1, tzinfo=UTC)
            return start, end
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ConfigError(
            f"{option}: not a date: {value!r} (use YYYY, YYYY-MM, YYYY-MM-DD or an ISO time)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment, moment
