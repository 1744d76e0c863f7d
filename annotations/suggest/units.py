"""The units a claim candidate is made of: sentences, never across a line break.

syntok knows abbreviations and quotes ("U.S.", "Co., Ltd."), but it joins a heading or a list
item to the sentence after it when no full stop ends it; a line break always ends a unit here.
Spans are code-point offsets into the stored text, half-open, without surrounding spaces.

The units are exactly syntok's, but most are found without it (``_units_whole``), since its
tokenizer and segmenter run in Python at about 1 MB/s: the text is cut where syntok surely ends a
sentence (its own rules, read from its source, ``syntok/_segmentation_states.py``), and only the
parts that hold another terminal or an unusual bracket go through it. Property tests compare the
two on generated text (tests/test_suggest_quality_units.py).
"""

from __future__ import annotations

import re
import unicodedata

from syntok._segmentation_states import State
from syntok.tokenizer import Tokenizer

from annotations.selection import sentences

PIECE = 8_000  # characters cut into units at a time (a long text's pieces, see below)
# syntok's paragraph separator (segmenter.__PARAGRAPH_SEP): it splits paragraphs with this and
# segments each on its own, so cutting a text right after one changes no unit.
PARAGRAPH_BREAK = re.compile(r"\r?\n(?:\s*\r?\n)+")
# Kept for callers: a line that seems to end a sentence before a line that starts a word. Not
# always a sentence end for syntok ("Co.\n4. The..."); cuts use ``sure_line_end`` instead.
SENTENCE_LINE_BREAK = re.compile(r"(?<=[.!?\"”’])[ \t]*\n(?=\w)")

# Sure sentence ends, found without the splitter. syntok's segmenter splits after ".", "!" or "?"
# (and a closing quote right after it) followed by space and a capital or an opening quote,
# unless the token before is an abbreviation, "no", a single letter or a roman numeral, holds a
# ".", or is a number before a month ("2024. May"): the rules of ``_segmentation_states.State.
# _move_and_maybe_extract_terminal``. The token before is cut from the text by syntok's own
# tokenizer (``_last_token``).
_GAP = r"(?: +|[ \t]*\n[ \t]*)"  # spaces, or one line break (a blank line is a paragraph break)
_TERMINAL = re.compile(rf"[.!?][\"”’']?(?={_GAP}[^\s\d_])")
_LINE_END = re.compile(r"[.!?][\"”’']?(?=[ \t]*\n[ \t]*[^\s\d_])")
_WORD_CHUNK = re.compile(r"[\w'’,\-]+")  # a token before a terminal the tokenizer may split
_TOKENIZER = Tokenizer(replace_not_contraction=False)
# the next token: an opening quote or a bullet, a word (its letters), or another symbol
_NEXT = re.compile(rf"{_GAP}(?:([\"“•])|([^\W\d_]+)|(\S))")
# A line break before a line whose first token is a word and whose second is no terminal: however
# syntok ended the line before (or joined it to this one), it reads this line's sentences the
# same way; only a terminal or bracket right after a sentence's first token depends on it being
# the first (``FirstToken``). Units are cut at the break anyway.
_NEW_LINE = re.compile(
    r"\n(?=[ \t]*[^\W\d_]+(?:[,:]| +[^\s…"
    + re.escape("".join(sorted((State.terminals - {"..."}) | State.opening_brackets)))
    + "]))"
)
_NOT_BEFORE = State.abbreviations | State.roman_numerals | {"no", "No", "NO"}
_BRACKETS = State.opening_brackets | State.closing_brackets
_OPENING = State.opening_brackets
_BRACKET_WINDOW = 2_000
# No cut within this many words after a bracket: syntok looks up to 50 tokens past an opening
# bracket for its end (and decides at a bracket, and at a terminal before one, by the tokens
# after it), which could lie beyond the cut. Each word is one token or more.
_BRACKET_GAP = 55
_CHUNK = re.compile(r"\S+")
_LONGEST_WORD = 100  # characters read back for the token before a terminal
# a part the splitter could not cut: no terminal of syntok's (nor a bracket, which it treats as
# one) but maybe its last character, and no space or invisible character that it might read
# differently from ``str.isspace``
_ODD = "".join(
    re.escape(chr(c))
    for c in range(0x10000)
    if chr(c) != "\n"
    and ((chr(c).isspace() and chr(c) != " ") or unicodedata.category(chr(c)) in ("Cf", "Cc"))
)
_NOT_PLAIN = (
    re.escape("".join(sorted((State.terminals - {"..."}) | _BRACKETS | {"…"})))
    + _ODD
    + "\U000e0000-\U000e007f\U0001bca0-\U0001bca3\U000110bd\U000110cd"
    + "\U00013430-\U0001343f\U0001d173-\U0001d17a"
)
# a short bracket after a word, without a terminal, before a lower-case word or a comma: syntok
# skips it as part of the sentence, looking no further ("the WHO (World Health Organization),")
_SIMPLE_BRACKET = rf"(?<=\w )[(\[][^{_NOT_PLAIN}\n]{{1,40}}[)\]](?=[,:]| +[a-z])"
_PLAIN = re.compile(
    f"[^{_NOT_PLAIN}]*+(?:(?:"
    # a point inside a token: "3.5", "toutiao.com" (syntok's tokenizer keeps them whole)
    + r"(?<=\d)\.(?=\d)|(?<=[a-z])\.(?=[a-z])"
    + "|"
    + _SIMPLE_BRACKET
    # a terminal before a lower-case word or a comma, which syntok never ends a sentence at
    # ("the U.S. market", "Co., Ltd.", "catching up?” but"): the first rule of
    # ``_move_and_maybe_extract_terminal``
    + r"|[.!?;][\"”’']?(?=[,:]| +[a-z])"
    + f")[^{_NOT_PLAIN}]*+)*+"
    + r"[.!?]?[\"”’']?[ \n]*"
)


