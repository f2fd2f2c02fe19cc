"""Lecture pages: one answer box per homework question, few hidden lines.

The answers page (book/answers.md) copies the boxes when the book is built
(_ext/answers.py); the browser stage checks the built page. Here the sources:
one box per question, with its label and title, on a chapter's lecture page.
"""

import copy
import importlib.util
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "answers", ROOT / "_ext" / "answers.py"
)
answers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(answers)
BOX = re.compile(
    r"^:::\{admonition\} (?P<title>[^\n]*)\n:class: answer\n:name: (?P<label>\S+)$",
    flags=re.M,
)


def test_a_parallel_readers_boxes_are_merged_once():
    """Read two pages at a time (tools/build_book.py), each reader works on a
    copy of the main environment, which in an incremental build already
    holds the boxes of the pages not re-read: only its own pages' boxes may
    be merged back, or those of the others count twice (and the build warns
    that their questions have two boxes)."""
    main = SimpleNamespace(
        hwlib_answers={"answer-1-1": [{"docname": "chapters/01-mnist"}]},
        hwlib_answers_pages={"book/answers"},
    )
    reader = copy.deepcopy(main)  # forked before reading chapters/02-pca
    reader.hwlib_answers["answer-1-2-1"] = [{"docname": "chapters/02-pca"}]
    answers._merge(None, main, ["chapters/02-pca"], reader)
    assert main.hwlib_answers == {
        "answer-1-1": [{"docname": "chapters/01-mnist"}],
        "answer-1-2-1": [{"docname": "chapters/02-pca"}],
    }
    assert main.hwlib_answers_pages == {"book/answers"}


def boxes() -> dict[str, list[tuple[str, str]]]:
    found: dict[str, list[tuple[str, str]]] = {}
    for source in sorted((ROOT / "chapters").glob("*.md")):
        for m in BOX.finditer(source.read_text()):
            found.setdefault(m["label"], []).append((source.stem, m["title"]))
    return found


@pytest.mark.parametrize("question", answers.QUESTIONS)
def test_question_has_one_answer_box_on_a_lecture_page(question):
    found = boxes().get(answers.label_of(question), [])
    assert len(found) == 1, f"question {question}: boxes {found}"
    page, title = found[0]
    assert not page.endswith("-further"), f"{question} is answered on {page}"
    assert title.startswith(f"Answer {question}"), title


def test_no_box_names_an_unknown_question():
    labels = {answers.label_of(q) for q in answers.QUESTIONS}
    assert set(boxes()) <= labels, sorted(set(boxes()) - labels)


def test_answers_page_collects_the_boxes():
    assert "```{answers}" in (ROOT / "book" / "answers.md").read_text()


MAX_HIDDEN_LINES = 60
INSTALL_CELL = "# Colab, or Jupyter without the book's library"


def lecture_sources() -> list[Path]:
    return [
        p
        for p in sorted((ROOT / "chapters").glob("*.md"))
        if not p.stem.endswith("-further")
    ]


@pytest.mark.parametrize("source", lecture_sources(), ids=lambda p: p.stem)
def test_lecture_hides_at_most_60_lines_of_code(source):
    """Hidden cells (checks, glue) stay short: the lecture's text is written
    for the default build, not generated (the install cell aside)."""
    import jupytext

    hidden = 0
    for cell in jupytext.read(source).cells:
        tags = set(cell.metadata.get("tags", []))
        if cell.cell_type != "code" or not tags & {
            "remove-cell",
            "remove-input",
        }:
            continue
        if cell.source.lstrip().startswith(INSTALL_CELL):
            continue
        hidden += len(
            [line for line in cell.source.splitlines() if line.strip()]
        )
    assert hidden <= MAX_HIDDEN_LINES, (
        f"{source.name}: {hidden} lines of hidden code (at most {MAX_HIDDEN_LINES})"
    )


@pytest.mark.parametrize(
    "source",
    sorted((ROOT / "chapters").glob("*-further.md")),
    ids=lambda p: p.stem,
)
def test_going_further_page_is_titled_so_and_listed_under_its_chapter(source):
    import yaml

    title = re.search(r"^\(\S+\)=\n# (.+)$", source.read_text(), flags=re.M)[1]
    assert title.startswith("Going further"), title
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    chapter = f"chapters/{source.stem.removesuffix('-further')}"
    sections = [
        s["file"]
        for part in toc["parts"]
        for ch in part["chapters"]
        if ch["file"] == chapter
        for s in ch.get("sections", [])
    ]
    assert f"chapters/{source.stem}" in sections


@pytest.mark.parametrize(
    "source",
    sorted((ROOT / "chapters").glob("*.md")) + [ROOT / "book" / "errata.md"],
    ids=lambda p: p.stem,
)
def test_install_cell_is_the_one_in_tools(source):
    """Every page installs hwlib the same way (tools/apply_install_cell.py)."""
    import jupytext

    first = next(
        c for c in jupytext.read(source).cells if c.cell_type == "code"
    )
    expected = (ROOT / "tools" / "install_cell.py").read_text()
    assert first.source.strip() == expected.strip()
    assert "remove-cell" in first.metadata.get("tags", [])
