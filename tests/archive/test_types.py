from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from archive.models import Source
from archive.store import Archive


def test_utc_datetimes_round_trip_and_naive_ones_are_refused(db_url: str) -> None:
    with Archive.open(db_url) as archive, archive.sessions() as session:
        damascus = timezone(timedelta(hours=3))
        session.add(
            Source(
                name="a", url="http://a/", created_at=datetime(2019, 3, 21, 13, 0, tzinfo=damascus)
            )
        )
        session.commit()
        got = session.scalars(select(Source.created_at)).one()
        assert got == datetime(2019, 3, 21, 10, 0, tzinfo=UTC)
        assert got.tzinfo == UTC
        session.add(Source(name="b", url="http://b/", created_at=datetime(2019, 3, 21, 13, 0)))  # noqa: DTZ001
        with pytest.raises(Exception, match="naive datetime"):
            session.commit()
