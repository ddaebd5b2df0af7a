"""Full-text search over the latest version of each article, folded for Arabic.

A query is words (all must occur) and "quoted phrases". Each is folded with
:func:`archive.normalize.search_key`, exactly like the indexed text (``archive.search_index``),
so "الامريكية" finds "الأميركية" and "سوريا" finds "سورية". Ranking: SQLite FTS5 ``bm25``,
PostgreSQL ``ts_rank``, with the title weighted above the text. Snippets come from the
stored (unfolded) text, so they show the author's spelling.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, text
from sqlalchemy.sql.elements import BindParameter

from archive.errors import ConfigError
from archive.normalize import search_key
from archive.selection import Selection
from archive.types import UTCDateTime

# Title matches count this many times a text match (FTS5 bm25 column weights; on PostgreSQL
# the title is weight class A and the text D, ts_rank's defaults 1.0 and 0.1).
TITLE_WEIGHT = 10.0
_QUOTED_RE = re.compile(r'"([^"]*)"|“([^”]*)”|«([^»]*)»')
_TOKEN_RE = re.compile(r"\S+")
_EDGE_PUNCT_RE = re.compile(r"^([^\w]*)(.*?)([^\w]*)$", re.S)


class SearchError(ConfigError):
    """A query that cannot be searched (nothing left after folding)."""


@dataclass(frozen=True)
class Query:
    """A parsed query: folded terms; a term of several words is a phrase."""

    terms: tuple[tuple[str, ...], ...]

    @classmethod
    def parse(cls, raw: str) -> Query:
        terms: list[tuple[str, ...]] = []
        pos = 0
        for m in _QUOTED_RE.finditer(raw):
            terms += [(w,) for w in search_key(raw[pos : m.start()]).split()]
            phrase = tuple(search_key(next(g for g in m.groups() if g is not None)).split())
            if phrase:
                terms.append(phrase)
            pos = m.end()
        terms += [(w,) for w in search_key(raw[pos:].replace('"', " ")).split()]
        if not terms:
            raise SearchError(f"nothing to search for in {raw!r}")
        return cls(tuple(dict.fromkeys(terms)))

    @property
    def words(self) -> frozenset[str]:
        return frozenset(w for term in self.terms for w in term)

    def fts5(self) -> str:
        """SQLite FTS5 MATCH expression. Folded words contain only letters, digits and
        spaces, so quoting each term cannot break FTS5's syntax."""
        return " ".join('"' + " ".join(term) + '"' for term in self.terms)

    def fts5_in_title(self) -> str:
        """FTS5 expression: the query, with at least one of its terms in the title."""
        terms = " OR ".join('"' + " ".join(term) + '"' for term in self.terms)
        return f"({self.fts5()}) AND folded_title : ({terms})"

    def tsquery(self, operator: str = "&") -> str:
        """PostgreSQL ``to_tsquery('simple', ...)`` expression: all terms (``operator``
        ``|``: any term)."""
        return f" {operator} ".join(
            "(" + " <-> ".join(f"'{w}'" for w in term) + ")" if len(term) > 1 else f"'{term[0]}'"
            for term in self.terms
        )


@dataclass(frozen=True)
class Hit:
    rank: float  # smaller is better (FTS5's convention; PostgreSQL's ts_rank negated)
    article_id: int
    source: str
    url: str
    published_at: datetime | None
    title: str | None
    snippet: str
    duplicate_of_id: int | None


# Two steps: rank the matches using only the index and the article rows (cheap), then read
# title and text for the hits that are shown. Reading every match's text first would make
# a search for common words cost a scan of most of the archive.
#
# Ranking every match costs time in proportion to the matches (FTS5's bm25 and PostgreSQL's
# ts_rank read each match's positions; PostgreSQL decompresses each document), so a query of
# common words is ranked over a bounded set of candidates: the CANDIDATES newest matches
# (highest article ids) and the CANDIDATES newest matches with a query term in the title
# (where the best-ranked hits of a common query are). Both are found from the indexes in
# article-id order and stop early; a query with at most CANDIDATES matches is ranked exactly.
CANDIDATES = 250

