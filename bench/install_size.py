"""What ``make run`` installs: annotty's runtime distributions and the bytes they take.

Measured from the installed metadata of the current environment (``importlib.metadata``), so it
works in the development venv too: the runtime set is the ``dependencies`` of ``pyproject.toml``
(no extras), followed transitively through the installed distributions, and its size is the sum
of the files each distribution's ``RECORD`` lists (what ``pip`` would remove). annotty's own
sources are counted apart; pip counts only because sqlite-utils requires it.
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("annotations", "tui")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_requirements(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """The ``[project] dependencies`` of ``pyproject.toml``: what ``pip install .`` brings."""
    with pyproject.open("rb") as f:
        return list(tomllib.load(f)["project"]["dependencies"])


def runtime_distributions(
    requirements: list[str] | None = None,
) -> dict[str, metadata.Distribution]:
    """Every installed distribution the requirements need at run time, by canonical name."""
    environment = {**default_environment(), "extra": ""}
    found: dict[str, metadata.Distribution] = {}
    todo = [Requirement(line) for line in requirements or runtime_requirements()]
    while todo:
        requirement = todo.pop()
        name = _canonical(requirement.name)
        if name in found or (
            requirement.marker is not None and not requirement.marker.evaluate(environment)
        ):
            continue
        dist = metadata.distribution(name)
        found[name] = dist
        todo += [Requirement(line) for line in dist.requires or []]
    return found


def installed_bytes(dist: metadata.Distribution) -> int:
    """Bytes of the files a distribution installed (missing files count as nothing)."""
    total = 0
    for file in dist.files or []:
        path = dist.locate_file(file)
        try:
            total += path.stat().st_size  # type: ignore[union-attr]
        except OSError:
            continue
    return total


def source_bytes(root: Path = ROOT) -> int:
    """annotty's own packages (what an install of annotty itself adds), caches left out."""
    return sum(
        p.stat().st_size
        for name in PACKAGES
        for p in (root / name).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    )


def runtime_megabytes() -> tuple[float, list[tuple[str, float]]]:
    """Total MB of the runtime environment (annotty included), and (name, MB), largest first."""
    sizes = [(name, installed_bytes(dist) / 1e6) for name, dist in runtime_distributions().items()]
    sizes.append(("annotty (its own sources)", source_bytes() / 1e6))
    sizes.sort(key=lambda item: -item[1])
    return sum(mb for _, mb in sizes), sizes