_CUT = re.compile(
    f"(?P<simple>{_SIMPLE_BRACKET})|(?P<bracket>["
    + re.escape("".join(sorted(_BRACKETS)))
    + "])|(?P<paragraph>\n(?:\\s*\r?\n)+)|(?P<line>"
    + _NEW_LINE.pattern
    + ")|"
    + _TERMINAL.pattern
)
_ANY_BRACKET = re.compile(
    f"(?P<simple>{_SIMPLE_BRACKET})|[" + re.escape("".join(sorted(_BRACKETS))) + "]"
)


def _sure_end(text: str, start: int, terminal: int) -> bool:
    """syntok ends a sentence at ``text[terminal]``, given that space and a letter or a quote
    follow it (``_TERMINAL``); ``start``: where the text may be read back from."""
    after = _NEXT.match(text, terminal + 1 + (text[terminal + 1] in "\"”’'"))
    if after is None:
        return False
    quote, following_word, symbol = after.groups()
    if following_word is not None and not following_word[0].isupper():
        return False  # a lower-case next token keeps the sentence going
    if symbol is not None and unicodedata.category(symbol) != "So":
        return False  # digits, brackets, punctuation: syntok has rules for them
    back = max(start, terminal - _LONGEST_WORD)
    word_start = max(text.rfind(" ", back, terminal), text.rfind("\n", back, terminal)) + 1
    if word_start == 0 and back > 0:
        return False  # a "word" this long is no word
    word = text[max(word_start, start) : terminal]
    if not word[-1:].isalnum() or not _WORD_CHUNK.fullmatch(word):
        return False
    token = _last_token(word)
    if token in _NOT_BEFORE or len(token) < 2 or "." in token:
        return False
    if token.isnumeric() and following_word is not None:
        # "2024. May": a date, unless the next word is surely no month
        return following_word[1:].islower() and following_word not in State.months
    return True


def _last_token(word: str) -> str:
    """The last token syntok's tokenizer makes of ``word`` (letters and digits at both ends):
    it splits "ChinaLtd" into "China" "Ltd", "China's" into "China" "'s", "well-known" into
    "well" "known"."""
    tokens = _TOKENIZER.split(word)
    return tokens[-1].value if tokens else ""


def sure_line_end(text: str, start: int, stop: int | None = None) -> int | None:
    """The first offset in ``text[start:stop]`` right after a blank line, or after a line
    break at a sure sentence end (``_sure_end``), where the text can be cut without changing
    a unit; None if there is none."""
    stop = len(text) if stop is None else stop
    blank = PARAGRAPH_BREAK.search(text, start, stop)
    limit = stop if blank is None else blank.start()
    for found in _LINE_END.finditer(text, start, limit):
        terminal = found.start()
        if _sure_end(text, max(start, terminal - 200), terminal) and _no_open_bracket(
            text, terminal
        ):
            return text.index("\n", found.end()) + 1
    return None if blank is None else blank.end()


