from __future__ import annotations

from pathlib import Path

import pytest

from archive.sources import Source, SourcesError, load_sources

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
