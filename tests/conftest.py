"""Fixtures for every test: one headless Debian Chromium session driven by Playwright.

Playwright's sync API allows one running session per process, so all browser tests (report
pages, live server) share this one. It never runs `playwright install`.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("JOURNEYMAP_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        pytest.skip(
            f"{CHROMIUM} not found: install it with `apt-get install chromium` (make system-deps)"
        )
    try:  # a test extra (setup.cfg), always installed by `make test`: missing = failing
        from playwright import sync_api
    except ImportError as err:
        pytest.fail(f"playwright missing ({err}): pip install -e '.[test]'", pytrace=False)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
