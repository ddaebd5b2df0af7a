"""Tests for crawler.discovery: sitemaps, feeds, robots.txt and their dates (TEST_CASES.md §E)."""

from __future__ import annotations

import gzip
import logging
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crawler.discovery import (
    MAX_BODY_BYTES,
    DiscoveryError,
    FeedEntry,
    Sitemap,
    SitemapEntry,
    looks_like_gzip,
    parse_feed,
    parse_rfc822_datetime,
    parse_sitemap,
    parse_w3c_datetime,
    robots_sitemaps,
)

SLUG = "%D8%B9%D9%86%D9%88%D8%A7%D9%86-%D8%A7%D9%84%D8%AE%D8%A8%D8%B1"  # عنوان-الخبر
SLUG_2 = "%D9%82%D8%B5%D9%81-%D8%B9%D9%84%D9%89-%D8%B1%D9%8A%D9%81-%D8%A5%D8%AF%D9%84%D8%A8"
SITE = "https://www.enabbaladi.net"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# -- E1: Google News sitemap -------------------------------------------------------------------

NEWS_SITEMAP = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
  <url>
    <loc>
      {SITE}/archives/{SLUG}/
    </loc>
    <news:news>
      <news:publication>
        <news:name>عنب بلدي</news:name>
        <news:language>ar</news:language>
      </news:publication>
      <news:publication_date>2019-03-21T10:15:00+02:00</news:publication_date>
      <news:title>قصف على   ريف
        إدلب الجنوبي</news:title>
    </news:news>
    <image:image><image:loc>{SITE}/wp-content/uploads/a.jpg</image:loc>
      <image:title>صورة</image:title></image:image>
    <lastmod>2019-03-23T08:00:00+02:00</lastmod>
  </url>
  <url>
    <loc>{SITE}/archives/{SLUG_2}/</loc>
    <lastmod>2019-03-22</lastmod>
  </url>
</urlset>
""".encode()


def test_news_sitemap_keeps_publication_date_title_language_and_lastmod() -> None:
    sitemap = parse_sitemap(NEWS_SITEMAP, f"{SITE}/news-sitemap.xml")
    assert sitemap == Sitemap(
        "urlset",
        (
            SitemapEntry(
                loc=f"{SITE}/archives/{SLUG}/",
                lastmod=utc(2019, 3, 23, 6, 0),
                news_publication_date=utc(2019, 3, 21, 8, 15),
                news_title="قصف على ريف إدلب الجنوبي",
                news_language="ar",
            ),
            SitemapEntry(loc=f"{SITE}/archives/{SLUG_2}/", lastmod=utc(2019, 3, 22)),
        ),
    )


def test_scrapy_sitemap_loses_news_metadata() -> None:
    """Regression: why we parse news sitemaps ourselves (NOTES.md §1.2).

    If this starts failing, Scrapy has learnt to keep ``news:*`` and our parser may be
    reconsidered.
    """
    from scrapy.utils.sitemap import Sitemap as ScrapySitemap

    first = next(iter(ScrapySitemap(NEWS_SITEMAP)))
    assert first["news"] == ""
    assert "publication_date" not in first
    assert "title" not in first
    assert "2019-03-21T10:15:00+02:00" not in repr(first)


def test_news_sitemap_with_undeclared_prefix_and_no_namespace() -> None:
    body = f"""<urlset><url><loc>{SITE}/archives/1</loc>
      <news:news><news:publication_date>2019-03-21T10:15:00Z</news:publication_date>
      <news:title>خبر</news:title></news:news></url></urlset>""".encode()
    (entry,) = parse_sitemap(body, f"{SITE}/news.xml").entries
    assert entry.news_publication_date == utc(2019, 3, 21, 10, 15)
    assert entry.news_title == "خبر"
    assert entry.news_language is None


# -- E2: sitemap index, gzip, plain sitemaps ---------------------------------------------------

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://www.almayadeen.net/sitemaps/2019-03.xml</loc>
    <lastmod>2019-03-31T23:59:59+03:00</lastmod></sitemap>
  <sitemap><loc>/sitemaps/2019-02.xml.gz</loc></sitemap>
  <sitemap><loc>https://www.almayadeen.net/sitemaps/all.xml</loc></sitemap>
  <sitemap><loc>   </loc></sitemap>
</sitemapindex>
"""


