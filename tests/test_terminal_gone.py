"""A terminal that goes away (its window closed, the SSH link dropped) ends the app: it must not
keep running on a dead terminal, where Textual's input loop spins on a core."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest


@pytest.mark.skipif(sys.platform != "linux", reason="pseudo-terminal hang-up as Linux has it")
def test_the_app_ends_when_its_terminal_hangs_up(tmp_path: Path) -> None:
    master, slave = pty.openpty()
    env = {
        **os.environ,
        "ANNOTTY_HOME": str(tmp_path),
        "TERM": "xterm-256color",
        "COLUMNS": "80",
        "LINES": "24",
    }
    env.pop("NO_COLOR", None)
    app = subprocess.Popen(
        [sys.executable, "-c", "from annotations.cli import main; main([])"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,  # the pseudo-terminal becomes its own, as a window's shell has
        close_fds=True,
    )
    os.close(slave)
    try:
        drawn = b""
        deadline = time.monotonic() + 30
        while b"library" not in drawn and time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    drawn += os.read(master, 65536)
                except OSError:  # the app is gone already: the assertion below says so
                    break
        assert b"library" in drawn, drawn[-400:]
        os.close(master)  # the terminal goes away
        master = -1
        assert app.wait(timeout=20) is not None  # it ended, within the app's poll interval
    finally:
        if master >= 0:
            os.close(master)
        if app.poll() is None:
            app.kill()
            app.wait()
