"""The build itself: a broken chapter must fail CI, and a change in hwlib must reach the page.

Each test builds a small book in a temporary folder with the repository's own
``_config.yml`` and Makefile, so it checks the settings CI relies on
(``raise_on_error``, ``--warningiserror``, the hwlib-change detection).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
JB = Path(sys.executable).with_name("jupyter-book")
INLINE = "module://matplotlib_inline.backend_inline"  # what `make` sets: figures go into the page

PROBE = """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# Probe

```{code-cell} ipython3
from myst_nb import glue
from hwlib import softmax

Y = softmax.one_hot([0, 1, 2, 3, 4], num_classes=5)
glue("probe_value", float(Y.sum()), display=False)
```

The value is {glue:text}`probe_value:.3f`, see {eq}`probe-eq`.

$$
a = b
$$ (probe-eq)

```{code-cell} ipython3
---
mystnb:
  figure:
    caption: A probe figure.
    name: fig-probe
  image:
    alt: A rising line.
---
import matplotlib.pyplot as plt

plt.plot([0, 1], [0, 1])
plt.show()
```
"""

TOC = "format: jb-book\nroot: probe\n"


def make_book(tmp_path: Path, chapter: str = PROBE) -> Path:
    book = tmp_path / "book"
    book.mkdir()
    shutil.copy(ROOT / "_config.yml", book / "_config.yml")
    shutil.copy(ROOT / "Makefile", book / "Makefile")
    (book / "book").mkdir()
    shutil.copy(
        ROOT / "book" / "references.bib", book / "book" / "references.bib"
    )
    shutil.copytree(
        ROOT / "hwlib",
        book / "hwlib",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    shutil.copytree(
        ROOT / "_ext",
        book / "_ext",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    shutil.copytree(ROOT / "_static", book / "_static")
    (book / "tools").mkdir()
    shutil.copy(ROOT / "tools" / "build_book.py", book / "tools")
    (book / "_toc.yml").write_text(TOC)
    (book / "probe.md").write_text(chapter)
    return book


def build(
    book: Path, *extra: str, jobs: int = 0, **variables: str
) -> subprocess.CompletedProcess:
    """``jupyter-book build`` of ``book``, strict; with ``jobs``, through
    tools/build_book.py (as ``make``), reading that many pages at a time."""
    # PYTHONPATH puts this copy of hwlib ahead of the installed one.
    env = dict(
        os.environ,
        PYTHONPATH=str(book),
        HWLIB_QUIET="1",
        MPLBACKEND=INLINE,
        **variables,
    )
    runner = [str(JB)]
    if jobs:
        runner = [sys.executable, str(ROOT / "tools" / "build_book.py")]
        runner += ["--jobs", str(jobs)]
    cmd = [
        *runner,
        "build",
        str(book),
        "--all",
        "--warningiserror",
        "--keep-going",
        *extra,
    ]
    return subprocess.run(
        cmd, cwd=book, env=env, capture_output=True, text=True, timeout=600
    )


def page(book: Path) -> str:
    return (book / "_build" / "html" / "probe.html").read_text()


@pytest.mark.slow
def test_clean_chapter_builds_strictly(tmp_path):
    book = make_book(tmp_path)
    result = build(book)
    assert result.returncode == 0, (
        result.stdout[-3000:] + result.stderr[-3000:]
    )
    assert "5.000</span>" in page(book)
    assert 'alt="A rising line."' in page(book), (
        "the figure is missing from the page"
    )


FAULTS = {
    "raising cell": (
        "```{code-cell} ipython3\nraise RuntimeError('InjectedFault')\n```\n",
        "InjectedFault",
    ),
    "missing glue key": ("Missing: {glue:text}`no_such_key`\n", "no_such_key"),
    "broken equation label": (
        "See {eq}`no-such-equation`.\n",
        "no-such-equation",
    ),
    # A sentence checked by hwlib.claims.claim in a hidden cell, now false.
    "false claim": (
        "```{code-cell} ipython3\n:tags: [remove-cell]\n\n"
        "from hwlib.claims import claim\n\n"
        "claim(1 > 2, 'InjectedFalseClaim')\n```\n",
        "InjectedFalseClaim",
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_injected_fault_fails_the_strict_build(tmp_path, fault):
    text, marker = FAULTS[fault]
    book = make_book(tmp_path, PROBE + "\n" + text)
    result = build(book)
    assert result.returncode != 0
    assert marker in result.stdout + result.stderr


@pytest.mark.slow
def test_false_claim_on_other_data_is_shown_at_the_top_of_its_page(tmp_path):
    """HWLIB_CLAIMS=report (full MNIST, make full-check): the build goes on
    and the page opens with a warning box that quotes the false sentence."""
    text, marker = FAULTS["false claim"]
    book = make_book(tmp_path, PROBE + "\n" + text)
    result = build(
        book,
        HWLIB_CLAIMS="report",
        HWLIB_CLAIMS_FILE=str(tmp_path / "false-claims.txt"),
    )
    assert result.returncode == 0, (
        result.stdout[-3000:] + result.stderr[-3000:]
    )
    html = page(book)
    box = html[html.index('class="admonition warning"') :]
    assert marker in box[: box.index("</div>")]
    assert html.index("admonition warning") < html.index("The value is")


# A page with one quick cell: with PROBE as the root, seven pages, enough for
# Sphinx to read them in parallel (it does so for more than five).
PAGE = PROBE[: PROBE.index("# Probe")] + (
    "# Page {i}\n\n```{{code-cell}} ipython3\nprint({i})\n```\n"
)


@pytest.mark.slow
def test_a_failing_cell_fails_the_parallel_build_and_is_shown(tmp_path):
    """The strict build reads two pages at a time (tools/build_book.py): a
    raising cell still fails it, and its error is printed, not only the
    name of its page (Sphinx drops a failed parallel reader's log)."""
    text, marker = FAULTS["raising cell"]
    book = make_book(tmp_path)
    pages = [f"page{i}" for i in range(1, 7)]
    for i, name in enumerate(pages, 1):
        fault = text if name == "page4" else ""
        (book / f"{name}.md").write_text(PAGE.format(i=i) + fault)
    entries = "".join(f"- file: {name}\n" for name in pages)
    (book / "_toc.yml").write_text(TOC + "chapters:\n" + entries)
    result = build(book, jobs=2)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Sphinx parallel build error" in output, output[-3000:]
    assert "page4.md" in output and marker in output, output[-3000:]


# CI injects one fault into one real chapter; HWLIB_FAULTS_ALL=1 (make faults)
# injects every fault into every chapter.
REAL_CASES = (
    [
        (c.stem, f)
        for c in sorted((ROOT / "chapters").glob("*.md"))
        for f in sorted(FAULTS)
    ]
    if os.environ.get("HWLIB_FAULTS_ALL") == "1"
    else [("01-mnist", "raising cell")]
)


@pytest.mark.slow
@pytest.mark.parametrize("chapter, fault", REAL_CASES)
def test_fault_in_a_real_chapter_fails(tmp_path, chapter, fault):
    text, marker = FAULTS[fault]
    source = (ROOT / "chapters" / f"{chapter}.md").read_text()
    # Inject before the second heading, so the chapter's own cells run first.
    second_heading = source.index("\n## ") + 1
    broken = source[:second_heading] + text + "\n" + source[second_heading:]
    book = make_book(tmp_path, broken)
    # The book's own network cache: a chapter that trains networks (chapter
    # 8's Going-further page trains three CNNs and an MLP, 20 epochs in all)
    # loads what the book build trained instead of training them again.
    result = build(book, HWLIB_NETS_CACHE=str(ROOT / "_build" / "nets"))
    assert result.returncode != 0
    assert marker in result.stdout + result.stderr, (
        f"the build did not report the injected {fault}"
    )


@pytest.mark.slow
def test_changing_hwlib_changes_the_page_with_make_book(tmp_path):
    """`make book` caches executions, but a change in hwlib/ must re-execute (no stale numbers)."""
    book = make_book(tmp_path)
    venv = Path(sys.executable).parents[1]
    (book / ".venv").symlink_to(venv)
    stamp_dir = tmp_path / "stamp"
    stamp_dir.mkdir()
    # A caller's MPLBACKEND=Agg would drop every figure; the Makefile overrides it.
    env = dict(os.environ, PYTHONPATH=str(book), MPLBACKEND="Agg")
    # The install step is up to date: make must not reinstall into the real venv.
    make = ["make", "-o", ".venv/.installed", "book"]
    first = subprocess.run(
        make, cwd=book, env=env, capture_output=True, text=True, timeout=600
    )
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert "5.000</span>" in page(book)
    assert 'alt="A rising line."' in page(book), (
        "make book left the figure out"
    )

    again = subprocess.run(
        make, cwd=book, env=env, capture_output=True, text=True, timeout=600
    )
    assert (
        "hwlib changed" not in again.stdout
    )  # nothing changed: nothing re-executed

    softmax_py = book / "hwlib" / "softmax.py"
    # Change what hwlib.softmax.one_hot returns (every entry times 1.4).
    softmax_py.write_text(
        softmax_py.read_text()
        + "\n\n_unchanged_one_hot = one_hot\n\n\n"
        + "def one_hot(y, *, num_classes=10):\n"
        + "    return 1.4 * _unchanged_one_hot(y, num_classes=num_classes)\n"
    )
    second = subprocess.run(
        make, cwd=book, env=env, capture_output=True, text=True, timeout=600
    )
    assert second.returncode == 0, (
        second.stdout[-3000:] + second.stderr[-3000:]
    )
    assert "hwlib changed" in second.stdout
    assert "7.000</span>" in page(book)
