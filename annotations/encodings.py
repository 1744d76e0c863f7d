"""Bytes of a text file to text: BOMs, UTF-8, then a guess that prefers Windows-1252.

Charset detection cannot tell single-byte code pages apart on short texts: for
"Café owners in Zürich say the “new levy” costs €5" it picks cp775 (Baltic DOS) and turns the
curly quotes into "ōö"; for "“Quote” only." it picks a Cyrillic page. Windows-1252 is by far the
likeliest legacy encoding of Western text, so it wins whenever its reading *looks like* Western
text (few accented letters among plain ones, every other character a Latin letter or common
typographic sign); the detector decides only otherwise (Cyrillic, Greek, Central European...).
Every guess that might be wrong comes back with a note for the import report.
"""

from __future__ import annotations

import codecs
import contextlib
import re

from charset_normalizer import from_bytes

from annotations.errors import InputError

BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# What Western European text written in Windows-1252 contains beyond ASCII: Latin-1 letters
# (not × ÷), the typographic signs of 0x80-0x9F, and the common Latin-1 symbols.
_WESTERN = re.compile(
    "[^\x00-\x7f\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff"
    "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
    "\u00a0¡¢£¥§©«®°±²·»¼½¾¿]"
)
_LETTER = re.compile(r"[^\W\d_]")
_ACCENTED = re.compile("[\u00c0-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e]")
_WINDOWS_1252 = ("cp1252", "windows_1252", "latin_1", "iso8859_1", "iso8859_15")


def looks_western(text: str) -> bool:
    """Plausible Western European text: only Western characters, mostly unaccented letters.

    Cyrillic read as cp1252 is nearly all accented letters (Ïðèâåò); Polish read as cp1252 has
    superscripts and ¹ where its letters were (Za¿ó³æ): both fail.
    """
    if _WESTERN.search(text):
        return False
    letters = len(_LETTER.findall(text))
    return letters > 0 and len(_ACCENTED.findall(text)) * 2 <= letters


def decode_guess(data: bytes, path: str | object) -> tuple[str, str | None]:
    """``(text, note)``: a BOM wins, then strict UTF-8, then Windows-1252 for Western text, then
    charset detection. ``note`` says which encoding was guessed when the guess is unsure."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), None
            except UnicodeDecodeError as exc:
                raise InputError(str(path), f"broken {encoding} text at byte {exc.start}") from exc
    if b"\x00" in data[:65536]:
        raise InputError(str(path), "looks like a binary file (NUL bytes), skipped")
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        utf8_error = exc
    western: str | None = None
    with contextlib.suppress(UnicodeDecodeError):
        western = data.decode("cp1252")
    if western is not None and looks_western(western):
        text, note = western, None
        matches = from_bytes(data)
        best = matches.best()
        if best is None or best.encoding not in _WINDOWS_1252:
            found = best.encoding if best is not None and best.encoding else "none"
            note = (
                f"not UTF-8; read as Windows-1252 (unsure: detection suggested {found}); "
                "check its accents and quotes"
            )
    else:
        best = from_bytes(data).best()
        if best is None or best.encoding is None:
            raise InputError(
                str(path),
                f"cannot decode: not UTF-8 (bad byte at "
                f"{utf8_error.start}) and no other encoding fits, skipped",
            )
        text = str(best)
        note = f"not UTF-8; read as {best.encoding} (a guess by detection); check its letters"
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")
    if controls > max(2, len(text) // 100):
        raise InputError(str(path), "looks like a binary file (control bytes), skipped")
    return text, note


def decode(data: bytes, path: str | object) -> str:
    """``decode_guess`` without the note, for callers that have no report to add it to."""
    return decode_guess(data, path)[0]
