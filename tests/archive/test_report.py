"""The HTML report: self-contained, right numbers, valid SVG."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

from archive.report import build_report, render_html
from archive.sources import Source
from archive.store import Archive
from archive.types import utcnow
from tests.archive.pages import article_html, page, seed

WIRE = seed("004")


def test_report(db_url: str) -> None:
    with Archive.open(db_url) as archive:
        archive.sync_sources(
            [Source("gov", "http://gov.example/"), Source("opp", "http://opp.example/")]
        )
        run = archive.start_run("gov")
        archive.ingest(page("gov", "http://gov.example/archives/1", article_html("خبر", WIRE)), run)
        archive.finish_run(run, "ok", "finished")
        archive.ingest(page("opp", "http://opp.example/news/1", article_html("خبر", WIRE)))
        archive.ingest(page("opp", "http://opp.example/news/2", article_html("آخر", seed("000"))))
        now = utcnow()
        with archive.sessions() as session:
            report = build_report(session, now, days=14)
            by_published = build_report(session, now, days=14, by="published")
    assert [s.source for s in report.sources] == ["gov", "opp"]
    gov, opp = report.sources
    assert gov.per_day == {now.date(): 1}
    assert (opp.articles, opp.duplicates, opp.duplicate_share) == (2, 1, 0.5)
    assert (gov.last_run_status, gov.last_run_new) == ("ok", 1)
    assert opp.last_run_status is None
    assert len(report.days) == 14
    assert report.days[-1] == now.date()
    assert report.days[0] == now.date() - timedelta(days=13)
    assert sum(sum(s.per_day.values()) for s in by_published.sources) == 0  # published in 2019

    html = render_html(report)
    assert html.startswith("<!DOCTYPE html>")
    assert "://" not in html  # nothing to fetch: no CDN, no external file
    assert "<script" not in html
    svgs = re.findall(r"<svg.*?</svg>", html, re.S)
    assert len(svgs) == 3  # one per source, plus the duplicate shares
    for svg in svgs:
        ET.fromstring(svg)  # well-formed
    bars = ET.fromstring(svgs[0]).findall("rect")
    assert len(bars) == 14
    assert bars[-1].findtext("title") == f"{now.date()}: 1"
    assert float(bars[-1].get("height", "0")) > 0
    assert float(bars[0].get("height", "1")) == 0
    assert "50.0% (1 of 2)" in svgs[2]
    assert "0.0% (0 of 1)" in svgs[2]


def test_empty_archive(sqlite_url: str) -> None:
    with Archive.open(sqlite_url) as archive, archive.sessions() as session:
        html = render_html(build_report(session, utcnow()))
    assert "The archive is empty" in html
