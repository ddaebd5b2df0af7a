"""Durations in the sources file."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.durations import format_duration, humanize, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", timedelta(minutes=30)),
        ("6h", timedelta(hours=6)),
        ("1d", timedelta(days=1)),
        ("1h30m", timedelta(minutes=90)),
        (" 2D 12H ", timedelta(days=2, hours=12)),
        ("90m", timedelta(minutes=90)),
        ("2w", timedelta(weeks=2)),
        ("1.5h", timedelta(minutes=90)),
        ("0d", timedelta(0)),
    ],
)
def test_parse(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text", ["", "30", "30s", "m", "1.5", "30m1h", "1h1h", "1d2w", "-5m", "soon"]
)
def test_parse_refuses_with_an_actionable_message(text: str) -> None:
    with pytest.raises(ValueError, match=r'expected a duration such as "30m"'):
        parse_duration(text)


@given(st.integers(min_value=1, max_value=10_000_000))
def test_format_round_trips_whole_minutes(minutes: int) -> None:
    value = timedelta(minutes=minutes)
    assert parse_duration(format_duration(value)) == value


def test_humanize() -> None:
    assert [humanize(timedelta(seconds=s)) for s in (5, 600, 7200, -7200, 3 * 86400)] == [
        "5s",
        "10m",
        "2h",
        "2h",
        "3d",
    ]
