"""URLs for display (archive.urls.display_url): A11, legacy cp1256 query strings."""

from __future__ import annotations

import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.ingest import record_failure
from archive.sources import Source
from archive.store import Archive
from archive.urls import canonical_url, display_url, url_hash

LEGACY = "http://old.example.com/news.php?id=5&title=%DA%E4%E6%C7%E4"


def test_a11_cp1256_query_is_shown_in_arabic_and_the_key_is_untouched() -> None:
    assert display_url(LEGACY) == "http://old.example.com/news.php?id=5&title=عنوان"
    key = canonical_url(LEGACY)
    assert "title=%DA%E4%E6%C7%E4" in key  # byte-identical escapes in the key
    assert canonical_url(key) == key
    assert url_hash(key) != url_hash(canonical_url(display_url(LEGACY)))


def test_utf8_escapes_are_decoded_as_utf8() -> None:
    url = "https://x.example/%D8%B9%D9%86%D9%88%D8%A7%D9%86-%D8%A7%D9%84%D8%AE%D8%A8%D8%B1/"
    assert display_url(url) == "https://x.example/عنوان-الخبر/"
    assert display_url(canonical_url("https://x.example/عنوان-الخبر/")) == (
        "https://x.example/عنوان-الخبر/"
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://x.example/a%2Fb?q=a%26b&r=%20",  # ASCII escapes keep their meaning
        "https://x.example/?q=%FE%DA",  # cp1256 RLM + letter: would hide text direction
        "https://x.example/plain?id=7",
    ],
)
def test_escapes_that_would_change_meaning_or_hide_text_stay(url: str) -> None:
    assert display_url(url) == url


@given(st.text(max_size=40))
def test_display_of_a_canonical_url_never_fails(path: str) -> None:
    shown = display_url(canonical_url(f"https://x.example/{path}"))
    assert shown.startswith("https://x.example/")


def test_failure_log_shows_the_decoded_url(
    sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with Archive.open(sqlite_url) as arc:
        arc.sync_sources([Source(name="old", url="http://old.example.com/")])
        with caplog.at_level(logging.WARNING, logger="archive.ingest"):
            record_failure(arc.sessions, 1, LEGACY, "http", "timeout")
    assert "title=عنوان: http: timeout" in caplog.text
