"""How long each chapter page is: reading time on the page, figures in a file.

For every page under ``chapters/`` the build counts, from the page's doctree,
its prose words (text outside code, outputs and math), displayed equations,
figures and the lines of code a reader sees without a click (code cells not
collapsed, literal includes). It writes "Reading time: about N minutes" under
the page's title, and all the figures to ``_build/page-stats.json``, which
``_ext/report.py`` prints after ``make book``. The browser test
(tests/browser) measures the rendered pages and enforces the budgets.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from docutils import nodes

# Reading speeds for technical text: prose words, displayed equations, figures.
WORDS_PER_MINUTE = 150
MINUTES_PER_EQUATION = 0.25
MINUTES_PER_FIGURE = 0.5
# Cells whose code is not shown without a click.
COLLAPSED = {"tag_hide-input", "tag_hide-cell"}


def reading_minutes(words: int, equations: int, figures: int) -> int:
    """Minutes to read a page, rounded up to a multiple of 5 (at least 5)."""
    minutes = (
        words / WORDS_PER_MINUTE
        + equations * MINUTES_PER_EQUATION
        + figures * MINUTES_PER_FIGURE
    )
    return max(5, 5 * math.ceil(minutes / 5))


def _ancestors(node):
    node = node.parent
    while node is not None:
        yield node
        node = node.parent


def _classes(node) -> set[str]:
    if not isinstance(node, nodes.Element):
        return set()
    return set(node.get("classes", []))


def page_stats(doctree) -> dict[str, int]:
    """Words, equations, figures and visible code lines of a doctree."""
    not_prose = (nodes.literal_block, nodes.math, nodes.math_block, nodes.raw)
    words = 0
    for text in doctree.findall(nodes.Text):
        if not any(
            isinstance(a, not_prose) or "cell" in _classes(a)
            for a in _ancestors(text)
        ):
            words += len(text.astext().split())
    code_lines = 0
    for block in doctree.findall(nodes.literal_block):
        around = set().union(*(_classes(a) for a in _ancestors(block)))
        if "cell_output" in around or around & COLLAPSED:
            continue
        code_lines += len(block.astext().rstrip("\n").splitlines())
    return {
        "words": words,
        "equations": sum(1 for _ in doctree.findall(nodes.math_block)),
        "figures": sum(1 for _ in doctree.findall(nodes.image)),
        "code_lines": code_lines,
    }


def _measure(app, doctree):
    docname = app.env.docname
    if not docname.startswith("chapters/"):
        return
    stats = page_stats(doctree)
    stats["minutes"] = reading_minutes(
        stats["words"], stats["equations"], stats["figures"]
    )
    if not hasattr(app.env, "hwlib_page_stats"):
        app.env.hwlib_page_stats = {}
    app.env.hwlib_page_stats[docname] = stats
    section = doctree.next_node(nodes.section)
    title = section.next_node(nodes.title) if section is not None else None
    if title is not None:
        note = nodes.paragraph(
            "",
            f"Reading time: about {stats['minutes']} minutes.",
            classes=["reading-time"],
        )
        title.parent.insert(title.parent.index(title) + 1, note)


def _purge(app, env, docname):
    getattr(env, "hwlib_page_stats", {}).pop(docname, None)


def _merge(app, env, docnames, other):
    if not hasattr(env, "hwlib_page_stats"):
        env.hwlib_page_stats = {}
    env.hwlib_page_stats.update(getattr(other, "hwlib_page_stats", {}))


def _write(app, exception):
    if exception is not None or app.builder.name != "html":
        return
    stats = dict(sorted(getattr(app.env, "hwlib_page_stats", {}).items()))
    out = Path(app.outdir).parent / "page-stats.json"
    out.write_text(json.dumps(stats, indent=1) + "\n")


def setup(app):
    app.connect("doctree-read", _measure)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("build-finished", _write)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
