"""Language detection from the text itself (archive.language)."""

from __future__ import annotations

import pytest

from archive.language import detect_language
from tests.archive.pages import seed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\n".join(seed("000")), "ar"),
        ("\n".join(seed("004")), "ar"),
        ("این یک متن فارسی است که برای آزمایش تشخیص زبان نوشته شده و کلمات کافی دارد", "fa"),
        ("The minister said that the talks in Astana would resume in April, and that they", "en"),
        (
            "Der Minister sagte, dass die Gespräche in Astana im April wieder aufgenommen werden",
            "de",
        ),
        ("Le ministre a dit que les négociations reprendront en avril et que la délégation", "fr"),
        ("Министр сказал, что переговоры в Астане возобновятся в апреле, и что это не так", "ru"),
        ("قصير", None),  # too few letters to tell
        ("12345 67890 !!! ??? 2019-03-21", None),
    ],
)
def test_detect_language(text: str, expected: str | None) -> None:
    assert detect_language(text) == expected


def test_arabic_with_a_few_latin_words_is_arabic() -> None:
    text = "\n".join(seed("004")) + "\nCBS News Reuters AFP"
    assert detect_language(text) == "ar"
