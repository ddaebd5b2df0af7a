"""Fetched bytes + HTTP ``Content-Type`` → correct text, with a record of how it was chosen.

Arabic sites break decoding in several ways (see the research notes, §2): cp1256 pages without a
declaration, headers that say ``utf-8`` or ``ISO-8859-1`` over cp1256 bytes, UTF-8 pages whose
``<meta>`` says ``windows-1256``. :func:`decode_html` therefore tries, in order:

1. a byte-order mark (UTF-8, UTF-16): it wins, and is stripped;
2. the HTTP header charset, then the ``<meta>`` charset in the first 4 KB;
3. strict UTF-8;
4. charset-normalizer restricted to cp1256, ISO-8859-6, UTF-8 and cp1252;
5. cp1256, ISO-8859-6, then cp1252 directly.

Every candidate from steps 2–5 is *verified*, never trusted: it must decode strictly, must not be
U+FFFD soup, must not look like mojibake (words mixing scripts, words made only of Latin-1
letters as in "æÒíÑ ÇáÎÇÑÌíÉ", case flips inside Cyrillic words as in "КЗСнО"), and a non-UTF-8
label loses to bytes that are valid UTF-8 with non-ASCII content. Labels are mapped as browsers
do (``iso-8859-1``/``us-ascii`` → cp1252); unknown or ASCII-incompatible labels (``x-mac-arabic``,
``utf-16`` without a BOM) are ignored but kept in :attr:`Decoded.declared`. Bodies that are not
text at all (gzip, PNG, PDF magic bytes; > 1 % control bytes) and bodies no candidate decodes
cleanly raise :class:`DecodeError` with the reason per candidate; U+FFFD soup is never returned.
The text is NFC with the BOM and C0 controls (except tab and newline) removed and CR/CRLF → LF.

:func:`repair_mojibake` fixes text that was already decoded wrongly upstream (cp1256 read as
cp1251, UTF-8 read as cp874 or cp1252). :func:`arabic_ratio` is the share of Arabic letters.
"""

from __future__ import annotations

import codecs
import functools
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import charset_normalizer

from archive.errors import DecodeError

__all__ = ["DecodeError", "Decoded", "arabic_ratio", "decode_html", "repair_mojibake"]


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str  # NFC, BOM stripped, C0 controls except \n \t removed, \r\n and \r -> \n
    encoding: str  # the Python codec actually used, canonical name ("utf-8", "cp1256", ...)
    declared: str | None  # header charset, else meta charset; canonical name, or the raw label
    method: str  # "bom" | "header" | "meta" | "utf-8" | "detected"


