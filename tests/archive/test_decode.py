"""archive.decode: TEST_CASES section A (A1–A10), built offline as byte strings."""

from __future__ import annotations

import codecs
import gzip
import random
import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.decode import Decoded, arabic_ratio, decode_html, repair_mojibake
from archive.errors import DecodeError

HEADLINE = "وزارة الخارجية تطالب بوقف الدعم للإرهابيين"
PARAGRAPHS = (
    "قال وزير الخارجية إن الحكومة السورية وجهت عشرات الرسائل إلى الأمم المتحدة، "
    "وطالبت بوقف الدعم للتنظيمات الإرهابية في إدلب وريف حماة الشمالي.",
    "وأضاف الوزير أن الدول الغربية تتجاهل استخدام الإرهابيين سلاحاً كيميائياً في سورية، "
    "مشدداً على ضرورة مكافحة الإرهاب الكيميائي.",
)


def page(head_extra: str = "") -> str:
    """A small but realistic Arabic article page (only characters ISO-8859-6 can encode)."""
    body = "\n".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return (
        '<!DOCTYPE html>\n<html lang="ar" dir="rtl">\n<head>\n'
        f"{head_extra}<title>{HEADLINE}</title>\n</head>\n<body>\n<article>\n"
        f'<h1 class="entry-title">{HEADLINE}</h1>\n<div class="entry-content">\n{body}\n'
        "</div>\n</article>\n</body>\n</html>\n"
    )


def visible(text: str) -> str:
    return re.sub(r"<[^>]*>", " ", text)


def check(d: Decoded, text: str, encoding: str, declared: str | None, method: str) -> None:
    assert (d.encoding, d.declared, d.method) == (encoding, declared, method)
    assert d.text == text
    assert "\ufffd" not in d.text


def test_a1_cp1256_undeclared_is_detected() -> None:
    html = page()
    d = decode_html(html.encode("cp1256"))
    check(d, html, "cp1256", None, "detected")
    assert arabic_ratio(visible(d.text)) > 0.9


def test_a2_cp1256_with_lying_utf8_header() -> None:
    html = page()
    body = html.encode("cp1256")
    assert body.decode("utf-8", errors="replace").count("\ufffd") > 50  # what a naive decode gives
    d = decode_html(body, "text/html; charset=utf-8")
    check(d, html, "cp1256", "utf-8", "detected")


def test_a3_cp1256_with_latin1_header_is_mojibake_checked() -> None:
    assert "وزير الخارجية".encode("cp1256").decode("cp1252") == "æÒíÑ ÇáÎÇÑÌíÉ"
    html = page()
    d = decode_html(html.encode("cp1256"), "text/html; charset=ISO-8859-1")
    check(d, html, "cp1256", "cp1252", "detected")


def test_a3_cp1256_with_cp1251_header() -> None:
    html = page()
    d = decode_html(html.encode("cp1256"), 'text/html;charset="windows-1251"')
    check(d, html, "cp1256", "cp1251", "detected")


def test_a4_meta_http_equiv_windows_1256() -> None:
    html = page('<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">\n')
    d = decode_html(html.encode("cp1256"))
    check(d, html, "cp1256", "cp1256", "meta")


def test_a4_header_wins_over_meta() -> None:
    html = page('<meta charset="windows-1256">\n')
    d = decode_html(html.encode("cp1256"), "text/html; charset=Windows-1256")
    check(d, html, "cp1256", "cp1256", "header")


def test_a5_iso8859_6_undeclared() -> None:
    html = page()
    d = decode_html(html.encode("iso8859-6"))
    check(d, html, "iso8859-6", None, "detected")


def test_a6_utf8_page_with_lying_meta() -> None:
    html = page('<meta charset="windows-1256">\n')
    d = decode_html(html.encode("utf-8"))
    check(d, html, "utf-8", "cp1256", "utf-8")
    assert d.declared != d.encoding


def test_a7_bom_wins_and_is_stripped() -> None:
    html = page()
    d = decode_html(codecs.BOM_UTF8 + html.encode("utf-8"), "text/html; charset=windows-1256")
    check(d, html, "utf-8", "cp1256", "bom")
    assert not d.text.startswith("\ufeff")


