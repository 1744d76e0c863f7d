"""The built-in recognizer: regular expressions plus a small gazetteer, nothing downloaded."""

from __future__ import annotations

import re

from annotations.model import Entity

VERSION = 1
_MONTH = (r"(?:January|February|March|April|May|June|July|August|September|October|November|"
          r"December|Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)")
_PATTERNS: list[tuple[str, str]] = [
    ("DATE", rf"\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,\s*\d{{4}})?\b"),
    ("DATE", rf"\b\d{{1,2}}\s+{_MONTH}(?:\s+\d{{4}})?\b"),
    ("DATE", r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"),
    ("DATE", r"\b(?:1[89]|20)\d{2}\b"),
    ("MONEY", r"(?:[$€£¥]\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:million|billion|trillion))?)"
              r"|\b\d[\d,]*(?:\.\d+)?\s?(?:million|billion|trillion)?\s?(?:dollars|yuan|euros)\b"),
    ("PERCENT", r"\b\d+(?:\.\d+)?\s?(?:%|percent\b|per cent\b)"),
    ("CARDINAL", r"\b\d[\d,]*(?:\.\d+)?(?:\s(?:million|billion|trillion))?\b"),
    ("ORG", r"\b(?:[A-Z][\w&.-]*\s){1,5}(?:Co\., Ltd\.|Inc\.|Corp\.|Group|University|Institution"
            r"|Association|Ministry|Bank|Forum)\b"),
    ("GPE", r"\b(?:China|Russia|Beijing|Shanghai|Moscow|Washington|Iran|Japan|India|Europe"
            r"|United States|U\.S\.|USA|UK|Korea|Germany|France|Shenzhen|Guangdong)\b"),
    ("NORP", r"\b(?:Chinese|Russian|American|European|Western|Iranian|Japanese)\b"),
]
_REGEX = re.compile("|".join(f"(?P<L{i}>{p})" for i, (_, p) in enumerate(_PATTERNS)))


class RuleRecognizer:
    key = f"builtin@{VERSION}"

    def recognize(self, text: str) -> list[Entity]:
        out: list[Entity] = []
        for match in _REGEX.finditer(text):
            index = int((match.lastgroup or "L0")[1:])
            out.append(Entity(match.start(), match.end(), _PATTERNS[index][0], "rules"))
        return out
