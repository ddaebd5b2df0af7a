"""robots.txt, sitemaps (index, URL set, Google News) and feeds (RSS 2.0, Atom) as text."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from email.utils import format_datetime

from crawler.demo.content import Article
from crawler.demo.templates import esc

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
ATOM_NS = "http://www.w3.org/2005/Atom"
_XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n'

Entry = tuple[str, Article]  # (absolute URL as the feed/sitemap writes it, article)


def robots(disallow: Sequence[str], allow: Sequence[str] = (), sitemaps: Sequence[str] = ()) -> str:
    lines = ["User-agent: *"]
    lines += [f"Disallow: {path}" for path in disallow]
    lines += [f"Allow: {path}" for path in allow]
    if sitemaps:
        lines.append("")
        lines += [f"Sitemap: {url}" for url in sitemaps]
    return "\n".join(lines) + "\n"


def sitemap_index(children: Sequence[tuple[str, datetime]]) -> str:
    body = "".join(
        f"\t<sitemap>\n\t\t<loc>{esc(url)}</loc>\n\t\t<lastmod>{lastmod.isoformat()}</lastmod>\n"
        "\t</sitemap>\n"
        for url, lastmod in children
    )
    return f'{_XML_DECL}<sitemapindex xmlns="{SITEMAP_NS}">\n{body}</sitemapindex>\n'


def urlset(entries: Sequence[Entry]) -> str:
    body = "".join(
        f"\t<url>\n\t\t<loc>{esc(url)}</loc>\n\t\t<lastmod>{art.modified.isoformat()}</lastmod>\n"
        "\t</url>\n"
        for url, art in entries
    )
    return f'{_XML_DECL}<urlset xmlns="{SITEMAP_NS}">\n{body}</urlset>\n'


def news_sitemap(entries: Sequence[Entry], publication: str) -> str:
    body = "".join(
        f"<url><loc>{esc(url)}</loc><news:news><news:publication>"
        f"<news:name>{esc(publication)}</news:name><news:language>ar</news:language>"
        f"</news:publication><news:publication_date>{art.published.isoformat()}"
        f"</news:publication_date><news:title>{esc(art.title)}</news:title></news:news>"
        f"<lastmod>{art.modified.isoformat()}</lastmod></url>\n"
        for url, art in entries
    )
    return f'{_XML_DECL}<urlset xmlns="{SITEMAP_NS}" xmlns:news="{NEWS_NS}">\n{body}</urlset>\n'


def rss(
    title: str, base: str, description: str, entries: Sequence[Entry], bodies: Sequence[str]
) -> str:
    """WordPress-style RSS 2.0 feed; ``bodies`` are the content:encoded HTML per entry."""
    last = max(art.modified for _, art in entries)
    items = []
    for (url, art), body in zip(entries, bodies, strict=True):
        footer = (
            f'<p>ظهر المقال <a href="{esc(url)}">{esc(art.title)}</a> أولاً على '
            f'<a href="{esc(base)}">{esc(title)}</a>.</p>'
        )
        content = (body + footer).replace("]]>", "]]]]><![CDATA[>")
        categories = "".join(f"<category><![CDATA[{t}]]></category>" for t in art.tags)
        items.append(
            f"<item>\n<title>{esc(art.title)}</title>\n<link>{esc(url)}</link>\n"
            f"<dc:creator><![CDATA[{art.author}]]></dc:creator>\n"
            f"<pubDate>{format_datetime(art.published)}</pubDate>\n"
            f"<category><![CDATA[{art.section}]]></category>{categories}\n"
            f'<guid isPermaLink="false">{esc(base)}?p={art.id}</guid>\n'
            f"<description><![CDATA[{art.summary()} [&#8230;]]]></description>\n"
            f"<content:encoded><![CDATA[{content}]]></content:encoded>\n</item>\n"
        )
    return (
        f'{_XML_DECL}<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom"'
        ' xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">\n<channel>\n'
        f"<title>{esc(title)}</title>\n"
        f'<atom:link href="{esc(base)}feed/" rel="self" type="application/rss+xml" />\n'
        f"<link>{esc(base)}</link>\n<description>{esc(description)}</description>\n"
        f"<lastBuildDate>{format_datetime(last)}</lastBuildDate>\n<language>ar</language>\n"
        "<sy:updatePeriod>hourly</sy:updatePeriod>\n<sy:updateFrequency>1</sy:updateFrequency>\n"
        "<generator>https://wordpress.org/?v=5.1.1</generator>\n"
        + "".join(items)
        + "</channel>\n</rss>\n"
    )


def atom(title: str, base: str, feed_url: str, entries: Sequence[Entry]) -> str:
    last = max(art.modified for _, art in entries)
    items = "".join(
        f"<entry>\n<title>{esc(art.title)}</title>\n"
        f'<link rel="alternate" type="text/html" href="{esc(url)}"/>\n'
        f"<id>tag:sawt-alhurriya.invalid,2019:news-{art.id}</id>\n"
        f"<published>{art.published.isoformat()}</published>\n"
        f"<updated>{art.modified.isoformat()}</updated>\n"
        f"<author><name>{esc(art.author)}</name></author>\n"
        f'<category term="{esc(art.section)}"/>\n'
        f'<summary type="text">{esc(art.summary())} …</summary>\n</entry>\n'
        for url, art in entries
    )
    return (
        f'{_XML_DECL}<feed xmlns="{ATOM_NS}" xml:lang="ar">\n<title>{esc(title)}</title>\n'
        f"<subtitle>موقع إخباري مستقل</subtitle>\n"
        f'<link rel="self" type="application/atom+xml" href="{esc(feed_url)}"/>\n'
        f'<link rel="alternate" type="text/html" href="{esc(base)}"/>\n'
        f"<id>{esc(base)}</id>\n<updated>{last.isoformat()}</updated>\n"
        f"<generator>HurriyaCMS</generator>\n{items}</feed>\n"
    )
