"""Route tables of the fixture outlets: (decoded path, query) -> HTTP response.

:func:`build_routes` is pure: the same articles, base URL and cosmetic round always give the
same bytes. :class:`crawler.demo.web.FixtureWeb` calls it again after an edit or a cosmetic
change and swaps the table in.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import quote, unquote

from crawler.demo import cms, feeds, jannah
from crawler.demo.content import Article
from crawler.demo.templates import (
    ArticlePage,
    Chrome,
    Link,
    ListingItem,
    ListingPage,
    body_blocks,
    esc,
    simple_page,
)

RouteKey = tuple[str, str]  # (percent-decoded path, query string)


@dataclass(frozen=True)
class Response:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


Routes = dict[RouteKey, Response]


@dataclass(frozen=True)
class OutletSpec:
    name: str
    title: str
    description: str
    article_pattern: str  # regex searched in an article URL's path + query
    body_xpath: str  # the element holding the article body on article pages
    sitemaps: tuple[str, ...]  # paths
    feeds: tuple[str, ...]  # paths


ALSHAM = OutletSpec(
    "alsham",
    jannah.SITE_NAME,
    "صحيفة يومية سياسية (خيالية، موالية للحكومة)",
    r"/archives/\d+",
    jannah.BODY_XPATH,
    ("sitemap_index.xml", "news-sitemap.xml"),
    ("feed/",),
)
HURRIYA = OutletSpec(
    "hurriya",
    cms.SITE_NAME,
    "موقع إخباري معارض (خيالي)",
    r"/news/\d+/",
    cms.BODY_XPATH,
    (),
    ("rss.xml",),
)
SPECS = (ALSHAM, HURRIYA)

PER_PAGE = 3
DELETED_ALSHAM = "/archives/98701"  # linked, but 404
DELETED_HURRIYA = "/news/4499/" + quote("خبر-محذوف-من-الأرشيف")  # linked, but 404
PRIVATE_PATH = "/private/draft-report"  # linked from the home page, disallowed by robots.txt
TRACKING_QUERY = "utm_source=telegram&fbclid=abc"
TRACKED_ID = 4530  # the opposition home page links this article with TRACKING_QUERY
SHORTLINK_ID = 98760  # the home page links /?p=98760, a 301 to /archives/98760
LEGACY_ID = 4517  # reachable at /article.php?id=4517, a 301 to its /news/... URL

_TICKERS = {
    "alsham": (
        "وزارة الكهرباء: تحسن في واقع التغذية الكهربائية خلال الأيام القادمة",
        "الأرصاد الجوية: طقس حار نسبياً وارتفاع في درجات الحرارة",
        "افتتاح مركز جديد لخدمة المواطن في مدينة حمص",
        "بدء التسجيل على المفاضلة الجامعية الأسبوع المقبل",
        "«السورية للتجارة» تطرح مواد غذائية بأسعار مخفضة",
        "إعادة فتح طريق حمص – طرطوس بعد انتهاء أعمال الصيانة",
    ),
    "hurriya": (
        "الدفاع المدني: غارات جوية تستهدف بلدات في ريف إدلب الجنوبي",
        "ارتفاع سعر صرف الدولار أمام الليرة السورية في أسواق إدلب",
        "منظمات إنسانية تحذر من كارثة في مخيمات الشمال",
        "الأمم المتحدة تدعو إلى حماية المدنيين في شمال غرب سوريا",
        "انقطاع الطرق بين ريفي حماة وإدلب بسبب القصف",
        "ناشطون يوثقون حملة اعتقالات جديدة في ريف دمشق",
    ),
}
_NAV = {
    "alsham": ("الرئيسية", "أخبار", "سياسة", "اقتصاد", "محليات", "رياضة", "ثقافة وفنون"),
    "hurriya": ("الرئيسية", "سوريا", "تقارير", "حقوق وحريات", "رأي", "إنفوغراف"),
}


def article_path(article: Article, *, lower: bool = False) -> str:
    """Percent-encoded path of an article, as the outlet links it (upper-case escapes by
    default, lower-case escapes when ``lower``)."""
    if article.outlet == "alsham":
        return f"/archives/{article.id}"
    path = f"/news/{article.id}/{quote(article.slug)}"
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), path) if lower else path


def etag(body: bytes) -> str:
    return '"' + hashlib.sha1(body).hexdigest()[:20] + '"'


def _resp(
    body: bytes,
    content_type: str,
    *,
    status: int = 200,
    last_modified: datetime | None = None,
    extra: tuple[tuple[str, str], ...] = (),
) -> Response:
    headers = [("Content-Type", content_type), ("ETag", etag(body))]
    if last_modified is not None:
        last = format_datetime(last_modified.astimezone(UTC), usegmt=True)
        headers.append(("Last-Modified", last))
    return Response(status, (*headers, *extra), body)


def html_response(text: str, *, status: int = 200) -> Response:
    return _resp(text.encode("utf-8"), "text/html; charset=UTF-8", status=status)


def redirect(location: str) -> Response:
    body = f'<html><body><a href="{esc(location)}">{esc(location)}</a></body></html>'.encode()
    return Response(
        301, (("Location", location), ("Content-Type", "text/html; charset=UTF-8")), body
    )


def _rotate(seq: Sequence[Link], n: int) -> tuple[Link, ...]:
    n %= max(len(seq), 1)
    return (*seq[n:], *seq[:n])


@dataclass(frozen=True)
class _Ctx:
    """Everything one outlet's pages are built from."""

    spec: OutletSpec
    base: str
    arts: tuple[Article, ...]  # by id
    rnd: int  # cosmetic round
    links: dict[int, Link]  # how article pages link other articles (related, most read, body)
    listed: dict[int, Link]  # how listing pages link articles

    def url(self, path: str) -> str:
        """Link target as this outlet writes it: absolute (WordPress) or root-relative."""
        return self.base + path[1:] if self.spec.name == "alsham" else path

    @property
    def newest(self) -> list[Article]:
        return sorted(self.arts, key=lambda a: a.published, reverse=True)

    @property
    def nav(self) -> tuple[Link, ...]:
        sections = "/archives/category/news" if self.spec.name == "alsham" else "/category/syria"
        names = _NAV[self.spec.name]
        return tuple(Link(self.url("/" if i == 0 else sections), t) for i, t in enumerate(names))

    @property
    def ticker(self) -> tuple[str, ...]:
        items = _TICKERS[self.spec.name]
        k = self.rnd % len(items)
        return (*items[k:], *items[:k])[:4]

    @property
    def most_read(self) -> tuple[Link, ...]:
        ranked = sorted(self.arts, key=lambda o: (o.id * 37) % 101)
        return _rotate([self.links[o.id] for o in ranked], 2 * self.rnd)[:5]

    def tag_path(self, tag: str) -> str:
        slug = quote(tag.replace(" ", "-"))
        if self.spec.name == "alsham":  # WordPress writes lower-case escapes
            return "/archives/tag/" + re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), slug)
        return "/tag/" + slug

    def chrome(self, art: Article) -> Chrome:
        """Non-content parts of one article page; each changes from one round to the next."""
        others = [self.links[o.id] for o in self.arts if o.id != art.id]
        return Chrome(
            views=1200 + (art.id * 37) % 4000 + 263 * self.rnd,
            ticker=self.ticker,
            most_read=self.most_read,
            related=_rotate(others, self.arts.index(art) + self.rnd)[:3],
        )

    def listing(
        self,
        title: str,
        arts: Sequence[Article],
        *,
        page: int = 0,
        page_href: dict[int, str] | None = None,
        extra: tuple[Link, ...] = (),
        links: dict[int, Link] | None = None,
    ) -> Response:
        links = links or self.listed
        listing = ListingPage(
            title=title,
            base=self.base,
            items=tuple(ListingItem(links[a.id], a) for a in arts),
            page=page,
            page_href=page_href or {},
            ticker=self.ticker,
            nav=self.nav,
            extra_links=extra,
        )
        theme = jannah if self.spec.name == "alsham" else cms
        return html_response(theme.listing_page(listing, self.most_read))


