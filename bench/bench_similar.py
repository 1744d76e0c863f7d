"""The same claim elsewhere: near-duplicate lookup among 100,000 claims.

    python -m bench similar

The corpus is 100,000 claim quotes in 1,000 documents, made from a word-bigram chain over the
seed texts (so common words are as common as in news), with one word in eight swapped for a
rare name from a vocabulary of 40,000 drawn by Zipf's law and one in twenty for a number. Into
it, 1,200 claims are copied into another document with small edits, 200 of each kind: words
changed (one in eight), words reordered, punctuation and case, numbers changed, all of these at
once, and (harder than a near-copy) a third of the words changed. A query with the original's
quote, its own document excluded, should list the copy in its top 10 (recall@10). The query
time is over those 1,200 queries plus 1,000 quotes of random claims;
a full rapidfuzz scan of every quote (``process.extract``) is timed beside it for comparison.
"""

from __future__ import annotations

import itertools
import random
import re
import statistics
import time

from rapidfuzz import fuzz, process

from annotations.similar import SimilarIndex
from annotations.similar_text import normalise
from bench.corpus import seed_texts
from bench.report import Report, current_rss_mb, median_ms

CLAIMS = 100_000
DOCUMENTS = 1_000
TWINS_PER_EDIT = 200
QUERY_TARGET_MS = 100.0
RECALL_TARGET = 0.95
EDITS = (
    "words changed",
    "reordered",
    "punctuation and case",
    "numbers changed",
    "all at once",
    "a third of the words changed",
)
SYLLABLES = (
    *("ka", "lo", "mi", "ra", "ten", "vos", "bel", "dru", "an", "is"),
    *("por", "quel", "sha", "mun", "tek", "zor", "vin", "pal", "ed", "ou"),
)


