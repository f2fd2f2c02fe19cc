"""The committed notebooks (what Colab and Binder open) match their MyST sources."""

from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted(ROOT.glob("chapters/*.md")) + [ROOT / "book" / "errata.md"]


def cells(notebook):
    return [
        (c.cell_type, c.source.strip(), c.metadata.get("tags", []))
        for c in notebook.cells
    ]


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_notebook_is_current(source):
    ipynb = source.with_suffix(".ipynb")
    assert ipynb.exists(), f"{ipynb.name} is missing: run `make notebooks`"
    notebook = jupytext.read(ipynb)
    assert cells(notebook) == cells(jupytext.read(source)), (
        f"{ipynb.name} is stale: run `make notebooks`"
    )
    assert all(
        not c.get("outputs") for c in notebook.cells if c.cell_type == "code"
    ), "commit notebooks without outputs"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_first_cell_installs_the_library_when_missing(source):
    first = next(
        c for c in jupytext.read(source).cells if c.cell_type == "code"
    )
    assert 'find_spec("hwlib") is None' in first.source
    assert "remove-cell" in first.metadata.get("tags", [])


def test_install_cells_pin_this_release():
    """Colab installs hwlib from the tag of this version, never a branch."""
    import tomllib

    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "version"
    ]
    pinned = f"git+https://github.com/mnist-book/mnist-book@v{version}"
    for source in SOURCES:
        install = jupytext.read(source).cells[0].source
        assert "find_spec" in install, f"{source.name}: no install cell"
        assert pinned in install, (
            f"{source.name}: install cell not at v{version}"
        )
