"""A stand-in for one annotator typing far faster than any human, for the concurrency tests.

    python tests/workers/writer.py DB ANNOTATOR DOC_ID --start-at EPOCH --seconds S
    python tests/workers/writer.py DB ANNOTATOR DOC_ID --hold

With ``--hold`` it saves one claim inside a transaction, prints ``holding`` and sleeps there (the
test then stops it with SIGSTOP, as Ctrl-Z would, to see that other writers give up in time).

Waits until ``--start-at`` (so all workers begin together), then saves claims as fast as it
can for ``--seconds``. After each ``add_claim`` *returns* it prints ``c <id> <n>``; every
fourth claim it then edits, printing ``u <id>`` once that returns. The claim's content is a
function of ``(annotator, n)``, so the test can check every field that landed. Any exception
goes to stderr with exit status 1: the test demands none.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from annotations.store import Store  # noqa: E402

TYPES = ("statistical", "comparison", "causal", "prediction", "opinion", "other")


def expected(annotator: str, n: int, length: int) -> dict[str, Any]:
    """What claim number ``n`` of ``annotator`` must look like in the database."""
    start = (n * 7 + len(annotator) * 13) % (length - 40)
    return {
        "start": start,
        "end": start + 5 + n % 30,
        "claim_type": TYPES[n % len(TYPES)],
        "note": f"{annotator}:{n}",
        "annotator": annotator,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("annotator")
    parser.add_argument("doc_id")
    parser.add_argument("--start-at", type=float, default=0.0)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--hold", action="store_true")
    args = parser.parse_args()
    store = Store(args.db, annotator=args.annotator)
    if args.hold:
        with store.transaction():
            store.db.conn.execute("insert into settings(key, value) values ('held', 'yes')")
            print("holding", flush=True)
            time.sleep(120)
        return 0
    write_flat_out(store, args.doc_id, args.start_at, args.seconds, sys.stdout)
    store.close()
    return 0


def write_flat_out(store: Store, doc_id: str, start_at: float, seconds: float, out: Any) -> None:
    """Save claims as fast as possible from ``start_at`` for ``seconds``, printing each promise
    to ``out`` once the save returned (also run in forked children: tests/test_pg_concurrency)."""
    length = len(store.document(doc_id).text)
    time.sleep(max(0.0, start_at - time.time()))
    stop = time.monotonic() + seconds
    n = 0
    while time.monotonic() < stop:
        want = expected(store.annotator, n, length)
        claim = store.add_claim(
            doc_id, want["start"], want["end"], want["claim_type"], note=want["note"]
        )
        print(f"c {claim.id} {n}", file=out, flush=True)
        if n % 4 == 0:
            store.update_claim(claim.id, stance="against")
            print(f"u {claim.id}", file=out, flush=True)
        n += 1


if __name__ == "__main__":
    sys.exit(main())
