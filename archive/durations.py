"""Durations as people write them in the sources file: ``"30m"``, ``"6h"``, ``"1d"``, ``"2w"``,
``"1h30m"``. One parser for every duration key (``every``, ``recheck_*``)."""

from __future__ import annotations

import re
from datetime import timedelta

_UNITS = {"d": 86_400, "h": 3_600, "m": 60}  # for formatting (weeks print as days)
_PART_RE = re.compile(r"(\d+(?:\.\d+)?)([wdhm])")
_ORDER = "wdhm"
_SECONDS = {"w": 604_800, **_UNITS}

MIN_EVERY = timedelta(minutes=1)
MAX_EVERY = timedelta(days=365)


def parse_duration(text: str) -> timedelta:
    """``"1h30m"`` -> ``timedelta(hours=1, minutes=30)``. Units: ``w``, ``d``, ``h``, ``m``, in
    that order, each at most once; numbers may have decimals (``"1.5h"``). Raises
    :class:`ValueError` with a message a user can act on."""
    compact = text.strip().lower().replace(" ", "")
    parts = _PART_RE.findall(compact)
    units = [unit for _, unit in parts]
    well_formed = "".join(n + u for n, u in parts) == compact and units == sorted(
        set(units), key=_ORDER.index
    )
    if not compact or not parts or not well_formed:
        raise ValueError(
            f'expected a duration such as "30m", "6h", "1d", "2w" or "1h30m" '
            f"(units w, d, h, m), got {text!r}"
        )
    return timedelta(seconds=sum(float(n) * _SECONDS[u] for n, u in parts))


def format_duration(value: timedelta) -> str:
    """The inverse of :func:`parse_duration` for whole minutes (``5400 s`` -> ``"1h30m"``);
    shorter or odd values are rounded to the nearest minute (``"0m"`` for under 30 s)."""
    minutes = round(value.total_seconds() / 60)
    if minutes <= 0:
        return "0m"
    parts = []
    for unit, seconds in _UNITS.items():
        n, minutes = divmod(minutes, seconds // 60)
        if n:
            parts.append(f"{n}{unit}")
    return "".join(parts)


def humanize(value: timedelta) -> str:
    """A short, rounded reading of a duration for tables: ``"45s"``, ``"12m"``, ``"3h"``,
    ``"2d"`` (negative values read the same as positive ones)."""
    seconds = abs(value.total_seconds())
    if seconds < 90:
        return f"{round(seconds)}s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)}m"
    if seconds < 36 * 3600:
        return f"{round(seconds / 3600)}h"
    return f"{round(seconds / 86_400)}d"


def humanize_seconds(seconds: float) -> str:
    return humanize(timedelta(seconds=seconds))
