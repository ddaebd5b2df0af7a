from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from archive.errors import SourcesError
from archive.sources import Source, load_sources

GOOD = """
[defaults]
language = "ar"
delay = 1.5

[sources.alwatan]
url = "https://alwatan.sy/"
sitemaps = ["https://alwatan.sy/sitemap_index.xml"]
feeds = ["https://alwatan.sy/feed/"]
article_pattern = '/archives/\\d+'

[sources.enab]
url = "https://www.enabbaladi.net/"
language = "en"
boilerplate = ["^تابعونا"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_loads_sources_in_order_with_defaults(tmp_path: Path) -> None:
    sources = load_sources(write(tmp_path, GOOD))
    assert list(sources) == ["alwatan", "enab"]
    alwatan = sources["alwatan"]
    assert alwatan.sitemaps == ("https://alwatan.sy/sitemap_index.xml",)
    assert alwatan.language == "ar"
    assert alwatan.delay == 1.5
    assert sources["enab"].language == "en"  # a source's own key beats [defaults]
    assert alwatan.is_article_url("https://alwatan.sy/archives/123?x=1") is True
    assert alwatan.is_article_url("https://alwatan.sy/category/news") is False
    assert sources["enab"].is_article_url("https://www.enabbaladi.net/x") is None
    assert sources["enab"].boilerplate[0].pattern == "^تابعونا"


def test_hosts_include_www_variant(tmp_path: Path) -> None:
    sources = load_sources(write(tmp_path, GOOD))
    assert sources["enab"].owns("https://enabbaladi.net/archives/1")
    assert sources["alwatan"].owns("https://www.alwatan.sy/archives/1")
    assert not sources["alwatan"].owns("https://alwatan.sy.evil.com/archives/1")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[sources.a]\nurl = "ftp://x/"',
            "[sources.a] url: 'ftp://x/' is not an absolute http(s) URL",
        ),
        ("[sources.a]\nlanguage = 'ar'", "[sources.a] url: missing"),
        (
            '[sources.a]\nurl = "http://x/"\narticle_patern = "x"',
            "[sources.a] article_patern: unknown key",
        ),
        (
            '[sources.a]\nurl = "http://x/"\narticle_pattern = "(["',
            "[sources.a] article_pattern: invalid regular expression",
        ),
        (
            '[sources.a]\nurl = "http://x/"\nsitemaps = ["http://x/s.xml", 3]',
            "[sources.a] sitemaps[1]: expected a URL string",
        ),
        (
            '[sources.a]\nurl = "http://x/"\nmax_depth = -1',
            "[sources.a] max_depth: expected an integer from 0 to 20",
        ),
        ('[sources.a]\nurl = "http://x/"\ndelay = "2"', "[sources.a] delay: expected seconds"),
        ('[sources."bad name"]\nurl = "http://x/"', "[sources.bad name]: invalid source name"),
        (
            "[defaults]\nurl = 'http://x/'\n[sources.a]\nurl='http://x/'",
            "[defaults] url: unknown key",
        ),
        ("[source.a]\nurl = 'http://x/'", "unknown top-level key 'source'"),
        (
            '[sources.a]\nurl = "http://x/"\nrecheck_max_age = 90',
            '[sources.a] recheck_max_age: expected a duration such as "30m"',
        ),
        (
            '[sources.a]\nurl = "http://x/"\nrecheck_min_interval = "2w"',
            "[sources.a]: recheck_max_interval (7 days, 0:00:00) is shorter than",
        ),
        (
            '[sources.a]\nurl = "http://x/"\nconditional_requests = "no"',
            "[sources.a] conditional_requests: expected true or false",
        ),
        (
            '[sources.a]\nurl = "http://x/"\ntimezone = "Asia/Damaskus"',
            "[sources.a] timezone: unknown time zone 'Asia/Damaskus'",
        ),
        (
            '[sources.a]\nurl = "http://x/"\nprune = ["div..x"]',
            "[sources.a] prune[0]: invalid CSS selector 'div..x'",
        ),
        (
            '[sources.a]\nurl = "http://x/"\nprune = ["//div[@class="]',
            "[sources.a] prune[0]: invalid XPath",
        ),
        ("", "no sources"),
        ("[sources.a\nurl=1", "invalid TOML"),
    ],
)
def test_bad_files_name_file_source_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SourcesError) as info:
        load_sources(path)
    assert str(info.value).startswith(str(path))
    assert message in str(info.value)


def test_missing_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(SourcesError, match="sources file not found"):
        load_sources(tmp_path / "nope.toml")
    path = tmp_path / "latin.toml"
    path.write_bytes("[sources.a]\nurl = 'http://x/'\n# مرحبا".encode("cp1256"))
    with pytest.raises(SourcesError, match="not UTF-8"):
        load_sources(path)


def test_every_has_a_default_a_defaults_value_and_a_per_source_value(tmp_path: Path) -> None:
    from datetime import timedelta

    from archive.sources import DEFAULT_EVERY

    text = '[sources.a]\nurl = "http://a.example/"\n[sources.b]\nurl = "http://b.example/"\nevery = "30m"\n'
    sources = load_sources(write(tmp_path, text))
    assert sources["a"].every == DEFAULT_EVERY == timedelta(hours=1)
    assert sources["b"].every == timedelta(minutes=30)
    sources = load_sources(write(tmp_path, '[defaults]\nevery = "1d"\n' + text))
    assert (sources["a"].every, sources["b"].every) == (timedelta(days=1), timedelta(minutes=30))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('"30"', r'\[sources.a\] every: expected a duration such as "30m"'),
        ("30", r'\[sources.a\] every: expected a duration string such as "30m", got 30'),
        ('"0m"', r"\[sources.a\] every: '0m' is out of range \(1m to 365d\)"),
        ('"400d"', r"out of range"),
    ],
)
def test_bad_every_is_one_clear_error(tmp_path: Path, value: str, message: str) -> None:
    path = write(tmp_path, f'[sources.a]\nurl = "http://a.example/"\nevery = {value}\n')
    with pytest.raises(SourcesError, match=message):
        load_sources(path)


def test_recheck_keys_and_defaults(tmp_path: Path) -> None:
    from archive.recheck import RecheckPolicy, policy_for

    path = write(
        tmp_path,
        '[defaults]\nrecheck_max_age = "30d"\n'
        '[sources.a]\nurl = "http://x/"\nrecheck_min_interval = "30m"\nrecheck_factor = 0.5\n'
        "conditional_requests = false\n"
        '[sources.b]\nurl = "http://y/"\nrecheck_max_age = "0d"\n',
    )
    sources = load_sources(path)
    assert policy_for(sources["a"]) == RecheckPolicy(
        min_interval=timedelta(minutes=30), factor=0.5, max_age=timedelta(days=30)
    )
    assert not sources["a"].conditional_requests
    assert sources["b"].conditional_requests
    assert policy_for(sources["b"]).next_check(datetime.now(UTC), datetime.now(UTC)) is None


def test_timezone_and_prune(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[defaults]\ntimezone = "Asia/Damascus"\n'
        '[sources.a]\nurl = "http://x/"\nprune = [".most-read", "//aside"]\n'
        '[sources.b]\nurl = "http://y/"\ntimezone = "Asia/Beirut"\n',
    )
    sources = load_sources(path)
    assert sources["a"].timezone == "Asia/Damascus"
    assert sources["b"].zone.key == "Asia/Beirut"  # type: ignore[attr-defined]
    assert sources["a"].prune[1] == "//aside"
    assert "most-read" in sources["a"].prune[0]  # CSS compiled to XPath
    assert Source(name="c", url="http://z/").zone.utcoffset(None) is not None
