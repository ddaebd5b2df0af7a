"""A labelled set of Arabic article pairs for measuring duplicate detection.

Base stories are real Arabic news text: the fixture web's articles (``crawler/demo``, which
include the project's two seed articles) plus the texts of ``bench/dedup_texts.py``. From
each base story the generator derives copies as other outlets publish them:

=================  ========================================================================
kind               construction (label)
=================  ========================================================================
light_edit         another outlet's light edit: house spelling (60 %), a dateline (50 %),
                   one paragraph dropped, 2-5 % of the words changed, a new footer (dup)
wire               a wire copy: own dateline, the lead sentence reworded, a new footer, a
                   credit line (50 %), house spelling (50 %) (dup)
house_style        spelling only: سورية/سوريا, أميركي/أمريكي, hamza and yeh forms, tatweel,
                   diacritics, Indic digits, quotes and commas, RLM marks (dup)
boilerplate        the same text with other share/read-also/Telegram/copyright lines (dup)
partial            a brief: the first 35-45 % of the text, with a new intro line half the
                   time (partial)
template_copy      the same day's templated report republished by another outlet (dup)
hard_template      two days' reports from the same template, different outlets (distinct)
hard_same_event    two outlets' own articles on one event (distinct)
=================  ========================================================================

Every derived document is published by another outlet than its base, 0-48 hours later.
``build()`` is deterministic for a given seed.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

try:
    from dedup_texts import GOVERNORATES, PLACES, SAME_EVENT, TEMPLATES
except ImportError:  # imported as bench.dedup_pairs
    from bench.dedup_texts import GOVERNORATES, PLACES, SAME_EVENT, TEMPLATES

from crawler.demo.content import LEVANTINE_MONTHS, WEEKDAYS, load_articles

POSITIVE_KINDS = ("light_edit", "wire", "house_style", "boilerplate", "template_copy")
NEGATIVE_KINDS = ("hard_template", "hard_same_event")
KINDS = (*POSITIVE_KINDS, "partial", *NEGATIVE_KINDS)


@dataclass(frozen=True)
class Doc:
    id: int
    story: str  # documents of one story are copies of each other
    outlet: str
    kind: str  # "base" or the kind it was derived as
    published: datetime
    title: str
    text: str


@dataclass(frozen=True)
class Pair:
    a: int
    b: int
    kind: str
    label: str  # "dup" | "partial" | "distinct"


# -- text transforms -------------------------------------------------------------------------

_SPELLING = (
    ("سورية", "سوريا"),
    ("الأميركية", "الأمريكية"),
    ("الأميركي", "الأمريكي"),
    ("أميركا", "أمريكا"),
    ("«", "“"),
    ("»", "”"),
)
_SYNONYMS = {
    "قال": "أوضح",
    "وقال": "وأوضح",
    "أكد": "شدد",
    "وأكد": "وشدد",
    "أشار": "لفت",
    "وأشار": "ولفت",
    "مشيراً": "لافتاً",
    "مؤكداً": "مشدداً",
    "أعلن": "ذكر",
    "اليوم": "أمس",
    "خلال": "أثناء",
    "كبيرة": "واسعة",
    "عدد": "جملة",
    "بدأت": "باشرت",
    "إلى": "نحو",
    "بعد": "عقب",
    "أن": "بأن",
    "التي": "اللواتي",
    "في": "ضمن",
}
DATELINES = ("دمشق – (وكالات)", "دمشق-سانا", "بيروت – رويترز", "عمان – أ ف ب", "(وكالات) –")
FOOTERS = (
    "تابعونا على قناة «صوت الحرية» في تطبيق تيلغرام للاطلاع على آخر الأخبار",
    "تابعوا آخر الأخبار السياسية والميدانية عبر تطبيق تيلغرام من خلال قناة «الشام اليوم»",
    "جميع الحقوق محفوظة لشبكة الأخبار المستقلة © 2019",
    "لمتابعة آخر الأخبار اشترك في قناتنا على يوتيوب وفعل زر الجرس",
)
CREDITS = ("المصدر: سانا", "المصدر: وكالة رويترز", "المصدر: وكالات", "المصدر: فرانس برس")
BOILERPLATE = (
    "شارك هذا الخبر على فيسبوك وتويتر وواتساب",
    "اقرأ أيضاً: قراءة في تطورات المشهد الميداني خلال الأسبوع الماضي",
    "اقرأ أيضاً: ارتفاع أسعار المواد الغذائية في الأسواق المحلية",
    "انضموا إلى قناتنا على تيلغرام لمتابعة الأخبار العاجلة لحظة بلحظة",
    "جميع الحقوق محفوظة © 2019",
    "المصدر: سانا",
    "الوسوم: سوريا أخبار سياسة",
)
INTROS = (
    "في خبر عاجل،",
    "نقلت وسائل إعلام محلية اليوم ما يلي:",
    "موجز الأخبار:",
    "أفادت مصادر إعلامية بما يلي:",
)
_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
_FOOTER_RE = re.compile("تيلغرام|تابعوا|تابعونا|جميع الحقوق")


def house_style(text: str, rng: random.Random, strength: float = 1.0) -> str:
    """Another outlet's spelling: lexical variants and orthographic noise."""
    for a, b in _SPELLING:
        if rng.random() < strength:
            text = text.replace(a, b) if a in text else text.replace(b, a)
    words = text.split(" ")
    out = []
    for word in words:
        w = word
        if w[:1] in "أإ" and rng.random() < 0.6 * strength:
            w = "ا" + w[1:]
        if w.endswith("ي") and rng.random() < 0.3 * strength:
            w = w[:-1] + "ى"
        if w.endswith("اً") and rng.random() < 0.5 * strength:
            w = w[:-2] + "ًا"
        if len(w) > 3 and rng.random() < 0.02 * strength:
            w = w[:2] + "ـ" + w[2:]
        if len(w) > 3 and rng.random() < 0.03 * strength:
            w = w[:1] + "َ" + w[1:]
        if rng.random() < 0.01 * strength:
            w = w + "\u200f"
        out.append(w)
    text = " ".join(out)
    if rng.random() < 0.5 * strength:
        text = text.translate(_INDIC)
    if rng.random() < 0.5 * strength:
        text = text.replace("،", ",")
    return text


