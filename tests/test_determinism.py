"""Two executions of a chapter print the same numbers and draw the same figures.

A chapter is executed in a fresh kernel (as the book build does) and the
digests of every glued value and every figure are compared with a second
execution: the book build's own when ``_build`` holds one of this chapter
made after hwlib's last change (``make test`` runs this file after the
strict build), else a second fresh run. CI checks the fast chapters;
``HWLIB_DETERMINISM_ALL=1`` (``make determinism``) checks all of them.
"""

import hashlib
import json
import os
import re
from pathlib import Path

import jupytext
import nbclient
import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
BUILT = ROOT / "_build" / "jupyter_execute" / "chapters"
INLINE = "module://matplotlib_inline.backend_inline"  # what `make` sets: figures are outputs
FAST = ["01-mnist", "03-harris-pca", "05-softmax-gradients", "06-softmax-sgd"]
ALL = sorted(p.stem for p in (ROOT / "chapters").glob("*.md"))
CHAPTERS = ALL if os.environ.get("HWLIB_DETERMINISM_ALL") == "1" else FAST
# Wall-clock measurements are glued too; they are the only values allowed to differ.
TIMING_KEY = re.compile(r"^t_|seconds|speedup|_over_")
GLUE_MIME = "application/papermill.record/"


def execute(chapter: str) -> nbformat.NotebookNode:
    notebook = jupytext.read(ROOT / "chapters" / f"{chapter}.md")
    env_backup = dict(os.environ)
    os.environ.update(HWLIB_QUIET="1", MPLBACKEND=INLINE)
    try:
        nbclient.NotebookClient(
            notebook,
            timeout=600,
            resources={"metadata": {"path": str(ROOT / "chapters")}},
        ).execute()
    finally:
        os.environ.clear()
        os.environ.update(env_backup)
    return notebook


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def digests(notebook, glued: dict) -> dict[str, str]:
    """Digests of the glued values (name -> output) and of the figures.

    ``glued`` holds the glue outputs; the build moves them out of the
    notebook into ``NAME.glue.json``, a fresh run leaves them in its cells.
    Figures are numbered in the order they are drawn.
    """
    found = {}
    for name, output in glued.items():
        data = output.get("data", {})
        value = data.get(GLUE_MIME + "text/plain", data.get("text/plain"))
        if not TIMING_KEY.search(name):
            found[f"glue:{name}"] = digest(str(value))
    figures = [
        output["data"]["image/png"]
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if "image/png" in output.get("data", {})
        and "scrapbook" not in output.get("metadata", {})
    ]
    for n, png in enumerate(figures):
        found[f"figure:{n}"] = digest(png)
    return found


def glue_outputs(notebook) -> dict:
    return {
        output["metadata"]["scrapbook"]["name"]: output
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if "scrapbook" in output.get("metadata", {})
    }


def code_of(notebook) -> list[str]:
    return [c.source for c in notebook.cells if c.cell_type == "code"]


def built_run(chapter: str, source) -> dict[str, str] | None:
    """The digests of the book build's execution of ``chapter``, if current:
    the same code cells, executed after hwlib's last change."""
    notebook_file = BUILT / f"{chapter}.ipynb"
    glue_file = BUILT / f"{chapter}.glue.json"
    if not (notebook_file.exists() and glue_file.exists()):
        return None
    library = [
        *(ROOT / "hwlib").glob("*.py"),
        *(ROOT / "hwlib").glob("*.mplstyle"),
    ]
    if max(f.stat().st_mtime for f in library) > notebook_file.stat().st_mtime:
        return None
    notebook = nbformat.read(notebook_file, as_version=4)
    # A page taken from jupyter-cache is written without its outputs.
    executed = any(cell.get("outputs") for cell in notebook.cells)
    if not executed or code_of(notebook) != code_of(source):
        return None
    return digests(notebook, json.loads(glue_file.read_text()))


@pytest.mark.slow
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_two_runs_print_and_draw_the_same(chapter):
    fresh = execute(chapter)
    first = digests(fresh, glue_outputs(fresh))
    second = built_run(chapter, fresh)
    if second is None:
        again = execute(chapter)
        second = digests(again, glue_outputs(again))
    assert any(k.startswith("glue:") for k in first), "no glued values found"
    if "plt.show()" in (ROOT / "chapters" / f"{chapter}.md").read_text():
        assert any(k.startswith("figure:") for k in first), (
            "no figures found: nothing to compare"
        )
    differing = sorted(
        k
        for k in first.keys() | second.keys()
        if first.get(k) != second.get(k)
    )
    assert not differing, (
        f"{chapter}: values or figures differ between two runs: {differing}"
    )