_RANK_SQLITE = """
SELECT a.id, bm25(search_fts, {title_weight}, 1.0) AS rank
FROM search_fts
JOIN articles a ON a.id = search_fts.rowid
JOIN sources s ON s.id = a.source_id
WHERE search_fts MATCH :q{where}
ORDER BY rank, a.id
LIMIT :limit
"""
_NEWEST_SQLITE = """
SELECT rowid FROM (
    SELECT f.rowid
    FROM search_fts f
    JOIN articles a ON a.id = f.rowid
    JOIN sources s ON s.id = a.source_id
    WHERE search_fts MATCH {match}{where}
    ORDER BY f.rowid DESC
    LIMIT :candidates
)"""
# The candidates already passed the selection, so the ranking needs no join; "+" keeps
# SQLite from looking each candidate up in the FTS5 index (one full query per row).
_RANK_CANDIDATES_SQLITE = (
    """
SELECT rowid, bm25(search_fts, {title_weight}, 1.0) AS rank
FROM search_fts
WHERE search_fts MATCH :q AND +rowid IN ("""
    + _NEWEST_SQLITE.format(match=":q", where="{where}")
    + "\nUNION"
    + _NEWEST_SQLITE.format(match=":title_q", where="{where}")
    + """
)
ORDER BY rank, rowid
LIMIT :limit
"""
)
_RANK_POSTGRESQL = """
SELECT a.id, -ts_rank(d.document, tsq.q) AS rank
FROM search_documents d
CROSS JOIN to_tsquery('simple', :q) AS tsq(q)
JOIN articles a ON a.id = d.article_id
JOIN sources s ON s.id = a.source_id
WHERE d.document @@ tsq.q{where}
ORDER BY rank, a.id
LIMIT :limit
"""
# The title condition uses the GIN index ix_search_documents_title (migration 0007).
# The newest matches can be found two ways: from the GIN index (a bitmap of row ids, each
# matching row then read to sort by id: about 3.5 us per match, measured) or by walking the
# primary key backwards and testing each document (about 20 us per row tested, a document
# decompressed each time; CANDIDATES / share rows). The planner underrates the second's
# cost, so search() chooses from the planner's own estimate of the matches: backwards when
# matches * 3.5 us > (CANDIDATES / share) * 20 us, i.e. matches * share > BACKWARDS_ABOVE
# (with 100,000 documents: when more than about 12 % match), else the bitmap, forced by
# "+ 0" (no primary-key order) and sequential scans off for the statement (a sequential
# scan tests every document: 1.6 s at 20 % of 100,000). Matches with a title match always
# come from the bitmap (both GIN indexes combined). The tsqueries are literals, so that a
# prepared statement's generic plan cannot choose otherwise.
BACKWARDS_ABOVE = CANDIDATES * 20 / 3.5
_NEWEST_POSTGRESQL = """
    (SELECT d.article_id
     FROM search_documents d
     JOIN articles a ON a.id = d.article_id
     JOIN sources s ON s.id = a.source_id
     WHERE d.document @@ to_tsquery('simple', {{q}}){title}{{where}}
     ORDER BY d.article_id{order} DESC
     LIMIT :candidates)"""
# One round trip for both estimates: the plan of a UNION ALL has one child per branch.
_ESTIMATE = """EXPLAIN (FORMAT JSON)
SELECT 1 FROM search_documents WHERE document @@ {q}
UNION ALL SELECT 1 FROM search_documents"""
_TITLE_POSTGRESQL = (
    " AND to_tsvector('simple'::regconfig, d.folded_title) @@ to_tsquery('simple', {title_q})"
)
_RANK_CANDIDATES_POSTGRESQL = (
    """
SELECT d.article_id, -ts_rank(d.document, to_tsquery('simple', {q})) AS rank
FROM search_documents d
WHERE d.article_id IN ("""
    + _NEWEST_POSTGRESQL.format(title="", order="{order}")
    + "\n    UNION"
    + _NEWEST_POSTGRESQL.format(title=_TITLE_POSTGRESQL, order=" + 0")
    + """
)
ORDER BY rank, d.article_id
LIMIT :limit
"""
)


