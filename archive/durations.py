"""Durations as people write them in the sources file: ``"30m"``, ``"6h"``, ``"1d"``, ``"1h30m"``."""

from __future__ import annotations

import re
from datetime import timedelta

_UNITS = {"d": 86_400, "h": 3_600, "m": 60}
_DURATION_RE = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")

MIN_EVERY = timedelta(minutes=1)
MAX_EVERY = timedelta(days=365)


def parse_duration(text: str) -> timedelta:
    """``"1h30m"`` -> ``timedelta(hours=1, minutes=30)``. Units: ``d``, ``h``, ``m``, in that
    order, each at most once. Raises :class:`ValueError` with a message a user can act on."""
    compact = text.strip().lower().replace(" ", "")
    match = _DURATION_RE.match(compact)
    if not compact or match is None:
        raise ValueError(
            f'expected a duration such as "30m", "6h", "1d" or "1h30m" (units d, h, m), '
            f"got {text!r}"
        )
    days, hours, minutes = (int(g) if g else 0 for g in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes)


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
