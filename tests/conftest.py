"""Shared fixtures: small seeded data the tests make themselves (no data set is committed)."""

import os
import shutil

import numpy as np
import pytest


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


@pytest.fixture
def blobs(rng):
    """A small, well-separated 3-class problem: X (90, 5) float64, y (90,) int64."""
    centers = rng.normal(scale=10.0, size=(3, 5))
    y = np.repeat(np.arange(3), 30)
    X = centers[y] + rng.normal(size=(90, 5))
    return X, y


# The browser tests (tests/browser): Debian's Chromium, driven by Playwright.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: `make browser-deps` installs it")
        pytest.skip(
            "Chromium not installed (Debian: apt-get install chromium); `make test` installs it as root"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        yield b
        b.close()
