"""Running the command line in-process as a user would (``annotty …``): the exit status and what
it printed, for the tests of the CLI's messages and error boundary."""

from __future__ import annotations

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
