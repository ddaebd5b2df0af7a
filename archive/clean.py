"""Line-by-line boilerplate removal for extracted article text (after trafilatura).

Each line is matched through a *key* (:func:`archive.normalize.fold_arabic`: NFKC, no bidi
controls, tatweel or diacritics, folded alef/yeh/teh marbuta, ASCII digits, lower case) with
punctuation trimmed from both ends; the stored text keeps the author's spelling. A line is either
kept whole or dropped whole: the text is never cut at a marker (seed 000 keeps 12 of 13 lines).

Rules, in the order they are tried (full catalogue with examples in ``docs/cleaning.md``):

* Anywhere, any length:
  ``read-also``     "إقرأ أيضاً : …", "اقـــرأ أيضـاً:", "شاهد أيضاً", "طالع أيضا", "Read more: …"
                    (a whole line; at most 200 characters after the marker)
  ``feed-footer``   "The post … appeared first on …" (WordPress RSS), "ظهرت المقالة … أولاً على …"
* Short lines (≤ 20 words), anywhere (typically the head or tail):
  ``comment-prompt`` "اترك تعليقاً", "0 تعليق", "عذراً التعليقات مغلقة", "Leave a comment"
  ``back-to-top``    "زر الذهاب إلى الأعلى", "Back to top"
  ``share``          "شارك", "مشاركة :", "الرابط المختصر …", "Share this", a row of network names
  ``follow-prompt``  "تابعوا … عبر تطبيق تيلغرام …", "تابعونا عبر تطبيق واتس أب :",
                     "عبر إرسال كلمة اشتراك على الرقم …" (a platform must be named), "Follow us"
  ``related``        "أخبار ذات صلة", "إخترنا لك", "الأكثر قراءة", "Related news"
  ``nav``            "السابق", "التالي", "الرئيسية / …", "تصنيف : …", "Next post" (whole line only)
  ``copyright``      "جميع الحقوق محفوظة © 2019", "© 2024 …", "All rights reserved"
  ``content-farm``   "نقدم لكم زوارنا الكرام …", "إخلاء مسؤولية …" (also a content-farm signal)
  ``head-prompt``    "استمع إلى المقال", "اقرأ على الموقع", "Listen to this article"
  ``media-prompt``   "المزيد من التفاصيل في الفيديو المرفق..", "شاهد الفيديو"
  ``bare-url``       a line that is only a URL ("https://telegram.me/SyrianArabNewsAgency")
* ``caption`` (≤ 15 words): "مصدر الصورة: رويترز", "صورة تعبيرية", "… - أرشيفية", "Getty Images".
* ``glued-credit``: a Latin credit glued to Arabic ("Getty Imagesمقاتلون …") is split off; the rest
  of the line is kept and cleaned.
* ``custom``: caller patterns (``extra_patterns``), searched in the key, any line.
* ``learned``: a short line whose :func:`line_hash` is in ``learned`` (the source's learned
  boilerplate, ``archive.learned``); :attr:`CleanResult.candidates` feeds the learning.
* ``duplicate-line``: a line of ≥ 8 words whose key equals an earlier kept line's key (extractors
  sometimes emit a paragraph twice); the first occurrence stays. Short lines (subheadings) may
  repeat.
* ``attribution``: the last remaining line, if it is only a source credit ("المصدر: وكالة رويترز")
  or a signature ("زمان الوصل", "أ ف ب"), is removed and returned as
  :attr:`CleanResult.attribution`.
* ``blank``: a line without letters or digits (only punctuation, tatweel, RLM…). Whitespace-only
  lines are dropped silently (paragraph breaks collapse to one "\\n").

Never removed: body sentences that merely contain a marker word ("وأكد أن المشاركين اقرأوا
البيان", "شاركت فلسطين في البطولات", "وقال إن المصدر: رويترز"), and "تابع…" lines that name no
platform ("تابعونا على أرض الواقع …"). Bump :data:`CLEANER_VERSION` whenever output changes.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import xxhash

from archive.normalize import fold_arabic

__all__ = ["CLEANER_VERSION", "CleanResult", "RemovedLine", "clean_text", "line_hash"]

CLEANER_VERSION = 2


@dataclass(frozen=True, slots=True)
class RemovedLine:
    index: int  # 0-based index in ``text.splitlines()``
    line: str  # the line as it was in the input, trimmed
    rule: str


@dataclass(frozen=True, slots=True)
class CleanResult:
    text: str  # kept lines, trimmed, joined with "\n"; author's spelling untouched
    removed: tuple[RemovedLine, ...]
    attribution: str | None  # "وكالة رويترز" from a final "المصدر: وكالة رويترز" line
    # Lines a learned per-source rule may later remove: (line_hash, line) of every short line
    # the built-in rules kept (or the learned rule removed), except the first line of the text.
    candidates: tuple[tuple[str, str], ...] = ()


MAX_SHORT_WORDS = 20  # boilerplate rules only touch lines this short
MIN_DUPLICATE_WORDS = 8  # only lines at least this long count as repeated paragraphs
MAX_CREDIT_WORDS = 8
MAX_CAPTION_WORDS = 15
MAX_LEARNED_WORDS = 20  # learned per-source boilerplate: short lines only

_EDGE = " \t.:;,،؛!?؟-–—_|•·*»«<>()[]{}…\"'“”‘’/\\←→↑⬆⬅➡#=+~"
_PLATFORM = (
    r"(?:تلغرام|تيلغرام|تليغرام|تلجرام|تليجرام|telegram|واتس ?اب|واتساب|whatsapp|فيسبوك"
    r"|فيس بوك|facebook|تويتر|twitter|انستغرام|انستقرام|انستجرام|instagram|يوتيوب|youtube|\bvk\b"
    r"|تيك ?توك|tiktok|مواقع التواصل|وسايل التواصل|شبكات التواصل|قناتنا|صفحتنا|حسابنا|نبض"
    r"|google news|جوجل نيوز|غوغل نيوز)"
)
_NETWORK = (
    r"(?:facebook|twitter|whatsapp|telegram|linkedin|pinterest|reddit|email|print|messenger"
    r"|فيسبوك|فيس بوك|تويتر|واتساب|واتس اب|تلغرام|تيلغرام|تليجرام|لينكدان|بريد|طباعه|ماسنجر)"
)


def _rx(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{alt})" for alt in alternatives))


# Matched with fullmatch against the key (fold_arabic form: ئ→ي, ة→ه, ؤ→و, ى→ي, no hamza on
# alef, lower case) with and without edge punctuation.
_INLINE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "read-also",
        _rx(
            r"(?:اقرا|طالع|شاهد)\s+(?:ايضا|كذلك|المزيد)(?:\W.{0,200})?",
            r"(?:read (?:also|more)|see also)(?:\s*:.{0,200})?",
        ),
    ),
    (
        "feed-footer",
        _rx(
            r"the post .+ (?:appeared|first appeared) (?:first )?on .+",
            r"ظهرت (?:المقاله|التدوينه|المشاركه) .+ (?:اولا|لاول مره) (?:علي|في) .+",
        ),
    ),
)
_SHORT_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "comment-prompt",
        _rx(
            r"اترك (?:تعليقا|تعليقك|ردا|رد)(?: .*)?",
            r"الغاء الرد",
            r"(?:اضف|اكتب|ارسل|شاركنا) (?:تعليقا|تعليق|تعليقك|رايك)(?: .*)?",
            r"(?:عذرا[،,]? )?التعليقات مغلقه",
            r"تعليقات حول الموضوع",
            r"لارسال تعليق.*",
            r"التعليقات (?:المنشوره|الوارده) .*",
            r"\d+ (?:تعليق|تعليقات)",
            r"تعليق واحد|لا (?:توجد|يوجد) تعليقات|التعليقات(?: \(?\d+\)?)?",
            r"لن يتم نشر (?:عنوان )?بريدك الالكتروني.*",
            r"(?:كن|كوني) اول من يعلق.*",
            r"leave a (?:comment|reply)|add (?:a )?comment|no comments(?: yet)?|\d+ comments?",
            r"comments? (?:are )?closed|your email address will not be published.*",
            r"you must be logged in to post a comment.*",
        ),
    ),
    (
        "back-to-top",
        _rx(
            r"(?:زر )?(?:الذهاب|العوده|الرجوع|انتقل|اذهب) (?:الي (?:ال)?اعلي(?: الصفحه)?|للاعلي)",
            r"(?:back|go|scroll) to (?:the )?top",
        ),
    ),
    (
        "share",
        _rx(
            r"(?:شارك(?:ها|وا)?|مشاركه)(?: (?:الخبر|المقال|المقاله|الموضوع|هذا الخبر|هذا المقال))?"
            r"(?: (?:عبر|علي) .*)?",
            r"الرابط المختصر.*|(?:نسخ|انسخ) الرابط|طباعه",
            rf"{_NETWORK}(?:\W+{_NETWORK})*",
            r"share(?: this(?: article| story| post| page)?)?(?: (?:on|via) .*)?|print",
        ),
    ),
    (
        "follow-prompt",
        _rx(
            rf"(?:تابعوا|تابعونا|تابعنا|تابع (?:اخر|اخبار|صفحه|قناه|حساب)\S*|اشترك(?:وا)?|انضم(?:وا)?"
            rf"|للاشتراك) .*{_PLATFORM}.*",
            r"عبر ارسال كلمه اشتراك .*",
            rf"follow us(?: .*)?|(?:subscribe|join) .*(?:{_PLATFORM}|newsletter|channel).*",
        ),
    ),
    (
        "related",
        _rx(
            r"(?:مواضيع|اخبار|مقالات|موضوعات|قصص|تقارير)(?: اخري)?"
            r" (?:ذات صله|متعلقه|مشابهه|مقترحه|قد تهمك|ذات علاقه)",
            r"اخترنا لك|الاكثر (?:قراءه|مشاهده|تداولا|تعليقا|شعبيه)|اهم الاخبار",
            r"(?:قد )?(?:يعجبك|يهمك)(?: ايضا)?",
            r"(?:related|recommended|more) (?:news|stories|articles|posts|coverage)|related(?:\s*:.*)?",
            r"you (?:may|might) also like|most (?:read|popular|viewed)",
        ),
    ),
    (
        "nav",
        _rx(
            r"(?:(?:المقال|المقاله|الخبر|الموضوع|المنشور) )?(?:السابق|التالي)(?: (?:السابق|التالي))?",
            r"(?:previous|next)(?: (?:post|article|story|page))?",
            r"(?:الصفحه )?الرييسيه(?: [/»>›] .*)?|home(?: [/»>›] .*)?",  # ئ folds to ي
            r"(?:التصنيف|تصنيف|الوسوم|وسوم|كلمات داله|كلمات مفتاحيه|tags?|categories|category)"
            r"(?:\s*:.*)?",
        ),
    ),
    (
        "copyright",
        _rx(
            r".*(?:جميع الحقوق|كافه الحقوق|حقوق النشر|حقوق الطبع|الحقوق) محفوظه.*",
            r"(?:©|copyright|\(c\)).*|.*©\s*\d{4}.*|.*all rights reserved.*",
            r"تم التصميم والتطوير.*|استعمال المضامين بموجب .*|powered by .*",
        ),
    ),
    ("content-farm", _rx(r"نقدم لكم زوارنا الكرام .*", r"اخلاء (?:ال)?مسووليه.*")),
    (
        "head-prompt",
        _rx(
            r"استمع (?:الي|ل)\s?\S*(?: \S+){0,4}",
            r"اقرا (?:علي|في) (?:ال)?موقع(?: .*)?",
            r"listen to (?:this )?(?:article|story)(?: .*)?",
        ),
    ),
    (
        "media-prompt",
        _rx(
            r"المزيد من التفاصيل في الفيديو المرفق.*",
            r"(?:شاهد|شاهدوا) (?:ال)?فيديو(?: (?:التالي|المرفق|هنا|الكامل))?|watch the video.*",
        ),
    ),
    ("bare-url", _rx(r"(?:https?://|www\.|t\.me/)\S+")),
)
# All short rules in one pattern (one regex call per line); the group name gives the rule.
_SHORT_COMBINED = re.compile(
    "|".join(f"(?P<{rule.replace('-', '_')}>{pattern.pattern})" for rule, pattern in _SHORT_RULES)
)
_SHORT_INDEX = {rule.replace("-", "_"): i for i, (rule, _) in enumerate(_SHORT_RULES)}
_CAPTION_RE = _rx(
    r"(?:مصدر الصوره|الصوره|الصور|صوره|تصوير|عدسه|photo|photos|image|picture|credit|photograph)"
    r"\s*:.{0,120}",
    r"صوره (?:تعبيريه|ارشيفيه|من الارشيف|ارشيف|مرفقه)(?:\W.{0,80})?",
    r".{1,120}\s[-–—]\s(?:ارشيفيه|ارشيف|صوره ارشيفيه|صوره تعبيريه)",
    r"\(?(?:photo|image|picture)s?(?: by| courtesy| credit)\b.{0,100}",
    r"(?:getty images|afp|reuters|epa|anadolu|shutterstock|ap photo)(?:\s*/\s*\S+){0,2}"
    r"(?: via getty images)?",
)
# A Latin photo credit glued to the Arabic text that follows it (TEST_CASES C12).
_GLUED_CREDIT_RE = re.compile(
    r"^(?P<credit>(?:AFP\s*/\s*)?Getty Images|AFP|Reuters|EPA|AP Photo|Anadolu(?: Agency)?"
    r"|Shutterstock)(?=[\u0600-\u06ff])"
)
_CREDIT_RE = re.compile(r"(?:المصدر|المصادر|source)\s*[:：\-–—]\s*\S.*")
_CREDIT_SPLIT_RE = re.compile(r"[:：\-–—]")
# Agency and outlet signatures that end a text on their own (NOTES §4.2), in folded form.
_SIGNATURE_RE = re.compile(
    r"(?:ا ف ب|ا\.ف\.ب|فرانس برس|ا ش ا|رويترز|سانا|وكالات|الاناضول|د ب ا|يو بي اي|زمان الوصل"
    r"|سيريانيوز|بلدي نيوز|عنب بلدي|سمارت|نورث برس|حريه برس|afp|reuters|ap|dpa|anadolu)"
    r"|عن (?:وكاله )?\S+(?: \S+)? بتصرف"
)


def _rule_for(full: str, key: str, extra: Sequence[re.Pattern[str]]) -> str | None:
    """``full`` is the folded line, ``key`` the same with edge punctuation trimmed."""
    if not key:
        return "blank"
    forms = (key,) if key == full else (key, full)
    for rule, pattern in _INLINE_RULES:
        if any(pattern.fullmatch(form) for form in forms):
            return rule
    words = len(full.split())
    if words <= MAX_SHORT_WORDS:
        found = [
            m.lastgroup for form in forms if (m := _SHORT_COMBINED.fullmatch(form)) and m.lastgroup
        ]
        if found:  # the earliest rule in _SHORT_RULES order, as if tried one by one
            return min(found, key=_SHORT_INDEX.__getitem__).replace("_", "-")
    if words <= MAX_CAPTION_WORDS and any(_CAPTION_RE.fullmatch(form) for form in forms):
        return "caption"
    if any(pattern.search(full) for pattern in extra):
        return "custom"
    return None


def _credit(line: str) -> str | None:
    """The credit of a line that is only "المصدر: …" or a signature ("زمان الوصل",
    "أ ف ب", "عن رويترز بتصرف"), else None."""
    key = fold_arabic(line).strip(_EDGE)
    if _SIGNATURE_RE.fullmatch(key):
        return line.strip(_EDGE)
    if not _CREDIT_RE.fullmatch(key):
        return None
    credit = _CREDIT_SPLIT_RE.split(line, maxsplit=1)[1].strip(_EDGE)
    return credit if credit and len(credit.split()) <= MAX_CREDIT_WORDS else None


def line_hash(key: str) -> str:
    """Stable id of a folded line (for learned per-source boilerplate): xxh3-64, 16 hex."""
    return xxhash.xxh3_64_hexdigest(key.encode("utf-8"))


def clean_text(
    text: str,
    *,
    extra_patterns: Sequence[re.Pattern[str]] = (),
    learned: Collection[str] = (),
) -> CleanResult:
    """Drop boilerplate lines; keep every other line, in order, exactly as written (trimmed).

    ``extra_patterns`` are per-source patterns searched in each line's key (``fold_arabic``
    form; anchor them with ``^…$`` to match whole lines); a match removes the line (``custom``).
    ``learned`` holds :func:`line_hash` values of the source's learned boilerplate lines
    (``archive.learned``); a short line whose hash is in it is removed (``learned``).
    """
    kept: list[tuple[int, str]] = []
    removed: list[RemovedLine] = []
    seen: set[str] = set()
    candidates: dict[str, str] = {}
    first = True
    for index, raw in enumerate(text.splitlines()):
        line = raw.strip()
        if not line:
            continue
        if (glued := _GLUED_CREDIT_RE.match(line)) is not None:
            removed.append(RemovedLine(index, glued["credit"], "glued-credit"))
            line = line[glued.end() :].strip()
        full = fold_arabic(line)
        key = full.strip(_EDGE)
        rule = _rule_for(full, key, extra_patterns)
        if rule is None and key and len(full.split()) <= MAX_LEARNED_WORDS:
            digest = line_hash(key)
            if digest in learned:
                rule = "learned"
            if not first:
                candidates.setdefault(digest, line)
        first = first and rule is not None
        if rule is None and len(key.split()) >= MIN_DUPLICATE_WORDS:
            rule = "duplicate-line" if key in seen else None
            seen.add(key)
        if rule is None:
            kept.append((index, line))
        else:
            removed.append(RemovedLine(index, line, rule))
    credits: list[str] = []
    while kept and (credit := _credit(kept[-1][1])) is not None:
        index, line = kept.pop()
        credits.insert(0, credit)
        removed.append(RemovedLine(index, line, "attribution"))
    return CleanResult(
        text="\n".join(line for _, line in kept),
        removed=tuple(sorted(removed, key=lambda r: r.index)),
        attribution="، ".join(credits) if credits else None,
        candidates=tuple(candidates.items()),
    )
