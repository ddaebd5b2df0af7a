from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.normalize import dedup_key, fold_arabic


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("الـــعربية", "العربية"),  # B1 tatweel
        ("التَّحقيق", "التحقيق"),  # B2 diacritics
        ("أيضاً", "أيضًا"),  # B3 tanwin placement
        ("منذ\u200f 5 ساعات\u200e\u061c\u202b\u202c\u2066\u2069\ufeff", "منذ 5 ساعات"),  # B4
        ("ﻻ", "لا"),  # B5 presentation forms
        ("ﷲ", "الله"),
        ("الإرهابیة", "الإرهابية"),  # B6 Farsi yeh
        ("فى", "في"),  # B7
        ("اعلن", "أعلن"),  # B8
        ("إبريل", "أبريل"),
        ("٢١ آذار ٢٠١٩", "21 آذار 2019"),  # B9
        ("۲۱", "21"),
    ],
)
def test_fold_arabic_equates_spelling_variants(a: str, b: str) -> None:
    assert fold_arabic(a) == fold_arabic(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("في سورية اليوم", "في سوريا اليوم"),  # B10 house style
        ("وبسورية", "وبسوريا"),
        ("الأميركية", "الأمريكية"),
        ("«لقد حصلت»", '"لقد حصلت"'),  # B11 quotes
        ("«لقد حصلت»", "“لقد حصلت”"),
        ("حلب، دمشق", "حلب, دمشق"),
    ],
)
def test_dedup_key_equates_house_style_and_punctuation(a: str, b: str) -> None:
    assert dedup_key(a) == dedup_key(b)


def test_dedup_key_keeps_the_adjective_syrian_apart_from_the_country() -> None:
    assert dedup_key("الحكومة السورية") != dedup_key("الحكومة سوريا")


def test_dedup_key_collapses_repeated_lines() -> None:  # C14
    para = "وأفاد مصدر بأن وحدات من الجيش وجهت رمايات دقيقة"
    assert dedup_key(f"{para}\n{para}\nسطر آخر") == dedup_key(f"{para}\nسطر آخر")


def test_stored_text_is_not_touched() -> None:  # B13: keys only
    text = "التَّحقيق في سورية"
    dedup_key(text)
    assert text == "التَّحقيق في سورية"


def test_pyarabic_uniform_hamza_is_not_our_normaliser() -> None:  # B12
    assert fold_arabic("أكد") == "اكد"  # never "ءكد"


arabic_text = st.text(
    st.characters(min_codepoint=0x0600, max_codepoint=0x06FF)
    | st.sampled_from(" \n.،«»0123456789abc"),
    max_size=200,
)


@given(arabic_text)
def test_normalisers_are_idempotent(text: str) -> None:
    assert fold_arabic(fold_arabic(text)) == fold_arabic(text)
    assert dedup_key(dedup_key(text)) == dedup_key(text)


def _fold_step_by_step(text: str) -> str:
    """fold_arabic as a sequence of steps (how it was written before the one-table fold)."""
    import re
    import unicodedata

    from archive import normalize as n

    if text.isascii():
        return re.sub(r"\s+", " ", text.lower()).strip()
    text = unicodedata.normalize("NFKC", text)
    if n._FOLDABLE_RE.search(text):
        text = text.translate(n._CONTROLS).replace(n._TATWEEL, "")
        text = n._DIACRITICS_RE.sub("", text)
        text = text.translate(n._LETTER_FOLD).translate(n._DIGITS)
    return re.sub(r"\s+", " ", text.lower()).strip()


_ANY_ARABIC = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x0600, max_codepoint=0x06FF),
        st.characters(min_codepoint=0xFB50, max_codepoint=0xFEFF),  # presentation forms, BOM
        st.sampled_from(
            list(
                "\u200b\u200c\u200d\u200e\u200f\u202a\u202e\u2060\u2066\u2069\u00ad abcXYZ 123\t\n.,"
            )
        ),
    ),
    max_size=300,
)


@given(_ANY_ARABIC)
def test_one_table_fold_equals_the_steps(text: str) -> None:
    assert fold_arabic(text) == _fold_step_by_step(text)
    assert fold_arabic(text) == fold_arabic(text)  # the cached path gives the same


def test_long_texts_fold_without_the_cache() -> None:
    line = "قال المُتحدّث إنّ ٢٠ شخصاً أُصيبوا " * 40  # longer than the cached-line limit
    assert fold_arabic(line) == _fold_step_by_step(line)