def edit_words(text: str, rng: random.Random, share: float, vocab: list[str]) -> str:
    """Change ``share`` of the words: a synonym when there is one, else another word."""
    lines = text.split("\n")
    out_lines = []
    for line in lines:
        words = line.split(" ")
        for i, w in enumerate(words):
            if rng.random() < share:
                words[i] = _SYNONYMS.get(w) or rng.choice(vocab)
        out_lines.append(" ".join(words))
    return "\n".join(out_lines)


def reword_lead(paragraphs: list[str], rng: random.Random, vocab: list[str]) -> list[str]:
    """Reword the first sentence: 40 % of its words changed, its two halves swapped."""
    first = paragraphs[0]
    cut = min((i for i in (first.find("،"), first.find(".")) if i > 0), default=len(first))
    sentence, rest = first[:cut], first[cut:]
    words = sentence.split()
    for i, w in enumerate(words):
        if rng.random() < 0.4:
            words[i] = _SYNONYMS.get(w) or rng.choice(vocab)
    half = len(words) // 2
    if half > 3 and rng.random() < 0.5:
        words = words[half:] + words[:half]
    return [" ".join(words) + rest, *paragraphs[1:]]


def strip_footer(paragraphs: list[str]) -> list[str]:
    """A copy of ``paragraphs`` without a closing follow-us/copyright line."""
    if len(paragraphs) > 2 and _FOOTER_RE.search(paragraphs[-1]):
        return paragraphs[:-1]
    return list(paragraphs)


