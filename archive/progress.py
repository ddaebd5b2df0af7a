"""A dependency-free progress display for long commands (one line, updated in place)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Call ``update(phase, done, total)``; on a terminal the line is redrawn at most every
    ``interval`` seconds, elsewhere (logs, CI) one line is printed per 10 % and per phase."""

    def __init__(self, stream: TextIO | None = None, interval: float = 0.2) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.interval = interval
        self._phase: str | None = None
        self._started = time.monotonic()
        self._last_draw = 0.0
        self._last_tenth = -1

    def update(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if phase != self._phase:
            if self._phase is not None and self.tty:
                self.stream.write("\n")
            self._phase, self._started, self._last_tenth = phase, now, -1
        finished = done >= total
        if self.tty:
            if finished or now - self._last_draw >= self.interval:
                self._last_draw = now
                self.stream.write("\r" + self._line(phase, done, total, now) + "\033[K")
                self.stream.flush()
            return
        tenth = 10 * done // total if total else 10
        if tenth != self._last_tenth:
            self._last_tenth = tenth
            self.stream.write(self._line(phase, done, total, now) + "\n")
            self.stream.flush()

    def close(self) -> None:
        if self.tty and self._phase is not None:
            self.stream.write("\n")
            self.stream.flush()

    def _line(self, phase: str, done: int, total: int, now: float) -> str:
        elapsed = now - self._started
        rate = done / elapsed if elapsed > 0 else 0.0
        share = 100 * done / total if total else 100.0
        width = 24
        filled = round(width * share / 100)
        bar = "#" * filled + "." * (width - filled)
        eta = f" ETA {_duration((total - done) / rate)}" if rate and done < total else ""
        return f"{phase:12} [{bar}] {done:,}/{total:,} {share:3.0f}% {rate:,.0f}/s{eta}"


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"
