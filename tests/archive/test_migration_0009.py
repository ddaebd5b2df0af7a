"""Migration 0009 (``sources.article_count`` kept by triggers) on real databases, up and down."""

from __future__ import annotations

from sqlalchemy import Connection, inspect, text

from archive import migrate
from archive.db import create_engine


def _counts(conn: Connection) -> dict[str, int]:
    rows = conn.execute(text("SELECT name, article_count FROM sources ORDER BY name"))
    return {row[0]: row[1] for row in rows}


def _article(conn: Connection, n: int, source_id: int) -> None:
    conn.execute(
        text(
            "INSERT INTO articles (id, source_id, url, url_hash, first_seen_at, last_seen_at) "
            "VALUES (:n, :s, :url, :h, '2024-05-01 00:00:00', '2024-05-02 00:00:00')"
        ),
        {"n": n, "s": source_id, "url": f"http://x.example/{n}", "h": f"h{n}"},
    )


def test_0009_counts_existing_articles_keeps_counting_and_goes_back(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        migrate.upgrade(engine, "0008")
        with engine.begin() as conn:
            for sid, name in ((1, "gov"), (2, "opp"), (3, "empty")):
                conn.execute(
                    text(
                        "INSERT INTO sources (id, name, url, created_at) "
                        "VALUES (:id, :name, 'http://x.example/', '2024-05-01 00:00:00')"
                    ),
                    {"id": sid, "name": name},
                )
            for n in (1, 2, 3):
                _article(conn, n, 1)
            _article(conn, 4, 2)
        migrate.upgrade(engine, "0009")
        with engine.begin() as conn:
            assert _counts(conn) == {"empty": 0, "gov": 3, "opp": 1}  # backfilled
            _article(conn, 5, 2)
            _article(conn, 6, 3)
            conn.execute(text("DELETE FROM articles WHERE id = 1"))
            conn.execute(text("UPDATE articles SET source_id = 2 WHERE id = 2"))
            conn.execute(text("UPDATE articles SET url = 'http://x.example/3b' WHERE id = 3"))
            assert _counts(conn) == {"empty": 1, "gov": 1, "opp": 3}
        with engine.connect() as conn:  # a rolled-back insert leaves the count alone
            with conn.begin() as tx:
                _article(conn, 7, 1)
                assert _counts(conn)["gov"] == 2
                tx.rollback()
            assert _counts(conn)["gov"] == 1
            truth = conn.execute(
                text(
                    "SELECT s.name, count(a.id) FROM sources s "
                    "LEFT JOIN articles a ON a.source_id = s.id GROUP BY s.name"
                )
            )
            assert _counts(conn) == {row[0]: row[1] for row in truth}
        migrate.downgrade(engine, "0008")
        with engine.begin() as conn:
            assert "article_count" not in {c["name"] for c in inspect(conn).get_columns("sources")}
            _article(conn, 8, 1)  # no trigger left behind
            assert conn.execute(text("SELECT count(*) FROM articles")).scalar() == 6
        migrate.upgrade(engine, "head")
        with engine.begin() as conn:
            assert _counts(conn) == {"empty": 1, "gov": 2, "opp": 3}
    finally:
        engine.dispose()
