"""Generated benchmark data: nothing is downloaded, everything is reproducible from a seed."""

from __future__ import annotations

import random
from pathlib import Path

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def seed_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]


def big_text(target_chars: int = 10_000_000, seed: int = 7) -> str:
    """About ``target_chars`` of news-like text: seed paragraphs shuffled, some CJK and emoji."""
    rng = random.Random(seed)
    paragraphs = [p for t in seed_texts() for p in t.split("\n") if p.strip()]
    out: list[str] = []
    size = 0
    while size < target_chars:
        para = rng.choice(paragraphs)
        out.append(para)
        size += len(para) + 1
    return "\n".join(out)[:target_chars]
