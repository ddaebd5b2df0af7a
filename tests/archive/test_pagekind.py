"""Page kinds from markup and URL (archive.pagekind)."""

from __future__ import annotations

import pytest
from lxml.html import document_fromstring

from archive.pagekind import classify_markup, not_text_reason


def kind(html: str, url: str = "http://x.sy/news/1", **flags: bool) -> tuple[str, str | None]:
    tree = document_fromstring(html)
    flags = {"article_markup": False, "listing_markup": False, **flags}
    result = classify_markup(tree, html.encode(), "utf-8", url, **flags)
    return result.kind, result.reason


ARTICLE = "<html><body><article><h1>عنوان</h1><p>نص</p></article></body></html>"


@pytest.mark.parametrize(
    "url",
    [
        "http://x.sy/tag/%D8%AD%D9%84%D8%A8",
        "http://x.sy/archives/category/news/page/2",
        "http://x.sy/category/syria?page=3",
        "http://x.sy/?s=%D8%AD%D9%84%D8%A8",
        "http://x.sy/search?q=x",
        "http://x.sy/author/admin/",
        "http://x.sy/date/2018/10/page/24/",
    ],
)
def test_listing_urls(url: str) -> None:
    assert kind(ARTICLE, url)[0] == "listing"
    assert kind(ARTICLE, url, article_markup=True) == ("article", None)  # markup wins


def test_article_urls_are_articles() -> None:
    for url in ("http://x.sy/archives/98712", "http://x.sy/?p=1937484", "http://x.sy/news/4508/x"):
        assert kind(ARTICLE, url) == ("article", None)


def test_teasers_collections_and_many_articles() -> None:
    teasers = "".join(f'<p>خبر {i} … <a href="/n/{i}">اقرأ المزيد</a></p>' for i in range(3))
    assert kind(f"<html><body>{teasers}</body></html>") == (
        "listing",
        "3 'read more' teaser links",
    )
    english = "".join(f'<a href="/{i}"><span>Read more &raquo;</span></a>' for i in range(4))
    assert kind(f"<html><body>{english}</body></html>")[0] == "listing"
    two = "".join(f'<p>خبر {i} <a href="/n/{i}">اقرأ المزيد</a></p>' for i in range(2))
    assert kind(f"<html><body>{two}</body></html>")[0] == "article"
    # "اقرأ المزيد" inside a sentence is not a teaser link
    prose = "<p>" + "قال إن عليكم أن تقرأ المزيد عن الموضوع <a href='/x'>هنا</a> " * 5 + "</p>"
    assert kind(f"<html><body>{prose}</body></html>")[0] == "article"
    assert kind(ARTICLE, listing_markup=True) == ("listing", "JSON-LD collection/list page")
    cards = "".join(f"<article><h2><a href='/{i}'>عنوان {i}</a></h2></article>" for i in range(3))
    assert kind(f"<html><body>{cards}</body></html>") == ("listing", "3 <article> elements")


def test_not_text() -> None:
    assert not_text_reason("application/pdf") == (
        "Content-Type application/pdf is not a text document"
    )
    assert not_text_reason("image/jpeg; charset=binary") is not None
    for ok in (None, "", "text/html; charset=windows-1256", "application/xhtml+xml", "text/plain"):
        assert not_text_reason(ok) is None
