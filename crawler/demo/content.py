"""Content of the fixture web: articles loaded from ``data/articles.toml``, plus the pure
text transforms the demo needs (house-style rewrite for the syndicated copy, the scripted
edit, Arabic visible dates, URL slugs).

Nothing here does I/O except :func:`load_articles`, which reads package data.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from importlib import resources
from typing import Any, Literal

BlockKind = Literal["p", "h3", "read_also"]

READ_ALSO_PREFIX = "إقرأ أيضاً : "

LEVANTINE_MONTHS = (
    "كانون الثاني",
    "شباط",
    "آذار",
    "نيسان",
    "أيار",
    "حزيران",
    "تموز",
    "آب",
    "أيلول",
    "تشرين الأول",
    "تشرين الثاني",
    "كانون الأول",
)
EGYPTIAN_MONTHS = (
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "مايو",
    "يونيو",
    "يوليو",
    "أغسطس",
    "سبتمبر",
    "أكتوبر",
    "نوفمبر",
    "ديسمبر",
)
WEEKDAYS = ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد")

# Opposition house style, applied to the republished wire copy: the country name (not the
# adjectives "السورية" and "ليرة سورية"), "الأميركية" spelling, and «» become curly quotes.
_HOUSE_STYLE: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<!ليرة )(?<!\w)([وفبل]?)سورية(?!\w)"), r"\1سوريا"),
    (re.compile("أميرك"), "أمريك"),
    (re.compile("«"), "“"),
    (re.compile("»"), "”"),
)
_SLUG_DROP_RE = re.compile(r"[^\w\s-]")


@dataclass(frozen=True)
class Block:
    """One paragraph-level element of an article body."""

    kind: BlockKind
    text: str
    target: int | None = None  # read_also: id of the linked article (same outlet)


@dataclass(frozen=True)
class Article:
    outlet: str
    id: int
    title: str
    author: str
    section: str
    tags: tuple[str, ...]
    published: datetime
    modified: datetime
    blocks: tuple[Block, ...]
    encoding: str = "utf-8"
    syndicated_from: int | None = None

    @property
    def text(self) -> str:
        """The body as plain text, one block per line (what a perfect extractor returns)."""
        return "\n".join(b.text for b in self.blocks)

    @property
    def slug(self) -> str:
        """Arabic URL slug: the first eight words of the title joined by hyphens."""
        words = _SLUG_DROP_RE.sub(" ", self.title).split()
        return "-".join(words[:8])

    def summary(self, words: int = 28) -> str:
        """The first ``words`` words of the first real paragraph (skipping a dateline)."""
        paragraphs = [b.text for b in self.blocks if b.kind == "p" and len(b.text.split()) > 4]
        return " ".join(paragraphs[0].split()[:words]) if paragraphs else self.title


@dataclass(frozen=True)
class Edit:
    """The scripted real edit: text replacements, one inserted paragraph, a new modified time."""

    outlet: str
    id: int
    modified: datetime
    replace: tuple[tuple[str, str], ...]
    insert_after: str
    insert: str


def house_style(text: str) -> str:
    """Rewrite government spelling to the opposition outlet's house style."""
    for pattern, repl in _HOUSE_STYLE:
        text = pattern.sub(repl, text)
    return text


def levantine_date(dt: datetime) -> str:
    """Visible date as on the government outlet: "الجمعة 24 أيار 2019"."""
    return f"{WEEKDAYS[dt.weekday()]} {dt.day} {LEVANTINE_MONTHS[dt.month - 1]} {dt.year}"


def egyptian_date(dt: datetime) -> str:
    """Visible date as on the opposition outlet: "24 مايو 2019"."""
    return f"{dt.day} {EGYPTIAN_MONTHS[dt.month - 1]} {dt.year}"


