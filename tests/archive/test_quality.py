"""Text-quality flags (archive/quality.py): A13 (not Arabic on an Arabic page), F5 (PDF text)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.extract import extract
from archive.quality import (
    LOW_QUALITY,
    VISUAL_ORDER_SUSPECT,
    arabic_share,
    assess,
    dedup_eligible,
    expects_arabic,
    is_visual_order,
    join_flags,
)
from tests.archive.pages import article_html, seed

# A13: a copy of an Arabic site that is a wall of random Latin letters.
LATIN_JUNK = (
    "qwkzv plmrtx wqxnz brtyqo zzkpl mnbvcx qwerty asdfgh zxcvbn poiuyt lkjhgf mnbvcx "
    "ytrewq hgfdsa bvcxz ploki ujhyg tgbnh yhnuj mkiol"
)
# F5: presentation forms in visual order, as copied out of a PDF.
PDF_TEXT = "ﻞﯿﻐﺸﺗ تادﺎﺷرا"
ARTICLE = "\n".join(seed("004"))


def test_latin_junk_on_an_arabic_page_is_low_quality() -> None:
    q = assess(LATIN_JUNK, "ar")
    assert q.flags == (LOW_QUALITY,)
    assert q.arabic_share == 0.0
    assert q.stored_flags == "low_quality"


@pytest.mark.parametrize("lang", ["en", "fr", "EN-us"])
def test_a_page_in_another_language_is_not_flagged(lang: str) -> None:
    assert assess(LATIN_JUNK, lang).flags == ()


def test_an_undeclared_page_counts_as_arabic_when_its_title_is() -> None:
    assert assess(LATIN_JUNK, None, title="روسيا تدافع عن النظام").flags == (LOW_QUALITY,)
    assert assess(LATIN_JUNK, None, title="Breaking news").flags == ()
    assert assess(LATIN_JUNK, None).flags == ()
    assert expects_arabic("ar-SY")
    assert not expects_arabic("en", title="روسيا تدافع عن النظام")  # the declaration wins


def test_the_share_threshold_is_0_3() -> None:
    arabic = "كلمة " * 29  # 116 Arabic letters
    latin = "abcd " * 70  # 280 Latin letters: 116 / 396 = 0.29
    assert assess(arabic + latin, "ar").flags == (LOW_QUALITY,)
    assert assess(arabic + "abcd " * 60, "ar").flags == ()  # 116 / 356 = 0.33


def test_arabic_articles_with_latin_names_are_fine() -> None:
    text = ARTICLE + "\nCBS News, Reuters, Getty Images, BBC, AFP, OPCW"
    q = assess(text, "ar")
    assert q.flags == ()
    assert q.arabic_share is not None
    assert q.arabic_share > 0.9


def test_short_or_letterless_texts_are_not_judged() -> None:
    assert assess("OK test", "ar").flags == ()  # fewer than 20 letters
    assert assess("2019 - 12 - 3", "ar") == assess("", "ar")
    assert arabic_share("123 !!") is None


def test_pdf_presentation_forms_are_visual_order_suspect() -> None:
    assert is_visual_order(PDF_TEXT)
    assert assess(PDF_TEXT, "ar").flags == (VISUAL_ORDER_SUSPECT,)
    # NFKC repairs the letter shapes but not the order: the share no longer shows it, the
    # reversed function words do.
    reversed_text = "ءاملعلا نم ددع يف ةسارد ىلع ءانب " * 2 + "ريرقتلا يف"
    assert is_visual_order(unicodedata.normalize("NFKC", reversed_text))


def test_logical_arabic_with_a_few_ligatures_is_not_visual_order() -> None:
    text = ARTICLE + "\nقال النبي محمد ﷺ وقال ﷲ ﻻ"  # word ligatures and one lam-alef
    assert not is_visual_order(text)
    assert assess(text, "ar").flags == ()
    assert not is_visual_order(PDF_TEXT[:4])  # too few forms to say


def test_both_flags_at_once_are_stored_in_a_fixed_order() -> None:
    assert join_flags([VISUAL_ORDER_SUSPECT, LOW_QUALITY]) == "low_quality visual_order_suspect"
    assert join_flags([]) is None
    with pytest.raises(ValueError, match="unknown quality flag"):
        join_flags(["spam"])


def test_only_unflagged_versions_enter_dedup() -> None:
    assert dedup_eligible(None)
    assert not dedup_eligible("low_quality")
    assert not dedup_eligible("visual_order_suspect")


@given(st.text(max_size=200))
def test_share_is_a_fraction(text: str) -> None:
    share = arabic_share(text)
    assert share is None or 0.0 <= share <= 1.0


def test_extract_reports_the_flags_of_the_cleaned_text() -> None:
    junk = article_html("روسيا تدافع عن النظام", [LATIN_JUNK] * 3)
    ex = extract(junk, url="http://x.example/1")
    assert ex.quality_flags == (LOW_QUALITY,)
    assert ex.as_dict()["quality_flags"] == ["low_quality"]
    fine = extract(article_html("روسيا تدافع عن النظام", seed("000")), url="http://x.example/2")
    assert fine.quality_flags == ()
    assert fine.arabic_share is not None
    assert fine.arabic_share > 0.9


def test_share_counts_letters_not_marks_digits_or_punctuation() -> None:
    assert arabic_share("الـــعربية") == 1.0  # tatweel is Arabic script
    assert arabic_share("التَّحقيق ٢١ آذار ٢٠١٩، «قال»") == 1.0  # harakat, digits, quotes
    assert arabic_share("abc الـعربية") == 8 / 11
    assert arabic_share("ﻞﯿﻐﺸﺗ") == 1.0  # presentation forms are Arabic letters
