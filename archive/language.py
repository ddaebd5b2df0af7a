"""The language of a text, detected from the text itself (pages often declare it wrongly).

A small, predictable detector, no model files: the dominant script decides most languages
(Arabic script → ``ar``, or ``fa``/``ur`` when their own letters are frequent; Hebrew, Greek,
Thai, Hangul, kana, Han, Devanagari), and for Latin and Cyrillic text the most frequent
function words decide among the languages we list. It returns None when the text is too short
or the evidence is weak; callers then fall back to nothing rather than to the page's claim.
"""

from __future__ import annotations

import re
from collections import Counter

__all__ = ["detect_language"]

MIN_LETTERS = 20
MAX_SAMPLE_CHARS = 3000
MIN_STOPWORD_HITS = 3
_WORD_RE = re.compile(r"[^\W\d_]+")

_SCRIPTS: tuple[tuple[str, str], ...] = (
    ("arabic", "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff"),
    ("latin", "A-Za-z\u00c0-\u024f\u1e00-\u1eff"),
    ("cyrillic", "\u0400-\u052f"),
    ("hebrew", "\u0590-\u05ff"),
    ("greek", "\u0370-\u03ff"),
    ("thai", "\u0e00-\u0e7f"),
    ("hangul", "\uac00-\ud7af\u1100-\u11ff"),
    ("kana", "\u3040-\u30ff"),
    ("han", "\u4e00-\u9fff"),
    ("devanagari", "\u0900-\u097f"),
)
_SCRIPT_RES = {name: re.compile(f"[{ranges}]") for name, ranges in _SCRIPTS}
_DIRECT = {"hebrew": "he", "greek": "el", "thai": "th", "hangul": "ko", "devanagari": "hi"}
_PERSIAN_RE = re.compile("[پچژگکی]")
_URDU_RE = re.compile("[ٹڈڑںےہ]")

_STOPWORDS: dict[str, frozenset[str]] = {
    lang: frozenset(words.split())
    for lang, words in {
        "en": "the and of to in is that for it with as was on are be by this have from not but "
        "they his her at which were been has their said would",
        "de": "der die und das ist nicht den von zu mit sich des auf für ein eine im dem auch "
        "es an werden aus er hat dass sie nach wird bei einer um noch wie",
        "fr": "le la les et des est une pour dans que qui pas sur du au avec sont il ce par "
        "plus elle ont été aux mais leur cette",
        "es": "el la los las y de que en un una es por con para del se no al lo como más pero "
        "sus fue han está",
        "it": "il di che la e un una per non sono del della con gli le si nel alla anche come "
        "più ma ha è stato",
        "pt": "o a os as de que e do da em um uma para com não por mais dos das se foi são "
        "como mas ao pelo pela",
        "nl": "de het een en van is dat op te in niet zijn voor met die ook er aan om maar "
        "werd bij dan wordt",
        "tr": "ve bir bu da de için ile olarak daha çok gibi olan en ama sonra kadar değil "
        "mı ne var",
        "id": "yang dan di ini itu dengan untuk dari tidak dalam akan pada juga ke ada adalah "
        "oleh atau sudah",
        "sv": "och att det som en på är av för med till den har inte om ett var jag sig men från",
        "no": "og i det som på er av for med til den har ikke om et var seg men fra jeg å",
        "da": "og at det som på er af for med til den har ikke om et var sig men fra jeg",
        "pl": "i w nie na się z że do to jest jak o po co ale tak od za przez",
        "cs": "a v se na je že to s z do o jako ale by pro jsou jeho",
        "ru": "и в не на что с по как это он но из к у за от о так же для то",
        "uk": "і в не на що з до як це він але та від у за про для же",
    }.items()
}
_CYRILLIC = frozenset({"ru", "uk"})
_LATIN = frozenset(_STOPWORDS) - _CYRILLIC


_LETTER_RE = re.compile(r"[^\W\d_]")


def _script_counts(text: str) -> Counter[str]:
    """Letters per script; when Arabic or Latin letters are most of the text, only those."""
    letters = len(_LETTER_RE.findall(text))
    for name in ("latin", "arabic"):
        count = len(_SCRIPT_RES[name].findall(text))
        if count > letters / 2:
            return Counter({name: count, "other": letters - count})
    return Counter({name: len(rx.findall(text)) for name, rx in _SCRIPT_RES.items()})


def detect_language(text: str) -> str | None:  # noqa: PLR0911 (one return per script)
    """ISO 639-1 code of the text's language, or None when unsure."""
    sample = text[:MAX_SAMPLE_CHARS]
    counts = _script_counts(sample)
    letters = sum(counts.values())
    if letters < MIN_LETTERS:
        return None
    script, top = counts.most_common(1)[0]
    if top / letters < 0.5:
        if counts["kana"] and counts["kana"] + counts["han"] >= letters / 2:
            return "ja"
        return None
    if script == "arabic":
        persian, urdu = len(_PERSIAN_RE.findall(sample)), len(_URDU_RE.findall(sample))
        if urdu > top * 0.01:
            return "ur"
        return "fa" if persian > top * 0.01 else "ar"
    if script in _DIRECT:
        return _DIRECT[script]
    if script in ("kana", "han"):
        return "ja" if counts["kana"] > counts["han"] * 0.1 else "zh"
    words = Counter(w.lower() for w in _WORD_RE.findall(sample))
    candidates = _CYRILLIC if script == "cyrillic" else _LATIN
    scores = {lang: sum(words[w] for w in _STOPWORDS[lang]) for lang in sorted(candidates)}
    best = max(scores, key=lambda lang: scores[lang])
    if scores[best] < MIN_STOPWORD_HITS:
        return None
    return best
