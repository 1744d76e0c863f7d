"""The core never imports Textual: checked in a fresh interpreter, not just by intention."""

from __future__ import annotations

import subprocess
import sys


def test_core_and_cli_import_without_textual() -> None:
    code = (
        "import sys, pkgutil, importlib, annotations\n"
        "for m in pkgutil.walk_packages(annotations.__path__, 'annotations.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