def test_sitemap_index_lists_children_and_drops_self_reference() -> None:
    sitemap = parse_sitemap(INDEX, "https://www.almayadeen.net/sitemaps/all.xml")
    assert sitemap.kind == "index"
    assert sitemap.entries == (
        SitemapEntry(
            "https://www.almayadeen.net/sitemaps/2019-03.xml",
            datetime(2019, 3, 31, 20, 59, 59, tzinfo=UTC),
        ),
        SitemapEntry("https://www.almayadeen.net/sitemaps/2019-02.xml.gz"),
    )


MONTHLY = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://www.almayadeen.net/news/politics/{SLUG}</loc></url>
  <url><loc>https://www.almayadeen.net/news/politics/{SLUG_2}</loc></url>
</urlset>""".encode()


@pytest.mark.parametrize(
    "url",
    [
        "https://www.almayadeen.net/sitemaps/2019-02.xml.gz",
        "https://www.almayadeen.net/sitemaps/2019-02.xml",  # gzip detected by bytes, not name
    ],
)
def test_gzipped_sitemap(url: str) -> None:
    body = gzip.compress(MONTHLY)
    assert looks_like_gzip(body)
    assert [e.loc for e in parse_sitemap(body, url).entries] == [
        f"https://www.almayadeen.net/news/politics/{SLUG}",
        f"https://www.almayadeen.net/news/politics/{SLUG_2}",
    ]


def test_gz_name_with_plain_body_and_double_gzip() -> None:
    url = "https://www.almayadeen.net/sitemaps/2019-02.xml.gz"
    assert not looks_like_gzip(MONTHLY)
    assert len(parse_sitemap(MONTHLY, url).entries) == 2
    assert len(parse_sitemap(gzip.compress(gzip.compress(MONTHLY)), url).entries) == 2


def test_gzip_bomb_is_capped() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * (MAX_BODY_BYTES + 1024) + b"</urlset>")
    assert len(bomb) < 100_000
    with pytest.raises(
        DiscoveryError, match=r"https://ex\.com/bomb\.xml\.gz.*larger than 52428800"
    ):
        parse_sitemap(bomb, "https://ex.com/bomb.xml.gz")
    with pytest.raises(DiscoveryError, match="larger than 1000 bytes"):
        parse_feed(gzip.compress(b" " * 2000), "https://ex.com/feed.gz", max_bytes=1000)


@pytest.mark.parametrize("body", [gzip.compress(MONTHLY)[:-12], b"\x1f\x8b\x08garbage"])
def test_corrupt_gzip(body: bytes) -> None:
    with pytest.raises(DiscoveryError, match=r"https://ex\.com/s\.xml\.gz: corrupt gzip"):
        parse_sitemap(body, "https://ex.com/s.xml.gz")


def test_no_namespace_bom_whitespace_relative_and_odd_locs() -> None:
    body = (
        b"\xef\xbb\xbf\n\n  "
        + f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset>
  <url><loc>/ar/news/{SLUG}</loc><lastmod>2019-03-21T10:15+03:00</lastmod></url>
  <url><loc>news/2</loc></url>
  <url><loc>//cdn.example.net/3</loc></url>
  <url><loc><![CDATA[https://sana.sy/?p=1937484&lang=ar]]></loc></url>
  <url><loc>https://sana.sy/?cat=29582&amp;paged=2</loc></url>
  <url><loc></loc></url>
  <url><lastmod>2019-03-21</lastmod></url>
  <url><loc>mailto:news@sana.sy</loc></url>
  <url><loc>javascript:alert(1)</loc></url>
  <url><loc>ftp://sana.sy/file</loc></url>
</urlset>""".encode()
    )
    sitemap = parse_sitemap(body, "https://sana.sy/ar/sitemap.xml")
    assert [e.loc for e in sitemap.entries] == [
        f"https://sana.sy/ar/news/{SLUG}",
        "https://sana.sy/ar/news/2",
        "https://cdn.example.net/3",
        "https://sana.sy/?p=1937484&lang=ar",
        "https://sana.sy/?cat=29582&paged=2",
    ]
    assert sitemap.entries[0].lastmod == utc(2019, 3, 21, 7, 15)