def _no_open_bracket(text: str, at: int) -> bool:
    """No bracket is open at ``at`` in its paragraph (read back at most ``_BRACKET_WINDOW``
    characters: syntok skips a bracket of 50 tokens at most), and none is near (``_BRACKET_GAP``).
    """
    paragraph = max(text.rfind("\n\n", max(0, at - _BRACKET_WINDOW), at), at - _BRACKET_WINDOW, 0)
    depth = 0
    last = -1
    for found in _ANY_BRACKET.finditer(text, paragraph, at):
        if found.group("simple") is not None:
            continue
        # a stray closing bracket closes nothing: syntok matches from an opening one
        depth = depth + 1 if found.group() in _OPENING else max(0, depth - 1)
        last = found.start()
    return depth == 0 and (last < 0 or _far_from(text, last, at))


def _far_from(text: str, bracket: int, at: int) -> bool:
    """More than ``_BRACKET_GAP`` words lie between the bracket and ``at``."""
    for count, _ in enumerate(_CHUNK.finditer(text, bracket, at), 1):
        if count > _BRACKET_GAP:
            return True
    return False


def _lines(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    """Append the non-blank lines of ``text[start:end]``, without surrounding space."""
    at = start
    while at < end:
        stop = text.find("\n", at, end)
        piece_end = end if stop == -1 else stop
        s, e = at, piece_end
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            out.append((s, e))
        at = piece_end + 1


def _units_split(text: str) -> list[tuple[int, int]]:
    """The candidate sentences of ``text`` in one pass of the splitter."""
    out: list[tuple[int, int]] = []
    for start, end in sentences(text):
        _lines(text, start, end, out)
    return out


def _units_whole(text: str) -> list[tuple[int, int]]:
    """The candidate sentences of ``text``: the same as ``_units_split``, faster. The text is cut
    after blank lines and at sure sentence ends (``_sure_end``) or line breaks (``_NEW_LINE``)
    outside and away from brackets (syntok may skip a bracket open across one, or decide at a
    bracket by what follows it); a part without any other terminal is its own
    unit (cut at line breaks), and only the other parts go through the splitter, each alone: it
    splits a part the same way whatever stands beyond the sure ends around it."""
    out: list[tuple[int, int]] = []
    depth = 0
    last_bracket = -1  # the last bracket not yet far enough behind (-1: none)
    part = 0  # start of the current part
    for found in _CUT.finditer(text):
        if found.group("simple") is not None:
            continue  # skipped whole by syntok, which looks no further
        bracket = found.group("bracket")
        if bracket is not None:
            # a stray closing bracket closes nothing: syntok matches from an opening one
            depth = depth + 1 if bracket in _OPENING else max(0, depth - 1)
            last_bracket = found.start()
            continue
        if found.group("paragraph") is not None:
            depth = 0  # syntok segments each paragraph on its own
            last_bracket = -1
        elif depth != 0 or (
            found.group("line") is None and not _sure_end(text, part, found.start())
        ):
            continue
        elif last_bracket >= 0:
            if not _far_from(text, last_bracket, found.start()):
                continue
            last_bracket = -1
        _part(text, part, found.end(), out)
        part = found.end()
    _part(text, part, len(text), out)
    return out


def _part(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    if _PLAIN.fullmatch(text, start, end):
        _lines(text, start, end, out)
    else:
        out.extend((s + start, e + start) for s, e in _units_split(text[start:end]))


def units(text: str, piece: int = PIECE) -> list[tuple[int, int]]:
    """The candidate sentences of ``text``: (start, end), in order, none empty, cut about
    ``piece`` characters at a time. The sentence splitter takes
    time growing faster than its paragraph (2 MB without a blank line: over a minute, holding
    the interpreter's lock in long stretches); pieces keep it linear and the cursor free. Cuts
    go after a blank line, else after a line that ends at a sure sentence end (the first found
    after ``piece`` characters: ``sure_line_end``), so the units are the same."""
    out: list[tuple[int, int]] = []
    at, size = 0, len(text)
    while at < size:
        stop = size
        if at + piece < size:
            near = min(at + 2 * piece, size)
            found = sure_line_end(text, at + piece, near)
            if found is None:
                found = sure_line_end(text, near)
            stop = size if found is None else found
        out.extend((start + at, end + at) for start, end in _units_whole(text[at:stop]))
        at = stop
    return out
