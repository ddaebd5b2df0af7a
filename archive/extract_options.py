"""Parsing of the ``arshif extract`` options that feed :func:`archive.extract.extract`."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from archive.dates import get_zone
from archive.errors import ConfigError


def cli_zone_and_time(
    timezone: str | None, fetched_at: str | None
) -> tuple[tzinfo, datetime | None]:
    """``--timezone`` and ``--fetched-at`` → (zone, aware fetch time or None for "now")."""
    try:
        zone = get_zone(timezone)
    except ValueError as exc:
        raise ConfigError(f"--timezone: {exc} (an IANA name such as 'Asia/Damascus')") from None
    if fetched_at is None:
        return zone, None
    try:
        when = datetime.fromisoformat(fetched_at.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(f"--fetched-at: {fetched_at!r} is not an ISO 8601 time") from None
    return zone, (when.replace(tzinfo=zone) if when.tzinfo is None else when).astimezone(UTC)