def test_malformed_sitemap_is_recovered_without_corrupting_urls() -> None:
    body = (
        b"<br />\n<b>Warning</b>: Undefined index in <b>/var/www/sitemap.php</b><br />\n"
        b'<?xml version="1.0"?><urlset><url><loc>https://sana.sy/?p=1&lang=ar</loc></url>'
        b"<url><loc>https://sana.sy/?p=2&amp;lang=en&nbsp;</loc></url>"
        b"<url><loc><![CDATA[https://sana.sy/?p=3&amp=1&lang=ar]]></loc></url></urlset>"
    )
    locs = [e.loc for e in parse_sitemap(body, "https://sana.sy/sitemap.xml").entries]
    assert locs == [
        "https://sana.sy/?p=1&lang=ar",
        "https://sana.sy/?p=2&lang=en",  # recover mode alone drops "&amp;" after an error
        "https://sana.sy/?p=3&amp=1&lang=ar",  # CDATA is left as it is
    ]


SOFT_404 = """<!DOCTYPE html>
<html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>الصفحة غير موجودة</title></head>
<body><h1>404</h1><p>عذراً، الصفحة المطلوبة غير موجودة<br></p></body></html>""".encode()


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (SOFT_404, "root element is <html>"),
        (b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"/>', "<html>"),
        (b"", "empty body"),
        (b"  \n\t", "empty body"),
        (b"Not Found", "is not a sitemap"),
        (b'{"error": "not found"}', "is not a sitemap"),
        ("خطأ".encode("cp1256"), "is not a sitemap"),
        (b"https://ex.com/a\nhttps://ex.com/b\n", "is not a sitemap"),  # text sitemaps: unsupported
        (b"<<<>>>", "is not a sitemap"),
        (b'<?xml version="1.0"?><response><error/></response>', "root element is <response>"),
    ],
)
def test_not_a_sitemap(body: bytes, detail: str) -> None:
    with pytest.raises(DiscoveryError) as info:
        parse_sitemap(body, "https://www.zamanalwsl.net/sitemap.xml")
    assert "https://www.zamanalwsl.net/sitemap.xml" in str(info.value)
    assert detail in str(info.value)