def build_routes(spec: OutletSpec, base: str, arts: Sequence[Article], rnd: int) -> Routes:
    """All pages of one outlet. ``base`` ends in "/"; ``rnd`` is the cosmetic round."""
    arts = tuple(sorted(arts, key=lambda a: a.id))
    if spec.name == "alsham":
        links = {a.id: Link(base + article_path(a)[1:], a.title) for a in arts}
        ctx = _Ctx(spec, base, arts, rnd, links, links)
    else:  # related/most-read/body links lower-case escapes; listings and canonical upper
        lower = {a.id: Link(article_path(a, lower=True), a.title) for a in arts}
        upper = {a.id: Link(article_path(a), a.title) for a in arts}
        ctx = _Ctx(spec, base, arts, rnd, lower, upper)
    routes = _common(ctx)
    routes.update(_alsham(ctx) if spec.name == "alsham" else _hurriya(ctx))
    return routes


def _common(ctx: _Ctx) -> Routes:
    """Article pages, tag pages and the listing pages with pagination."""
    routes: Routes = {}
    hrefs = {i: link.href for i, link in ctx.links.items()}
    render = jannah.article_page if ctx.spec.name == "alsham" else cms.article_page
    for art in ctx.arts:
        path = article_path(art)
        tags = tuple(Link(ctx.url(ctx.tag_path(t)), t) for t in art.tags)
        page = ArticlePage(
            art, ctx.base + path[1:], ctx.base, ctx.chrome(art), hrefs, ctx.nav, tags
        )
        ctype = "text/html; charset=UTF-8" if art.encoding == "utf-8" else "text/html"
        body = render(page).encode(art.encoding)
        extra: tuple[tuple[str, str], ...] = ()
        if ctx.spec.name == "alsham":  # as WordPress sends it
            extra = (("Link", f"<{ctx.base}?p={art.id}>; rel=shortlink"),)
        routes[_key(path)] = _resp(body, ctype, last_modified=art.modified, extra=extra)
    for tag in sorted({t for art in ctx.arts for t in art.tags}):
        tagged = [a for a in ctx.newest if tag in a.tags]
        routes[_key(ctx.tag_path(tag))] = ctx.listing(f"الوسم: {tag}", tagged)
    newest = ctx.newest
    chunks = [newest[i : i + PER_PAGE] for i in range(0, len(newest), PER_PAGE)]
    if ctx.spec.name == "alsham":
        cat = "/archives/category/news"
        paths = {n: cat if n == 1 else f"{cat}/page/{n}" for n in range(1, len(chunks) + 1)}
        keys = {n: [_key(p)] for n, p in paths.items()}
        title = "أخبار"
    else:
        pages = range(1, len(chunks) + 1)
        paths = {n: "/category/syria" + (f"?page={n}" if n > 1 else "") for n in pages}
        keys = {n: [_key("/category/syria", f"page={n}")] for n in paths}
        keys[1].append(_key("/category/syria"))
        title = "سوريا"
    page_href = {n: ctx.url(p) for n, p in paths.items()}
    for n, chunk in enumerate(chunks, 1):
        for key in keys[n]:
            routes[key] = ctx.listing(title, chunk, page=n, page_href=page_href)
    return routes


