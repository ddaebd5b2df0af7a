"""WordPress + TieLabs Jannah-like theme of the government-leaning outlet "الشام اليوم".

Markup follows real Jannah pages (see /work/shared/arabic/sample_jannah.html): ``#tie-body``,
``article#the-post``, body in ``div.entry-content.entry.clearfix``, JSON-LD in
``script#tie-schema-json``, breaking-news ticker, related posts, comment form, go-to-top.
Absolute URLs everywhere, as WordPress writes them.
"""

from __future__ import annotations

from crawler.demo.content import levantine_date
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

SITE_NAME = "الشام اليوم"
BODY_XPATH = "//div[contains(concat(' ', normalize-space(@class), ' '), ' entry-content ')]"
_CONTENT_OPEN = (
    '\n<div id="content" class="site-content container"><div class="tie-row main-content-row">'
    '<div class="main-content tie-col-md-8 tie-col-xs-12" role="main">\n'
)


def _head(title: str, base: str, extra: str) -> str:
    return (
        '<!DOCTYPE html>\n<html dir="rtl" lang="ar" class="">\n<head>\n<meta charset="UTF-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)} – {SITE_NAME}</title>\n"
        '<meta name="robots" content="index, follow, max-image-preview:large">\n'
        f'<link rel="alternate" type="application/rss+xml" title="{SITE_NAME} « الخلاصة"'
        f' href="{base}feed/">\n'
        f"{extra}\n"
        f"<link rel='stylesheet' id='tie-css-base-css' href='{base}wp-content/themes/jannah/"
        "assets/css/base.min.css?ver=4.0.4' type='text/css' media='all'>\n"
        "</head>\n"
    )


def _header(base: str, nav: tuple[Link, ...], ticker: tuple[str, ...]) -> str:
    items = "".join(f'<li class="news-item"><span>{esc(t)}</span></li>' for t in ticker)
    return (
        '<div class="background-overlay"><div id="tie-container" class="site tie-container">'
        '<div id="tie-wrapper"><header id="theme-header" class="theme-header header-layout-3">'
        '<nav id="top-nav" class="has-breaking-menu top-nav header-nav" aria-label="الشريط العلوي">'
        '<div class="topbar-wrapper"><div class="breaking controls-is-active">'
        '<span class="breaking-title"><span class="tie-icon-bolt" aria-hidden="true"></span>'
        '<span class="breaking-title-text">عاجل</span></span>'
        f'<ul id="breaking-news-in-header" class="breaking-news" data-type="reveal">{items}</ul>'
        "</div></div></nav>"
        '<div class="container header-container"><div id="logo" class="text-logo">'
        f'<a title="{SITE_NAME}" href="{base}"><div class="logo-text">{SITE_NAME}</div></a>'
        "</div></div>"
        '<div class="main-nav-wrapper"><nav id="main-nav" class="main-nav header-nav"'
        ' aria-label="القائمة الرئيسية">' + ul(nav, "menu", "menu-item") + "</nav></div></header>"
    )


def _sidebar(most_read: tuple[Link, ...]) -> str:
    return (
        '<aside class="sidebar tie-col-md-4 tie-col-xs-12 normal-side is-sticky"'
        ' aria-label="القائمة الجانبية الرئيسية"><div class="theiaStickySidebar">'
        '<div id="posts-list-widget-2" class="container-wrapper widget posts-list">'
        '<div class="widget-title the-global-title"><div class="the-subtitle">الأكثر قراءة</div>'
        "</div>"
        + ul(most_read, "posts-list-items", "widget-single-post-item")
        + "</div></div></aside>"
    )


def _footer() -> str:
    return (
        '<footer id="footer" class="site-footer dark-skin dark-widgetized-area">'
        '<div id="site-info" class="site-info"><div class="container"><div class="tie-row">'
        '<div class="copyright-text copyright-text-first">جميع الحقوق محفوظة © 2019'
        f" {SITE_NAME}</div>"
        '<ul class="social-icons"><li><a href="#" class="social-link facebook-social-icon">'
        '<span class="screen-reader-text">فيسبوك</span></a></li>'
        '<li><a href="#" class="social-link twitter-social-icon">'
        '<span class="screen-reader-text">تويتر</span></a></li></ul>'
        "</div></div></div></footer>"
        '<a id="go-to-top" class="go-to-top-button" href="#go-to-tie-body">'
        '<span class="tie-icon-angle-up"></span>'
        '<span class="screen-reader-text">زر الذهاب إلى الأعلى</span></a>'
        "</div></div></div>"
    )


