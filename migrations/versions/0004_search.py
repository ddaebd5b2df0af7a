"""Full-text search (search_documents + FTS5 / tsvector) and views for SQL users.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 10:00:00

Adds:
- ``search_documents``: each article's latest title and text, folded for search;
- SQLite: the FTS5 index ``search_fts`` over it, kept in step by triggers;
- PostgreSQL: the generated ``tsvector`` column ``search_documents.document`` with a GIN index,
  and the functions ``arshif_fold(text)``, ``arshif_query(text)``, ``arshif_search(text)``;
- views ``articles_overview``, ``republications``, ``stories`` (docs/schema.md).

Existing articles are indexed by the upgrade itself.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# -- SQLite full-text index ------------------------------------------------------------------

SQLITE_FTS = [
    # External content: the index reads search_documents; rowid = article_id. The text is
    # pre-folded in Python (FTS5's tokenizers do not fold Arabic), so unicode61 only splits.
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        folded_title, folded_text,
        content='search_documents', content_rowid='article_id',
        tokenize='unicode61 remove_diacritics 0'
    )""",
    """CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN
        INSERT INTO search_fts(rowid, folded_title, folded_text)
        VALUES (new.article_id, new.folded_title, new.folded_text);
    END""",
    """CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN
        INSERT INTO search_fts(search_fts, rowid, folded_title, folded_text)
        VALUES ('delete', old.article_id, old.folded_title, old.folded_text);
    END""",
    """CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents BEGIN
        INSERT INTO search_fts(search_fts, rowid, folded_title, folded_text)
        VALUES ('delete', old.article_id, old.folded_title, old.folded_text);
        INSERT INTO search_fts(rowid, folded_title, folded_text)
        VALUES (new.article_id, new.folded_title, new.folded_text);
    END""",
]
SQLITE_FTS_DROP = [
    "DROP TRIGGER search_documents_au",
    "DROP TRIGGER search_documents_ad",
    "DROP TRIGGER search_documents_ai",
    "DROP TABLE search_fts",
]

# -- PostgreSQL full-text index and functions --------------------------------------------------

# Characters search_key removes or folds, spelled out for SQL. Keep in step with
# archive/normalize.py (tests/archive/test_search.py compares both on Arabic, Latin, digits
# and punctuation).
_PG_DROPPED = (
    r"[\u200b-\u200f\u202a-\u202e\u2066-\u2069\u2060\u061c\ufeff\u00ad\u0640"
    r"\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed]"
)
_PG_PUNCT = (
    r"[!-/:-@\[-`{-~\u00a1-\u00bf\u00d7\u00f7\u2010-\u205e\u060c\u060d\u061b\u061e\u061f"
    r"\u066a-\u066d\u06d4\ufd3e\ufd3f\u3000-\u3003_[:space:]]+"
)
PG_SEARCH = [
    """ALTER TABLE search_documents ADD COLUMN document tsvector
       GENERATED ALWAYS AS (
           setweight(to_tsvector('simple'::regconfig, folded_title), 'A')
           || setweight(to_tsvector('simple'::regconfig, folded_text), 'D')
       ) STORED""",
    "CREATE INDEX ix_search_documents_document ON search_documents USING gin (document)",
    f"""CREATE FUNCTION arshif_fold(q text) RETURNS text
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fold$
        SELECT btrim(replace(regexp_replace(
            ' ' || regexp_replace(
                lower(translate(
                    regexp_replace(normalize(q, NFKC), '{_PG_DROPPED}', '', 'g'),
                    'أإآٱىیکةؤئ٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹',
                    'ااااييكهوي01234567890123456789')),
                '{_PG_PUNCT}', ' ', 'g') || ' ',
            ' ([وفبلك]{{0,2}})سوريه(?= )', ' \\1سوريا', 'g'),
            'اميرك', 'امريك'))
        $fold$""",
    """CREATE FUNCTION arshif_query(q text) RETURNS tsquery
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $query$
        SELECT plainto_tsquery('simple'::regconfig, arshif_fold(q))
        $query$""",
    """CREATE FUNCTION arshif_search(q text) RETURNS TABLE (article_id integer, rank real)
        LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $search$
        SELECT d.article_id, -ts_rank(d.document, arshif_query(q))
        FROM search_documents d
        WHERE d.document @@ arshif_query(q)
        $search$""",
]
PG_SEARCH_DROP = [
    "DROP FUNCTION arshif_search(text)",
    "DROP FUNCTION arshif_query(text)",
    "DROP FUNCTION arshif_fold(text)",
    "DROP INDEX ix_search_documents_document",
    "ALTER TABLE search_documents DROP COLUMN document",
]