def test_utf16_bom() -> None:
    html = page()
    d = decode_html(codecs.BOM_UTF16_LE + html.encode("utf-16-le"))
    check(d, html, "utf-16-le", None, "bom")


def test_unknown_label_is_ignored_but_recorded() -> None:
    html = page('<meta charset="windows-1256">\n')
    d = decode_html(html.encode("cp1256"), "text/html; charset=x-mac-arabic")
    check(d, html, "cp1256", "x-mac-arabic", "meta")


@pytest.mark.parametrize(
    ("label", "declared"),
    [
        ("ISO-8859-1", "cp1252"),
        ("latin1", "cp1252"),
        ("us-ascii", "cp1252"),
        ("windows-1256", "cp1256"),
        ("iso-8859-6", "iso8859-6"),
        ("arabic", "iso8859-6"),
        ("UTF8", "utf-8"),
        ("x-mac-arabic", "x-mac-arabic"),
        ("utf-16", "utf-16"),
    ],
)
def test_label_aliases(label: str, declared: str) -> None:
    d = decode_html(b"<html><body>plain ASCII</body></html>", f"text/html; charset={label}")
    assert d.declared == declared
    assert d.text == "<html><body>plain ASCII</body></html>"


def test_latin_pages() -> None:
    html = "<html><body><p>Le ministère a déclaré que la réunion aura lieu à Genève.</p></body>"
    check(decode_html(html.encode("cp1252")), html, "cp1252", None, "detected")
    d = decode_html(html.encode("cp1252"), "text/html; charset=iso-8859-1")
    check(d, html, "cp1252", "cp1252", "header")


def test_genuine_declared_single_byte_pages_are_accepted() -> None:
    ru = "<html><body><p>Министерство иностранных дел России заявило, что ООН и США…</p></body>"
    check(
        decode_html(ru.encode("cp1251"), "text/html; charset=windows-1251"),
        ru,
        "cp1251",
        "cp1251",
        "header",
    )
    ar = page('<meta charset="iso-8859-6">\n')
    check(decode_html(ar.encode("iso8859-6")), ar, "iso8859-6", "iso8859-6", "meta")


def test_text_is_normalised() -> None:
    raw = "<p>cafe\u0301\r\nline\x00two\x07\tend\rlast</p>"
    d = decode_html(raw.encode("utf-8"), "text/html; charset=utf-8")
    assert d.text == "<p>café\nlinetwo\tend\nlast</p>"
    assert decode_html(b"") == Decoded("", "utf-8", None, "utf-8")


@pytest.mark.parametrize(
    ("blob", "why"),
    [
        (gzip.compress(page().encode("utf-8")), "gzip"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "PNG"),
        (random.Random(7).randbytes(4000), "binary"),
    ],
)
def test_binary_junk_raises(blob: bytes, why: str) -> None:
    with pytest.raises(DecodeError, match=f"undecodable: .*{why}"):
        decode_html(blob, "text/html; charset=utf-8")


def test_printable_junk_raises_with_reasons() -> None:
    rng = random.Random(1)
    junk = bytes(rng.choice([*range(0x20, 0x7F), *range(0x80, 0x100)]) for _ in range(3000))
    with pytest.raises(DecodeError, match=r"undecodable: .*utf-8: \d+% replacement characters"):
        decode_html(junk)


def test_replacement_soup_raises() -> None:
    soup = ("<p>" + "\ufffd\ufffd \ufffd\ufffd\ufffd " * 50 + "</p>").encode("utf-8")
    with pytest.raises(DecodeError, match="U\\+FFFD soup"):
        decode_html(soup, "text/html; charset=utf-8")


LABELS = [
    "utf-8",
    "windows-1256",
    "cp1256",
    "iso-8859-6",
    "iso-8859-1",
    "latin1",
    "us-ascii",
    "windows-1252",
    "windows-1251",
    "koi8-r",
    "gbk",
    "shift_jis",
    "utf-16",
    "x-mac-arabic",
    "bogus",
    "utf-7",
]
TEXT = st.text(
    alphabet=st.sampled_from(
        "ابتثجحخدذرزسشصضطظعغفقكلمنهويةءأإآؤئى"  # Arabic letters
        "\u064b\u064e\u064f\u0650\u0651\u0652ـ،؛؟٠١٢٣"  # harakat, tatweel, punctuation, digits
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéèçàüößñ0123456789"
        " .,:;!?\"'()-«»“”\n\t"
    ),
    max_size=300,
)