def apply_edit(article: Article, edit: Edit) -> Article:
    """Return ``article`` with the scripted edit applied (idempotent on an edited article)."""
    if article.modified >= edit.modified:
        return article
    blocks: list[Block] = []
    for block in article.blocks:
        text = block.text
        for old, new in edit.replace:
            text = text.replace(old, new)
        blocks.append(replace(block, text=text))
        if block.text.startswith(edit.insert_after):
            blocks.append(Block("p", edit.insert))
    if len(blocks) != len(article.blocks) + 1:
        raise ValueError(f"edit anchor {edit.insert_after!r} not found in article {article.id}")
    return replace(article, blocks=tuple(blocks), modified=edit.modified)


def _parse_blocks(
    text: str, headings: Sequence[str], drop: Sequence[str], titles: Mapping[str, int]
) -> tuple[Block, ...]:
    blocks: list[Block] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line in drop:
            continue
        if line in headings:
            blocks.append(Block("h3", line))
        elif line.startswith(READ_ALSO_PREFIX):
            target_title = line.removeprefix(READ_ALSO_PREFIX)
            if target_title not in titles:
                raise ValueError(f"read-also target not found: {target_title!r}")
            blocks.append(Block("read_also", line, titles[target_title]))
        else:
            blocks.append(Block("p", line))
    return tuple(blocks)


def _syndicate(spec: Mapping[str, Any], entry: Mapping[str, Any], source: Article) -> Article:
    """Build the republished copy: new dateline, reworded lead, a paragraph dropped, a new
    footer line, then the opposition house style over everything."""
    texts = [b.text for b in source.blocks]
    texts[0] = spec["dateline"]
    for old, new in spec.get("replace", []):
        hits = [i for i, t in enumerate(texts) if old in t]
        if len(hits) != 1:
            raise ValueError(f"syndication replacement must match one paragraph: {old!r}")
        texts[hits[0]] = texts[hits[0]].replace(old, new)
    texts = [t for t in texts if t not in spec.get("drop", [])]
    texts[-1] = spec["footer"]
    return Article(
        outlet=entry["outlet"],
        id=entry["id"],
        title=house_style(entry.get("title", source.title)),
        author=entry["author"],
        section=entry["section"],
        tags=tuple(entry["tags"]),
        published=entry["published"],
        modified=entry.get("modified", entry["published"]),
        blocks=tuple(Block("p", house_style(t)) for t in texts),
        syndicated_from=source.id,
    )


def _read_data(name: str) -> str:
    return (resources.files("crawler.demo") / "data" / name).read_text(encoding="utf-8")


def load_articles() -> tuple[tuple[Article, ...], Edit]:
    """All articles of the fixture web (sorted by outlet, then id) and the scripted edit."""
    data = tomllib.loads(_read_data("articles.toml"))
    entries: list[dict[str, Any]] = data["articles"]
    titles: dict[str, dict[str, int]] = {}
    for entry in entries:
        if "title" in entry:
            titles.setdefault(entry["outlet"], {})[entry["title"]] = entry["id"]
    by_id: dict[int, Article] = {}
    for entry in (e for e in entries if "syndicate" not in e):
        body = _read_data(entry["body_file"]) if "body_file" in entry else entry["body"]
        blocks = _parse_blocks(
            body, entry.get("headings", []), entry.get("drop", []), titles[entry["outlet"]]
        )
        if blocks and blocks[0].text == entry["title"]:
            blocks = blocks[1:]  # seed 004 starts with its own title line
        by_id[entry["id"]] = Article(
            outlet=entry["outlet"],
            id=entry["id"],
            title=entry["title"],
            author=entry["author"],
            section=entry["section"],
            tags=tuple(entry["tags"]),
            published=entry["published"],
            modified=entry.get("modified", entry["published"]),
            blocks=blocks,
            encoding=entry.get("encoding", "utf-8"),
        )
    for entry in (e for e in entries if "syndicate" in e):
        spec = entry["syndicate"]
        by_id[entry["id"]] = _syndicate(spec, entry, by_id[spec["source"]])
    e = data["edit"]
    edit = Edit(
        outlet=e["outlet"],
        id=e["id"],
        modified=e["modified"],
        replace=tuple((old, new) for old, new in e["replace"]),
        insert_after=e["insert_after"],
        insert=e["insert"],
    )
    articles = tuple(sorted(by_id.values(), key=lambda a: (a.outlet, a.id)))
    return articles, edit
