"""Every homework question is answered in exactly one box of a lecture page.

The answers page (book/answers.md) copies the boxes when the book is built
(_ext/answers.py); the browser stage checks the built page. Here the sources:
one box per question, with its label and title, on a chapter's lecture page.
"""

import importlib.util
import re
from pathlib import Path

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