_DETAILS = """
SELECT a.id, s.name, a.url, a.published_at, v.title, v.text, a.duplicate_of_id
FROM articles a
JOIN sources s ON s.id = a.source_id
JOIN search_documents d ON d.article_id = a.id
JOIN article_versions v ON v.id = d.version_id
WHERE a.id IN :ids
"""


def search(
    conn: Connection,
    raw_query: str,
    selection: Selection | None = None,
    *,
    limit: int = 20,
    mark: tuple[str, str] = ("[", "]"),
    candidates: int | None = CANDIDATES,
) -> list[Hit]:
    """The ``limit`` best matches of ``raw_query`` among the selected articles, best first.

    ``candidates``: rank the newest matches and the newest matches with a query term in
    the title, this many of each (at least ``limit``; see ``CANDIDATES``); ``None`` ranks
    every match."""
    query = Query.parse(raw_query)
    where, params = (selection or Selection()).where()
    params.append(bindparam("limit", limit))
    if candidates is not None:
        candidates = max(candidates, limit)
    if conn.dialect.name == "sqlite":
        ranked = _rank_sqlite(conn, query, where, params, candidates)
    else:
        ranked = _rank_postgresql(conn, query, where, params, candidates)
    if not ranked:
        return []
    details = {
        row[0]: row
        for row in conn.execute(
            text(_DETAILS)
            .bindparams(bindparam("ids", [r[0] for r in ranked], expanding=True))
            .columns(published_at=UTCDateTime())
        )
    }
    hits = []
    for aid, rank in ranked:
        _, source, url, published, title, body, dup = details[aid]
        hits.append(
            Hit(
                rank=float(rank),
                article_id=aid,
                source=source,
                url=url,
                published_at=published,
                title=title,
                snippet=snippet(body, query.words, mark=mark),
                duplicate_of_id=dup,
            )
        )
    return hits


Ranked = list[tuple[int, float]]


def _ranked(rows: Iterable[Any]) -> Ranked:
    return [(int(row[0]), float(row[1])) for row in rows]


def _rank_sqlite(
    conn: Connection,
    query: Query,
    where: str,
    params: list[BindParameter[Any]],
    candidates: int | None,
) -> Ranked:
    params = [*params, bindparam("q", query.fts5())]
    if candidates is None:
        sql = _RANK_SQLITE
    else:
        sql = _RANK_CANDIDATES_SQLITE
        params += [
            bindparam("candidates", candidates),
            bindparam("title_q", query.fts5_in_title()),
        ]
    sql = sql.format(title_weight=TITLE_WEIGHT, where=where)
    return _ranked(conn.execute(text(sql).bindparams(*params)))


def _rank_postgresql(
    conn: Connection,
    query: Query,
    where: str,
    params: list[BindParameter[Any]],
    candidates: int | None,
) -> Ranked:
    if candidates is None:
        sql = _RANK_POSTGRESQL.format(where=where)
        return _ranked(conn.execute(text(sql).bindparams(bindparam("q", query.tsquery()), *params)))
    tsquery = _literal(query.tsquery())
    matches, documents = _estimate(conn, tsquery)  # chooses the plan, not the results
    backwards = documents > 0 and matches * matches / documents > BACKWARDS_ABOVE
    sql = _RANK_CANDIDATES_POSTGRESQL.format(
        q=tsquery,
        title_q=_literal(query.tsquery("|")),
        where=where,
        order="" if backwards else " + 0",
    )
    conn.execute(text("SELECT set_config('enable_seqscan', 'off', true)"))
    try:
        statement = text(sql).bindparams(bindparam("candidates", candidates), *params)
        return _ranked(conn.execute(statement))
    finally:
        conn.execute(text("RESET enable_seqscan"))


