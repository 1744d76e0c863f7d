"""Names learned within one document and found again: "Guo" after "Guo Jiakun", "NPC".

A span typed from evidence (a title, a head noun, a context word) teaches its surface and, for a
person, its short forms; a later unexplained mention takes the label, with the full name it was
learned from as its reason.
"""

from __future__ import annotations

from annotations.entities import names, vocab

Found = tuple[int, int, str, str]  # start, end, label, reason (as in rules.py)


def learn(learned: dict[str, str], full_names: dict[str, str], surface: str, label: str) -> None:
    learned.setdefault(surface, label)
    if label == "PERSON":
        for alias in names.person_aliases(surface):
            learned.setdefault(alias, label)
            full_names.setdefault(alias, surface)


def later(surface: str, full_names: dict[str, str]) -> str:
    """The reason of a later mention: the full name it was learned from."""
    full = full_names.get(surface)
    return f"later mention of '{full}'" if full else f"named so earlier: '{surface}'"


def learned_parts(
    text: str, start: int, end: int, learned: dict[str, str], full_names: dict[str, str]
) -> list[Found]:
    """Known short names inside a longer unexplained run: "Wu" in "Wu Jianmin Topstar"."""
    out = []
    pos = start
    for word in text[start:end].split(" "):
        label = learned.get(word)
        if label is not None and word not in vocab.STOPWORDS:
            out.append((pos, pos + len(word), label, later(word, full_names)))
        pos += len(word) + 1
    return out