_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_HEADER_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?\s*([^\s"';,]+)""", re.IGNORECASE)
_META_CHARSET_RE = re.compile(
    rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([A-Za-z0-9_.:+-]+)""", re.IGNORECASE
)
_META_WINDOW = 4096
# Labels browsers decode differently from Python's codec of the same name (WHATWG Encoding).
_BROWSER_LABELS = {"iso8859-1": "cp1252", "ascii": "cp1252"}
_EXTRA_LABELS = {
    "iso-8859-6-i": "iso8859-6",
    "iso-8859-6-e": "iso8859-6",
    "x-cp1256": "cp1256",
    "x-cp1252": "cp1252",
}
# Charset families we accept from a declaration; others (utf-7, idna, base64, ...) are ignored.
_ACCEPTED_CODEC_RE = re.compile(
    r"utf-8|cp\d{3,5}|iso8859-\d{1,2}|koi8-[ru]|mac-[a-z]+|tis-620|gb2312|gbk|gb18030|big5(hkscs)?"
    r"|euc[-_][a-z]+|shift[-_]jis[a-z0-9]*|iso2022[-_][a-z0-9_]+|kz1048|ptcp154"
)
_ASCII_PROBE = bytes(range(0x20, 0x7F)) + b"\t\n\r"
_DETECT_CODECS = ["cp1256", "iso8859_6", "utf_8", "cp1252"]
_FALLBACK_CODECS = ("cp1256", "iso8859-6", "cp1252")

_MAGIC = (
    (b"\x89PNG", "a PNG image"),
    (b"\x1f\x8b", "gzip data"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x28\xb5\x2f\xfd", "zstd data"),
    (b"RIFF", "RIFF (WebP/WAV) data"),
)
_CONTROL_BYTES = frozenset([*range(0x00, 0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20)])
_CONTROL_BYTE_STRING = bytes(sorted(_CONTROL_BYTES))
_MAX_CONTROL_SHARE = 0.01
_MIN_CONTROL_BYTES = 4  # a stray control or two in a tiny page is not binary
_MAX_REPLACEMENT_SHARE = 0.01  # literal U+FFFD per letter of the page
_MIN_REPLACEMENTS = 5  # a stray literal U+FFFD or two in a valid page is not soup
_MAX_GARBLED_SHARE = 0.15  # garbled words per word with non-ASCII letters

_C0_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_C0_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
_INVISIBLE_RE = re.compile(
    r"<(script|style)\b.*?</\1\s*>|<!--.*?-->|<[^>]*>|&#?\w+;", re.IGNORECASE | re.DOTALL
)
# A "word": letters plus combining marks (Python's \w leaves marks out).
_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed"
    "\u0e31\u0e34-\u0e3a\u0e47-\u0e4e"
)
_WORD_RE = re.compile(rf"(?:[^\W\d_]|[{_MARKS}])+")
_MARK_RE = re.compile(rf"[{_MARKS}]")
_ARABIC_WORD_RE = re.compile(  # an Arabic letter followed by Arabic letters and marks only
    "[\u0620-\u064a\u066e-\u06d3\u06d5\u06ee-\u06ff][\u0610-\u061a\u0620-\u065f\u066e-\u06ff]*"
)
_ARABIC_RANGES = (
    (0x0600, 0x06FF),
    (0x0750, 0x077F),
    (0x08A0, 0x08FF),
    (0xFB50, 0xFDFF),
    (0xFE70, 0xFEFF),
)
_SCRIPT_RANGES = (
    ("latin", 0x80, 0x24F),
    ("latin", 0x1E00, 0x1EFF),
    ("greek", 0x370, 0x3FF),
    ("cyrillic", 0x400, 0x52F),
    ("hebrew", 0x590, 0x5FF),
    ("thai", 0xE00, 0xE7F),
)


def _is_arabic(ch: str) -> bool:
    o = ord(ch)
    return any(lo <= o <= hi for lo, hi in _ARABIC_RANGES)


def _script(ch: str) -> str:
    o = ord(ch)
    if o < 0x80:
        return "latin"
    if _is_arabic(ch):
        return "arabic"
    return next((name for name, lo, hi in _SCRIPT_RANGES if lo <= o <= hi), "other")


def _arabic_letters(text: str) -> int:
    return sum(ch.isalpha() and _is_arabic(ch) for ch in text)


_LETTER_RE = re.compile(r"[^\W\d_]")
_ARABIC_LETTER_RE = re.compile(
    "[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]"
)


def _letters(text: str) -> int:
    return len(_LETTER_RE.findall(text))


def arabic_ratio(text: str) -> float:
    """Share of Arabic-script letters among all letters (0.0 when there are no letters)."""
    letters = len(_LETTER_RE.findall(text))
    if not letters:
        return 0.0
    arabic = len([ch for ch in _ARABIC_LETTER_RE.findall(text) if ch.isalpha()])
    return arabic / letters


@functools.lru_cache(maxsize=8192)
def _is_garbled(word: str) -> bool:
    """Does this word look like the product of a wrong decoding?"""
    if _ARABIC_WORD_RE.fullmatch(word):  # fast path
        return False
    if _MARK_RE.match(word):  # starts with a combining mark (Thai vowel, haraka on nothing)
        return True
    letters = [ch for ch in word if not _MARK_RE.match(ch)]
    if len({_script(ch) for ch in letters}) > 1:  # "Frن", "ูƒ", "Syriaـ"
        return True
    if len(letters) >= 2 and all(0xC0 <= ord(ch) <= 0x24F for ch in letters):  # "ÇáÎÇÑÌíÉ"
        return True
    # lower→upper flip inside a word with non-ASCII letters: "КЗСнО" (cp1256 read as cp1251)
    return any(
        a.islower() and b.isupper() and (ord(a) > 0x7F or ord(b) > 0x7F)
        for a, b in itertools.pairwise(letters)
    )


def _garbled_share(text: str) -> float:
    words = [w for w in _WORD_RE.findall(text) if not w.isascii()]
    return sum(map(_is_garbled, words)) / len(words) if words else 0.0


@functools.lru_cache(maxsize=256)
def _resolve_label(label: str) -> str | None:
    """Charset label → canonical ASCII-compatible Python codec name, or None if unusable."""
    label = label.strip().lower()
    try:
        name = _EXTRA_LABELS.get(label) or codecs.lookup(label).name
    except LookupError:
        return None
    name = _BROWSER_LABELS.get(name, name)
    if not _ACCEPTED_CODEC_RE.fullmatch(name):
        return None
    try:
        ascii_compatible = _ASCII_PROBE.decode(name) == _ASCII_PROBE.decode("ascii")
    except (UnicodeDecodeError, LookupError):
        return None
    return name if ascii_compatible else None


def _canonical(label: str | None) -> str | None:
    return None if label is None else _resolve_label(label) or label.strip().lower()


def _binary_reason(body: bytes) -> str | None:
    for magic, kind in _MAGIC:
        if body.startswith(magic):
            return f"body is {kind} (magic bytes {magic.hex()}), not text"
    sample = body[:65536]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTE_STRING))
    if controls >= _MIN_CONTROL_BYTES and controls / len(sample) > _MAX_CONTROL_SHARE:
        return f"body looks binary ({controls / len(sample):.0%} control bytes)"
    return None


def _rejection(body: bytes, codec: str, utf8_evidence: bool) -> str | None:
    """Why ``codec`` is wrong for ``body`` (None when it passes every check)."""
    if utf8_evidence and codec != "utf-8":
        return "bytes are valid UTF-8 with non-ASCII content"
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as exc:
        bad = body.decode(codec, errors="replace").count("\ufffd")
        nonascii = sum(b > 0x7F for b in body) or 1
        return f"{min(bad / nonascii, 1.0):.0%} replacement characters (first at byte {exc.start})"
    fffd = text.count("\ufffd")
    if fffd >= _MIN_REPLACEMENTS and fffd / (fffd + _letters(text)) > _MAX_REPLACEMENT_SHARE:
        return f"U+FFFD soup ({fffd} replacement characters in the text)"
    if codec == "utf-8":  # strict UTF-8 success is strong evidence; double encoding is a
        return None  # text-level problem for repair_mojibake
    garbled = _garbled_share(_INVISIBLE_RE.sub(" ", text))
    if garbled > _MAX_GARBLED_SHARE:
        return f"mojibake ({garbled:.0%} of words look garbled)"
    return None


def _finish(body: bytes, codec: str, declared: str | None, method: str) -> Decoded:
    text = body.decode(codec)
    text = text.removeprefix("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    # C0 controls in the text ⇔ C0 bytes in the body, for every ASCII-compatible codec.
    if codec.startswith("utf-16") or len(body.translate(None, _C0_BYTES)) != len(body):
        text = _C0_RE.sub("", text)
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return Decoded(text=text, encoding=codec, declared=declared, method=method)


def _candidates(body: bytes, header: str | None, meta: str | None) -> Iterator[tuple[str, str]]:
    """(codec, method) in order of preference; charset-normalizer only runs if reached."""
    for label, method in ((header, "header"), (meta, "meta")):
        if label is not None and (codec := _resolve_label(label)) is not None:
            yield codec, method
    yield "utf-8", "utf-8"
    for match in charset_normalizer.from_bytes(body, cp_isolation=_DETECT_CODECS):
        if (codec := _resolve_label(match.encoding)) is not None:
            yield codec, "detected"
    for codec in _FALLBACK_CODECS:
        yield codec, "detected"


def decode_html(body: bytes, content_type: str | None = None) -> Decoded:
    """Decode an HTML (or plain-text) body; raise :class:`DecodeError` rather than return junk."""
    body = bytes(body)
    header_match = _HEADER_CHARSET_RE.search(content_type or "")
    meta_match = _META_CHARSET_RE.search(body[:_META_WINDOW])
    header = header_match.group(1) if header_match else None
    meta = meta_match.group(1).decode("ascii") if meta_match else None
    declared = _canonical(header if header is not None else meta)
    for bom, codec in _BOMS:
        if body.startswith(bom) and _strict_ok(body[len(bom) :], codec):
            return _finish(body[len(bom) :], codec, declared, "bom")
    if reason := _binary_reason(body):
        raise DecodeError(f"undecodable: {reason}")

    utf8_evidence = not body.isascii() and _strict_ok(body, "utf-8")
    reasons: dict[str, str] = {}
    for codec, method in _candidates(body, header, meta):
        if codec in reasons:
            continue
        reason = _rejection(body, codec, utf8_evidence)
        if reason is None:
            if method == "detected" and codec == "cp1256" and _same_as_cp1252(body):
                return _finish(body, "cp1252", declared, method)  # a Latin page, no Arabic
            return _finish(body, codec, declared, method)
        reasons[codec] = reason
    detail = "; ".join(f"{codec}: {why}" for codec, why in reasons.items())
    raise DecodeError(f"undecodable: no candidate encoding gives clean text ({detail})")


def _same_as_cp1252(body: bytes) -> bool:
    return _strict_ok(body, "cp1252") and body.decode("cp1256") == body.decode("cp1252")


def _strict_ok(body: bytes, codec: str) -> bool:
    try:
        body.decode(codec)
    except UnicodeDecodeError:
        return False
    return True


def _encoder(*codecs_in_order: str) -> Callable[[str], bytes]:
    """Per-character re-encoder: first codec that can encode each character wins."""

    def encode(text: str) -> bytes:
        out = bytearray()
        for ch in text:
            for codec in codecs_in_order:
                try:
                    out += ch.encode(codec)
                    break
                except UnicodeEncodeError:
                    continue
            else:
                raise UnicodeEncodeError(codecs_in_order[0], ch, 0, 1, "not representable")
        return bytes(out)

    return encode


_WS_SPLIT_RE = re.compile(r"[ \t\n\r\f\v]+")
_C0_JUNK_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# C1 controls that a cp1252 display never shows (it defines 0x80-0x9F except these five).
_C1_JUNK_RE = re.compile(r"[\x80\x82-\x8c\x8e\x91-\x9c\x9e\x9f]")
_CASE_FLIP_RE = re.compile(r"[а-яё][А-ЯЁ]")
# A repaired word: Arabic block, ASCII and common typography only (no "£", "÷", "é", LRM).
_ARABIC_TOKEN_RE = re.compile("[\x21-\x7e\xa0\u0600-\u06ff«»“”‘’–—…]+")
_DOUBLED_MARK_RE = re.compile("([\u064b-\u0652])\\1")
_MIN_REPAIRED_LETTERS = 3
_MIN_CLEAN_SHARE = 0.9
_MIN_EVIDENCE_SHARE = 0.5  # share of garbled source words the cp1252 → cp1256 route needs


def _single_byte_evidence(text: str) -> bool:
    return not _C1_JUNK_RE.search(text) and _garbled_share(text) >= _MIN_EVIDENCE_SHARE


def _cyrillic_evidence(text: str) -> bool:
    return not _C1_JUNK_RE.search(text) and bool(_CASE_FLIP_RE.search(text))


# (how the wrong decoder saw the bytes → re-encoder, what the bytes were, evidence required)
_REPAIRS: tuple[tuple[Callable[[str], bytes], str, Callable[[str], bool] | None], ...] = (
    (_encoder("cp1252", "latin-1"), "utf-8", None),  # "Ø§Ù„": strict UTF-8 is the evidence
    (_encoder("cp874", "cp1252", "latin-1"), "utf-8", None),  # "ูƒุชุงุจ"
    (_encoder("cp1252", "latin-1"), "cp1256", _single_byte_evidence),  # "æÒíÑ ÇáÎÇÑÌíÉ"
    (_encoder("cp1251"), "cp1256", _cyrillic_evidence),  # "ФСН ЯКЗИ КЗСнО"
)


def _good_repair(source: str, repaired: str) -> bool:
    pairs = [
        (a, b)
        for a, b in zip(_WS_SPLIT_RE.split(source), _WS_SPLIT_RE.split(repaired), strict=True)
        if a != b
    ]
    if not pairs or _arabic_letters(repaired) < _MIN_REPAIRED_LETTERS:
        return False
    clean = sum(
        bool(_ARABIC_TOKEN_RE.fullmatch(new))
        and _arabic_letters(new) > 0
        and not _DOUBLED_MARK_RE.search(new)
        and not any(map(_is_garbled, _WORD_RE.findall(new)))
        for _, new in pairs
    )
    return clean / len(pairs) >= _MIN_CLEAN_SHARE


def repair_mojibake(text: str) -> str | None:
    """Undo a wrong upstream decoding of Arabic text; None when the text does not look broken.

    Routes, in order: UTF-8 read as cp1252/latin-1 ("Ø§Ù„"); UTF-8 read as windows-874
    ("ูƒุชุงุจ", re-encoded per character with a cp1252 fallback); cp1256 read as cp1252 ("æÒíÑ");
    cp1256 read as cp1251 ("ФСН ЯКЗИ КЗСнО"). A repair counts only if ≥ 90 % of the changed words
    become clean Arabic words (≥ 3 Arabic letters in all). The two cp1256 routes need more
    evidence: most non-ASCII words garbled (cp1252), or a lower→upper case flip inside a Cyrillic
    word (cp1251), so genuine all-caps Russian stays as it is. Latin-only mojibake ("cafÃ©") is
    out of scope.
    """
    if _C0_JUNK_RE.search(text):
        return None
    for encode, real, evidence in _REPAIRS:
        if evidence is not None and not evidence(text):
            continue
        try:
            repaired = encode(text).decode(real)
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if _good_repair(text, repaired):
            return repaired
    return None
