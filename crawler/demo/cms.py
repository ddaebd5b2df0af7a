"""Custom-CMS theme of the opposition outlet "صوت الحرية".

Deliberately unlike WordPress: root-relative links, ``<article class="news-item">`` with the
body in ``div.article-body[itemprop=articleBody]``, JSON-LD without an id whose ``@type`` is a
list, Egyptian month names in visible dates ("24 مايو 2019"), teasers ending "… اقرأ المزيد".
An article whose ``encoding`` is not UTF-8 declares it with an http-equiv meta tag.
"""

from __future__ import annotations

from crawler.demo.content import egyptian_date
from crawler.demo.templates import (
    ArticlePage,
    Link,
    ListingPage,
    a,
    body_blocks,
    comment_form,
    esc,
    head_meta,
    json_ld,
    news_article_ld,
    share_buttons,
    ul,
)

SITE_NAME = "صوت الحرية"
BODY_XPATH = "//div[@itemprop='articleBody']"
_CHARSET_NAMES = {"utf-8": "utf-8", "windows-1256": "windows-1256"}


def _head(title: str, charset: str, extra: str) -> str:
    if charset == "utf-8":
        charset_meta = '<meta charset="utf-8">'
    else:
        charset_meta = (
            '<meta http-equiv="Content-Type" content="text/html; '
            f'charset={_CHARSET_NAMES[charset]}">'
        )
    return (
        f'<!DOCTYPE html>\n<html dir="rtl" lang="ar">\n<head>\n{charset_meta}\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)} | {SITE_NAME}</title>\n"
        '<link rel="alternate" type="application/atom+xml" title="صوت الحرية" href="/rss.xml">\n'
        '<link rel="stylesheet" href="/static/css/main.css?v=2019.3">\n'
        f"{extra}\n</head>\n"
    )


def _header(nav: tuple[Link, ...], ticker: tuple[str, ...]) -> str:
    items = "".join(f"<li>{esc(t)}</li>" for t in ticker)
    return (
        '<body class="page-news" id="top">\n<header class="site-header">'
        f'<div class="logo"><a href="/">{SITE_NAME}</a><span class="tagline">موقع إخباري مستقل'
        "</span></div>"
        '<nav class="main-nav">' + ul(nav, "nav-list") + "</nav></header>\n"
        '<div class="ticker" role="marquee"><strong class="ticker-label">عاجل:</strong>'
        f'<ul class="ticker-items">{items}</ul></div>\n'
    )


def _sidebar(most_read: tuple[Link, ...]) -> str:
    items = "".join(f"<li>{a(link)}</li>" for link in most_read)
    return (
        '<aside class="sidebar"><section class="most-read"><h3>الأكثر قراءة</h3>'
        f'<ol class="most-read-list">{items}</ol></section>'
        '<section class="newsletter"><h3>النشرة البريدية</h3><form action="/subscribe"'
        ' method="post"><input type="email" name="email" placeholder="بريدك الإلكتروني">'
        '<button type="submit">اشترك</button></form></section></aside>\n'
    )


def _footer() -> str:
    return (
        '<footer class="site-footer"><ul class="footer-links"><li><a href="/about">من نحن</a></li>'
        '<li><a href="/contact">اتصل بنا</a></li><li><a href="/rss.xml">RSS</a></li></ul>'
        f'<p class="copyright">جميع الحقوق محفوظة © 2019 {SITE_NAME}</p>'
        '<a href="#top" class="back-to-top" title="زر الذهاب إلى الأعلى">'
        '<span class="sr-only">زر الذهاب إلى الأعلى</span></a></footer>\n</body></html>\n'
    )


def article_page(page: ArticlePage) -> str:
    art, chrome = page.article, page.chrome
    extra = "\n".join(
        [
            head_meta(page, SITE_NAME),
            json_ld(news_article_ld(page, SITE_NAME, ["Article", "NewsArticle"])),
        ]
    )
    tags = " ".join(a(link) for link in page.tags)
    related = "".join(f"<li>{a(link)}</li>" for link in chrome.related)
    return (
        _head(art.title, art.encoding, extra)
        + _header(page.nav, chrome.ticker)
        + '<main class="layout"><div class="content-col">\n'
        '<article class="news-item" itemscope itemtype="https://schema.org/NewsArticle">'
        f'<div class="breadcrumbs"><a href="/">الرئيسية</a> › <a href="/category/syria">'
        f"{esc(art.section)}</a></div>"
        f'<h1 class="news-title" itemprop="headline">{esc(art.title)}</h1>'
        '<div class="news-meta"><span class="byline" itemprop="author">'
        f"{esc(art.author)}</span> | "
        f'<time itemprop="datePublished" datetime="{art.published.isoformat()}">'
        f"{esc(egyptian_date(art.published))}</time></div>\n"
        '<div class="article-body" itemprop="articleBody">\n'
        + body_blocks(art.blocks, page.links)
        + f'\n</div>\n<div class="news-tags">الوسوم: {tags}</div>\n'
        + share_buttons(page.url, art.title, "share-bar")
        + f'<div class="news-stats"><span class="views">عدد المشاهدات: {chrome.views}</span></div>'
        "</article>\n"
        f'<section class="related"><h3>مقالات ذات صلة</h3><ul>{related}</ul></section>\n'
        + comment_form(f"/news/{art.id}/comment", "section-title")
        + "</div>\n"
        + _sidebar(chrome.most_read)
        + "</main>\n"
        + _footer()
    )


def listing_page(page: ListingPage, most_read: tuple[Link, ...]) -> str:
    """Home page (page.page == 0) or ``/category/syria?page=N``."""
    items = "".join(
        '<div class="teaser"><h2>' + a(item.link) + "</h2>"
        f'<span class="teaser-date">{esc(egyptian_date(item.article.published))}</span>'
        f"<p>{esc(item.article.summary(22))} "
        f'<a class="more" href="{esc(item.link.href)}">… اقرأ المزيد</a></p></div>'
        for item in page.items
    )
    pager = []
    if page.page - 1 in page.page_href:
        pager.append(f'<a rel="prev" href="{esc(page.page_href[page.page - 1])}">« السابق</a>')
    pager += [
        f'<span class="current">{n}</span>'
        if n == page.page
        else f'<a href="{esc(page.page_href[n])}">{n}</a>'
        for n in sorted(page.page_href)
    ]
    if page.page + 1 in page.page_href:
        pager.append(f'<a rel="next" href="{esc(page.page_href[page.page + 1])}">التالي »</a>')
    extra = ""
    if page.extra_links:
        links = ul(page.extra_links, "")
        extra = f'<section class="more-links"><h3>روابط</h3>{links}</section>'
    return (
        _head(page.title, "utf-8", "")
        + _header(page.nav, page.ticker)
        + '<main class="layout"><div class="content-col">'
        f'<h1 class="section-title">{esc(page.title)}</h1>'
        f'<div class="teasers">{items}</div>'
        f'<nav class="pager">{" ".join(pager)}</nav>{extra}</div>\n'
        + _sidebar(most_read)
        + "</main>\n"
        + _footer()
    )
