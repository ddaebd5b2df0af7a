"""Errors a user can act on, in one light module so the command line can catch them without
importing the machinery that raises them (trafilatura, Alembic, SQLAlchemy).

Each is re-exported by the module that raises it (``archive.config.ConfigError``, ...).
"""

from __future__ import annotations


class ConfigError(ValueError):
    """A setting the user gave is unusable; the message says which and why."""


class SourcesError(ValueError):
    """The sources file is unusable; the message names file, source and key."""


class SchemaError(RuntimeError):
    """The database schema is not the one this version of arshif expects."""


class DecodeError(ValueError):
    """The bytes are not text in any encoding we accept; the message says why."""


class ExtractionError(ValueError):
    """The page could not be turned into text; the message says why."""


class NotInArchive(LookupError):
    """The archive has no such article or version; the message says what was asked."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "not in the archive"
