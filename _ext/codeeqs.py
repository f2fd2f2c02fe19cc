"""Equation labels in code become the equation numbers a reader sees.

hwlib's docstrings and the chapters' code comments point at the page's
equations by label (``eq. `pca-center```, ``(mlp-batch)``): labels
are stable while the numbers move whenever a page gains an equation. On the
page the reader sees the number instead, ``eq. (2.1)``, the same text as an
``{eq}`` reference in the prose, so a student can find the equation. Only
labels the math domain knows are replaced; anything else is left as written.
Page labels (``page `mlp```) become the page's title. The notebooks keep
the labels (Jupyter numbers no equations).
"""

from __future__ import annotations

import re

from docutils import nodes
from docutils.nodes import make_id

# "(eq. pca-center)": the reference is itself in parentheses.
EQ_IN_PARENS = re.compile(r"\(([Ee]q\.)\s+`?([\w-]+)`?\)")
# A label in parentheses, "(pca-rayleigh)", alone or after "eq.".
IN_PARENS = re.compile(r"\(([\w-]+)\)")
# "eq." then a label, bare or in backquotes: "eq. pca-center", "eq. `pca-cov`".
AFTER_EQ = re.compile(r"\b([Ee]q\.)\s+(?:`([\w-]+)`|(\w[\w-]*))")
# A page by its label: "page `mlp`".
PAGE = re.compile(r"\bpage `([\w-]+)`")


def equation_number(env, label: str) -> str | None:
    """The number a reader sees for equation ``label`` ("2.1"), or None."""
    found = env.get_domain("math").equations.get(label)
    if found is None:
        return None
    docname, number = found
    if not (env.config.numfig and env.config.math_numfig):
        return str(number)
    node_id = make_id(f"equation-{label}")
    numbers = (
        env.toc_fignumbers.get(docname, {}).get("displaymath", {}).get(node_id)
    )
    if not numbers:
        return None
    eqno = ".".join(map(str, numbers))
    return env.config.math_numsep.join(eqno.rsplit(".", 1))


def numbered(env, text: str, docname: str) -> str:
    """``text`` with known equation and page labels replaced by what a reader
    sees: the equation's number, the page's title ("this page" on itself)."""

    def eq_in_parens(match: re.Match) -> str:
        number = equation_number(env, match.group(2))
        return (
            match.group(0)
            if number is None
            else f"({match.group(1)} {number})"
        )

    def in_parens(match: re.Match) -> str:
        number = equation_number(env, match.group(1))
        return match.group(0) if number is None else f"({number})"

    def after_eq(match: re.Match) -> str:
        number = equation_number(env, match.group(2) or match.group(3))
        return (
            match.group(0)
            if number is None
            else f"{match.group(1)} ({number})"
        )

    def page(match: re.Match) -> str:
        found = env.get_domain("std").labels.get(match.group(1))
        if found is None:
            return match.group(0)
        if found[0] == docname:
            return "this page"
        return f"page \u201c{found[2]}\u201d"

    text = EQ_IN_PARENS.sub(eq_in_parens, text)
    text = AFTER_EQ.sub(after_eq, IN_PARENS.sub(in_parens, text))
    return PAGE.sub(page, text)


def _number_code(app, doctree, docname):
    env = app.builder.env
    for block in doctree.findall(nodes.literal_block):
        # A highlighted block is rendered from its raw source when that equals
        # its text; a parsed literal (rawsource != text) is left alone.
        if block.rawsource != block.astext():
            continue
        new = numbered(env, block.rawsource, docname)
        if new != block.rawsource:
            block.rawsource = new
            block.children = [nodes.Text(new)]


def setup(app):
    app.connect("doctree-resolved", _number_code)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