def _alsham(ctx: _Ctx) -> Routes:
    base, spec, newest = ctx.base, ctx.spec, ctx.newest
    routes: Routes = {}
    redirected = next(a for a in ctx.arts if a.id == SHORTLINK_ID)
    extra = (
        Link(ctx.url("/archives/category/news"), "كل الأخبار"),
        Link(ctx.url(PRIVATE_PATH), "تقرير داخلي (مسودة)"),
        Link(ctx.url(DELETED_ALSHAM), "خبر من الأرشيف"),
        Link(f"{base}?p={redirected.id}", redirected.title),
    )
    routes[_key("/")] = ctx.listing(spec.title, newest[:5], extra=extra)
    for art in ctx.arts:  # WordPress shortlinks ?p=ID redirect to the permalink
        routes[_key("/", f"p={art.id}")] = redirect(ctx.links[art.id].href)
    routes[_key(PRIVATE_PATH)] = html_response(
        simple_page("مسودة تقرير داخلي", "هذه الصفحة غير مخصصة للنشر.", spec.title, base)
    )
    entries = [(ctx.links[a.id].href, a) for a in ctx.arts]
    first, second = entries[:3], entries[3:]
    xml = "application/xml; charset=UTF-8"
    routes[_key("/post-sitemap.xml")] = _resp(feeds.urlset(first).encode(), xml)
    gz = gzip.compress(feeds.urlset(second).encode(), mtime=0)
    routes[_key("/post-sitemap2.xml.gz")] = _resp(gz, "application/x-gzip")
    children = [
        (base + "post-sitemap.xml", max(a.modified for _, a in first)),
        (base + "post-sitemap2.xml.gz", max(a.modified for _, a in second)),
    ]
    routes[_key("/sitemap_index.xml")] = _resp(feeds.sitemap_index(children).encode(), xml)
    news = [(ctx.links[a.id].href, a) for a in newest]
    routes[_key("/news-sitemap.xml")] = _resp(feeds.news_sitemap(news, spec.title).encode(), xml)
    hrefs = {i: link.href for i, link in ctx.links.items()}
    bodies = [body_blocks(a.blocks, hrefs) for _, a in news[:5]]
    rss = feeds.rss(spec.title, base, spec.description, news[:5], bodies)
    routes[_key("/feed/")] = _resp(rss.encode(), "application/rss+xml; charset=UTF-8")
    robots = feeds.robots(
        ["/wp-admin/", "/private/"],
        ["/wp-admin/admin-ajax.php"],
        [base + "sitemap_index.xml", base + "news-sitemap.xml"],
    )
    routes[_key("/robots.txt")] = _resp(robots.encode(), "text/plain; charset=utf-8")
    return routes