class Chain:
    """A word-bigram chain over the seed texts, with rare names and numbers mixed in."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        words = re.findall(r"[\w'’-]+|[.,;:!?]", " ".join(seed_texts()))
        self.next: dict[str, list[str]] = {}
        for a, b in zip(words, words[1:], strict=False):
            self.next.setdefault(a, []).append(b)
        self.starts = [b for a, b in zip(words, words[1:], strict=False) if a == "."]
        self.words = [w for w in words if w[0].isalpha()]
        names = {
            "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()
            for _ in range(60_000)
        }
        self.names = sorted(names)[:40_000]  # about 40,000 are distinct
        rng.shuffle(self.names)
        self.name_weights = list(itertools.accumulate(1 / (i + 1) for i in range(len(self.names))))

    def number(self) -> str:
        r = self.rng.random()
        if r < 0.3:
            return f"{self.rng.uniform(0, 20):.1f}%"
        if r < 0.6:
            return f"{self.rng.randint(1, 999):,}"
        if r < 0.8:
            return str(self.rng.randint(1950, 2030))
        return f"{self.rng.randint(1_000, 9_999_999):,}"

    def claim(self) -> str:
        word = self.rng.choice(self.starts)
        out = [word]
        for _ in range(self.rng.randint(6, 40)):
            word = self.rng.choice(self.next.get(word) or self.starts)
            r = self.rng.random()
            if word[0].isalpha() and r < 0.125:
                out.append(self.rng.choices(self.names, cum_weights=self.name_weights)[0])
            elif word[0].isalpha() and r < 0.175:
                out.append(self.number())
            else:
                out.append(word)
        return re.sub(r" ([.,;:!?])", r"\1", " ".join(out))


def edit(chain: Chain, quote: str, kind: str) -> str:
    """A near-copy of ``quote``: a few words changed, moved, repunctuated or renumbered."""
    rng = chain.rng
    words = quote.split()
    if kind in ("words changed", "all at once", "a third of the words changed"):
        share = 3 if kind.startswith("a third") else 8
        for _ in range(max(1, len(words) // share)):
            words[rng.randrange(len(words))] = rng.choice(chain.words)
    if kind in ("reordered", "all at once"):
        cut = rng.randint(1, max(1, len(words) - 1))
        words = words[cut:] + words[:cut]  # "A said B" -> "B, A said"
        i = rng.randrange(max(1, len(words) - 1))
        words[i : i + 2] = words[i : i + 2][::-1]
    if kind in ("numbers changed", "all at once"):
        numbered = [i for i, w in enumerate(words) if any(c.isdigit() for c in w)]
        for i in numbered:
            words[i] = re.sub(r"\d", lambda _: str(rng.randint(0, 9)), words[i])
        if not numbered:  # a claim without a number gains one
            words.insert(rng.randrange(len(words)), f"{rng.randint(2, 99)}%")
    text = " ".join(words)
    if kind in ("punctuation and case", "all at once"):
        text = re.sub(r"[.,;:!?]", lambda _: rng.choice(["", " -", ";", "…"]), text)
        text = text.upper() if rng.random() < 0.3 else f"“{text[:1].lower()}{text[1:]}”"
    return text


def main() -> None:
    report = Report()
    rng = random.Random(16)
    t0 = time.perf_counter()
    chain = Chain(rng)
    rows = [(f"c{i}", f"d{i % DOCUMENTS}", chain.claim()) for i in range(CLAIMS)]
    twins: list[tuple[str, str, str, str]] = []  # (kind, original id, original doc, twin id)
    originals = rng.sample([r for r in rows if len(r[2].split()) >= 8], len(EDITS) * TWINS_PER_EDIT)
    for n, (claim_id, doc, quote) in enumerate(originals):
        kind = EDITS[n % len(EDITS)]
        other = f"d{(int(doc[1:]) + rng.randint(1, DOCUMENTS - 1)) % DOCUMENTS}"
        twin_id = f"t{n}"
        rows.append((twin_id, other, edit(chain, quote, kind)))
        twins.append((kind, claim_id, doc, twin_id))
    quotes = {r[0]: r[2] for r in rows}
    chars = statistics.mean(len(q) for q in quotes.values())
    report.section(
        f"similar claims among {len(rows):,} quotes ({chars:.0f} characters on average, "
        f"{DOCUMENTS:,} documents; made in {time.perf_counter() - t0:.1f} s)"
    )

    before = current_rss_mb()
    t0 = time.perf_counter()
    index = SimilarIndex()
    index.add_many(rows)
    report.add("build: add every claim", time.perf_counter() - t0, "s")
    report.add("memory of the index (RSS growth)", current_rss_mb() - before, "MB")

    queries = [(quotes[orig], doc) for _, orig, doc, _ in twins]
    queries += [(quotes[r[0]], r[1]) for r in rng.sample(rows, 1_000)]
    times = []
    found: dict[str, list[bool]] = {kind: [] for kind in EDITS}
    first = 0
    for n, (quote, doc) in enumerate(queries):
        t = time.perf_counter()
        matches = index.query(quote, exclude_doc=doc, limit=10)
        times.append((time.perf_counter() - t) * 1000)
        if n < len(twins):
            kind, _, _, twin_id = twins[n]
            found[kind].append(any(m.claim_id == twin_id for m in matches))
            first += bool(matches) and matches[0].claim_id == twin_id
    times.sort()
    median, p95 = statistics.median(times), times[int(len(times) * 0.95)]
    target = f"<= {QUERY_TARGET_MS:.0f} ms"
    report.add(f"query: median of {len(times):,}", median, "ms", target, median <= QUERY_TARGET_MS)
    report.add("query: 95th percentile", p95, "ms", target, p95 <= QUERY_TARGET_MS)
    report.add("query: slowest", times[-1], "ms")
    common = "the government said that it was in the interest of the people"
    worst = median_ms(lambda: index.query(common, limit=10))
    report.add("query of common words only (median)", worst, "ms", target, worst <= QUERY_TARGET_MS)

    overall = sum(sum(v) for v in found.values()) / len(twins)
    goal = f">= {RECALL_TARGET:.2f}"
    report.add(
        "recall@10 of the planted twin, all edits", overall, "", goal, overall >= RECALL_TARGET
    )
    for kind in EDITS:
        report.add(f"  recall@10: {kind}", sum(found[kind]) / len(found[kind]), "")
    report.add("the planted twin ranked first (recall@1)", first / len(twins), "")

    normals = [normalise(q) for q in quotes.values()]
    scan = []
    for quote, _ in queries[:: len(queries) // 10]:
        t = time.perf_counter()
        process.extract(normalise(quote), normals, scorer=fuzz.ratio, processor=None, limit=10)
        scan.append((time.perf_counter() - t) * 1000)
    report.add("for comparison: full rapidfuzz scan (ratio), median", statistics.median(scan), "ms")

    t0 = time.perf_counter()
    for *_, twin_id in twins[:200]:
        index.remove(twin_id)
    report.add("remove: one claim, mean of 200", (time.perf_counter() - t0) / 200 * 1000, "ms")
    t0 = time.perf_counter()
    for i in range(200):
        index.add(f"x{i}", "dx", quotes[twins[i][1]])
    report.add("add: one claim, mean of 200", (time.perf_counter() - t0) / 200 * 1000, "ms")


if __name__ == "__main__":
    main()
