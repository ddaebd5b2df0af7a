"""Quality flags and datelines on article_versions; views show them, corpus leaves out flagged.

New columns ``article_versions.quality_flags / arabic_share / dateline / dateline_place /
dateline_source / dateline_reporter`` (``archive.quality``, ``archive.dateline``). The views
``latest_versions``, ``corpus``, ``articles_overview`` and ``stories`` are re-created:
``latest_versions`` and ``articles_overview`` gain the new columns, and ``corpus`` (so
``stories``) leaves out versions with a quality flag (``articles_overview.in_corpus`` agrees).
Versions stored before this migration get their dateline columns filled from their stored
text (``archive.dateline``, the first 400 characters; batches of 1,000); their quality columns
stay NULL ("not assessed"): flagging them here would leave flagged texts in the duplicate index.

SQLite: columns are added and dropped with SQLite's own ``ALTER TABLE`` (no batch rebuild of
``article_versions``, see migration 0005); the views are dropped first and re-created after.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 20:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW_COLUMNS = (
    ("quality_flags", sa.String(length=64)),
    ("arabic_share", sa.Float()),
    ("dateline", sa.Text()),
    ("dateline_place", sa.Text()),
    ("dateline_source", sa.Text()),
    ("dateline_reporter", sa.Text()),
)

# Frozen copies of the views (docs/schema.md), dependants last. The definitions they replace
# (migrations 0002 and 0004) are restored on downgrade.
DIALECT = {
    "sqlite": {
        "day": "substr({0}, 1, 10)",
        "month": "substr({0}, 1, 7)",
        "outlets": (
            "(SELECT group_concat(name, ', ') FROM (SELECT DISTINCT ds.name FROM articles d "
            "JOIN sources ds ON ds.id = d.source_id WHERE d.duplicate_of_id = {0} "
            "ORDER BY ds.name))"
        ),
    },
    "postgresql": {
        "day": "to_char({0} AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
        "month": "to_char({0} AT TIME ZONE 'UTC', 'YYYY-MM')",
        "outlets": (
            "(SELECT string_agg(DISTINCT ds.name, ', ' ORDER BY ds.name) FROM articles d "
            "JOIN sources ds ON ds.id = d.source_id WHERE d.duplicate_of_id = {0})"
        ),
    },
}

LATEST_VERSIONS = """
CREATE VIEW latest_versions AS
SELECT a.id AS article_id, a.source_id, s.name AS source, a.url,
       v.id AS version_id, v.version, v.fetched_at,
       v.title, v.text, v.authors, a.published_at, v.modified_at, v.date_source,
       v.date_precision, v.language, v.description, v.attribution, v.canonical_url,
       v.image, v.categories, v.tags, v.word_count, v.content_hash,
       v.fetch_url, v.encoding, v.extractor, v.cleaner,
       a.first_seen_at, a.last_seen_at,
       a.duplicate_of_id, a.duplicate_kind, a.similarity,
       v.quality_flags, v.arabic_share,
       v.dateline, v.dateline_place, v.dateline_source, v.dateline_reporter
FROM articles a
JOIN sources s ON s.id = a.source_id
JOIN article_versions v ON v.article_id = a.id
WHERE v.version = (SELECT MAX(v2.version) FROM article_versions v2 WHERE v2.article_id = a.id)
"""

CORPUS = """
CREATE VIEW corpus AS
SELECT lv.article_id, lv.source_id, lv.source, lv.url, lv.version_id, lv.version,
       lv.fetched_at, lv.title, lv.text, lv.authors, lv.published_at, lv.modified_at,
       lv.date_source, lv.date_precision, lv.language, lv.description, lv.attribution,
       lv.canonical_url, lv.image, lv.categories, lv.tags, lv.word_count,
       lv.content_hash, lv.fetch_url, lv.encoding, lv.extractor, lv.cleaner,
       lv.first_seen_at, lv.last_seen_at,
       (SELECT COUNT(*) FROM articles d WHERE d.duplicate_of_id = lv.article_id) AS duplicate_count,
       lv.arabic_share, lv.dateline, lv.dateline_place, lv.dateline_source, lv.dateline_reporter
