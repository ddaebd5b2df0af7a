"""Word diffs and change keys: pure functions, Arabic text, invariants."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from archive.changes import change_key, is_volatile
from archive.worddiff import diff_text, render, summarize

OLD = "دمشق-سانا\nاستشهد مدنيان وأصيب 6 آخرون.\nفقرة ثابتة لا تتغير أبداً."
NEW = "دمشق-سانا\nاستشهد 3 مدنيين وأصيب 8 آخرون.\nفقرة ثابتة لا تتغير أبداً.\nفقرة جديدة."


def test_render_marks_changed_words_per_paragraph() -> None:
    assert render(diff_text(OLD, NEW)) == [
        "¶2: استشهد [-مدنيان-] {+3 مدنيين+} وأصيب [-6-] {+8+} آخرون.",
        "¶4: {+فقرة جديدة.+}",
    ]
    full = render(diff_text(OLD, NEW), full=True)
    assert full[0] == "¶1: دمشق-سانا"
    assert len(full) == 4
    colored = render(diff_text(OLD, NEW), color=True)[1]
    assert colored == "¶4: \x1b[32m{+فقرة جديدة.+}\x1b[0m"


def test_deleted_and_merged_paragraphs() -> None:
    assert render(diff_text("أ ب\nج د", "أ ب")) == ["¶2 (deleted): [-ج د-]"]
    merged = diff_text("أ ب ج\nد ه و", "أ ب ج د ه و ز")  # a merge is not a change
    assert render(merged) == ["¶1: أ ب ج د ه و {+ز+}"]


def test_summary_counts_words_not_punctuation_and_keeps_diacritics() -> None:
    s = summarize("عنوان", "قال المتحدث: «لا تعليق».", "عنوان", "قال المتحدث: لا تعليق!")
    assert (s.words_added, s.words_removed, s.title_changed) == (0, 0, False)
    s = summarize(None, "التحقيق مستمر", None, "التَّحقيق مستمر")
    assert (s.words_added, s.words_removed) == (1, 1)  # a diacritic is a change of word
    s = summarize("عنوان قديم", "نص", "عنوان جديد", "نص")
    assert (s.words_added, s.words_removed, s.title_changed) == (1, 1, True)


def test_invisible_characters_are_not_changes() -> None:
    assert summarize(None, "نص \u200fعربي", None, "نص عربي") == summarize(None, "x", None, "x")


def test_volatile_lines() -> None:
    for line in [
        "عدد المشاهدات: 1234",
        "1,234 مشاهدة",
        "منذ 3 ساعات",
        "Views: 12",
        "آخر تحديث: أمس",
    ]:
        assert is_volatile(line), line
    for line in ["قبل الحرب", "قتل 17 شخصاً في الهجوم", "منذ بداية الحرب قتل آلاف المدنيين"]:
        assert not is_volatile(line), line
    assert change_key("ع", "نص\nعدد المشاهدات: 5") == change_key("ع", "نص\nعدد المشاهدات: 9")


words = st.lists(
    st.sampled_from(["قال", "إن", "3", "مدنيين", "،", ".", "سوريا", "التَّحقيق"]), max_size=30
)
texts = st.lists(words.map(" ".join), max_size=6).map("\n".join)


@given(texts)
def test_a_text_has_no_diff_with_itself(text: str) -> None:
    assert not any(p.changed for p in diff_text(text, text))
    assert summarize("t", text, "t", text).words_added == 0


@given(texts, texts)
def test_summary_is_symmetric(a: str, b: str) -> None:
    forward, backward = summarize(None, a, None, b), summarize(None, b, None, a)
    assert (
        forward.words_added - forward.words_removed == backward.words_removed - backward.words_added
    )
    if change_key(None, a) == change_key(None, b):
        assert (forward.words_added, forward.words_removed) == (0, 0)