def _hurriya(ctx: _Ctx) -> Routes:
    base, spec, newest = ctx.base, ctx.spec, ctx.newest
    routes: Routes = {}
    home_links = dict(ctx.links)
    tracked = ctx.links[TRACKED_ID]  # one home-page link carries tracking parameters
    home_links[TRACKED_ID] = Link(f"{tracked.href}?{TRACKING_QUERY}", tracked.text)
    legacy = next(a for a in ctx.arts if a.id == LEGACY_ID)
    extra = (
        Link("/category/syria", "كل أخبار سوريا"),
        Link(DELETED_HURRIYA, "خبر محذوف من الأرشيف"),
        Link(f"/article.php?id={legacy.id}", legacy.title),
    )
    routes[_key("/")] = ctx.listing(spec.title, newest[:4], extra=extra, links=home_links)
    routes[_key("/article.php", f"id={legacy.id}")] = redirect(base + article_path(legacy)[1:])
    for path, title in (("/about", "من نحن"), ("/contact", "اتصل بنا")):
        text = "صوت الحرية موقع إخباري خيالي أُنشئ لاختبار أداة أرشفة الأخبار."
        routes[_key(path)] = html_response(simple_page(title, text, spec.title, "/"))
    entries = [(base + article_path(a, lower=True)[1:], a) for a in newest[:5]]
    atom = feeds.atom(spec.title, base, base + "rss.xml", entries)
    routes[_key("/rss.xml")] = _resp(atom.encode(), "application/atom+xml; charset=utf-8")
    robots = feeds.robots(["/search", "/admin/", "/subscribe"])
    routes[_key("/robots.txt")] = _resp(robots.encode(), "text/plain; charset=utf-8")
    return routes


def _key(path: str, query: str = "") -> RouteKey:
    return unquote(path), query
