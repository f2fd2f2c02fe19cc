"""Two executions of a chapter print the same numbers and draw the same figures.

Each chapter is executed twice in fresh kernels (as the book build does); the
digests of every glued value and every figure must match. CI checks the fast
chapters; ``HWLIB_DETERMINISM_ALL=1`` checks all of them.
"""

import hashlib
import os
import re
from pathlib import Path

import jupytext
import nbclient
import pytest

ROOT = Path(__file__).resolve().parents[1]
INLINE = "module://matplotlib_inline.backend_inline"  # what `make` sets: figures are outputs
FAST = ["01-mnist", "02-pca", "03-harris-pca", "05-softmax-gradients"]
ALL = sorted(p.stem for p in (ROOT / "chapters").glob("*.md"))
CHAPTERS = ALL if os.environ.get("HWLIB_DETERMINISM_ALL") == "1" else FAST
# Wall-clock measurements are glued too; they are the only values allowed to differ.
TIMING_KEY = re.compile(r"^t_|seconds|speedup|_over_")


def run(chapter: str) -> dict[str, str]:
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
    digests = {}
    for index, cell in enumerate(notebook.cells):
        for n, output in enumerate(cell.get("outputs", [])):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            data = output.get("data", {})
            if name is not None:
                if not TIMING_KEY.search(name):
                    digests[f"glue:{name}"] = hashlib.sha256(
                        str(data.get("text/plain", data)).encode()
                    ).hexdigest()
            elif "image/png" in data:
                digests[f"figure:{index}.{n}"] = hashlib.sha256(
                    data["image/png"].encode()
                ).hexdigest()
    return digests


@pytest.mark.slow
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_two_runs_print_and_draw_the_same(chapter):
    first, second = run(chapter), run(chapter)
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
