"""``arshif report``: one self-contained HTML page (inline CSS and SVG; no script, no CDN) with
articles per day per source, the duplicate share per source, and the latest run of each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from html import escape

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive.health import day_of
from archive.models import Article, CrawlRun
from archive.models import Source as SourceRow

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b")
BY = {"archived": "first archived", "published": "published"}


@dataclass(frozen=True)
class SourceReport:
    source: str
    per_day: dict[date, int]
    articles: int
    duplicates: int
    last_run_status: str | None
    last_run_started_at: datetime | None
    last_run_new: int | None
    last_run_errors: int | None

    @property
    def duplicate_share(self) -> float:
        return self.duplicates / self.articles if self.articles else 0.0


@dataclass(frozen=True)
class Report:
    generated_at: datetime
    days: tuple[date, ...]
    by: str  # "archived" (first_seen_at) or "published" (published_at, else first_seen_at)
    sources: tuple[SourceReport, ...]


def build_report(session: Session, now: datetime, days: int = 30, by: str = "archived") -> Report:
    if by not in BY:
        raise ValueError(f"by must be one of {', '.join(BY)}, not {by!r}")
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    span = tuple(now.date() - timedelta(days=days - 1 - i) for i in range(days))
    since = datetime.combine(span[0], datetime.min.time(), tzinfo=now.tzinfo)
    when = (
        Article.first_seen_at
        if by == "archived"
        else func.coalesce(Article.published_at, Article.first_seen_at)
    )
    day = day_of(when, session.get_bind().dialect.name)
    per_day: dict[str, dict[date, int]] = {}
    for name, d, n in session.execute(
        select(SourceRow.name, day, func.count())
        .join(SourceRow, SourceRow.id == Article.source_id)
        .where(when >= since, when <= now)
        .group_by(SourceRow.name, day)
    ):
        per_day.setdefault(name, {})[date.fromisoformat(str(d))] = int(n)
    totals = {
        name: (int(n), int(dups))
        for name, n, dups in session.execute(
            select(SourceRow.name, func.count(Article.id), func.count(Article.duplicate_of_id))
            .join(Article, Article.source_id == SourceRow.id)
            .group_by(SourceRow.name)
        )
    }
    latest = select(CrawlRun.source_id, func.max(CrawlRun.id).label("id")).group_by(
        CrawlRun.source_id
    )
    last = {
        name: (status, started, new, errors)
        for name, status, started, new, errors in session.execute(
            select(
                SourceRow.name,
                CrawlRun.status,
                CrawlRun.started_at,
                CrawlRun.new_articles,
                CrawlRun.errors,
            )
            .join(CrawlRun, CrawlRun.source_id == SourceRow.id)
            .where(CrawlRun.id.in_(select(latest.subquery().c.id)))
        )
    }
    names = session.scalars(select(SourceRow.name).order_by(SourceRow.name)).all()
    sources = tuple(
        SourceReport(
            source=name,
            per_day=per_day.get(name, {}),
            articles=totals.get(name, (0, 0))[0],
            duplicates=totals.get(name, (0, 0))[1],
            last_run_status=last.get(name, (None,) * 4)[0],
            last_run_started_at=last.get(name, (None,) * 4)[1],
            last_run_new=last.get(name, (None,) * 4)[2],
            last_run_errors=last.get(name, (None,) * 4)[3],
        )
        for name in names
    )
    return Report(generated_at=now, days=span, by=by, sources=sources)


# -- HTML -----------------------------------------------------------------------------------

_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:2em auto;max-width:60em;color:#222;padding:0 1em}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em}
table{border-collapse:collapse}td,th{padding:.25em .8em;border-bottom:1px solid #ddd;text-align:left}
td.n{text-align:right}.muted{color:#777}svg text{font:11px system-ui,sans-serif;fill:#444}
.ok{color:#2a7}.failed{color:#c22}.interrupted{color:#c80}.running{color:#27c}
"""