FROM latest_versions lv
WHERE lv.duplicate_of_id IS NULL AND lv.quality_flags IS NULL
"""

ARTICLES_OVERVIEW = """
CREATE VIEW articles_overview AS
SELECT lv.article_id, lv.source_id, lv.source, lv.url, lv.title, lv.text, lv.authors,
       lv.description, lv.attribution, lv.language, lv.word_count,
       lv.published_at, {day_pub} AS published_date, {month_pub} AS published_month,
       lv.date_source, lv.modified_at, lv.version, lv.version_id, lv.fetched_at,
       lv.first_seen_at, lv.last_seen_at, lv.content_hash, lv.fetch_url, lv.encoding,
       lv.extractor,
       CASE WHEN lv.duplicate_of_id IS NULL AND lv.quality_flags IS NULL THEN 1 ELSE 0 END
           AS in_corpus,
       lv.duplicate_of_id, lv.duplicate_kind, lv.similarity,
       os.name AS original_source, o.url AS original_url,
       o.published_at AS original_published_at,
       (SELECT COUNT(*) FROM articles d WHERE d.duplicate_of_id = lv.article_id)
           AS duplicate_count,
       {outlets} AS republished_by,
       lv.quality_flags, lv.arabic_share,
       lv.dateline, lv.dateline_place, lv.dateline_source, lv.dateline_reporter
FROM latest_versions lv
LEFT JOIN articles o ON o.id = lv.duplicate_of_id
LEFT JOIN sources os ON os.id = o.source_id
"""

STORIES = """
CREATE VIEW stories AS
SELECT c.article_id, c.source, c.url, c.title, c.published_at,
       {day_pub} AS published_date, c.word_count, c.duplicate_count,
       {outlets} AS republished_by,
       (SELECT COUNT(DISTINCT s2.source_id) FROM articles s2
        WHERE s2.id = c.article_id OR s2.duplicate_of_id = c.article_id) AS outlets
FROM corpus c
"""

# -- the definitions of migrations 0002 (latest_versions, corpus) and 0004 ---------------------

OLD_LATEST_VERSIONS = """
CREATE VIEW latest_versions AS
SELECT a.id AS article_id, a.source_id, s.name AS source, a.url,
       v.id AS version_id, v.version, v.fetched_at,
       v.title, v.text, v.authors, a.published_at, v.modified_at, v.date_source,
       v.date_precision, v.language, v.description, v.attribution, v.canonical_url,
       v.image, v.categories, v.tags, v.word_count, v.content_hash,
       v.fetch_url, v.encoding, v.extractor, v.cleaner,
       a.first_seen_at, a.last_seen_at,
       a.duplicate_of_id, a.duplicate_kind, a.similarity
FROM articles a
JOIN sources s ON s.id = a.source_id
JOIN article_versions v ON v.article_id = a.id
WHERE v.version = (SELECT MAX(v2.version) FROM article_versions v2 WHERE v2.article_id = a.id)
"""

OLD_CORPUS = """
CREATE VIEW corpus AS
SELECT lv.article_id, lv.source_id, lv.source, lv.url, lv.version_id, lv.version,
       lv.fetched_at, lv.title, lv.text, lv.authors, lv.published_at, lv.modified_at,
       lv.date_source, lv.date_precision, lv.language, lv.description, lv.attribution,
       lv.canonical_url, lv.image, lv.categories, lv.tags, lv.word_count,
       lv.content_hash, lv.fetch_url, lv.encoding, lv.extractor, lv.cleaner,
       lv.first_seen_at, lv.last_seen_at,
       (SELECT COUNT(*) FROM articles d WHERE d.duplicate_of_id = lv.article_id) AS duplicate_count
