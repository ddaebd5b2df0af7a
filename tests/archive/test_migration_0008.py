"""Migration 0008 (quality flags and datelines) on real databases, with data, up and down."""

from __future__ import annotations

from sqlalchemy import Connection, inspect, text

from archive import migrate
from archive.db import create_engine

NEW = {
    "quality_flags",
    "arabic_share",
    "dateline",
    "dateline_place",
    "dateline_source",
    "dateline_reporter",
}


def _seed(conn: Connection) -> None:
    statements = [
        "INSERT INTO sources (id, name, url, created_at) "
        "VALUES (1, 'gov', 'http://gov.example/', '2024-05-01 00:00:00')",
        *(
            "INSERT INTO articles (id, source_id, url, url_hash, first_seen_at, last_seen_at) "
            f"VALUES ({n}, 1, 'http://gov.example/{n}', 'h{n}', '2024-05-01 00:00:00', "
            "'2024-05-02 00:00:00')"
            for n in (1, 2, 3)
        ),
        *(
            "INSERT INTO article_versions (id, article_id, version, fetched_at, fetch_url, "
            "http_status, title, text, word_count, content_hash, extractor, kind) VALUES "
            f"({n}, {n}, 1, '2024-05-01 00:00:00', 'http://gov.example/{n}', 200, 't', "
            f"'{body}', 2, 'c{n}', 'x', 'first')"
            for n, body in (
                (1, "text 1"),
                (2, "text 2"),
                (3, "بلدي نيوز – حلب (عمران الشامي)\nقال"),
            )
        ),
        "INSERT INTO fingerprints (article_id, version_id, norm_hash, signature, method) "
        "VALUES (1, 1, 'n', :sig, 'm')",
    ]
    for sql in statements:
        conn.execute(text(sql), {"sig": b"\x00" * 8})


def test_0008_adds_columns_and_views_and_goes_back(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        migrate.upgrade(engine, "0007")
        with engine.begin() as conn:
            _seed(conn)
        migrate.upgrade(engine, "0008")
        with engine.begin() as conn:
            columns = {c["name"] for c in inspect(conn).get_columns("article_versions")}
            assert columns >= NEW
            before = conn.execute(
                text(
                    "SELECT quality_flags, dateline_place, dateline_source, dateline_reporter "
                    "FROM article_versions ORDER BY id"
                )
            ).all()
            # Datelines are read from the stored texts; quality stays "not assessed".
            assert [tuple(r) for r in before] == [
                (None, None, None, None),
                (None, None, None, None),
                (None, "حلب", "بلدي نيوز", "عمران الشامي"),
            ]
            assert conn.execute(text("SELECT COUNT(*) FROM corpus")).scalar() == 3
            conn.execute(
                text(
                    "UPDATE article_versions SET quality_flags = 'low_quality', "
                    "arabic_share = 0.02, dateline = 'حماة-سانا', dateline_place = 'حماة', "
                    "dateline_source = 'سانا' WHERE id = 2"
                )
            )
        with engine.connect() as conn:
            corpus = conn.execute(text("SELECT article_id, dateline_source FROM corpus"))
            assert [tuple(r) for r in corpus] == [(1, None), (3, "بلدي نيوز")]
            assert conn.execute(text("SELECT COUNT(*) FROM stories")).scalar() == 2
            overview = conn.execute(
                text(
                    "SELECT article_id, in_corpus, quality_flags, arabic_share, dateline_place "
                    "FROM articles_overview ORDER BY 1"
                )
            )
            assert [tuple(r) for r in overview] == [
                (1, 1, None, None, None),
                (2, 0, "low_quality", 0.02, "حماة"),
                (3, 1, None, None, "حلب"),
            ]
            latest = conn.execute(text("SELECT dateline FROM latest_versions WHERE article_id = 2"))
            assert latest.scalar() == "حماة-سانا"
        migrate.downgrade(engine, "0007")
        with engine.connect() as conn:
            columns = {c["name"] for c in inspect(conn).get_columns("article_versions")}
            assert not columns & NEW
            assert conn.execute(text("SELECT COUNT(*) FROM article_versions")).scalar() == 3
            assert conn.execute(text("SELECT COUNT(*) FROM fingerprints")).scalar() == 1
            # The old corpus again: the flag is gone with its column.
            assert conn.execute(text("SELECT COUNT(*) FROM corpus")).scalar() == 3
            view_columns = {c["name"] for c in inspect(conn).get_columns("articles_overview")}
            assert "in_corpus" in view_columns
            assert not view_columns & NEW
        migrate.upgrade(engine)
        assert migrate.current_revision(engine) == migrate.head_revision()
    finally:
        engine.dispose()
