"""Another annotty process that holds the writer lock mid-transaction and is stopped (Ctrl-Z):
``tests/workers/writer.py --hold``, started, waited for and SIGSTOPped, then let go and reaped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def stopped_writer(db: Path, doc_id: str, annotator: str = "zoe") -> Iterator[int]:
    """The stopped holder's pid, for as long as the block runs."""
    holder = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "tests" / "workers" / "writer.py"),
            str(db),
            annotator,
            doc_id,
            "--hold",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        os.kill(holder.pid, signal.SIGSTOP)
        yield holder.pid
    finally:
        os.kill(holder.pid, signal.SIGCONT)
        holder.kill()
        holder.wait(timeout=10)
        for stream in (holder.stdout, holder.stderr):
            if stream is not None:
                stream.close()
