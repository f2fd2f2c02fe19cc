"""Shared fixtures: small seeded data the tests make themselves (no data set is committed)."""

import json
import os
import sys
from pathlib import Path

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


# The browser tests (tests/browser): Debian's Chromium, driven by Playwright,
# with the flags make pdf uses (tools/chromium.py).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tools.chromium import CHROMIUM_FLAGS, find_chromium  # noqa: E402


@pytest.fixture(scope="module")
def browser():
    chromium = find_chromium()
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


# What the browser stage records of the built pages. pytest-xdist spreads the
# pages over workers: each writes its part, the controller (or a run without
# xdist) merges them when the session ends.
BUILD = Path(__file__).resolve().parents[1] / "_build"
REPORTS = [BUILD / "axe-report.json", BUILD / "page-budgets.json"]


def write_report_part(report: Path, entries: dict) -> None:
    """Record this worker's ``entries`` (page -> result) of ``report``."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    report.parent.mkdir(parents=True, exist_ok=True)
    part = report.with_name(f"{report.stem}.part-{worker}.json")
    part.write_text(json.dumps(entries))


@pytest.fixture(scope="session")
def report_part():
    """write_report_part, for the browser tests' report fixtures."""
    return write_report_part


def _parts(report: Path) -> list[Path]:
    return sorted(report.parent.glob(f"{report.stem}.part-*.json"))


def _is_controller(session) -> bool:
    return not hasattr(session.config, "workerinput")


def pytest_sessionstart(session):
    if _is_controller(session):
        for report in REPORTS:
            for part in _parts(report):
                part.unlink()


def pytest_sessionfinish(session):
    if not _is_controller(session):
        return
    for report in REPORTS:
        parts = _parts(report)
        if parts:
            merged = {}
            for part in parts:
                merged.update(json.loads(part.read_text()))
                part.unlink()
            text = json.dumps(merged, indent=1, sort_keys=True) + "\n"
            report.write_text(text)
