"""The cookbook of docs/schema.md, read from the markdown (so the tests run what users read)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

SCHEMA_MD = Path(__file__).resolve().parents[2] / "docs" / "schema.md"
_HEADING_RE = re.compile(r"^### (\d+)\. (.+)$", re.M)
_BLOCK_RE = re.compile(r"^```sql\n(.*?)^```", re.M | re.S)
DIALECTS = {"-- SQLite": "sqlite", "-- PostgreSQL": "postgresql"}


@dataclass(frozen=True)
class Recipe:
    number: int
    question: str
    sql: dict[str, str]  # dialect -> SQL


def recipes(path: Path = SCHEMA_MD) -> list[Recipe]:
    text = path.read_text(encoding="utf-8")
    cookbook = text[text.index("## Cookbook") :]
    cookbook = (
        cookbook[: m.start()] if (m := re.search(r"^## (?!Cookbook)", cookbook, re.M)) else cookbook
    )
    heads = list(_HEADING_RE.finditer(cookbook))
    out = []
    for head, nxt in zip(heads, [*heads[1:], None], strict=True):
        body = cookbook[head.end() : nxt.start() if nxt else len(cookbook)]
        sql: dict[str, str] = {}
        for block in _BLOCK_RE.findall(body):
            first = block.splitlines()[0].strip()
            for dialect in [DIALECTS[first]] if first in DIALECTS else DIALECTS.values():
                if dialect in sql:
                    raise ValueError(f"recipe {head[1]}: two {dialect} queries")
                sql[dialect] = block
        out.append(Recipe(int(head[1]), head[2], sql))
    return out


def all_blocks(path: Path = SCHEMA_MD) -> list[tuple[str, str]]:
    """Every ```sql block of the page as (dialect or "both", SQL)."""
    out = []
    for block in _BLOCK_RE.findall(path.read_text(encoding="utf-8")):
        first = block.splitlines()[0].strip()
        out.append((DIALECTS.get(first, "both"), block))
    return out
