"""The core never imports Textual: checked in a fresh interpreter, not just by intention."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


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


def test_the_import_contracts_hold_and_make_test_checks_them_first() -> None:
    """import-linter (pyproject.toml) also sees imports that a fresh interpreter never runs,
    such as those inside functions; the CLI commands that open the app are the stated exception."""
    root = Path(__file__).resolve().parent.parent
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint)], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
    makefile = (root / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert recipe.index("lint-imports") < recipe.index("pytest -n")
