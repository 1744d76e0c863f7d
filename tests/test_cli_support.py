"""Running the command line in-process as a user would (``annotty …``): the exit status and what
it printed, for the tests of the CLI's messages and error boundary."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from annotations.cli import main


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``main(argv)`` to its end: (exit status, standard output, standard error)."""
    code = 0
    try:
        main(argv)
    except SystemExit as stop:
        code = int(stop.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def run_main(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """``run_cli`` for the tests that only read standard error."""
    code, _, err = run_cli(argv, capsys)
    return code, err


@dataclass
class Ran:
    """One ``annotty`` command run in-process: what ``subprocess.run`` would report."""

    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def annotty(capsys: pytest.CaptureFixture[str]) -> Callable[..., Ran]:
    """Runs ``annotty ARGS`` in this process (a subprocess each costs a second of start-up);
    used by tests as a fixture through ``tests/conftest.py``."""

    def run(*args: str) -> Ran:
        return Ran(*run_cli(list(args), capsys))

    return run
