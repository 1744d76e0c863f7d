"""The wheel users install (`pipx install` / `uv tool install`) works on its own: it carries the
seed corpus, its `annotty` command starts, and it imports the bundled seeds.

Nothing downloads: the wheel is built without build isolation (setuptools is a dev extra) from a
copy of the sources, and the fresh venv borrows the runtime libraries already installed in the
test environment through a ``.pth`` line, which comes after the venv's own site-packages (so the
wheel's ``annotations`` wins) and runs no editable-install hook.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

SOURCES = ("pyproject.toml", "setup.py", "README.md", "annotations", "tui", "seeds")
SEEDS = sorted(p.name for p in (ROOT / "seeds").iterdir() if p.is_file())


def run(
    args: list[str | Path],
    cwd: Path,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build from a copy: an in-tree build would leave build/ and egg-info in the checkout."""
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
            )
        else:
            src.mkdir(exist_ok=True)
            shutil.copy(ROOT / name, src / name)
    built = run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--wheel-dir",
            work / "dist",
            src,
        ],
        cwd=work,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    (found,) = (work / "dist").glob("annotty-*.whl")
    return found


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding the wheel; returns its bin folder."""
    home = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=False).create(home / "env")
    python = home / "env" / "bin" / "python"
    done = run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            python,
            "install",
            "--no-deps",
            "--no-index",
            wheel,
        ],
        cwd=home,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    purelib = run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=home
    ).stdout.strip()
    Path(purelib, "annotty_test_runtime.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8"
    )
    return home / "env" / "bin"


def clean_env(tmp: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ANNOTTY_", "PYTHON", "VIRTUAL_ENV"))
    }
    env["ANNOTTY_HOME"] = str(tmp)
    return env


def test_the_wheel_carries_the_seeds_and_only_its_own_top_level_names(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert (
        sorted(
            n.removeprefix("annotations/seeds/")
            for n in names
            if n.startswith("annotations/seeds/")
        )
        == SEEDS
    )
    tops = {n.split("/", 1)[0] for n in names}
    assert tops == {"annotations", "tui", wheel.name.split("-py")[0] + ".dist-info"}, tops
    assert "tui/app.tcss" in names and "annotations/labels.yaml" in names  # other package data
    modules = {
        p.relative_to(ROOT).as_posix()
        for top in ("annotations", "tui")
        for p in (ROOT / top).rglob("*.py")
        if "__pycache__" not in p.parts
    }
    assert modules - set(names) == set()  # every module of the tree, new packages too


def test_the_installed_wheel_starts_and_imports_its_bundled_seeds(
    installed: Path, tmp_path: Path
) -> None:
    env = clean_env(tmp_path)
    help_ = run([installed / "annotty", "--help"], cwd=tmp_path, env=env)
    assert help_.returncode == 0, help_.stderr
    assert help_.stdout.startswith("Usage: annotty")

    where = run(
        [
            installed / "python",
            "-c",
            "import annotations, importlib.metadata as m\n"
            "from annotations.paths import seeds_dir\n"
            "print(seeds_dir())\n"
            "print(annotations.__file__)\n"
            "print(sorted(set(m.packages_distributions()['annotations'])))\n",
        ],
        cwd=tmp_path,
        env=env,
    )
    assert where.returncode == 0, where.stderr
    seeds, package, owners = where.stdout.splitlines()
    venv_root = installed.parent.resolve()
    assert Path(seeds).resolve().is_relative_to(venv_root), seeds  # the wheel's, not ROOT's
    assert Path(package).resolve().is_relative_to(venv_root), package
    assert sorted(p.name for p in Path(seeds).iterdir()) == SEEDS
    assert owners == "['annotty']"

    db = tmp_path / "seeded.db"
    imported = run([installed / "annotty", "--db", db, "import", seeds], cwd=tmp_path, env=env)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    stats = run([installed / "annotty", "--db", db, "stats"], cwd=tmp_path, env=env)
    assert stats.returncode == 0, stats.stderr
    assert re.search(rf"^documents\s+{len(SEEDS)}$", stats.stdout, re.MULTILINE), stats.stdout


def test_the_top_level_names_belong_only_to_annotty() -> None:
    """A second distribution shipping ``annotations`` or ``tui`` would shadow or be shadowed."""
    owners = importlib.metadata.packages_distributions()
    assert set(owners["annotations"]) == {"annotty"}
    assert set(owners["tui"]) == {"annotty"}
