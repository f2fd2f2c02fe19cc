"""Answer boxes and the page that lists them.

A homework answer is an admonition with class ``answer`` and a label::

    :::{admonition} Answer 1.2.1
    :class: answer
    :name: answer-1-2-1

    The answer, its equation and its number.
    :::

The ``{answers}`` directive (on ``book/answers.md``) is replaced by a copy of
every answer box of the book, in the homework's order (:data:`QUESTIONS`),
each followed by a link back to where it is answered: the boxes' text is
written once. The build warns (so the strict build fails) when a question has
no box, has two, or a box has a label that is not a question's.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective, new_document

logger = logging.getLogger(__name__)

# The homework's questions in its own order (the four parts of 1.3 apart).
QUESTIONS = [
    "1.1",
    "1.2.1",
    "1.2.2",
    "1.2.3",
    "1.2.4",
    "1.2.5",
    "1.2.6",
    "1.3.1",
    "1.3.2",
    "1.3.3",
    "1.3.4",
    "2.1",
    "2.2.1",
    "2.2.2",
    "3",
    "3.1",
    "3.2",
]


def label_of(question: str) -> str:
    """The label of a question's answer box: ``1.2.1`` -> ``answer-1-2-1``."""
    return "answer-" + question.replace(".", "-")


class answers_list(nodes.General, nodes.Element):
    """Placeholder for the list of answer boxes, filled once all are read."""


class AnswersDirective(SphinxDirective):
    """``{answers}``: every answer box of the book, in the homework's order."""

    has_content = False

    def run(self):
        return [answers_list("")]


def _answer_boxes(doctree):
    for node in doctree.findall(nodes.admonition):
        if "answer" in node.get("classes", []):
            yield node


def _collect(app, doctree):
    env = app.env
    if not hasattr(env, "hwlib_answers"):
        env.hwlib_answers = {}
    docname = env.docname
    labels = {label_of(q) for q in QUESTIONS}
    for node in _answer_boxes(doctree):
        names = [n for n in node.get("names", []) if n.startswith("answer-")]
        if len(names) != 1 or names[0] not in labels:
            logger.warning(
                "an answer box needs one label of the form answer-1-2-1 "
                f"naming a homework question, got {node.get('names')}",
                location=node,
            )
            continue
        title = node.next_node(nodes.title)
        question = {label_of(q): q for q in QUESTIONS}[names[0]]
        expected = "Answer " + question
        if title is None or not title.astext().startswith(expected):
            logger.warning(
                f"the answer box {names[0]} must be titled {expected!r}",
                location=node,
            )
        env.hwlib_answers.setdefault(names[0], []).append(
            {"docname": docname, "node": node.deepcopy()}
        )
    if any(True for _ in doctree.findall(answers_list)):
        env.hwlib_answers_pages = getattr(env, "hwlib_answers_pages", set())
        env.hwlib_answers_pages.add(docname)


def _purge(app, env, docname):
    for label in list(getattr(env, "hwlib_answers", {})):
        env.hwlib_answers[label] = [
            a for a in env.hwlib_answers[label] if a["docname"] != docname
        ]
    getattr(env, "hwlib_answers_pages", set()).discard(docname)


def _merge(app, env, docnames, other):
    if not hasattr(env, "hwlib_answers"):
        env.hwlib_answers = {}
    # A parallel reader's env is a copy of the main one: it also holds the
    # boxes of pages it did not read, which the main env already has.
    for label, found in getattr(other, "hwlib_answers", {}).items():
        env.hwlib_answers.setdefault(label, []).extend(
            a for a in found if a["docname"] in docnames
        )
    env.hwlib_answers_pages = getattr(env, "hwlib_answers_pages", set()) | (
        getattr(other, "hwlib_answers_pages", set())
    )


def _outdated(app, env, added, changed, removed):
    """The answers page copies other pages' boxes: rebuild it with them."""
    if added | changed | removed:
        return sorted(getattr(env, "hwlib_answers_pages", set()))
    return []


def _check(app, env):
    """Every question has exactly one box; the answers page needs MathJax.

    Checked only in a book with an answers page (not in the small probe
    books that tests/test_book.py builds from one chapter).
    """
    found = getattr(env, "hwlib_answers", {})
    pages = getattr(env, "hwlib_answers_pages", set())
    for question in QUESTIONS if pages else []:
        boxes = found.get(label_of(question), [])
        if len(boxes) != 1:
            where = ", ".join(b["docname"] for b in boxes) or "nowhere"
            logger.warning(
                f"homework question {question} needs exactly one answer box "
                f"(label {label_of(question)}); found {len(boxes)} ({where})"
            )
    # The copied boxes hold math: the page must load MathJax like a chapter.
    math = env.get_domain("math")
    for docname in pages:
        math.data.setdefault("has_equations", {})[docname] = True


def _uri(app, fromdocname, docname):
    """The page ``docname`` as linked from ``fromdocname`` ("" on one page)."""
    if app.builder.name == "singlehtml":
        return ""
    return app.builder.get_relative_uri(fromdocname, docname)


def _link_back(app, fromdocname, docname, label):
    uri = _uri(app, fromdocname, docname) + "#" + label
    title = app.env.titles[docname].astext()
    para = nodes.paragraph(classes=["answer-source"])
    para += nodes.Text("Answered in ")
    para += nodes.reference("", title, internal=True, refuri=uri)
    para += nodes.Text(".")
    return para


def _fill(app, doctree, fromdocname):
    found = getattr(app.env, "hwlib_answers", {})
    for placeholder in list(doctree.findall(answers_list)):
        content = []
        for question in QUESTIONS:
            for box in found.get(label_of(question), []):
                copy = box["node"].deepcopy()
                copy["ids"] = []
                copy["names"] = []
                docname = box["docname"]
                for xref in copy.findall(nodes.Element):
                    # Sphinx resolves a reference from the page in its
                    # refdoc: here, the answers page.
                    if "refdoc" in xref:
                        xref["refdoc"] = fromdocname
                for ref in copy.findall(nodes.reference):
                    # A link already resolved within its own page points at
                    # an anchor of that page: make it point there.
                    if ref.get("refid") and not ref.get("refuri"):
                        uri = _uri(app, fromdocname, docname)
                        ref["refuri"] = uri + "#" + ref["refid"]
                        del ref["refid"]
                # Resolve cross-references (equations, figures) inside a
                # scratch document, as sphinx.ext.todo does for its list
                # (resolving emits doctree-resolved again: not on this tree).
                scratch = new_document("")
                scratch += copy
                app.env.resolve_references(scratch, fromdocname, app.builder)
                scratch.remove(copy)
                copy += _link_back(
                    app, fromdocname, docname, label_of(question)
                )
                content.append(copy)
        placeholder.replace_self(content)


def setup(app):
    app.add_node(answers_list)
    app.add_directive("answers", AnswersDirective)
    app.connect("doctree-read", _collect)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("env-get-outdated", _outdated)
    app.connect("env-check-consistency", _check)
    app.connect("doctree-resolved", _fill)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
