"""What the requirement files declare, and what the lock pins.

Imports are checked by deptry, a maintained dependency checker, not by code
of our own: ``make lint`` runs it over hwlib (against pyproject.toml, the
wheel's dependencies), over the committed notebooks, the homework and the
tooling (against requirements.txt) and over the tests (requirements-dev.txt);
see tools/deptry-*.toml. deptry reads ``.py`` and ``.ipynb`` files, not MyST
Markdown, and some pages (the appendices) have no committed notebook: the
first test converts every page with code cells to a script (jupytext) and
runs deptry on them with the book's settings.

The other tests check what deptry does not: every requirement is pinned in
constraints.txt, and the pins satisfy the ranges; hwlib's dependencies are
part of the book's requirements (so the release's wheel installs offline in
the book's environment).
"""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import jupytext
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted(ROOT.glob("chapters/*.md")) + sorted(ROOT.glob("book/*.md"))
DEPTRY = Path(sys.executable).with_name("deptry")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirements(path: Path) -> dict[str, Requirement]:
    """The requirements a file lists (following ``-r``), by canonical name."""
    found = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line.startswith("-r "):
            found |= requirements(path.parent / line[3:].strip())
        elif line:
            req = Requirement(line)
            found[canonical(req.name)] = req
    return found


def pins() -> dict[str, str]:
    lines = (ROOT / "constraints.txt").read_text().splitlines()
    pinned = {}
    for line in lines:
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pinned[canonical(name)] = version
    return pinned


def test_every_import_of_every_page_is_declared(tmp_path):
    pages = [p for p in PAGES if "```{code-cell}" in p.read_text()]
    assert len(pages) >= 9
    for page in pages:
        script = tmp_path / f"{page.parent.name}_{page.stem}.py"
        jupytext.write(jupytext.read(page), script, fmt="py:percent")
    result = subprocess.run(
        [
            str(DEPTRY),
            str(tmp_path),
            "--config",
            str(ROOT / "tools" / "deptry-book.toml"),
            "--ignore",
            "DEP002",  # a page need not import every requirement
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_constraints_pin_every_requirement_within_its_range():
    pinned = pins()
    for file in ("requirements.txt", "requirements-dev.txt"):
        for name, req in requirements(ROOT / file).items():
            assert name in pinned, f"{file}: {name} has no pin: make lock"
            assert req.specifier.contains(pinned[name], prereleases=True), (
                f"{file}: {req} but constraints.txt pins {pinned[name]}"
            )


def test_the_wheels_dependencies_are_book_requirements():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    book = requirements(ROOT / "requirements.txt")
    pinned = pins()
    declared = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        declared += extra
    for spec in declared:
        req = Requirement(spec)
        name = canonical(req.name)
        assert name in book, f"hwlib needs {req}; requirements.txt lacks it"
        assert req.specifier.contains(pinned[name], prereleases=True), (
            f"hwlib needs {req}; constraints.txt pins {pinned[name]}"
        )
