"""arshif's archive: a plain library for a deduplicating, versioned news archive.

It never imports Scrapy. Entry points: :class:`archive.store.Archive` (open, ingest,
runs), :func:`archive.extract.extract` (one page to cleaned text), the models in
:mod:`archive.models` and the SQL views documented in ``docs/schema.md``.
"""

__version__ = "0.1.0"
