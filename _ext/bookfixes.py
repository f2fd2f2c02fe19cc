"""Small Sphinx fixes for the book's HTML.

Found by the browser tests (tests/browser):

- sphinx-thebe registers its inline configuration script twice under Jupyter
  Book 1.x, which declares ``const THEBE_JS_URL`` twice: a SyntaxError in the
  console of every page. Keep one copy of each script.
- myst-nb renders hide-input cells for the ``html`` builder only; register
  them for ``singlehtml`` too (the one-page build that ``make pdf`` prints).
- The theme's sidebar opens a chapter's sub-pages with a ``<summary>`` that
  holds only a decorative chevron: a control with no name (axe-core:
  summary-name). Name each one after the page it opens.
- Sphinx 7 writes the bibliography as ``<div role="list">`` whose children
  are not list items, an ARIA error that screen readers trip on (axe-core:
  aria-required-children). Drop the role: the entries read as paragraphs.
- A glued negative number is formatted by Python with a hyphen ("-0.1");
  in the text it gets the minus sign the equations use ("\u22120.1").

And two for the build, which reads pages in parallel (``make book``'s
``JOBS``, tools/build_book.py): Sphinx does so only if every extension
declares that it may, and three that Jupyter Book loads do not declare it,
though they keep no state between pages (see PARALLEL_READ_SAFE); and the
execution cache is created before the readers start.
"""

from __future__ import annotations

import re

from docutils import nodes

# Extensions that Jupyter Book 1.x loads without declaring parallel reading
# safe, and why each is (read in the versions constraints.txt pins):
PARALLEL_READ_SAFE = {
    # replaces the toctree collector's section numbering, which runs in the
    # main process once every page has been read and merged
    "sphinx_multitoc_numbering": "numbers sections after the merge",
    # sets mathjax_path at setup and copies MathJax when the build ends
    "sphinx-mathjax-offline": "copies files at the end",
    # adds nodes and transforms that act in LaTeX builds only
    "sphinx_jupyterbook_latex": "transforms LaTeX builds only",
}

# A hyphen that starts a number: at the start or after a space or bracket.
HYPHEN_MINUS = re.compile(r"(?<![\w.\-])-(?=\.?\d)")


def _dedupe_scripts(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    for script in context.get("script_files", []):
        key = (
            getattr(script, "filename", None) or "",
            tuple(sorted(getattr(script, "attributes", {}).items())),
        )
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def _plain_citation_lists(app, pagename, templatename, context, doctree):
    if "body" in context:
        context["body"] = context["body"].replace(
            '<div role="list" class="citation-list">',
            '<div class="citation-list">',
        )


def _named_sidebar_toggles(app, pagename, templatename, context, doctree):
    generate = context.get("generate_toctree_html")
    if generate is None:
        return

    def named(*args, **kwargs):
        return str(generate(*args, **kwargs)).replace(
            '<summary><span class="toctree-toggle"',
            '<summary aria-label="Show or hide the sub-pages">'
            '<span class="toctree-toggle"',
        )

    context["generate_toctree_html"] = named


def _hide_input_in_singlehtml(app):
    """Let the single-page build (the PDF's source) render hide-input cells.

    myst-nb registers its collapsible-input node for the ``html`` builder
    only; the ``singlehtml`` builder then fails on every hide-input cell.
    """
    from myst_nb.sphinx_ import (
        HideCodeCellNode,
        depart_HideCellInput,
        visit_HideCellInput,
    )

    handlers = (visit_HideCellInput, depart_HideCellInput)
    app.add_node(
        HideCodeCellNode, override=True, html=handlers, singlehtml=handlers
    )


def minus_signs(text: str) -> str:
    """``text`` with the hyphen of every negative number made a minus sign."""
    return HYPHEN_MINUS.sub("\u2212", text)


def _glued_minus_signs(app, doctree, docname):
    for span in doctree.findall(nodes.inline):
        if "pasted-text" in span["classes"]:
            for text in list(span.findall(nodes.Text)):
                signed = minus_signs(str(text))
                if signed != str(text):
                    text.parent.replace(text, nodes.Text(signed))


def _declare_parallel_reading(app, config):
    for name in PARALLEL_READ_SAFE:
        extension = app.extensions.get(name)
        if extension is not None and extension.parallel_read_safe is None:
            extension.parallel_read_safe = True


def _create_execution_cache(app, env, docnames):
    """Create myst-nb's jupyter-cache before the pages are read.

    Read in parallel, the first two pages of a fresh build would each
    create the cache's database, and one of them fails ("table settings
    already exists"). Made here, in the main process, it exists before the
    readers fork.
    """
    config = env.mystnb_config
    if config.execution_mode == "cache":
        from jupyter_cache import get_cache

        cache = get_cache(config.execution_cache_path or ".jupyter_cache")
        cache.get_cache_limit()  # the first query creates the database


def setup(app):
    app.connect("config-inited", _declare_parallel_reading)
    app.connect("env-before-read-docs", _create_execution_cache)
    app.connect("doctree-resolved", _glued_minus_signs)
    app.connect("builder-inited", _hide_input_in_singlehtml)
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    app.connect("html-page-context", _plain_citation_lists, priority=900)
    app.connect("html-page-context", _named_sidebar_toggles, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
