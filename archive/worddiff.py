"""Word-level diffs between two versions of an article, and their summary (words added and
removed).

Paragraphs are aligned first (cheap, and what a reader expects); only paragraphs that changed
are compared word by word. A *word* is a run of letters, digits and Arabic combining marks
(harakat, tatweel), so "التَّحقيق" is one word and a changed diacritic is a changed word;
punctuation is diffed but not counted. Tokens are compared on their NFKC form without
invisible characters, so a bidi mark or a compatibility form is never a change.

Rendering is line-oriented and safe for right-to-left text: one output line per paragraph,
changes marked inline as ``[-removed-]`` and ``{+added+}`` (git's word-diff markers; ASCII
neutrals that a bidi-capable terminal places correctly inside Arabic). Colour is optional.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = ["DiffSummary", "Paragraph", "Segment", "diff_text", "render", "summarize"]

Op = Literal["=", "-", "+"]
_MARKS = "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640"
_TOKEN = re.compile(rf"(\s*)([\w{_MARKS}]+|[^\w\s{_MARKS}])")
_WORD = re.compile(rf"[\w{_MARKS}]")
_INVISIBLE = re.compile(
    "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
_PARA = "\n"  # a paragraph break inside a replaced block (a segment of its own)
_RED, _GREEN, _RESET = "\x1b[31m", "\x1b[32m", "\x1b[0m"


@dataclass(frozen=True, slots=True)
class Segment:
    op: Op
    text: str


@dataclass(frozen=True, slots=True)
class Paragraph:
    number: int  # 1-based position in the new text (in the old text for a deleted paragraph)
    segments: tuple[Segment, ...]

    @property
    def changed(self) -> bool:
        return any(s.op != "=" for s in self.segments)

    @property
    def deleted(self) -> bool:
        return all(s.op == "-" for s in self.segments)


@dataclass(frozen=True, slots=True)
class DiffSummary:
    words_added: int
    words_removed: int
    title_changed: bool


@dataclass(frozen=True, slots=True)
class _Tok:
    space: str
    text: str
    key: str
    para_start: bool = False  # first token of a paragraph after the first (in a block)

    @property
    def is_word(self) -> bool:
        return _WORD.match(self.text) is not None


def summarize(
    old_title: str | None, old_text: str, new_title: str | None, new_text: str
) -> DiffSummary:
    """Words added and removed (title and text), and whether the title changed."""
    added = removed = 0
    title = diff_text(old_title or "", new_title or "")
    for para in [*title, *diff_text(old_text, new_text)]:
        for seg in para.segments:
            words = sum(1 for t in _tokens(seg.text) if t.is_word)
            if seg.op == "+":
                added += words
            elif seg.op == "-":
                removed += words
    return DiffSummary(added, removed, any(p.changed for p in title))


def diff_text(old: str, new: str) -> list[Paragraph]:
    """Every paragraph of ``new`` (and every deleted one of ``old``), with word changes."""
    a = [line.strip() for line in old.splitlines() if line.strip()]
    b = [line.strip() for line in new.splitlines() if line.strip()]
    matcher = difflib.SequenceMatcher(None, [_key(p) for p in a], [_key(p) for p in b], False)
    out: list[Paragraph] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out += [Paragraph(j + 1, (Segment("=", b[j]),)) for j in range(j1, j2)]
        elif op == "delete":
            out += [Paragraph(i + 1, (Segment("-", a[i]),)) for i in range(i1, i2)]
        elif op == "insert":
            out += [Paragraph(j + 1, (Segment("+", b[j]),)) for j in range(j1, j2)]
        elif i2 - i1 == j2 - j1:  # replace, paragraph for paragraph
            out += [
                Paragraph(j1 + k + 1, tuple(_word_diff(_tokens(a[i1 + k]), _tokens(b[j1 + k]))))
                for k in range(i2 - i1)
            ]
        else:  # replace with merged or split paragraphs: one word diff over the block
            segments = _word_diff(_block(a[i1:i2]), _block(b[j1:j2]))
            out += [Paragraph(j1 + n + 1, tuple(p)) for n, p in enumerate(_split(segments))]
    return out


def render(
    paragraphs: Sequence[Paragraph], *, color: bool = False, full: bool = False
) -> list[str]:
    """Output lines: changed paragraphs (all with ``full``), ``¶N`` first, changes marked."""
    lines = []
    for para in paragraphs:
        if not (full or para.changed):
            continue
        parts = []
        for seg in para.segments:
            parts.append(_mark(seg, color))
        lines.append(f"¶{para.number}{' (deleted)' if para.deleted else ''}: " + "".join(parts))
    return lines


def _mark(seg: Segment, color: bool) -> str:
    if seg.op == "=":
        return seg.text
    body = seg.text.strip()
    lead = seg.text[: len(seg.text) - len(seg.text.lstrip())]
    marked = f"[-{body}-]" if seg.op == "-" else f"{{+{body}+}}"
    if color:
        marked = f"{_RED if seg.op == '-' else _GREEN}{marked}{_RESET}"
    return lead + marked


def _key(text: str) -> str:
    return " ".join(_INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).split())


def _tokens(text: str) -> list[_Tok]:
    return [_Tok(m[1], m[2], _key(m[2])) for m in _TOKEN.finditer(text) if _key(m[2])]


def _block(paragraphs: Sequence[str]) -> list[_Tok]:
    # Paragraph breaks are not tokens: words are matched across them (a paragraph split or
    # merged is not an edit); the breaks of the new text are put back when rendering.
    toks: list[_Tok] = []
    for n, para in enumerate(paragraphs):
        words = _tokens(para)
        if n and words:
            words[0] = _Tok(words[0].space or " ", words[0].text, words[0].key, para_start=True)
        toks += words
    return toks


def _word_diff(a: list[_Tok], b: list[_Tok]) -> list[Segment]:
    matcher = difflib.SequenceMatcher(None, [t.key for t in a], [t.key for t in b], False)
    out: list[Segment] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op in ("delete", "replace"):
            _append(out, "-", a[i1:i2], first=not out)
        if op in ("insert", "replace"):
            _append(out, "+", b[j1:j2], first=not out)
        if op == "equal":
            _append(out, "=", b[j1:j2], first=not out)
    return out


def _append(out: list[Segment], op: Op, toks: Sequence[_Tok], *, first: bool) -> None:
    # A paragraph break of the new text splits the output (_split); the old text's are dropped.
    for n, tok in enumerate(toks):
        space = "" if first and n == 0 else tok.space
        if tok.para_start and op != "-":
            out.append(Segment("=", _PARA))
            space = ""
        if out and out[-1].op == op and out[-1].text != _PARA:
            out[-1] = Segment(op, out[-1].text + space + tok.text)
        else:
            out.append(Segment(op, space + tok.text))


def _split(segments: Sequence[Segment]) -> Iterator[list[Segment]]:
    para: list[Segment] = []
    for seg in segments:
        if seg.text == _PARA:
            yield para
            para = []
        else:
            para.append(seg if para else Segment(seg.op, seg.text.lstrip()))
    yield para
