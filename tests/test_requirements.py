"""requirements.txt installs everything the pages import (Binder and Colab use it).

The imports are read from the code cells of every page, mapped to the
distributions that provide them, and each must be listed in requirements.txt
or be installed by something listed there (a dependency, followed
transitively through the installed metadata).
"""

import ast
import re
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted(ROOT.glob("chapters/*.md")) + sorted(ROOT.glob("book/*.md"))
CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```$", re.MULTILINE | re.S)


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def cell_code(cell: str) -> str:
    """The Python of a cell: its YAML front matter and :option: lines dropped."""
    lines = cell.splitlines()
    if lines and lines[0] == "---":
        lines = lines[lines.index("---", 1) + 1 :]
    return "\n".join(line for line in lines if not line.startswith(":"))


def imported_modules() -> dict[str, str]:
    """Top-level module -> the first page that imports it."""
    found = {}
    for page in PAGES:
        for cell in CELL.findall(page.read_text()):
            for node in ast.walk(ast.parse(cell_code(cell))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    found.setdefault(name.split(".")[0], page.name)
    return found


def listed() -> set[str]:
    names = set()
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            names.add(canonical(Requirement(line).name))
    return names


def installed_by(roots: set[str]) -> set[str]:
    """``roots`` and everything they require, transitively (no extras)."""
    seen, todo = set(), list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        for spec in requires:
            req = Requirement(spec)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(canonical(req.name))
    return seen


def test_the_pages_import_third_party_packages():
    modules = imported_modules()
    assert {"numpy", "torch", "hwlib", "myst_nb"} <= set(modules)


def test_requirements_cover_every_import_of_every_page():
    providers = metadata.packages_distributions()
    available = installed_by(listed())
    missing = {}
    for module, page in imported_modules().items():
        if module in sys.stdlib_module_names or module == "hwlib":
            continue
        dists = {canonical(d) for d in providers.get(module, [module])}
        if not dists & available:
            missing[module] = (page, sorted(dists))
    assert not missing, (
        f"pages import packages requirements.txt does not install: {missing}"
    )
