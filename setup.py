"""Packages for the wheel. All other metadata is in pyproject.toml.

The sample corpus stays in the top-level ``seeds/`` folder of the repository and ships in the
wheel as ``annotations/seeds/`` (read by ``annotations.paths.seeds_dir`` with importlib.resources).
pyproject.toml's package finder cannot place a folder under another name, hence this file.
"""

from setuptools import find_namespace_packages, setup

setup(
    packages=[*find_namespace_packages(include=["annotations*", "tui*"]), "annotations.seeds"],
    package_dir={"annotations.seeds": "seeds"},
)
