"""A real ``annotty serve`` process for the tests: started on a free loopback port as a user
starts it, stopped with Ctrl+C, and never left behind (nor any tab's app) when a test fails."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

WAIT = 30.0  # seconds: generous for a loaded CI machine; the waits end as soon as text shows


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Served:
    process: subprocess.Popen[str]
    port: int
    banner: str
    db: Path


def processes_naming(text: str) -> list[int]:
    """Every process whose command line contains ``text`` (the tabs' apps name the db)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if text in cmdline:
                found.append(int(entry.name))
    return found


@contextmanager
def serving(db: Path, *args: str) -> Iterator[Served]:
    """``annotty --db DB serve ARGS`` as a user starts it; stopped with Ctrl+C (SIGINT) by
    the test, or killed with every tab's process if the test failed first."""
    port = free_port()
    env = {**os.environ, "ANNOTTY_HOME": str(db.parent / "home")}
    env.pop("ANNOTTY_DB", None)
    process = subprocess.Popen(
        [sys.executable, "-c", "from annotations.cli import main; main()", "--db", str(db)]
        + ["serve", "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    assert process.stdout is not None
    banner = process.stdout.readline()  # printed once the port is bound
    try:
        assert banner.startswith("annotty serve: http"), process.communicate(timeout=10)
        yield Served(process, port, banner, db)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        for pid in processes_naming(str(db)):
            os.kill(pid, signal.SIGKILL)


def stop(served: Served) -> tuple[str, str]:
    """Ctrl+C: the server quits each tab's app and ends; (rest of stdout, stderr)."""
    served.process.send_signal(signal.SIGINT)
    out, err = served.process.communicate(timeout=WAIT)
    assert served.process.returncode == 0, err
    return out, err
