"""Datelines (archive/dateline.py): C13, and the wire attribution built on them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.dateline import Dateline, agency_of, is_source, parse_dateline, split_dateline
from archive.extract import extract
from archive.wire import wire_credit
from tests.archive.pages import article_html, seed

BODY = "أطلقت مديرية الصحة اليوم حملة تلقيح ضد شلل الأطفال تستمر خمسة أيام في المدينة والريف."


@pytest.mark.parametrize(
    ("head", "place", "sources", "reporter", "agency"),
    [
        ("حماة-سانا", "حماة", ("سانا",), None, "sana"),
        ("حلب-سانا-الجماهير", "حلب", ("سانا", "الجماهير"), None, "sana"),
        ("بلدي نيوز – حلب (عمران الشامي)", "حلب", ("بلدي نيوز",), "عمران الشامي", None),
        (
            "أخبار الآن | إدلب – سوريا (وكالات)",
            "إدلب – سوريا",
            ("وكالات", "أخبار الآن"),
            None,
            None,
        ),
        ("سمارت ــ إدلب", "إدلب", ("سمارت",), None, None),
        ("حرية برس:", None, ("حرية برس",), None, None),
        ("دمشق ـ المغرب اليوم", "دمشق", ("المغرب اليوم",), None, None),
        ("عمان (أ ف ب) -", "عمان", ("أ ف ب",), None, "afp"),
        ("بيروت – رويترز", "بيروت", ("رويترز",), None, "reuters"),
        ("قنا - أ ش أ", "قنا", ("أ ش أ",), None, "mena"),  # Qena, the city, not QNA
    ],
)
def test_c13_datelines_on_a_line_of_their_own(
    head: str, place: str | None, sources: tuple[str, ...], reporter: str | None, agency: str | None
) -> None:
    text = f"{head}\n{BODY}\nفقرة ثانية."
    found = parse_dateline(text)
    assert found == Dateline(head, place, sources, reporter, len(head) + 1)
    assert text[found.end :].startswith(BODY)
    assert wire_credit(text) == agency


@pytest.mark.parametrize(
    ("text", "dateline", "source"),
    [
        ("حماة-سانا أكد محافظ حماة أن العمل مستمر", "حماة-سانا", "سانا"),
        ("حلب-سانا-الجماهير: أعلنت المديرية عن حملة", "حلب-سانا-الجماهير:", "سانا > الجماهير"),
        ("حرية برس: قال مصدر محلي إن القصف استمر", "حرية برس:", "حرية برس"),
        ("عمان (أ ف ب) - قال مسؤول أردني", "عمان (أ ف ب) -", "أ ف ب"),
        ("وكالات()- قال المتحدث باسم الوزارة", "وكالات()-", "وكالات"),  # extraction artefact
        ("دمشق، 21 آذار (سانا) - قال الوزير", "دمشق، 21 آذار (سانا) -", "سانا"),  # with a date
        ("القاهرة - 12 مارس 2019 (أ ش أ) - أفاد", "القاهرة - 12 مارس 2019 (أ ش أ) -", "أ ش أ"),
        ("  \u200fسمارت ـــ درعا (خاص)\nنص", "سمارت ـــ درعا (خاص)", "سمارت"),
    ],
)
def test_datelines_running_into_the_body(text: str, dateline: str, source: str) -> None:
    found, body = split_dateline(text)
    assert found is not None
    assert (found.text, found.source) == (dateline, source)
    assert body == text[found.end :].lstrip()
    assert not body.startswith((":", "-", "(", " "))


def test_exclusive_is_no_reporter_and_invisible_marks_are_skipped() -> None:
    found = parse_dateline("\u200f سمارت ـــ درعا (خاص)\nنص")
    assert found is not None
    assert (found.place, found.reporter) == ("درعا", None)


def test_spelling_variants_of_a_source_are_recognised() -> None:
    for name in ("أخبار الآن", "اخبار الان", "حرية برس", "حريه برس", "أ.ف.ب", "سـانا"):
        assert is_source(name), name
    assert not is_source("سانا اليوم")
    assert agency_of("وكالة رويترز") == "reuters"
    assert agency_of("أ.ف.ب") == "afp"
    assert agency_of("وكالات") is None  # agencies, unnamed


@pytest.mark.parametrize(
    "text",
    [
        BODY,
        "وقال مراسل سانا إن المؤسسة باشرت العمل",  # a mention, not a dateline
        "وكالات الأنباء نقلت عن مصدر أن الاجتماع تأجل",  # a source's name starts a sentence
        "قال الرئيس - في كلمة متلفزة - إن الحرب انتهت",  # dashes, but no source
        "دمشق (صور) - أطلقت المديرية حملة",  # no source
        "دمشق - 12 آذار 2019",  # place and date, no source
        "سانا",  # a name alone mid-paragraph would be a mention; alone on a line it is too short
        "",
    ],
)
def test_body_text_is_not_a_dateline(text: str) -> None:
    if text == "سانا":
        found = parse_dateline(text)
        assert found is not None
        assert found.place is None
        return
    assert parse_dateline(text) is None
    assert split_dateline(text) == (None, text)


def test_only_the_first_line_is_read() -> None:
    assert parse_dateline(f"{BODY}\nحماة-سانا") is None


def test_extract_stores_the_dateline_and_keeps_it_in_the_text() -> None:
    body = ["بلدي نيوز – حلب (عمران الشامي)", *seed("000")]
    ex = extract(article_html("روسيا تدافع عن النظام", body), url="http://x.example/1")
    assert ex.text.startswith("بلدي نيوز – حلب (عمران الشامي)\n")
    assert (ex.dateline_place, ex.dateline_source, ex.dateline_reporter) == (
        "حلب",
        "بلدي نيوز",
        "عمران الشامي",
    )
    assert ex.as_dict()["dateline"] == "بلدي نيوز – حلب (عمران الشامي)"


@given(
    st.lists(
        st.sampled_from(
            ["حماة", "سانا", "-", " – ", " ــ ", "(", ")", ":", " ", "\n", "قال", "وكالات"]
        )
        | st.text(max_size=5),
        max_size=12,
    )
)
def test_a_dateline_is_always_the_start_of_the_text(parts: list[str]) -> None:
    text = "".join(parts)
    found = parse_dateline(text)
    if found is None:
        return
    assert found.sources
    assert found.text.strip() == found.text
    assert found.text in text[: found.end]  # the body starts after the dateline
    assert parse_dateline(text[: found.end]) is not None  # and the dateline alone is one
    assert 0 < found.end <= len(text)
