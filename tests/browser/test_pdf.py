"""The PDF (``make pdf``): the whole book, linked from the introduction.

Apart from the page tests so that ``make test`` can print the PDF while the
pages are tested, and check it once it is printed.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"

pytestmark = pytest.mark.browser


def test_pdf_is_built_and_linked():
    """make pdf wrote the whole book as one PDF beside the HTML, linked from
    the introduction (the link resolves from the page's folder)."""
    pdf = HTML / "mnist-book.pdf"
    assert pdf.exists(), "no PDF: run make pdf after the HTML build"
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf.read_bytes()))
    # Every page of the table of contents: the root and each "file:" entry.
    chapters = 1 + len(re.findall(r"file:", (ROOT / "_toc.yml").read_text()))
    assert pages > 2 * chapters, f"the PDF has only {pages} pages"
    intro = (HTML / "book" / "intro.html").read_text()
    assert 'href="../mnist-book.pdf"' in intro
    assert (HTML / "book" / "../mnist-book.pdf").resolve() == pdf.resolve()
