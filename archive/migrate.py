"""Schema migrations (Alembic) run from Python: upgrade, downgrade, and the start-up check."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from archive.errors import SchemaError

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
# Arbitrary, fixed key for the PostgreSQL advisory lock that serialises migrations.
_PG_MIGRATION_LOCK = 0x61727368  # "arsh"


def alembic_config() -> Config:
    if not (MIGRATIONS_DIR / "env.py").is_file():
        raise SchemaError(
            f"migrations not found at {MIGRATIONS_DIR}: install arshif from a source checkout "
            "(pip install -e .)"
        )
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    _run(engine, "upgrade", revision)


def downgrade(engine: Engine, revision: str) -> None:
    _run(engine, "downgrade", revision)


def _run(engine: Engine, action: str, revision: str) -> None:
    cfg = alembic_config()
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        if sqlite:
            # Batch migrations copy a table and drop the original; with foreign keys enforced
            # that DROP cascades into every table referencing it (data loss). SQLite honours
            # this pragma only outside a transaction, hence the raw connection.
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys = OFF")  # type: ignore[union-attr]
        try:
            with conn.begin():
                if engine.dialect.name == "postgresql":
                    conn.execute(
                        text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK}
                    )
                cfg.attributes["connection"] = conn
                getattr(command, action)(cfg, revision)
                if sqlite:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise SchemaError(
                            f"{action} to {revision} would leave {len(broken)} broken foreign "
                            f"key reference(s) (first: {tuple(broken[0])}); rolled back"
                        )
        finally:
            if sqlite:
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys = ON")  # type: ignore[union-attr]


def ensure_schema(engine: Engine) -> None:
    """Make sure the database is at the head revision before the archive uses it.

    An empty database (no tables at all) is upgraded automatically, so a fresh SQLite
    file or a fresh PostgreSQL database just works. A database at an older revision is
    *not* upgraded behind the user's back: migrating a shared archive is a deliberate
    step (``arshif db upgrade``).
    """
    head = head_revision()
    current = current_revision(engine)
    if current == head:
        return
    if current is None:
        tables = inspect(engine).get_table_names()
        if tables:
            raise SchemaError(
                f"{_where(engine)} has tables ({', '.join(sorted(tables)[:5])}, ...) but no "
                "arshif schema version: is this an arshif archive?"
            )
        log.info("initialising empty archive at %s", _where(engine))
        upgrade(engine)
        return
    known = {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if current not in known:
        raise SchemaError(
            f"{_where(engine)} is at schema revision {current}, which this version of arshif "
            "does not know (written by a newer arshif?)"
        )
    raise SchemaError(
        f"{_where(engine)} is at schema revision {current}, arshif needs {head}: "
        "run `arshif db upgrade` (back up the archive first)"
    )


def _where(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)