def article_page(page: ArticlePage) -> str:
    art, base, chrome = page.article, page.base, page.chrome
    extra = "\n".join(
        [
            head_meta(page, SITE_NAME),
            f'<link rel="shortlink" href="{base}?p={art.id}">',
            json_ld(news_article_ld(page, SITE_NAME, "NewsArticle"), "tie-schema-json"),
        ]
    )
    updated = ""
    if art.modified > art.published:
        updated = (
            '<span class="meta-item last-updated">آخر تحديث: '
            f"{esc(levantine_date(art.modified))}</span>"
        )
    tags = "".join(a(link) for link in page.tags)
    related = "".join(
        '<div class="related-item"><h3 class="post-title">' + a(link) + "</h3></div>"
        for link in chrome.related
    )
    return (
        _head(art.title, base, extra)
        + f'<body id="tie-body" class="post-template-default single single-post postid-{art.id}'
        ' single-format-standard wrapper-has-shadow">\n'
        + _header(base, page.nav, chrome.ticker)
        + _CONTENT_OPEN
        + '<article id="the-post" class="container-wrapper post-content tie-standard">'
        '<header class="entry-header-outer">'
        f'<nav id="breadcrumb"><a href="{base}">الرئيسية</a><em class="delimiter">/</em>'
        f'<a href="{base}archives/category/news">أخبار</a><em class="delimiter">/</em>'
        f'<span class="current">{esc(art.title)}</span></nav>'
        '<div class="entry-header"><span class="post-cat-wrap"><a class="post-cat"'
        f' href="{base}archives/category/news">{esc(art.section)}</a></span>'
        f'<h1 class="post-title entry-title">{esc(art.title)}</h1>'
        '<div class="single-post-meta post-meta clearfix">'
        '<span class="author-meta single-author no-avatars"><span class="meta-item meta-author'
        f'-wrapper"><span class="meta-author">{esc(art.author)}</span></span></span>'
        f'<span class="date meta-item tie-icon">{esc(levantine_date(art.published))}</span>'
        f"{updated}"
        '<div class="tie-alignright"><span class="meta-views meta-item">'
        f"عدد المشاهدات: {chrome.views}</span></div></div></div></header>\n"
        '<div class="entry-content entry clearfix">\n'
        + body_blocks(art.blocks, page.links)
        + '\n<div class="post-bottom-meta post-bottom-tags post-tags-modern">'
        f'<div class="post-bottom-meta-title">الوسوم</div><span class="tagcloud">{tags}</span>'
        "</div></div>\n"
        + share_buttons(page.url, art.title, "share-buttons share-buttons-bottom")
        + "</article>\n"
        '<div class="post-components"><div id="related-posts" class="container-wrapper">'
        '<div class="mag-box-title the-global-title"><h3>مقالات ذات صلة</h3></div>'
        f'<div class="related-posts-list">{related}</div></div>\n'
        + comment_form(f"{base}wp-comments-post.php", "comment-reply-title the-global-title")
        + "</div></div>\n"
        + _sidebar(chrome.most_read)
        + "</div></div>\n"
        + _footer()
        + "\n</body></html>\n"
    )


def listing_page(page: ListingPage, most_read: tuple[Link, ...]) -> str:
    """Home page (page.page == 0) or a category archive page with pagination."""
    base = page.base
    items = "".join(
        '<li class="post-item tie-standard"><div class="post-details">'
        '<div class="post-meta clearfix"><span class="date meta-item tie-icon">'
        f"{esc(levantine_date(item.article.published))}</span></div>"
        f'<h2 class="post-title">{a(item.link)}</h2>'
        f'<p class="post-excerpt">{esc(item.article.summary())}…</p>'
        f'<a class="more-link button" href="{esc(item.link.href)}">أكمل القراءة »</a>'
        "</div></li>"
        for item in page.items
    )
    pages = "".join(
        f'<li class="{"current" if n == page.page else ""}"><a href="{esc(page.page_href[n])}">'
        f"{n}</a></li>"
        for n in sorted(page.page_href)
    )
    nxt = page.page_href.get(page.page + 1)
    next_link = f'<link rel="next" href="{esc(nxt)}">' if nxt else ""
    extra = ""
    if page.extra_links:
        extra = (
            '<div id="tie-block-extra" class="mag-box"><div class="mag-box-title">'
            "<h3>روابط</h3></div>" + ul(page.extra_links, "extra-links") + "</div>"
        )
    return (
        _head(page.title, base, next_link)
        + '<body id="tie-body" class="archive category wrapper-has-shadow">\n'
        + _header(base, page.nav, page.ticker)
        + _CONTENT_OPEN
        + f'<header class="entry-header-outer container-wrapper"><h1 class="page-title">'
        f"{esc(page.title)}</h1></header>"
        f'<div class="mag-box"><ul id="posts-container" class="posts-items">{items}</ul></div>'
        f'<div class="pages-nav"><ul class="pages-numbers">{pages}</ul></div>'
        f"{extra}</div>\n"
        + _sidebar(most_read)
        + "</div></div>\n"
        + _footer()
        + "\n</body></html>\n"
    )
