"""The progress line: numbers from the pipeline's stats, a rate, and a terminal line that log
records never break."""

from __future__ import annotations

import io
import logging

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler.progress import ProgressExtension, Snapshot, _LiveLine, _Rate, format_progress
from crawler.spiders.news import NewsSpider

STATS = {
    "arshif/new": 120,
    "arshif/version": 4,
    "arshif/unchanged": 280,
    "arshif/skipped": 6,
    "arshif/failed": 1,
    "arshif/duplicate": 9,
    "arshif/fetch_failed": 2,
    "scheduler/enqueued": 500,
    "scheduler/dequeued": 465,
}


def test_snapshot_and_format() -> None:
    snap = Snapshot.of(STATS)
    assert snap == Snapshot(
        pages=411, new=120, versions=4, unchanged=280, duplicates=9, errors=3, queued=35
    )
    assert format_progress(snap, 3.25, 131) == (
        "2:11  411 pages (3.2/s)  new 120  versions 4  duplicates 9  errors 3  unchanged 280  "
        "queued 35"
    )
    assert format_progress(Snapshot.of({}), 0, 3725).startswith("1:02:05  0 pages (0.0/s)")


def test_rate_is_averaged_over_a_window() -> None:
    rate = _Rate(window=10)
    assert rate.add(0, 0) == 0
    assert rate.add(5, 50) == 10
    assert rate.add(10, 100) == 10
    assert rate.add(20, 100) == 0  # idle for the whole window


def test_log_records_are_printed_above_the_live_line() -> None:
    out = io.StringIO()
    line = _LiveLine(out)
    line.draw("12 pages")
    line.write("INFO: something\n")
    line.finish()
    text = out.getvalue()
    assert text == "\r\x1b[K12 pages\r\x1b[KINFO: something\n12 pages\r\x1b[K12 pages\n"
    # After finish() the line is gone: later output is not followed by a redraw.
    line.write("after\n")
    assert out.getvalue().endswith("\r\x1b[Kafter\n")


@pytest.mark.parametrize(
    ("settings", "mode"),
    [({"ARSHIF_PROGRESS": "log"}, "log"), ({"ARSHIF_PROGRESS": "BAR"}, "bar"), ({}, "log")],
)
def test_modes(settings: dict[str, str], mode: str) -> None:
    # Under pytest stderr is not a terminal, so "auto" means "log".
    ext = ProgressExtension.from_crawler(get_crawler(NewsSpider, settings))
    assert ext.mode == mode


def test_off_and_bad_values() -> None:
    with pytest.raises(NotConfigured):
        ProgressExtension.from_crawler(get_crawler(NewsSpider, {"ARSHIF_PROGRESS": "off"}))
    with pytest.raises(NotConfigured):
        ProgressExtension.from_crawler(
            get_crawler(NewsSpider, {"ARSHIF_PROGRESS": "log", "ARSHIF_PROGRESS_INTERVAL": 0})
        )
    with pytest.raises(ValueError, match="ARSHIF_PROGRESS must be auto, bar, log or off"):
        ProgressExtension.from_crawler(get_crawler(NewsSpider, {"ARSHIF_PROGRESS": "fancy"}))


def test_log_mode_writes_one_line_per_tick(caplog: pytest.LogCaptureFixture) -> None:
    crawler = get_crawler(NewsSpider, {"ARSHIF_PROGRESS": "log"})
    ext = ProgressExtension.from_crawler(crawler)
    assert crawler.stats is not None
    for key, value in STATS.items():
        crawler.stats.set_value(key, value)
    with caplog.at_level(logging.INFO, logger="crawler.progress"):
        ext.tick()
    (record,) = caplog.records
    assert record.getMessage().startswith("progress: 0:00  411 pages (")
    assert "new 120  versions 4" in record.getMessage()
