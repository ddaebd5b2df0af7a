"""archive.clean: TEST_CASES section C (boilerplate lines after trafilatura)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.clean import CLEANER_VERSION, CleanResult, RemovedLine, clean_text

SEEDS = Path(__file__).parent / "data" / "seeds"
SEED_000 = (SEEDS / "000_1d0a823d02795949.txt").read_text(encoding="utf-8")
SEED_004 = (SEEDS / "004_2ba384a2344c80a8.txt").read_text(encoding="utf-8")
READ_ALSO = "إقرأ أيضاً : قوات الأسد تستخدم غاز الكلور على أحد الجبهات المستعصية"
BODY_1 = "قال مصدر عسكري إن وحدات الجيش تصدت لهجوم شنته مجموعات مسلحة على نقاط في ريف حماة الشمالي."
BODY_2 = "وأضاف المصدر أن الاشتباكات أسفرت عن مقتل عدد من المسلحين وتدمير آليات كانت بحوزتهم."


def around(*lines: str) -> str:
    return "\n".join([BODY_1, *lines, BODY_2])


def rules(result: CleanResult) -> list[str]:
    return [r.rule for r in result.removed]


def test_version_is_an_int() -> None:
    assert isinstance(CLEANER_VERSION, int)


def test_c1_seed_000_only_the_read_also_line_goes() -> None:
    lines = SEED_000.splitlines()
    assert len(lines) == 13
    result = clean_text(SEED_000)
    assert result.removed == (RemovedLine(3, READ_ALSO, "read-also"),)
    kept = result.text.splitlines()
    assert len(kept) == 12
    assert kept == [line for line in lines if line != READ_ALSO]
    assert kept[3].startswith("بالمقابل وجهت")
    assert kept[-1].startswith("يذكر بأن روسيا")
    assert result.attribution is None


def test_c2_seed_004_tail_goes() -> None:
    result = clean_text(SEED_004)
    assert [(r.line, r.rule) for r in result.removed] == [
        ("اترك تعليقاً", "comment-prompt"),
        ("زر الذهاب إلى الأعلى", "back-to-top"),
    ]
    assert result.text.splitlines()[-1].endswith("استخدام تلك الأسلحة.")
    paragraphs = [p for p in SEED_004.splitlines() if p.strip()]
    assert result.text.splitlines() == paragraphs[:-2]  # blank lines collapse, nothing else lost


@pytest.mark.parametrize(
    "line",
    [
        "اقرأ أيضا",
        "اقرأ أيضًا: عنوان خبر آخر",
        "إقرأ ايضاً: عنوان",
        "اقـــرأ أيضـاً: عنوان",
        "شاهد أيضاً: فيديو",
        "طالع أيضا تقريرنا عن الهجوم",
        "اقرأ أيضاً",
        "- اقرأ أيضا: عنوان",
        "Read more: Syria's war explained",
        "See also",
    ],
)
def test_c4_read_also_variants(line: str) -> None:
    result = clean_text(around(line))
    assert rules(result) == ["read-also"]
    assert result.text == around()


@pytest.mark.parametrize(
    "line",
    [
        "وأكد أن المشاركين اقرأوا البيان",
        "شاركت فلسطين في البطولات",
        "تابعونا على أرض الواقع قال المتحدث إن القوات تقدمت نحو المدينة"
        " بعد معارك استمرت ثلاثة أيام",
        "وقال إن المصدر: رويترز",
        "تابع المتحدث قائلا إن البيان نشر على فيسبوك",
        "وقال في الأسبوع السابق إن الجولة التالية ستعقد في أستانا",
        "دعم لا محدود",
        "Related to this, the minister said that talks would resume.",
        "وشارك في الاجتماع ممثلون عن الأمم المتحدة",
    ],
)
def test_c5_lookalike_body_sentences_are_kept(line: str) -> None:
    for text in (around(line), f"{BODY_1}\n{line}"):  # in the body and as the last line
        result = clean_text(text)
        assert result.removed == ()
        assert result.text == text


def test_c6_attribution_from_last_line() -> None:
    result = clean_text(around("وقال إن المصدر: رويترز") + "\nالمصدر: وكالة رويترز")
    assert result.attribution == "وكالة رويترز"
    assert result.text == around("وقال إن المصدر: رويترز")
    assert rules(result) == ["attribution"]


def test_c6_attribution_only_at_the_end_after_other_boilerplate() -> None:
    text = around() + "\nالمصدر: سانا\nشارك\nhttps://telegram.me/SyrianArabNewsAgency"
    result = clean_text(text)
    assert result.attribution == "سانا"
    assert result.text == around()
    mid = clean_text(f"{BODY_1}\nالمصدر: سانا\n{BODY_2}")
    assert mid.attribution is None
    assert mid.removed == ()


SANA_FOOTER = [
    "تابعوا آخر الأخبار السياسية والميدانيـة عبر تطبيق تيلغرام على الهواتف الذكية عبر الرابط :",
    "https://telegram.me/SyrianArabNewsAgency",
    "تابعونا عبر تطبيق واتس أب :",
    "عبر إرسال كلمة اشتراك على الرقم / 0940777186/ بعد تخزينه في هاتفك.",
    "تابعوا صفحتنا على موقع (VK) للتواصل الاجتماعي على الرابط :",
    "http://vk.com/syrianarabnewsagency",
]


def test_c7_sana_footer_block() -> None:
    result = clean_text("\n".join([BODY_1, BODY_2, *SANA_FOOTER]))
    assert result.text == f"{BODY_1}\n{BODY_2}"
    assert rules(result) == [
        "follow-prompt",
        "bare-url",
        "follow-prompt",
        "follow-prompt",
        "follow-prompt",
        "bare-url",
    ]


def test_c8_comment_prompts_go_signature_moves_to_attribution() -> None:
    text = around() + "\nزمان الوصل\nتعليقات حول الموضوع\nلإرسال تعليق,الرجاء تعبئة الحقول التالية"
    result = clean_text(text)
    assert result.text == around()
    assert result.attribution == "زمان الوصل"
    assert rules(result) == ["attribution", "comment-prompt", "comment-prompt"]


@pytest.mark.parametrize(
    ("line", "credit"),
    [("ا ف ب", "ا ف ب"), ("أ ش أ", "أ ش أ"), ("(وكالات)", "وكالات"), ("عن رويترز بتصرف", None)],
)
def test_signatures_at_the_end_become_attribution(line: str, credit: str | None) -> None:
    result = clean_text(around() + "\n" + line)
    assert result.text == around()
    assert result.attribution == (credit or line)


def test_a_signature_word_inside_the_body_stays() -> None:
    text = "زمان الوصل\n" + around()
    assert clean_text(text).text == text
    sentence = around() + "\nوقالت وكالة سانا إن الحملة مستمرة"
    assert clean_text(sentence).text == sentence


def test_c11_caption_lines_go() -> None:
    for caption in ("مصدر الصورة: رويترز", "الحرب فى سوريا - أرشيفية", "صورة تعبيرية"):
        result = clean_text(around(caption))
        assert caption not in result.text
        assert rules(result) == ["caption"]
    kept = "وقالت الصورة: إن المشهد في حلب كان مأساوياً بكل المقاييس، كما أكد شهود عيان من المدينة"
    assert clean_text(kept).text == kept  # a long line is not a caption


def test_c12_glued_latin_credit_is_split_off() -> None:
    result = clean_text("Getty Imagesمقاتلون من قوات سوريا الديمقراطية في الرقة")
    assert result.text == "مقاتلون من قوات سوريا الديمقراطية في الرقة"
    assert [(r.line, r.rule) for r in result.removed] == [("Getty Images", "glued-credit")]


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("عذراً التعليقات مغلقة", "comment-prompt"),
        ("التعليقات المنشورة لا تعبر عن رأي عكس السير وإنما عن رأي أصحابها", "comment-prompt"),
        ("0 تعليق", "comment-prompt"),
        ("لن يتم نشر عنوان بريدك الإلكتروني. الحقول الإلزامية مشار إليها بـ *", "comment-prompt"),
        ("إخترنا لك", "related"),
        ("أخبار ذات صلة", "related"),
        ("مواضيع ذات صلة", "related"),
        ("مقالات ذات صلة", "related"),
        ("الأكثر قراءة", "related"),
        ("السابق", "nav"),
        ("التالي", "nav"),
        ("المقال التالي", "nav"),
        ("تصنيف : أخبار سوريا", "nav"),
        ("شارك", "share"),
        ("مشاركة :", "share"),
        ("فيسبوك تويتر واتساب", "share"),
        ("الرابط المختصر: https://example.sy/?p=1", "share"),
        ("جميع الحقوق محفوظة © 2019", "copyright"),
        ("© 2019 سانا", "copyright"),
        ("المزيد من التفاصيل في الفيديو المرفق..", "media-prompt"),
        ("إخلاء مسؤولية إن الموقع يعمل بطريقة آلية دون تدخل بشري", "content-farm"),
        ("Leave a comment", "comment-prompt"),
        ("Share this", "share"),
        ("Back to top", "back-to-top"),
        ("All rights reserved", "copyright"),
        ("© 2024 Example Media. All rights reserved.", "copyright"),
        ("Follow us on Telegram", "follow-prompt"),
    ],
)
def test_c9_tail_lines(line: str, rule: str) -> None:
    result = clean_text(f"{BODY_1}\n{BODY_2}\n{line}")
    assert rules(result) == [rule]
    assert result.text == f"{BODY_1}\n{BODY_2}"


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("استمع إلى المقال", "head-prompt"),
        ("إستمع للمقال", "head-prompt"),
        ("اقرأ على الموقع", "head-prompt"),
        ("نقدم لكم زوارنا الكرام أهم وآخر المستجدات كما وردت في المقال التالي …", "content-farm"),
    ],
)
def test_c10_head_lines(line: str, rule: str) -> None:
    result = clean_text(f"{line}\n{BODY_1}\n{BODY_2}")
    assert result.removed == (RemovedLine(0, line, rule),)
    assert result.text == f"{BODY_1}\n{BODY_2}"


def test_boilerplate_rules_only_touch_short_lines() -> None:
    long_line = "جميع الحقوق محفوظة " + " ".join(["كلمة"] * 25)
    assert clean_text(long_line).text == long_line


def test_c14_repeated_paragraph_is_collapsed() -> None:
    text = "\n".join([BODY_1, BODY_2, BODY_1, "دعم لا محدود", "دعم لا محدود"])
    result = clean_text(text)
    assert result.removed == (RemovedLine(2, BODY_1, "duplicate-line"),)
    # short lines (subheadings, "نعم") may legitimately repeat: only lines of >= 8 words count
    assert result.text == "\n".join([BODY_1, BODY_2, "دعم لا محدود", "دعم لا محدود"])


def test_c14_repeat_differing_only_in_tatweel_and_harakat() -> None:
    variant = BODY_1.replace("العسكري", "العسكـري").replace("قال", "قالَ")
    result = clean_text(f"{BODY_1}\n{variant}")
    assert rules(result) == ["duplicate-line"]


def test_c16_feed_footer() -> None:
    footer = (
        "The post روسيا تدافع عن النظام وتنفي استخدامه للكيماوي في ريف اللاذقية الشمالي "
        "بعد تقارير عن قصف تلة الكبينة appeared first on Example News."
    )
    result = clean_text(f"{BODY_1}\n{footer}")
    assert rules(result) == ["feed-footer"]
    assert clean_text(f"{BODY_1}\nظهرت المقالة عنوان الخبر أولاً على موقع الأخبار.").text == BODY_1


def test_c17_no_truncation_at_first_marker() -> None:
    assert len(clean_text(SEED_000).text) >= 0.9 * len(SEED_000)


def test_extra_patterns_match_the_folded_key() -> None:
    line = "للمزيد من الأخبار زوروا موقعنا على الرابط التالي"
    assert clean_text(around(line)).removed == ()
    pattern = re.compile(r"^للمزيد من الاخبار زوروا موقعنا")  # written against fold_arabic output
    result = clean_text(around(line), extra_patterns=[pattern])
    assert result.removed == (RemovedLine(1, line, "custom"),)
    # built-in rules are tried first, so their names win
    first = clean_text(around("اقرأ أيضاً"), extra_patterns=[re.compile("^اقرا")])
    assert rules(first) == ["read-also"]
    result = clean_text(around("حلب-سانا"), extra_patterns=[re.compile(r"^حلب-سانا$")])
    assert result.removed == (RemovedLine(1, "حلب-سانا", "custom"),)


def test_whitespace_and_blank_lines() -> None:
    text = f"\n\n   {BODY_1}  \r\n\n\t\n\u200f\n***\n{BODY_2}\n\n"
    result = clean_text(text)
    assert result.text == f"{BODY_1}\n{BODY_2}"
    assert rules(result) == ["blank", "blank"]


def test_stored_text_is_not_folded() -> None:
    text = "أكّد الوزير أنَّ «سورية» لن تتراجع، وأعلن ذلك في ٢١ آذار ٢٠١٩ فى دمشق."
    assert clean_text(text).text == text


BOILERPLATE = [
    READ_ALSO,
    *SANA_FOOTER,
    "اترك تعليقاً",
    "زر الذهاب إلى الأعلى",
    "شارك",
    "السابق",
    "المصدر: وكالة رويترز",
    "المصدر: سانا",
    "استمع إلى المقال",
    "",
    "   ",
    "***",
]
LINES = st.one_of(
    st.sampled_from(BOILERPLATE),
    st.sampled_from(SEED_000.splitlines()),
    st.text(alphabet="ابتثجحخدذرزسشصضطظعغفقكلمنهويةأإآى ًٌـ:.،abc0123\t", max_size=80),
)


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(LINES, max_size=25))
def test_idempotent_and_never_adds(lines: list[str]) -> None:
    text = "\n".join(lines)
    once = clean_text(text)
    assert clean_text(once.text).text == once.text
    inputs = {line.strip() for line in text.splitlines()}
    assert all(line in inputs for line in once.text.splitlines())
    assert all(r.line == text.splitlines()[r.index].strip() for r in once.removed)


def test_builtin_patterns_are_written_in_key_form() -> None:
    """Patterns match fold_arabic output, so they must not contain letters it folds away."""
    from archive import clean

    for rule, pattern in (*clean._INLINE_RULES, *clean._SHORT_RULES):
        assert not set(pattern.pattern) & set("ئؤىةأإآٱـ"), rule


DOCS = Path(__file__).parents[2] / "docs" / "cleaning.md"


def test_every_documented_example_is_removed_by_its_rule() -> None:
    doc = DOCS.read_text(encoding="utf-8")
    tables = doc[doc.index("### Anywhere, any length") : doc.index("### Per source")]
    checked = 0
    for row in tables.splitlines():
        if not (m := re.match(r"\| `([\w-]+)` \| (.*?) \|", row)):
            continue
        for example in re.findall(r"`([^`]+)`", m.group(2)):
            line = example.replace("…", "عنوان الخبر")
            assert rules(clean_text(around(line))) == [m.group(1)], example
            checked += 1
    assert checked > 80