def render_html(report: Report) -> str:
    generated = f"{report.generated_at:%Y-%m-%d %H:%M} UTC"
    first, last = report.days[0], report.days[-1]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>arshif report {escape(generated)}</title><style>{_CSS}</style></head><body>",
        "<h1>arshif: archive report</h1>",
        f'<p class="muted">Generated {escape(generated)}. {len(report.sources)} source(s).</p>',
        f"<h2>Articles per day, by day {escape(BY[report.by])} ({first} to {last}, UTC)</h2>",
    ]
    if not report.sources:
        parts.append("<p>The archive is empty: run <code>arshif crawl</code> first.</p>")
    top = max((n for s in report.sources for n in s.per_day.values()), default=0)
    for i, src in enumerate(report.sources):
        total = sum(src.per_day.values())
        parts.append(
            f"<h3>{escape(src.source)} <span class='muted'>({total} in {len(report.days)} "
            f"days)</span></h3>"
        )
        parts.append(_bars(src, report.days, top, PALETTE[i % len(PALETTE)]))
    parts.append("<h2>Duplicate share per source</h2>")
    parts.append(
        "<p class='muted'>Articles linked to an earlier original (republished wire stories "
        "and copies), as a share of all the source's articles.</p>"
    )
    parts.append(_shares(report.sources))
    parts.append("<h2>Latest run per source</h2>")
    parts.append(_runs_table(report.sources))
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _bars(src: SourceReport, days: tuple[date, ...], top: int, color: str) -> str:
    width, height, left, bottom = 720, 90, 36, 18
    plot_w, plot_h = width - left - 4, height - bottom - 6
    step = plot_w / len(days)
    out = [
        f'<svg role="img" aria-label="articles per day: {escape(src.source)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f'<line x1="{left}" y1="{6 + plot_h}" x2="{width - 4}" y2="{6 + plot_h}" stroke="#bbb"/>',
        f'<text x="{left - 4}" y="12" text-anchor="end">{top}</text>',
        f'<text x="{left - 4}" y="{6 + plot_h}" text-anchor="end">0</text>',
    ]
    for i, day in enumerate(days):
        n = src.per_day.get(day, 0)
        h = plot_h * n / top if top else 0
        x = left + i * step
        out.append(
            f'<rect x="{x + step * 0.1:.1f}" y="{6 + plot_h - h:.1f}" width="{step * 0.8:.1f}" '
            f'height="{h:.1f}" fill="{color}"><title>{day}: {n}</title></rect>'
        )
    out.append(f'<text x="{left}" y="{height - 4}">{days[0]}</text>')
    out.append(f'<text x="{width - 4}" y="{height - 4}" text-anchor="end">{days[-1]}</text>')
    out.append("</svg>")
    return "".join(out)


def _shares(sources: tuple[SourceReport, ...]) -> str:
    row_h, label_w, bar_w = 22, 160, 420
    height = row_h * max(1, len(sources)) + 4
    out = [
        f'<svg role="img" aria-label="duplicate share per source" width="{label_w + bar_w + 160}" '
        f'height="{height}" viewBox="0 0 {label_w + bar_w + 160} {height}">'
    ]
    for i, src in enumerate(sources):
        y = i * row_h + 2
        w = bar_w * src.duplicate_share
        out.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{escape(src.source)}</text>'
        )
        out.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{bar_w}" height="{row_h - 6}" fill="#eee"/>'
        )
        out.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" '
            f'fill="{PALETTE[i % len(PALETTE)]}"><title>{escape(src.source)}: '
            f"{src.duplicates} of {src.articles}</title></rect>"
        )
        out.append(
            f'<text x="{label_w + bar_w + 6}" y="{y + 15}">{src.duplicate_share:.1%} '
            f"({src.duplicates} of {src.articles})</text>"
        )
    out.append("</svg>")
    return "".join(out)


def _runs_table(sources: tuple[SourceReport, ...]) -> str:
    rows = [
        "<table><tr><th>source</th><th>started</th><th>status</th><th>new</th>"
        "<th>errors</th><th>articles</th></tr>"
    ]
    for src in sources:
        started = (
            f"{src.last_run_started_at:%Y-%m-%d %H:%M} UTC" if src.last_run_started_at else "never"
        )
        status = src.last_run_status or "-"
        rows.append(
            f"<tr><td>{escape(src.source)}</td><td>{started}</td>"
            f"<td class='{escape(status)}'>{escape(status)}</td>"
            f"<td class='n'>{src.last_run_new if src.last_run_new is not None else '-'}</td>"
            f"<td class='n'>{src.last_run_errors if src.last_run_errors is not None else '-'}</td>"
            f"<td class='n'>{src.articles}</td></tr>"
        )
    rows.append("</table>")
    return "".join(rows)
