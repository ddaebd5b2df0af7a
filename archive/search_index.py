"""The full-text search index: one folded document per article, its latest version.

``search_documents`` holds each article's latest title and text folded with
:func:`archive.normalize.search_key` (the dedup folding: hamza forms of alef, alef maksura,
teh marbuta, diacritics, tatweel, house-style spellings). The database indexes that table:

* SQLite: the FTS5 table ``search_fts`` (external content, ``rowid`` = ``article_id``), kept in
  step by triggers on ``search_documents`` (created by the migration);
* PostgreSQL: the generated ``tsvector`` column ``search_documents.document`` with a GIN index.

Ingest calls :func:`index_version` in the page's transaction, so the index is always current.
Code that adds versions some other way must call it too; :func:`refresh` repairs an archive
where it did not (``arshif search --reindex``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import cast

from sqlalchemy import Connection, Engine, Table, bindparam, delete, insert, text
from sqlalchemy.orm import Session

from archive.db import WRITE_TXN
from archive.models import SearchDocument
from archive.normalize import NORM_VERSION, search_key
from archive.sqlcore import connection

log = logging.getLogger(__name__)

# Stored in search_documents.fold_version: bump when search_key's output changes, so
# `arshif search --reindex` knows which documents are stale.
FOLD_VERSION = NORM_VERSION

_STALE = """
SELECT a.id, v.id, v.title, v.text
FROM articles a
JOIN article_versions v ON v.article_id = a.id
LEFT JOIN search_documents d ON d.article_id = a.id
WHERE a.id > :after
  AND v.version = (SELECT MAX(v2.version) FROM article_versions v2 WHERE v2.article_id = a.id)
  AND (d.article_id IS NULL OR d.version_id <> v.id OR d.fold_version <> :fold)
ORDER BY a.id
LIMIT :batch
"""


def document(title: str | None, body: str) -> dict[str, str | int]:
    """The folded columns of one article's search document."""
    return {
        "folded_title": search_key(title or ""),
        "folded_text": search_key(body),
        "fold_version": FOLD_VERSION,
    }


_DOCS = cast(Table, SearchDocument.__table__)
_DELETE_DOC = delete(_DOCS).where(_DOCS.c.article_id == bindparam("article_id"))
_INSERT_DOC = insert(_DOCS)


def index_version(
    session: Session | Connection,
    article_id: int,
    version_id: int,
    title: str | None,
    body: str,
    *,
    folded: tuple[str, str] | None = None,
    new_article: bool = False,
) -> None:
    """Make ``version_id`` the searchable version of ``article_id`` (in the caller's
    transaction). Delete-then-insert works the same on both databases and keeps the
    SQLite FTS5 triggers simple. ``folded``: (title, text) already folded by
    :func:`archive.normalize.search_key` (the extraction worker does it); ``new_article``:
    the article was inserted in this transaction, so it has no document to delete."""
    conn = connection(session)
    if not new_article:
        conn.execute(_DELETE_DOC, {"article_id": article_id})
    if folded is None:
        values = document(title, body)
    else:
        values = {"folded_title": folded[0], "folded_text": folded[1], "fold_version": FOLD_VERSION}
    conn.execute(_INSERT_DOC, {"article_id": article_id, "version_id": version_id, **values})


def refresh_batch(conn: Connection, after: int = 0, batch: int = 500) -> tuple[int, int]:
    """Index up to ``batch`` articles after id ``after`` whose document is missing or stale.

    Returns (documents written, last article id seen; 0 when there is nothing left)."""
    rows = conn.execute(text(_STALE), {"after": after, "fold": FOLD_VERSION, "batch": batch}).all()
    if not rows:
        return 0, 0
    ids = [r[0] for r in rows]
    conn.execute(delete(SearchDocument).where(SearchDocument.article_id.in_(ids)))
    conn.execute(
        insert(SearchDocument),
        [
            {"article_id": aid, "version_id": vid, **document(title, body)}
            for aid, vid, title, body in rows
        ],
    )
    return len(rows), ids[-1]


def refresh(
    engine: Engine,
    *,
    rebuild: bool = False,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Index every article whose search document is missing or stale, in batches of one
    transaction each (so a crawl can keep writing meanwhile). ``rebuild`` also rebuilds the
    SQLite FTS5 index from ``search_documents``. Returns the number of documents written."""
    total, after = 0, 0
    while True:
        with engine.connect().execution_options(**WRITE_TXN) as conn, conn.begin():
            written, after = refresh_batch(conn, after)
        total += written
        if progress:
            progress(total)
        if not after:
            break
    if rebuild and engine.dialect.name == "sqlite":
        with engine.connect().execution_options(**WRITE_TXN) as conn, conn.begin():
            conn.execute(text("INSERT INTO search_fts(search_fts) VALUES ('rebuild')"))
    log.info("search index: %d documents written", total)
    return total
