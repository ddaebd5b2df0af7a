"""Small HTML building blocks shared by the two fixture themes (:mod:`.jannah`, :mod:`.cms`).

Every function returns an HTML fragment as ``str``; all text goes through :func:`esc`.
The page "chrome" that :meth:`FixtureWeb.cosmetic_change` rotates (view counter, ticker,
most-read box, related links) is one value, :class:`Chrome`, so the article body never
depends on it.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from crawler.demo.content import Article, Block


@dataclass(frozen=True)
class Link:
    href: str
    text: str


@dataclass(frozen=True)
class Chrome:
    """Everything on an article page that is not article content."""

    views: int
    ticker: tuple[str, ...]
    most_read: tuple[Link, ...]
    related: tuple[Link, ...]


@dataclass(frozen=True)
class ArticlePage:
    """What a theme needs to render one article page."""

    article: Article
    url: str  # canonical absolute URL
    base: str  # site base URL, ending in "/"
    chrome: Chrome
    links: Mapping[int, str]  # article id -> href, for inline "read also" links
    nav: tuple[Link, ...]
    tags: tuple[Link, ...]


@dataclass(frozen=True)
class ListingItem:
    link: Link
    article: Article


@dataclass(frozen=True)
class ListingPage:
    title: str
    base: str
    items: tuple[ListingItem, ...]
    page: int  # 0 on the home page
    page_href: Mapping[int, str]  # page number -> href
    ticker: tuple[str, ...]
    nav: tuple[Link, ...]
    extra_links: tuple[Link, ...] = ()  # odd links on the home page (robots, 404, redirect)


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def a(link: Link, cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    return f'<a href="{esc(link.href)}"{attr}>{esc(link.text)}</a>'


def ul(links: Iterable[Link], cls: str, li_cls: str = "") -> str:
    li = f'<li class="{li_cls}">' if li_cls else "<li>"
    return f'<ul class="{cls}">' + "".join(f"{li}{a(x)}</li>" for x in links) + "</ul>"


def json_ld(data: Mapping[str, Any], script_id: str = "") -> str:
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    id_attr = f' id="{script_id}"' if script_id else ""
    return f'<script type="application/ld+json"{id_attr}>{payload}</script>'


def meta_property(prop: str, content: str) -> str:
    return f'<meta property="{prop}" content="{esc(content)}">'


def head_meta(page: ArticlePage, site_name: str) -> str:
    """Canonical, Open Graph and article:* tags common to both themes."""
    art = page.article
    return "\n".join(
        [
            f'<link rel="canonical" href="{esc(page.url)}">',
            f'<meta name="description" content="{esc(art.summary())}">',
            meta_property("og:locale", "ar_AR"),
            meta_property("og:type", "article"),
            meta_property("og:title", art.title),
            meta_property("og:description", art.summary()),
            meta_property("og:url", page.url),
            meta_property("og:site_name", site_name),
            meta_property("article:section", art.section),
            *(meta_property("article:tag", t) for t in art.tags),
            meta_property("article:published_time", art.published.isoformat()),
            meta_property("article:modified_time", art.modified.isoformat()),
        ]
    )


def news_article_ld(page: ArticlePage, site_name: str, types: str | list[str]) -> dict[str, Any]:
    art = page.article
    return {
        "@context": "https://schema.org",
        "@type": types,
        "mainEntityOfPage": {"@type": "WebPage", "@id": page.url},
        "url": page.url,
        "headline": art.title,
        "name": art.title,
        "description": art.summary(),
        "articleSection": art.section,
        "keywords": ",".join(art.tags),
        "inLanguage": "ar",
        "dateCreated": art.published.isoformat(),
        "datePublished": art.published.isoformat(),
        "dateModified": art.modified.isoformat(),
        "author": {"@type": "Person", "name": art.author},
        "publisher": {
            "@type": "Organization",
            "name": site_name,
            "url": page.base,
            "logo": {"@type": "ImageObject", "url": page.base + "logo.png"},
        },
    }


def body_blocks(blocks: Sequence[Block], links: Mapping[int, str]) -> str:
    """The article body: <p>, <h3>, and inline "إقرأ أيضاً : <a>…</a>" paragraphs."""
    out: list[str] = []
    for block in blocks:
        if block.kind == "h3":
            out.append(f"<h3>{esc(block.text)}</h3>")
        elif block.kind == "read_also" and block.target is not None:
            label, _, title = block.text.partition(" : ")
            link = Link(links[block.target], title)
            out.append(f"<p><strong>{esc(label)} : {a(link)}</strong></p>")
        else:
            out.append(f"<p>{esc(block.text)}</p>")
    return "\n".join(out)


def share_buttons(url: str, title: str, cls: str) -> str:
    u, t = quote(url, safe=""), quote(title, safe="")
    return (
        f'<div class="{cls}"><span class="share-title">شارك</span>'
        f'<a class="facebook-share-btn" href="https://www.facebook.com/sharer.php?u={u}">فيسبوك</a>'
        f'<a class="twitter-share-btn" href="https://twitter.com/intent/tweet?text={t}&amp;url={u}">'
        "تويتر</a>"
        f'<a class="whatsapp-share-btn" href="https://api.whatsapp.com/send?text={t}%20{u}">واتساب</a>'
        "</div>"
    )


def comment_form(action: str, heading_cls: str) -> str:
    return (
        '<div id="comments" class="comments-area"><div id="respond" class="comment-respond">'
        f'<h3 id="reply-title" class="{heading_cls}">اترك تعليقاً</h3>'
        f'<form action="{esc(action)}" method="post" id="commentform" class="comment-form">'
        '<p class="comment-notes"><span id="email-notes">لن يتم نشر عنوان بريدك الإلكتروني.</span>'
        ' الحقول الإلزامية مشار إليها بـ <span class="required">*</span></p>'
        '<p class="comment-form-comment"><label for="comment">التعليق</label>'
        '<textarea id="comment" name="comment" cols="45" rows="8" required></textarea></p>'
        '<p class="comment-form-author"><label for="author">الاسم *</label>'
        '<input id="author" name="author" type="text" required></p>'
        '<p class="comment-form-email"><label for="email">البريد الإلكتروني *</label>'
        '<input id="email" name="email" type="email" required></p>'
        '<p class="form-submit"><input name="submit" type="submit" id="submit" class="submit"'
        ' value="إرسال التعليق"></p></form></div></div>'
    )


def iso(dt: datetime) -> str:
    return dt.isoformat()


def simple_page(title: str, message: str, site_name: str, home: str) -> str:
    """A minimal page (404, private draft): same language/direction, no article."""
    return (
        '<!DOCTYPE html>\n<html dir="rtl" lang="ar"><head><meta charset="utf-8">'
        f"<title>{esc(title)} – {esc(site_name)}</title>"
        '<meta name="robots" content="noindex"></head>'
        f'<body><h1>{esc(title)}</h1><p>{esc(message)}</p><p><a href="{esc(home)}">'
        "العودة إلى الصفحة الرئيسية</a></p></body></html>\n"
    )
