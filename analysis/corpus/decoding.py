"""Reading bytes as text: byte-order marks, binary signatures, UTF-8, Windows-1252 and guesses.

:func:`decode_text` is what every loader of :mod:`analysis.corpus.loaders` reads text files with;
:class:`Refused` is the reason a file, member or archive is not loaded.
"""

from __future__ import annotations

import codecs
import re
import string
from collections import Counter

import charset_normalizer

_GUESS_BYTES = 256 * 1024


class Refused(Exception):
    """A file (or member, or archive) that cannot be loaded; the message is the reason."""



def decode_text(data: bytes) -> tuple[str, str]:
    """The text of ``data`` and the name of the encoding it was read with.

    In order: a byte-order mark (UTF-8, UTF-16, UTF-32) decides; bytes with NUL
    or a known binary signature (PNG, JPEG, ELF, zip, gzip, ...) are refused;
    UTF-8; UTF-8 with a few stray Windows-1252 bytes (``"utf-8+cp1252"``);
    Windows-1252 when it decodes the bytes into plausible Western
    European text (reported as ``"latin-1"`` when no byte in 0x80-0x9F occurs,
    where the two agree); else charset-normalizer's best guess. Text with more
    than 1% control characters is refused as binary. Raises ``ValueError``
    whose message is the reason when the bytes are not text.
    """
    try:
        return decode_or_refuse(data)
    except Refused as e:
        raise ValueError(str(e)) from None


# ---------------------------------------------------------------------------
# Encodings

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x7fELF", "a program (ELF executable)"),
    (b"PK\x03\x04", "a zip archive or Office file"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a legacy Office file (.doc, .xls)"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
)
_C1_BYTES = re.compile(rb"[\x80-\x9f]")
_ESCAPED_BYTES = re.compile("[\udc80-\udcff]")  # undecodable bytes under "surrogateescape"
_ASCII_BYTES = bytes(range(128))
_ASCII_LETTERS = string.ascii_letters.encode()
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# Characters that Windows-1252 bytes give in Western European text: accented
# letters, typographic quotes and dashes, currency and common signs.
_WESTERN = (
    frozenset(chr(c) for c in range(0xC0, 0x100)) - {"\u00d7", "\u00f7"}
) | frozenset("\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u017d"
              "\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u017e\u0178"
              "\u00a0\u00a1\u00a2\u00a3\u00a5\u00a7\u00a9\u00ab\u00ae\u00b0\u00b1\u00b4\u00b7\u00bb"
              "\u00bc\u00bd\u00be\u00bf")


def decode_or_refuse(data: bytes) -> tuple[str, str]:
    """:func:`decode_text` with the private exception."""
    text, encoding = _decode_any(data)
    controls = len(_CONTROL_CHARS.findall(text))
    if controls * 100 > len(text):
        plural = "s" if controls > 1 else ""
        raise Refused(f"binary or undecodable: {controls:,} control character{plural} among {len(text):,} characters")
    return text, encoding


def _decode_any(data: bytes) -> tuple[str, str]:
    """Decode by byte-order mark, UTF-8, Windows-1252 or charset-normalizer, in that order."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), codec
            except UnicodeDecodeError:
                raise Refused(f"binary or undecodable: not valid {codec} after its byte-order mark") from None
    _refuse_binary(data)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    decoded = _mostly_utf8(data) or _western(data)
    if decoded:
        return decoded
    return _guessed(data)


def _guessed(data: bytes) -> tuple[str, str]:
    """Decode with charset-normalizer's guess, made on the first lines only
    (at most :data:`_GUESS_BYTES`) so that big files cost one decode."""
    sample = data[:_GUESS_BYTES]
    if len(data) > _GUESS_BYTES and b"\n" in sample:
        sample = sample[: sample.rindex(b"\n") + 1]  # do not cut a character in two
    best = charset_normalizer.from_bytes(sample).best()
    if best is not None:
        try:
            return data.decode(best.encoding), best.encoding
        except UnicodeDecodeError:
            pass
    raise Refused("binary or undecodable: not text in any encoding tried")


def _refuse_binary(data: bytes) -> None:
    """Refuse bytes that are certainly not text: NUL bytes or a binary file signature."""
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            raise Refused(f"binary file ({kind}), not text")
    if b"\x00" in data:
        raise Refused("binary file (contains NUL bytes), not text")


def _mostly_utf8(data: bytes) -> tuple[str, str] | None:
    """``(text, "utf-8+cp1252")`` for UTF-8 with a few stray Windows-1252 bytes
    (a file edited in two editors): it needs at least as many valid multi-byte
    UTF-8 characters as stray bytes; the stray bytes are read as Windows-1252."""
    text = data.decode("utf-8", "surrogateescape")
    stray = len(data) - len(text.encode("utf-8", "ignore"))  # escaped bytes do not re-encode
    valid = len(text) - len(text.encode("ascii", "ignore")) - stray
    if valid < stray:
        return None
    unescape = lambda m: bytes([ord(m.group()) - 0xDC00]).decode("cp1252", "replace")  # noqa: E731
    return _ESCAPED_BYTES.sub(unescape, text), "utf-8+cp1252"


def _western(data: bytes) -> tuple[str, str] | None:
    """``(text, encoding)`` if the bytes read as Western European Windows-1252 text."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    if not _looks_western(data):
        return None
    return text, ("cp1252" if _C1_BYTES.search(data) else "latin-1")


def _looks_western(data: bytes) -> bool:
    """True when the non-ASCII characters of Windows-1252 ``data`` look like
    Western European text.

    Nearly all of them (98%) must be accented letters or typographic signs,
    and accented letters must be at most a quarter of the letters: Cyrillic or
    Greek read as Windows-1252 gives words made only of accented letters.
    Counted on the bytes (one byte, one character), which is fast.
    """
    counts = Counter(data.translate(None, _ASCII_BYTES))
    chars = {bytes([b]).decode("cp1252"): n for b, n in counts.items()}
    odd = sum(n for c, n in chars.items() if c not in _WESTERN)
    accented = sum(n for c, n in chars.items() if c.isalpha())
    letters = accented + len(data) - len(data.translate(None, _ASCII_LETTERS))
    return odd * 50 <= sum(counts.values()) and accented * 4 <= letters


def decode_nonempty(data: bytes) -> str:
    """The decoded text, refused when it is only whitespace."""
    text, _ = decode_or_refuse(data)
    if not text.strip():
        raise Refused("empty file (only whitespace)")
    return text
