"""Result rows for people and for pipes: a terminal table, CSV, JSON, JSON lines.

Terminal tables measure text by display width (Arabic diacritics and bidi controls take no
column, wide CJK characters two), fold multi-line values onto one line and cut long values
with "…", so a column of Arabic article text stays readable.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TextIO

FORMATS = ("table", "csv", "json", "jsonl")
_SPACE_RE = re.compile(r"\s+")


def display_width(text: str) -> int:
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def clip(text: str, width: int) -> str:
    """``text`` on one line, cut to at most ``width`` display columns (0: no limit)."""
    text = _SPACE_RE.sub(" ", text).strip()
    if width <= 0 or display_width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = display_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out).rstrip() + "…"


def cell(value: Any) -> str:
    """A value as text for a table or CSV cell."""
    if value is None:
        return ""
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if isinstance(value, datetime | date | time):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def json_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return cell(value)


def unique_names(names: Sequence[str]) -> list[str]:
    """Column names usable as JSON keys: a repeated name gets a suffix (id, id_2, ...)."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return out


def render_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], max_width: int = 0) -> str:
    """A plain-text table; numbers right-aligned, each cell clipped to ``max_width``."""
    cells = [[clip(str(h), max_width) for h in headers]]
    cells += [[clip(cell(v), max_width) for v in row] for row in rows]
    widths = [max(display_width(r[i]) for r in cells) for i in range(len(headers))]
    numeric = [
        bool(rows) and all(isinstance(r[i], int | float | Decimal | None) for r in rows)
        for i in range(len(headers))
    ]

    def fmt(row: list[str]) -> str:
        parts = []
        for value, width, num in zip(row, widths, numeric, strict=True):
            pad = " " * (width - display_width(value))
            parts.append(pad + value if num else value + pad)
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([fmt(cells[0]), rule, *(fmt(r) for r in cells[1:])])


def write_csv(out: TextIO, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers)
    n = 0
    for row in rows:
        writer.writerow([cell(v) for v in row])
        n += 1
    return n


def write_json(
    out: TextIO, headers: Sequence[str], rows: Iterable[Sequence[Any]], *, lines: bool
) -> int:
    """A JSON array of objects (``lines=False``) or one object per line, streamed."""
    keys = unique_names(headers)
    n = 0
    if not lines:
        out.write("[")
    for row in rows:
        obj = json.dumps(
            {k: json_value(v) for k, v in zip(keys, row, strict=True)}, ensure_ascii=False
        )
        if lines:
            out.write(obj + "\n")
        else:
            out.write(("," if n else "") + "\n" + obj)
        n += 1
    if not lines:
        out.write("\n]\n" if n else "]\n")
    return n