FROM latest_versions lv
WHERE lv.duplicate_of_id IS NULL
"""

OLD_ARTICLES_OVERVIEW = """
CREATE VIEW articles_overview AS
SELECT lv.article_id, lv.source_id, lv.source, lv.url, lv.title, lv.text, lv.authors,
       lv.description, lv.attribution, lv.language, lv.word_count,
       lv.published_at, {day_pub} AS published_date, {month_pub} AS published_month,
       lv.date_source, lv.modified_at, lv.version, lv.version_id, lv.fetched_at,
       lv.first_seen_at, lv.last_seen_at, lv.content_hash, lv.fetch_url, lv.encoding,
       lv.extractor,
       CASE WHEN lv.duplicate_of_id IS NULL THEN 1 ELSE 0 END AS in_corpus,
       lv.duplicate_of_id, lv.duplicate_kind, lv.similarity,
       os.name AS original_source, o.url AS original_url,
       o.published_at AS original_published_at,
       (SELECT COUNT(*) FROM articles d WHERE d.duplicate_of_id = lv.article_id)
           AS duplicate_count,
       {outlets} AS republished_by
FROM latest_versions lv
LEFT JOIN articles o ON o.id = lv.duplicate_of_id
LEFT JOIN sources os ON os.id = o.source_id
"""

VIEWS = ("latest_versions", "corpus", "articles_overview", "stories")


def _views(dialect: str, latest: str, corpus: str, overview: str) -> list[str]:
    d = DIALECT[dialect]
    return [
        latest,
        corpus,
        overview.format(
            day_pub=d["day"].format("lv.published_at"),
            month_pub=d["month"].format("lv.published_at"),
            outlets=d["outlets"].format("lv.article_id"),
        ),
        STORIES.format(
            day_pub=d["day"].format("c.published_at"),
            outlets=d["outlets"].format("c.article_id"),
        ),
    ]


def _drop_views() -> None:
    for view in reversed(VIEWS):
        op.execute(f"DROP VIEW {view}")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    _drop_views()
    for name, type_ in NEW_COLUMNS:
        op.add_column("article_versions", sa.Column(name, type_, nullable=True))
    for statement in _views(dialect, LATEST_VERSIONS, CORPUS, ARTICLES_OVERVIEW):
        op.execute(statement)
    _backfill_datelines(op.get_bind())


_HEAD = sa.text(
    "SELECT id, substr(text, 1, 400) FROM article_versions WHERE id > :after ORDER BY id "
    "LIMIT :batch"
)
_SET = sa.text(
    "UPDATE article_versions SET dateline = :dateline, dateline_place = :place, "
    "dateline_source = :source, dateline_reporter = :reporter WHERE id = :id"
)


def _backfill_datelines(bind: sa.Connection, batch: int = 1000) -> None:
    # Uses the current parser (archive.dateline), as 0004 uses the current search folding.
    from archive.dateline import parse_dateline

    after = 0
    while rows := bind.execute(_HEAD, {"after": after, "batch": batch}).all():
        after = rows[-1][0]
        found = [(vid, parse_dateline(head or "")) for vid, head in rows]
        values = [
            {
                "id": vid,
                "dateline": d.text,
                "place": d.place,
                "source": d.source,
                "reporter": d.reporter,
            }
            for vid, d in found
            if d is not None
        ]
        if values:
            bind.execute(_SET, values)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    _drop_views()
    for name, _ in reversed(NEW_COLUMNS):
        if dialect == "sqlite":
            op.execute(f"ALTER TABLE article_versions DROP COLUMN {name}")
        else:
            op.drop_column("article_versions", name)
    for statement in _views(dialect, OLD_LATEST_VERSIONS, OLD_CORPUS, OLD_ARTICLES_OVERVIEW):
        op.execute(statement)