def test_xxe_does_not_read_files(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Neither a general nor a parameter entity may load a local file.

    The parameter-entity case is real: with lxml 6.1 / libxml2 2.14, ``XMLParser(...,
    collect_ids=False)`` makes ``%remote;`` read the file even with ``resolve_entities=False``
    and ``load_dtd=False``; our parser refuses every external load through a resolver.
    """
    caplog.set_level(logging.INFO, logger="crawler.discovery")
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")  # not valid DTD text: loading it as %remote; is an error
    body = f"""<?xml version="1.0"?>
<!DOCTYPE urlset [
  <!ENTITY xxe SYSTEM "{secret.as_uri()}">
  <!ENTITY passwd SYSTEM "file:///etc/passwd">
  <!ENTITY % remote SYSTEM "{secret.as_uri()}">
  %remote;
]>
<urlset xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>https://ex.com/a?x=&xxe;&amp;y=1</loc>
    <news:news><news:title>&xxe;&passwd; خبر</news:title></news:news></url>
</urlset>""".encode()
    sitemap = parse_sitemap(body, "https://ex.com/sitemap.xml")
    assert "TOPSECRET" not in repr(sitemap)
    assert "root:" not in repr(sitemap)
    assert sitemap.entries[0].loc == "https://ex.com/a?x=&y=1"
    assert sitemap.entries[0].news_title == "خبر"
    assert "secret.txt" not in caplog.text
    assert "malformed XML" not in caplog.text  # a loaded %remote; makes the subset invalid


def test_external_dtd_is_not_loaded(tmp_path: Path) -> None:
    dtd = tmp_path / "rss.dtd"
    dtd.write_text("this is not a DTD")
    body = f"""<?xml version="1.0"?><!DOCTYPE rss SYSTEM "{dtd.as_uri()}">
<rss version="0.91"><channel><item><title>t</title><link>https://ex.com/1</link></item>
</channel></rss>""".encode()
    assert parse_feed(body, "https://ex.com/rss") == (FeedEntry("https://ex.com/1", "t"),)


def test_billion_laughs_is_not_expanded() -> None:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    body = f'<?xml version="1.0"?><!DOCTYPE urlset [{entities}]><urlset><url><loc>https://ex.com/&lol9;</loc></url></urlset>'
    assert parse_sitemap(body.encode(), "https://ex.com/s.xml").entries[0].loc == "https://ex.com/"


# -- E3: robots.txt ----------------------------------------------------------------------------

ROBOTS = """\ufeff# robots.txt for enabbaladi.net
User-agent: *
Disallow: /wp-admin/
Allow: /wp-admin/admin-ajax.php

Sitemap: https://www.enabbaladi.net/wp-sitemap.xml
sitemap: /sitemap_index.xml
SITEMAP:/news-sitemap.xml   # Jetpack news sitemap
  SiteMap :  https://www.enabbaladi.net/wp-news-sitemap.xml\r
Sitemap: https://www.enabbaladi.net/wp-sitemap.xml
# Sitemap: https://www.enabbaladi.net/commented-out.xml
Sitemap:
Sitemap: mailto:webmaster@enabbaladi.net
Disallow: /sitemap-but-not-a-sitemap-line.xml
"""

ROBOTS_EXPECTED = (
    "https://www.enabbaladi.net/wp-sitemap.xml",
    "https://www.enabbaladi.net/sitemap_index.xml",
    "https://www.enabbaladi.net/news-sitemap.xml",
    "https://www.enabbaladi.net/wp-news-sitemap.xml",
)


@pytest.mark.parametrize("body", [ROBOTS, ROBOTS.encode(), ROBOTS.replace("\n", "\r\n").encode()])
def test_robots_sitemaps(body: bytes | str) -> None:
    assert robots_sitemaps(body, "https://www.enabbaladi.net/robots.txt") == ROBOTS_EXPECTED


def test_robots_sitemaps_edge_cases() -> None:
    assert robots_sitemaps(b"", "https://ex.com/robots.txt") == ()
    assert robots_sitemaps(b"User-agent: *\nDisallow:", "https://ex.com/robots.txt") == ()
    body = f"Site-map: /ar/{SLUG}.xml\nSitemap: https://ex.com/\xff.xml\n".encode("latin-1")
    assert robots_sitemaps(body, "https://ex.com/robots.txt") == (f"https://ex.com/ar/{SLUG}.xml",)


# -- E4: feeds ---------------------------------------------------------------------------------

WORDPRESS_RSS = f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:wfw="http://wellformedweb.org/CommentAPI/"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:atom="http://www.w3.org/2005/Atom"
  xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"
  xmlns:slash="http://purl.org/rss/1.0/modules/slash/">
<channel>
  <title>عنب بلدي</title>
  <atom:link href="{SITE}/feed/" rel="self" type="application/rss+xml" />
  <link>{SITE}</link>
  <lastBuildDate>Thu, 21 Mar 2019 10:00:00 +0000</lastBuildDate>
  <language>ar</language>
  <sy:updatePeriod>hourly</sy:updatePeriod>
  <item>
    <title>قصف على ريف إدلب الجنوبي &#8211; عنب بلدي</title>
    <link>{SITE}/archives/{SLUG}/</link>
    <comments>{SITE}/archives/{SLUG}/#respond</comments>
    <dc:creator><![CDATA[عنب بلدي]]></dc:creator>
    <pubDate>Thu, 21 Mar 2019 08:15:00 +0000</pubDate>
    <category><![CDATA[أخبار سوريا]]></category>
    <guid isPermaLink="false">{SITE}/?p=283741</guid>
    <description><![CDATA[<p>قصفت قوات النظام&#8230;</p>]]></description>
    <content:encoded><![CDATA[<p>قصفت قوات النظام ريف إدلب.</p>
<p>The post <a href="{SITE}/archives/{SLUG}/">قصف</a> appeared first on
<a href="{SITE}">عنب بلدي</a>.</p>]]></content:encoded>
    <wfw:commentRss>{SITE}/archives/{SLUG}/feed/</wfw:commentRss>
    <slash:comments>0</slash:comments>
  </item>
  <item>
    <title>خبر ثانٍ</title>
    <link>/archives/283742</link>
    <pubDate>21 Mar 2019 13:00:00 +0300</pubDate>
  </item>
  <item><title>بلا رابط</title><guid isPermaLink="false">283743</guid></item>
  <item><title>بلا رابط ولا معرف</title><description>نص</description></item>
  <item><title>رابط في المعرف</title><guid>https://sana.sy/?p=1937484</guid>
    <pubDate>Thu, 21 Mar 2019 10:15:00 GMT</pubDate></item>
</channel></rss>""".encode()


def test_wordpress_rss() -> None:
    assert parse_feed(WORDPRESS_RSS, f"{SITE}/feed/") == (
        FeedEntry(
            f"{SITE}/archives/{SLUG}/",
            "قصف على ريف إدلب الجنوبي – عنب بلدي",
            utc(2019, 3, 21, 8, 15),
            None,
        ),
        FeedEntry(f"{SITE}/archives/283742", "خبر ثانٍ", utc(2019, 3, 21, 10, 0), None),
        FeedEntry("https://sana.sy/?p=1937484", "رابط في المعرف", utc(2019, 3, 21, 10, 15)),
    )


def test_sana_feed_rss2_query_urls_and_gzip() -> None:
    body = b"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>
      <item><title>SANA</title><link>https://sana.sy/?p=1937484&amp;lang=ar</link>
      <pubDate>Thu, 21 Mar 2019 10:15:00 +03:00</pubDate></item></channel></rss>"""
    for payload in (body, gzip.compress(body)):
        (entry,) = parse_feed(payload, "https://sana.sy/?feed=rss2")
        assert entry.link == "https://sana.sy/?p=1937484&lang=ar"
        assert entry.published == utc(2019, 3, 21, 7, 15)


RSS1 = """<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://www.zamanalwsl.net/news/rss/94/">
    <title>زمان الوصل</title><link>https://www.zamanalwsl.net/</link>
    <items><rdf:Seq><rdf:li rdf:resource="https://www.zamanalwsl.net/news/article/39682"/>
    </rdf:Seq></items>
  </channel>
  <item rdf:about="https://www.zamanalwsl.net/news/article/39682">
    <title>خبر من زمان الوصل</title>
    <link>https://www.zamanalwsl.net/news/article/39682</link>
    <dc:date>2019-03-21T10:15:00+02:00</dc:date>
  </item>
  <item rdf:about="https://www.zamanalwsl.net/news/article/84871">
    <title>بلا عنصر رابط</title>
  </item>
</rdf:RDF>""".encode()


def test_rss1_rdf() -> None:
    assert parse_feed(RSS1, "https://www.zamanalwsl.net/news/rss/94/") == (
        FeedEntry(
            "https://www.zamanalwsl.net/news/article/39682",
            "خبر من زمان الوصل",
            utc(2019, 3, 21, 8, 15),
        ),
        FeedEntry("https://www.zamanalwsl.net/news/article/84871", "بلا عنصر رابط"),
    )


ATOM = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ar">
  <title>الجزيرة نت</title>
  <link rel="self" href="https://www.aljazeera.net/rss"/>
  <link href="https://www.aljazeera.net/"/>
  <updated>2019-03-21T12:00:00Z</updated>
  <entry>
    <title type="html">معارك في &lt;b&gt;ريف&lt;/b&gt; حماة</title>
    <link rel="self" href="https://www.aljazeera.net/api/entries/1"/>
    <link rel="replies" type="text/html" href="https://www.aljazeera.net/comments/1"/>
    <link rel="alternate" type="text/html" href="/news/2019/3/21/{SLUG}"/>
    <id>tag:aljazeera.net,2019:1</id>
    <published>2019-03-21T10:15:00+03:00</published>
    <updated>2019-03-21T11:00:00.5+03:00</updated>
  </entry>
  <entry>
    <title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">عنوان <b>مهم</b></div></title>
    <link href="https://www.aljazeera.net/news/2019/3/21/2"/>
    <updated>2019-03-21</updated>
  </entry>
  <entry xml:base="https://www.aljazeera.net/amp/">
    <title>AMP</title><link rel="alternate" href="news/3"/>
  </entry>
  <entry><title>self only</title><link rel="self" href="https://www.aljazeera.net/x"/></entry>
  <entry><title>no link</title></entry>
</feed>""".encode()


def test_atom() -> None:
    assert parse_feed(ATOM, "https://www.aljazeera.net/rss") == (
        FeedEntry(
            f"https://www.aljazeera.net/news/2019/3/21/{SLUG}",
            "معارك في <b>ريف</b> حماة",
            utc(2019, 3, 21, 7, 15),
            datetime(2019, 3, 21, 8, 0, 0, 500_000, tzinfo=UTC),
        ),
        FeedEntry(
            "https://www.aljazeera.net/news/2019/3/21/2", "عنوان مهم", None, utc(2019, 3, 21)
        ),
        FeedEntry("https://www.aljazeera.net/amp/news/3", "AMP"),
    )


def test_windows_1256_rss() -> None:
    title = "عنوان الخبر: قصف على ريف إدلب"
    body = f"""<?xml version="1.0" encoding="windows-1256"?>
<rss version="2.0"><channel><title>زمان الوصل</title>
<item><title>{title}</title><link>https://www.zamanalwsl.net/news/article/39682</link>
<pubDate>Thu, 21 Mar 2019 10:15:00 +0200</pubDate></item></channel></rss>""".encode("cp1256")
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    (entry,) = parse_feed(body, "https://www.zamanalwsl.net/news/rss/94/")
    assert entry.title == title
    assert entry.published == utc(2019, 3, 21, 8, 15)


def test_feed_with_html_entities_and_bare_ampersand_is_recovered() -> None:
    body = b"""<rss><channel><item><title>A&nbsp;&hellip; B &amp; C</title>
      <link>https://ex.com/?p=1&lang=ar</link></item></channel></rss>"""
    (entry,) = parse_feed(body, "https://ex.com/feed/")
    assert entry == FeedEntry("https://ex.com/?p=1&lang=ar", "A … B & C")


def test_feed_used_as_sitemap() -> None:
    sitemap = parse_sitemap(ATOM, "https://www.aljazeera.net/rss")
    assert sitemap.kind == "urlset"
    assert sitemap.entries[0] == SitemapEntry(
        f"https://www.aljazeera.net/news/2019/3/21/{SLUG}",
        lastmod=datetime(2019, 3, 21, 8, 0, 0, 500_000, tzinfo=UTC),
    )


@pytest.mark.parametrize("body", [SOFT_404, NEWS_SITEMAP, b"", b"garbage"])
def test_not_a_feed(body: bytes) -> None:
    with pytest.raises(DiscoveryError, match=r"https://www\.aljazeera\.net/rss"):
        parse_feed(body, "https://www.aljazeera.net/rss")


_XML_TOKENS = [
    *b"< > </ /> urlset url loc news:news rss item link feed entry href= ' & &amp; &nbsp;".split(),
    *[b"https://ex.com/", b"<![CDATA[", b"]]>", b"<?xml version='1.0'?>", b"<!DOCTYPE x ["],
    *[b"<!ENTITY a 'b'>", b"]>", b"\x1f\x8b\x08", b"\xef\xbb\xbf", b"\xff", b" "],
]


@given(st.one_of(st.binary(), st.lists(st.sampled_from(_XML_TOKENS), max_size=30).map(b"".join)))
def test_parsers_raise_only_discovery_error(body: bytes) -> None:
    for parse in (parse_sitemap, parse_feed):
        try:
            parse(body, "https://ex.com/x")
        except DiscoveryError as exc:
            message = str(exc)
        else:
            message = "https://ex.com/x (parsed)"
        assert "https://ex.com/x" in message
    robots_sitemaps(body, "https://ex.com/robots.txt")


def test_empty_feed() -> None:
    assert parse_feed(b"<rss><channel><title>t</title></channel></rss>", "https://e.x/f") == ()


# -- dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2019-03-21", utc(2019, 3, 21)),
        ("2019-03", utc(2019, 3, 1)),
        ("2019", utc(2019, 1, 1)),
        ("2019-03-21T10:15+02:00", utc(2019, 3, 21, 8, 15)),
        ("2019-03-21T10:15:00Z", utc(2019, 3, 21, 10, 15)),
        ("2019-03-21t10:15:00z", utc(2019, 3, 21, 10, 15)),
        ("  2019-03-21T10:15:00+0300\n", utc(2019, 3, 21, 7, 15)),
        ("2019-03-21T01:30:00+05:30", utc(2019, 3, 20, 20, 0)),
        ("2019-03-21T10:15:00-05:00", utc(2019, 3, 21, 15, 15)),
        ("2019-03-21T10:15:00.123456789+03:00", datetime(2019, 3, 21, 7, 15, 0, 123456, UTC)),
        ("2019-03-21T10:15:00.1Z", datetime(2019, 3, 21, 10, 15, 0, 100000, UTC)),
        ("2019-03-21 10:15:00", utc(2019, 3, 21, 10, 15)),  # naive: assumed UTC
        ("2019-03-21 10:15:00 UTC", utc(2019, 3, 21, 10, 15)),
        ("2019-03-21 10:15:00 +03:00", utc(2019, 3, 21, 7, 15)),
        ("Thu, 21 Mar 2019 10:15:00 +0300", utc(2019, 3, 21, 7, 15)),  # RFC 822 in <lastmod>
        ("2019-13-01", None),
        ("2019-02-30", None),
        ("2019-00", None),
        ("0000-00-00 00:00:00", None),
        ("9999-12-31T23:59:59-01:00", None),  # would overflow in UTC
        ("٢٠١٩-٠٣-٢١", None),
        ("الخميس 21 آذار 2019", None),
        ("yesterday", None),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_parse_w3c_datetime(value: str | None, expected: datetime | None) -> None:
    assert parse_w3c_datetime(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Thu, 21 Mar 2019 10:15:00 +0300", utc(2019, 3, 21, 7, 15)),
        ("Thu, 21 Mar 2019 10:15:00 GMT", utc(2019, 3, 21, 10, 15)),
        ("Thu, 21 Mar 2019 10:15:00 gmt", utc(2019, 3, 21, 10, 15)),
        ("21 Mar 2019 10:15:00 +0300", utc(2019, 3, 21, 7, 15)),  # no weekday
        ("Thu,21 Mar 2019 10:15 +0300", utc(2019, 3, 21, 7, 15)),  # no seconds
        ("Thursday, 21 March 2019 10:15:00 GMT", utc(2019, 3, 21, 10, 15)),
        ("Thu, 21 Mar 19 10:15:00 +0300", utc(2019, 3, 21, 7, 15)),
        ("Thu, 21 Mar 2019 10:15:00 +03:00", utc(2019, 3, 21, 7, 15)),
        ("Thu, 21 Mar 2019 10:15:00 GMT+3", utc(2019, 3, 21, 7, 15)),
        ("Thu, 21 Mar 2019 10:15:00 UTC+03:00", utc(2019, 3, 21, 7, 15)),
        ("Thu, 21 Mar 2019 10:15:00 +0300 (EEST)", utc(2019, 3, 21, 7, 15)),
        ("Thu, 21 Mar 2019 10:15:00 EET", utc(2019, 3, 21, 8, 15)),
        ("Thu, 21 Mar 2019 10:15:00 EEST", utc(2019, 3, 21, 7, 15)),
        ("Thu, 21 Mar 2019 10:15:00 EDT", utc(2019, 3, 21, 14, 15)),
        ("Thu, 21 Mar 2019 10:15:00 -0000", utc(2019, 3, 21, 10, 15)),  # "unknown zone": UTC
        ("Thu, 21 Mar 2019 10:15:00", utc(2019, 3, 21, 10, 15)),  # no zone: UTC
        ("Thu, 21 Mar 2019", utc(2019, 3, 21)),
        ("21-Mar-2019", utc(2019, 3, 21)),
        ("2019-03-21T10:15:00+02:00", utc(2019, 3, 21, 8, 15)),  # ISO in <pubDate>
        ("Thu, 32 Mar 2019 10:15:00 GMT", None),
        ("الخميس، 21 مارس 2019", None),
        ("yesterday", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_rfc822_datetime(value: str | None, expected: datetime | None) -> None:
    assert parse_rfc822_datetime(value) == expected


def _is_aware_utc_or_none(value: datetime | None) -> bool:
    return value is None or (value.tzinfo is UTC and value.utcoffset() == timedelta(0))


@given(st.text())
def test_date_parsers_never_raise_and_return_utc(text: str) -> None:
    assert _is_aware_utc_or_none(parse_w3c_datetime(text))
    assert _is_aware_utc_or_none(parse_rfc822_datetime(text))


_offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
_moments = st.datetimes(  # Hypothesis wants naive bounds; `timezones` makes the values aware
    min_value=datetime(1970, 1, 2),  # noqa: DTZ001
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=_offsets,
)


@given(_moments)
def test_date_parsers_round_trip(moment: datetime) -> None:
    assert parse_w3c_datetime(moment.isoformat()) == moment
    assert parse_rfc822_datetime(format_datetime(moment.replace(microsecond=0))) == moment.replace(
        microsecond=0
    )