def _estimate(conn: Connection, tsquery: str) -> tuple[float, float]:
    """The PostgreSQL planner's estimate of (matches of ``tsquery``, documents)."""
    plan = conn.execute(text(_ESTIMATE.format(q=f"to_tsquery('simple', {tsquery})"))).scalar()
    branches = plan[0]["Plan"].get("Plans", []) if plan else []
    if len(branches) != 2:
        return 0.0, 0.0
    return float(branches[0]["Plan Rows"]), float(branches[1]["Plan Rows"])


def _literal(value: str) -> str:
    """A SQL string literal (folded queries hold only letters, digits, spaces and the
    tsquery syntax, but quote properly anyway)."""
    return "'" + value.replace("'", "''") + "'"


def snippet(
    body: str, words: frozenset[str], *, size: int = 30, mark: tuple[str, str] = ("[", "]")
) -> str:
    """About ``size`` words of ``body`` from just before its first match, matched words
    marked, in the stored spelling. Lines are joined; "…" marks cut text."""
    tokens: list[str] = []
    hits: list[int] = []
    for line in body.splitlines():
        line_tokens = _TOKEN_RE.findall(line)
        # Fold the whole line first: most lines have no match and need no per-word folding.
        # Stop once the window after the first match is full.
        folded = search_key(line).split()
        if not words.isdisjoint(folded):
            if len(folded) == len(line_tokens):
                # One folded word per token (the usual case): only the tokens in a matching
                # position need folding on their own, to confirm the match.
                found = (i for i, w in enumerate(folded) if w in words)
                hits += [len(tokens) + i for i in found if _matches(line_tokens[i], words)]
            else:
                hits += [len(tokens) + i for i, t in enumerate(line_tokens) if _matches(t, words)]
        tokens += line_tokens
        if hits and len(tokens) >= hits[0] + size:
            break
    start = max(0, hits[0] - 5) if hits else 0
    end = min(len(tokens), start + size)
    more = end < len(tokens) or len(tokens) < len(_TOKEN_RE.findall(body))
    hit_set = set(hits)

    def marked(token: str) -> str:
        m = _EDGE_PUNCT_RE.match(token)
        assert m is not None
        return f"{m[1]}{mark[0]}{m[2]}{mark[1]}{m[3]}" if m[2] else f"{mark[0]}{token}{mark[1]}"

    out = [marked(t) if i in hit_set else t for i, t in enumerate(tokens[start:end], start)]
    return ("… " if start else "") + " ".join(out) + (" …" if more else "")


@functools.lru_cache(maxsize=65536)
def _fold_token(token: str) -> tuple[str, ...]:
    return tuple(search_key(token).split())


def _matches(token: str, words: frozenset[str]) -> bool:
    return not words.isdisjoint(_fold_token(token))


def sql_for(dialect: str, raw_query: str) -> str:
    """The SQL a user can run to get the same hits in any client (``arshif search --sql``)."""
    query = Query.parse(raw_query)
    if dialect == "sqlite":
        match = query.fts5().replace("'", "''")
        return (
            "SELECT o.source, o.published_date, o.title, o.url\n"
            "FROM search_fts f JOIN articles_overview o ON o.article_id = f.rowid\n"
            f"WHERE search_fts MATCH '{match}' AND o.in_corpus = 1\n"
            f"ORDER BY bm25(search_fts, {TITLE_WEIGHT}, 1.0)\nLIMIT 20;"
        )
    literal = raw_query.replace("'", "''")
    return (
        "SELECT o.source, o.published_date, o.title, o.url\n"
        f"FROM arshif_search('{literal}') f JOIN articles_overview o USING (article_id)\n"
        "WHERE o.in_corpus = 1\nORDER BY f.rank\nLIMIT 20;"
    )
