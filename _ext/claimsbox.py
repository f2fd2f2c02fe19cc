"""A warning box at the top of a page whose checked claims are false.

On the embedded sample a false claim (hwlib.claims.claim) stops the strict
build. On other data (``HWLIB_CLAIMS=report``: ``HWLIB_DATA=full``, ``make
full-check``) it is appended to ``$HWLIB_CLAIMS_FILE`` instead; this
extension puts the claims a page's execution appended at the top of that page,
so a reader of that edition sees which sentences its data does not support.

myst-nb executes a notebook while Sphinx parses it, and pages are read one at
a time, so the lines that appear in the file while a page is read are that
page's false claims. That needs serial reading: in report mode the extension
declares parallel reading unsafe (``make full-check`` reads one page at a
time); otherwise it does nothing, and parallel reading is safe.
"""

from __future__ import annotations

import os
from pathlib import Path

from docutils import nodes


def _claims_file() -> Path | None:
    if os.environ.get("HWLIB_CLAIMS") != "report":
        return None
    return Path(
        os.environ.get("HWLIB_CLAIMS_FILE", "false-claims.txt")
    ).resolve()


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def _start(app, env, docnames):
    path = _claims_file()
    if path is not None:
        app.hwlib_claims_seen = _size(path)


def _warn_on_page(app, doctree):
    path = _claims_file()
    if path is None:
        return
    seen = getattr(app, "hwlib_claims_seen", 0)
    with path.open("rb") if path.exists() else open(os.devnull, "rb") as f:
        f.seek(seen)
        new = f.read().decode()
    app.hwlib_claims_seen = seen + len(new.encode())
    claims = [line for line in new.splitlines() if line.strip()]
    section = doctree.next_node(nodes.section)
    if not claims or section is None:
        return
    box = nodes.warning()
    box += nodes.paragraph(
        "",
        "On the data this edition was built with, these sentences of the "
        "page are false:",
    )
    items = nodes.bullet_list()
    for text in claims:
        items += nodes.list_item("", nodes.paragraph("", text))
    box += items
    title = section.next_node(nodes.title)
    section.insert(section.index(title) + 1, box)


def setup(app):
    app.connect("env-before-read-docs", _start)
    app.connect("doctree-read", _warn_on_page)
    return {
        "parallel_read_safe": _claims_file() is None,
        "parallel_write_safe": True,
    }
