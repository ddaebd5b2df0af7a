"""The fixture archive (``fixture_archive.py``), built once per database for the session."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.archive import fixture_archive


@dataclass(frozen=True)
class FixtureArchive:
    url: str
    dialect: str
    facts: fixture_archive.Facts


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def fixture_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FixtureArchive]:
    """A read-only fixture archive on SQLite and on PostgreSQL. Tests must not change it."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('fixture')}/archive.db"
        yield FixtureArchive(url, "sqlite", fixture_archive.build(url))
        return
    admin_url: str = request.getfixturevalue("pg_admin_url")
    name = f"arshif_fixture_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        yield FixtureArchive(url, "postgresql", fixture_archive.build(url))
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