def light_edit(paragraphs: list[str], rng: random.Random, vocab: list[str]) -> list[str]:
    out = strip_footer(paragraphs)
    if len(out) >= 4:
        del out[rng.randrange(1, len(out))]
    text = edit_words("\n".join(out), rng, rng.uniform(0.02, 0.05), vocab)
    if rng.random() < 0.6:
        text = house_style(text, rng, 0.7)
    out = text.split("\n")
    if rng.random() < 0.5:
        out[0] = f"{rng.choice(DATELINES)} {out[0]}"
    if rng.random() < 0.5:
        out.append(rng.choice(FOOTERS))
    return out


def wire_copy(paragraphs: list[str], rng: random.Random, vocab: list[str]) -> list[str]:
    out = strip_footer(paragraphs)
    if len(out[0].split()) <= 3:  # an own dateline line ("دمشق-سانا")
        out = out[1:]
    out = reword_lead(out, rng, vocab)
    dateline = rng.choice(DATELINES)
    out = [dateline, *out] if rng.random() < 0.5 else [f"{dateline} {out[0]}", *out[1:]]
    if rng.random() < 0.3 and len(out) > 4:
        out = out[:-1]
    if rng.random() < 0.5:
        out.append(rng.choice(CREDITS))
    out.append(rng.choice(FOOTERS))
    if rng.random() < 0.5:
        out = house_style("\n".join(out), rng, 0.7).split("\n")
    return out


def boilerplate(paragraphs: list[str], rng: random.Random) -> list[str]:
    out = strip_footer(paragraphs)
    extra = rng.sample(BOILERPLATE, rng.randint(1, 3))
    for line in extra:
        if line.startswith("اقرأ") and len(out) > 2:
            out.insert(rng.randrange(1, len(out)), line)
        else:
            out.append(line)
    return out


def partial(paragraphs: list[str], rng: random.Random) -> list[str]:
    body = strip_footer(paragraphs)
    total = sum(len(p) for p in body)
    target = total * rng.uniform(0.35, 0.45)
    out: list[str] = []
    size = 0
    for p in body:
        if size + len(p) <= target:
            out.append(p)
            size += len(p)
            continue
        words = p.split()
        kept: list[str] = []
        for w in words:
            if size + len(w) + 1 > target:
                break
            kept.append(w)
            size += len(w) + 1
        if kept:
            out.append(" ".join(kept) + "…")
        break
    if rng.random() < 0.5:
        out.insert(0, rng.choice(INTROS))
    return out


# -- the set -----------------------------------------------------------------------------------


def _vocab(texts: list[str]) -> list[str]:
    return sorted({w for t in texts for w in t.split() if len(w) > 3 and w.isalpha()})


