"""Small, realistic article pages for archive tests (bytes, as a crawler would hand them)."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from pathlib import Path

from archive.prepare import FetchedPage

SEEDS = Path(__file__).parent / "data" / "seeds"


def seed(name: str) -> list[str]:
    """Paragraphs of a seed article (``000`` or ``004``), without its known boilerplate."""
    path = next(SEEDS.glob(f"{name}_*.txt"))
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    return [ln for ln in lines if ln not in ("اترك تعليقاً", "زر الذهاب إلى الأعلى")]


def article_html(
    title: str,
    paragraphs: list[str],
    *,
    published: str | None = "2019-03-22T10:00:00+02:00",
    canonical: str | None = None,
    views: int = 1,
    encoding: str = "utf-8",
) -> bytes:
    meta = [
        f'<meta property="og:type" content="article"><meta property="og:title" content="{html.escape(title)}">'
    ]
    if published:
        meta.append(f'<meta property="article:published_time" content="{published}">')
    if canonical:
        meta.append(f'<link rel="canonical" href="{canonical}">')
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    page = f"""<!DOCTYPE html><html dir="rtl" lang="ar"><head>
<meta charset="{encoding}"><title>{html.escape(title)} – موقع تجريبي</title>{"".join(meta)}</head>
<body><nav><a href="/">الرئيسية</a> <a href="/cat/news">أخبار</a> <a href="/cat/reports">تقارير</a></nav>
<div class="sidebar">عدد المشاهدات: {views}</div>
<article><h1>{html.escape(title)}</h1><div class="entry-content">{body}</div></article>
<div class="share">شارك فيسبوك تويتر واتساب</div>
<div id="respond"><h3>اترك تعليقاً</h3><p>لن يتم نشر عنوان بريدك الإلكتروني.</p></div>
<footer>جميع الحقوق محفوظة © 2019</footer></body></html>"""
    return page.encode(encoding)


def page(
    source: str,
    url: str,
    body: bytes,
    *,
    fetched_at: datetime | None = None,
    content_type: str = "text/html; charset=utf-8",
    is_article: bool | None = True,
) -> FetchedPage:
    return FetchedPage(
        source=source,
        url=url,
        final_url=url,
        status=200,
        headers={"content-type": content_type},
        body=body,
        fetched_at=fetched_at or datetime.now(UTC),
        is_article=is_article,
    )