@settings(max_examples=300, deadline=None)
@given(text=TEXT, label=st.sampled_from(LABELS), where=st.sampled_from(["header", "meta", "both"]))
def test_utf8_survives_any_declaration(text: str, label: str, where: str) -> None:
    meta = f'<meta charset="{label}">' if where in ("meta", "both") else ""
    header = f"text/html; charset={label}" if where in ("header", "both") else "text/html"
    html = f"<html><head>{meta}</head><body>{text}</body></html>"
    d = decode_html(html.encode("utf-8"), header)
    assert d.text == unicodedata.normalize("NFC", html)


# A8–A10 and negatives: repair_mojibake


def test_a8_cp1256_seen_as_cp1251() -> None:
    assert repair_mojibake("ФСН ЯКЗИ КЗСнО ЗбЫнИЙ") == "شرح كتاب تاريخ الغيبة"


def test_a9_utf8_seen_as_windows_874() -> None:
    assert repair_mojibake("ูƒุชุงุจ ู…ู†") == "كتاب من"


def test_a10_utf8_seen_as_cp1252() -> None:
    assert repair_mojibake("Ø§Ù„Ø®Ø§Ø±Ø¬ÙŠØ©") == "الخارجية"


def test_cp1256_seen_as_cp1252_text() -> None:
    assert repair_mojibake("æÒíÑ ÇáÎÇÑÌíÉ") == "وزير الخارجية"


def test_repair_keeps_ascii_and_structure() -> None:
    broken = "SANA 2019:\n" + "\n".join(PARAGRAPHS).encode("cp1256").decode("cp1251")
    assert repair_mojibake(broken) == "SANA 2019:\n" + "\n".join(PARAGRAPHS)


@pytest.mark.parametrize(
    "text",
    [
        "\n".join(PARAGRAPHS),
        "The ministry said on Thursday that talks would resume in Geneva next week.",
        "Le ministère a déclaré que la réunion aura lieu à Genève, çà et là. À bientôt, Ça va.",
        "Министерство иностранных дел России заявило, что переговоры возобновятся в Женеве.",
        "ООН США НАТО",  # all-caps Russian reads as clean Arabic through cp1256: must be left alone
        "Grüße aus München: Straße, Übersicht, Ärger, ÄÖÜ.",
        "Zażółć gęślą jaźń",
        "cafÃ© (Latin mojibake is out of scope)",
        "",
    ],
)
def test_no_false_repairs(text: str) -> None:
    assert repair_mojibake(text) is None


ARABIC_WORDS = (
    st.lists(
        st.text(alphabet="ابتثجحخدذرزسشصضطظعغفقكلمنهويةءأإآؤئى", min_size=2, max_size=8),
        min_size=1,
        max_size=12,
    )
    .map(" ".join)
    .filter(lambda s: len(s.replace(" ", "")) >= 3)
)


def _shown_as(data: bytes, *encodings: str) -> str:
    """What a single-byte display shows: first encoding that defines each byte, else latin-1."""
    return "".join(
        next((c for enc in encodings if (c := bytes([b]).decode(enc, errors="ignore"))), chr(b))
        for b in data
    )


@settings(max_examples=200, deadline=None)
@given(text=ARABIC_WORDS)
def test_repair_roundtrip(text: str) -> None:
    assert repair_mojibake(_shown_as(text.encode("utf-8"), "cp1252")) == text
    assert repair_mojibake(_shown_as(text.encode("utf-8"), "cp874", "cp1252")) == text
    assert repair_mojibake(text.encode("utf-8").decode("latin-1")) == text
    assert repair_mojibake(text.encode("cp1256").decode("cp1252")) == text
    assert repair_mojibake(text) is None


def test_arabic_ratio() -> None:
    assert arabic_ratio("") == 0.0
    assert arabic_ratio("123 !") == 0.0
    assert arabic_ratio("سوريا") == 1.0
    assert arabic_ratio("سوريا Syria") == 0.5