def _template_values(rng: random.Random, day: datetime) -> dict[str, object]:
    p1, p2 = rng.sample(PLACES, 2)
    g1, g2, g3 = rng.sample(GOVERNORATES, 3)
    n = rng.randint(3, 40)
    usd = rng.randint(540, 620)
    return {
        "day_name": WEEKDAYS[day.weekday()],
        "date": f"{day.day} {LEVANTINE_MONTHS[day.month - 1]} {day.year}",
        "n": n,
        "c": rng.randint(0, n // 2),
        "w": rng.randint(0, n // 3),
        "inj": rng.randint(4, 60),
        "k1": n // 2,
        "k2": n - n // 2,
        "total": rng.randint(300, 900),
        "tc": rng.randint(60, 200),
        "tw": rng.randint(40, 150),
        "month_total": rng.randint(900, 1500),
        "month_civ": rng.randint(300, 700),
        "place1": p1,
        "place2": p2,
        "gov": rng.choice(GOVERNORATES),
        "viol": rng.randint(5, 40),
        "g1": g1,
        "g2": g2,
        "g3": g3,
        "shells": rng.randint(10, 90),
        "usd_buy": usd,
        "usd_sell": usd + rng.randint(2, 8),
        "usd_aleppo": usd + rng.randint(-5, 5),
        "usd_idlib": usd + rng.randint(0, 15),
        "eur": usd + rng.randint(50, 80),
        "gold21": rng.randint(19000, 23000),
        "gold18": rng.randint(16000, 19000),
        "central": 434 if day.month < 6 else 438,
    }


def build(seed: int = 1, variants: int = 10, days: int = 12) -> tuple[list[Doc], list[Pair]]:
    """The documents and the labelled pairs (deterministic for ``seed``)."""
    rng = random.Random(seed)
    articles, _ = load_articles()
    docs: list[Doc] = []
    pairs: list[Pair] = []

    def add(
        story: str, outlet: str, kind: str, published: datetime, title: str, paras: list[str]
    ) -> Doc:
        doc = Doc(len(docs), story, outlet, kind, published, title, "\n".join(paras))
        docs.append(doc)
        return doc

    bases: list[Doc] = []
    by_id: dict[int, Doc] = {}
    for art in articles:
        story = f"demo-{art.syndicated_from or art.id}"
        doc = add(story, art.outlet, "base", art.published, art.title, [b.text for b in art.blocks])
        by_id[art.id] = doc
        if art.syndicated_from is None:
            bases.append(doc)
        else:  # the fixture web's own wire copy: a real labelled pair
            pairs.append(Pair(by_id[art.syndicated_from].id, doc.id, "wire", "dup"))
    for ref, title, body in SAME_EVENT:
        other = by_id[ref]
        doc = add(
            f"event-{ref}",
            "opposition-2",
            "base",
            other.published + timedelta(hours=5),
            title,
            body.split("\n"),
        )
        bases.append(doc)
        pairs.append(Pair(other.id, doc.id, "hard_same_event", "distinct"))
    # Two fixture-web articles on one event (the chlorine attack and Russia's reaction).
    pairs.append(Pair(by_id[4530].id, by_id[4533].id, "hard_same_event", "distinct"))
    pairs.append(Pair(by_id[98747].id, by_id[4508].id, "hard_same_event", "distinct"))

    vocab = _vocab([d.text for d in bases])
    outlets = ("copy-a", "copy-b", "copy-c", "copy-d")
    for base in bases:
        paras = base.text.split("\n")
        for i in range(variants):
            published = base.published + timedelta(hours=rng.uniform(0, 48))
            outlet = outlets[i % len(outlets)]
            made = {
                "light_edit": light_edit(paras, rng, vocab),
                "wire": wire_copy(paras, rng, vocab),
                "house_style": house_style(base.text, rng).split("\n"),
                "boilerplate": boilerplate(paras, rng),
                "partial": partial(paras, rng),
            }
            for kind, body in made.items():
                title = house_style(base.title, rng, 0.5) if kind != "partial" else base.title
                doc = add(base.story, outlet, kind, published, title, body)
                label = "partial" if kind == "partial" else "dup"
                pairs.append(Pair(base.id, doc.id, kind, label))

    start = datetime(2019, 5, 1, 9, 0, tzinfo=UTC)
    for name, outlet, title, body in TEMPLATES:
        reports: list[tuple[Doc, Doc]] = []
        for d in range(days):
            day = start + timedelta(days=d)
            values = _template_values(rng, day)
            text = body.format(**values).split("\n")
            story = f"{name}-{d}"
            own = add(story, outlet, "base", day, title.format(**values), text)
            copy_body = house_style("\n".join(text), rng, 0.7).split("\n")
            copy_body.append(rng.choice(FOOTERS))
            copy = add(
                story,
                f"{outlet}-copy",
                "template_copy",
                day + timedelta(hours=3),
                title.format(**values),
                copy_body,
            )
            pairs.append(Pair(own.id, copy.id, "template_copy", "dup"))
            reports.append((own, copy))
        for d, e in _day_pairs(days):
            pairs.append(Pair(reports[d][0].id, reports[e][1].id, "hard_template", "distinct"))
    return docs, pairs


def _day_pairs(days: int) -> Iterator[tuple[int, int]]:
    for d in range(days):
        for e in range(days):
            if d != e:
                yield d, e