# -- Views -----------------------------------------------------------------------------------
# Dialect differences are kept inside the views, so users' SQL is the same on both databases:
# {day}/{month} format a timestamp as 'YYYY-MM-DD' / 'YYYY-MM' (UTC), {hours} a difference
# in hours, {outlets} the sorted, distinct outlets of an article's duplicates.

DIALECT = {
    "sqlite": {
        "day": "substr({0}, 1, 10)",
        "month": "substr({0}, 1, 7)",
        "hours": "round((julianday({1}) - julianday({0})) * 24, 2)",
        "outlets": (
            "(SELECT group_concat(name, ', ') FROM (SELECT DISTINCT ds.name FROM articles d "
            "JOIN sources ds ON ds.id = d.source_id WHERE d.duplicate_of_id = {0} "
            "ORDER BY ds.name))"
        ),
    },
    "postgresql": {
        "day": "to_char({0} AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
        "month": "to_char({0} AT TIME ZONE 'UTC', 'YYYY-MM')",
        "hours": "round(CAST(extract(epoch FROM {1} - {0}) / 3600 AS numeric), 2)::float8",
        "outlets": (
            "(SELECT string_agg(DISTINCT ds.name, ', ' ORDER BY ds.name) FROM articles d "
            "JOIN sources ds ON ds.id = d.source_id WHERE d.duplicate_of_id = {0})"
        ),
    },
}

ARTICLES_OVERVIEW = """
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

REPUBLICATIONS = """
CREATE VIEW republications AS
SELECT o.id AS original_id, os.name AS original_source, o.url AS original_url,
       (SELECT ov.title FROM article_versions ov WHERE ov.article_id = o.id
        ORDER BY ov.version DESC LIMIT 1) AS original_title,
       o.published_at AS original_published_at,
       d.id AS article_id, ds.name AS source, d.url,
       (SELECT dv.title FROM article_versions dv WHERE dv.article_id = d.id
        ORDER BY dv.version DESC LIMIT 1) AS title,
       d.published_at, d.duplicate_kind, d.similarity,
       {hours} AS delay_hours
FROM articles d
JOIN articles o ON o.id = d.duplicate_of_id
JOIN sources ds ON ds.id = d.source_id
JOIN sources os ON os.id = o.source_id
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


VIEWS = ("articles_overview", "republications", "stories")


def _views(dialect: str) -> list[str]:
    d = DIALECT[dialect]
    return [
        ARTICLES_OVERVIEW.format(
            day_pub=d["day"].format("lv.published_at"),
            month_pub=d["month"].format("lv.published_at"),
            outlets=d["outlets"].format("lv.article_id"),
        ),
        REPUBLICATIONS.format(hours=d["hours"].format("o.published_at", "d.published_at")),
        STORIES.format(
            day_pub=d["day"].format("c.published_at"),
            outlets=d["outlets"].format("c.article_id"),
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "search_documents",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("folded_title", sa.Text(), nullable=False),
        sa.Column("folded_text", sa.Text(), nullable=False),
        sa.Column("fold_version", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_search_documents_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["article_versions.id"],
            name=op.f("fk_search_documents_version_id_article_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_search_documents")),
    )
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_search_documents_version_id"), ["version_id"], unique=False
        )
    bind = op.get_bind()
    dialect = bind.dialect.name
    for statement in SQLITE_FTS if dialect == "sqlite" else PG_SEARCH:
        op.execute(statement)
    for statement in _views(dialect):
        op.execute(statement)
    _index_existing_articles(bind)


def _index_existing_articles(bind: sa.Connection) -> None:
    # Uses the current folding code (archive.search_index); `arshif search --reindex`
    # refreshes documents written by an older folding later (search_documents.fold_version).
    from archive.search_index import refresh_batch

    after = 0
    while True:
        _, after = refresh_batch(bind, after)
        if not after:
            return


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for view in reversed(VIEWS):
        op.execute(f"DROP VIEW {view}")
    for statement in SQLITE_FTS_DROP if dialect == "sqlite" else PG_SEARCH_DROP:
        op.execute(statement)
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_search_documents_version_id"))
    op.drop_table("search_documents")
