from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.urls import canonical_url, same_site, url_hash

BASE = "https://www.example.sy/2019/05/24/"
SLUG_UPPER = "%D8%B9%D9%86%D9%88%D8%A7%D9%86-%D8%A7%D9%84%D8%AE%D8%A8%D8%B1/"


def test_arabic_slug_spellings_share_one_key() -> None:  # TEST_CASES E6
    raw = canonical_url(BASE + "عنوان-الخبر/")
    assert canonical_url(BASE + SLUG_UPPER) == raw
    assert canonical_url(BASE + SLUG_UPPER.lower()) == raw


def test_tracking_parameters_are_dropped() -> None:  # E7
    clean = canonical_url(BASE + SLUG_UPPER)
    assert canonical_url(BASE + SLUG_UPPER + "?utm_source=telegram&fbclid=abc") == clean
    assert canonical_url(BASE + "?p=12&utm_medium=x") == canonical_url(BASE + "?p=12")


def test_host_case_default_port_fragment_and_query_order() -> None:
    assert canonical_url("HTTPS://Example.SY:443/a?b=2&a=1#top") == "https://example.sy/a?a=1&b=2"
    assert canonical_url("http://127.0.0.1:8080/x") == "http://127.0.0.1:8080/x"
    assert canonical_url("http://example.sy") == "http://example.sy/"


def test_legacy_cp1256_query_stays_byte_identical() -> None:  # A11
    assert canonical_url("http://x.sy/show.php?title=%DA%E4%E6%C7%E4") == (
        "http://x.sy/show.php?title=%DA%E4%E6%C7%E4"
    )


def test_url_hash_is_sha256_hex() -> None:
    assert len(url_hash("http://x/")) == 64
    assert url_hash("http://x/") != url_hash("http://x/a")


def test_same_site_ignores_www() -> None:
    assert same_site("https://www.sana.sy/?p=1", "https://sana.sy/x")
    assert not same_site("https://sana.sy/", "https://sanasyria.org/")


params = st.lists(
    st.tuples(st.sampled_from(["p", "id", "page", "cat"]), st.integers(0, 999)),
    min_size=1,
    max_size=4,
    unique_by=lambda kv: kv[0],
)
tracking = st.lists(
    st.tuples(
        st.sampled_from(["utm_source", "utm_campaign", "fbclid", "gclid"]),
        st.text("abc123", min_size=1),
    ),
    max_size=3,
)


@given(params, tracking, st.randoms())
def test_key_ignores_tracking_and_parameter_order(
    kv: list[tuple[str, int]], track: list[tuple[str, str]], rnd: object
) -> None:
    import random

    assert isinstance(rnd, random.Random)
    plain = "&".join(f"{k}={v}" for k, v in kv)
    mixed = [f"{k}={v}" for k, v in kv] + [f"{k}={v}" for k, v in track]
    rnd.shuffle(mixed)
    assert canonical_url(f"https://x.sy/a?{'&'.join(mixed)}") == canonical_url(
        f"https://x.sy/a?{plain}"
    )
    once = canonical_url(f"https://x.sy/a?{plain}")
    assert canonical_url(once) == once


@pytest.mark.parametrize("url", ["http://x.sy/a b", "http://x.sy/%7euser"])
def test_canonical_is_idempotent(url: str) -> None:
    assert canonical_url(canonical_url(url)) == canonical_url(url)
