"""Where the archive lives: resolving the database URL."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

from archive.errors import ConfigError

ENV_DB_URL = "ARSHIF_DB_URL"
DEFAULT_DB_FILE = "arshif.db"


def resolve_db_url(explicit: str | None = None) -> URL:
    """The archive's database URL: ``explicit`` (``--db``), else ``$ARSHIF_DB_URL``, else
    ``sqlite:///arshif.db`` in the working directory.

    A bare path (``data/news.db``) means a SQLite file. ``postgresql://`` and
    ``postgres://`` URLs use the psycopg 3 driver, the one arshif installs.
    """
    from sqlalchemy.engine import make_url  # imported here: `arshif --help` stays fast

    raw = explicit or os.environ.get(ENV_DB_URL) or DEFAULT_DB_FILE
    where = "--db" if explicit else (ENV_DB_URL if os.environ.get(ENV_DB_URL) else "default")
    if "://" not in raw:
        return make_url(f"sqlite:///{Path(raw).expanduser()}")
    try:
        url = make_url(raw)
    except Exception as exc:
        raise ConfigError(f"{where}: not a database URL: {raw!r} ({exc})") from exc
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigError(
            f"{where}: unsupported database {url.get_backend_name()!r} in {raw!r}: "
            "arshif supports SQLite and PostgreSQL"
        )
    return url


ENV_SOURCES = "ARSHIF_SOURCES"


def resolve_sources_path(explicit: str | None = None) -> Path:
    """The sources file: ``explicit`` (``--sources``), else ``$ARSHIF_SOURCES``, else
    ``./sources.toml``."""
    from archive.sources import DEFAULT_SOURCES_FILE

    return Path(explicit or os.environ.get(ENV_SOURCES) or DEFAULT_SOURCES_FILE)


ENV_DEDUP_THRESHOLD = "ARSHIF_DEDUP_THRESHOLD"


def dedup_threshold(explicit: float | None = None) -> float | None:
    """The near-duplicate threshold: ``explicit`` (``--threshold``), else
    ``$ARSHIF_DEDUP_THRESHOLD``, else None (the measured default, ``docs/dedup.md``)."""
    if explicit is not None:
        value, where = explicit, "--threshold"
    else:
        raw = os.environ.get(ENV_DEDUP_THRESHOLD)
        if not raw:
            return None
        where = ENV_DEDUP_THRESHOLD
        try:
            value = float(raw)
        except ValueError:
            raise ConfigError(f"{where}: not a number: {raw!r}") from None
    if not 0.0 < value <= 1.0:
        raise ConfigError(f"{where}: the threshold must be in (0, 1], got {value}")
    return value
