"""A real headless Chromium for the browser tests: Debian's ``chromium`` driven by Playwright.

Nothing is downloaded: Playwright is pointed at the system browser (``executable_path``), never
``playwright install``. ``make test`` installs Debian's ``chromium`` when it is missing and it may
(root with apt-get); otherwise every browser test fails with one line saying what is missing.
They never skip.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
ARTIFACTS = Path(__file__).resolve().parent.parent / ".artifacts"
"""Screenshots the browser tests keep for a person to look at (ignored by git)."""


def chromium_path() -> str | None:
    """The browser to drive: ``$ANNOTTY_CHROMIUM``, else the first of ``CANDIDATES`` on PATH."""
    chosen = os.environ.get("ANNOTTY_CHROMIUM")
    if chosen:
        return chosen if Path(chosen).is_file() else None
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def require_chromium() -> str:
    """The browser's path, or the test fails with one line naming what is missing."""
    found = chromium_path()
    if found is None:
        pytest.fail(
            "no Chromium for the browser tests: sudo apt-get install chromium "
            "(or set ANNOTTY_CHROMIUM to a Chromium binary)",
            pytrace=False,
        )
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium per test module (starting one costs ~0.5 s); each test opens its
    own page or context. Not per session: while Playwright's sync API runs it keeps an event
    loop in the thread, and every later async (Pilot) test in that worker would fail."""
    path = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, headless=True)
        try:
            yield launched
        finally:
            launched.close()


def artifact(name: str) -> Path:
    """Where a test saves a file for people to look at (``.artifacts/NAME``)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name
