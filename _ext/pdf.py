"""Print the single-page build of the book to one PDF (``make pdf``).

Chromium renders the same HTML, MathJax and executed outputs as the website,
so the PDF has the website's chapter, equation and figure numbers; it adds
page numbers in the footer. Build tooling, not part of hwlib.

Usage: ``python _ext/pdf.py SINGLEHTML_DIR OUT.pdf``
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tools.chromium import CHROMIUM_FLAGS, find_chromium, serve  # noqa: E402

FOOTER = (
    '<div style="font-size: 8px; width: 100%; text-align: center;'
    ' color: #555;">The MNIST Book, page <span class="pageNumber"></span>'
    ' of <span class="totalPages"></span></div>'
)


def print_pdf(site: Path, out: Path) -> int:
    """Serve ``site`` on localhost, print its one page; return the pages."""
    # index.html only redirects to the root document, which holds the whole
    # book; its links are written relative to the site's top folder (the
    # root document is book/intro), so it is printed from a copy there.
    root = next(p for p in site.rglob("*.html") if p.name != "index.html")
    entry = "mnist-book.html"
    (site / entry).write_bytes(root.read_bytes())
    from playwright.sync_api import sync_playwright

    chromium = find_chromium()
    if chromium is None:
        sys.exit("make pdf needs Debian's chromium (make browser-deps)")
    with serve(site) as base, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium, args=CHROMIUM_FLAGS
        )
        page = browser.new_page()
        page.goto(f"{base}/{entry}", wait_until="load")
        page.wait_for_load_state("networkidle")
        page.evaluate(
            "() => window.MathJax && MathJax.startup"
            " ? MathJax.startup.promise : null"
        )
        page.emulate_media(media="print")
        page.pdf(
            path=str(out),
            format="A4",
            print_background=True,
            display_header_footer=True,
            header_template="<span></span>",
            footer_template=FOOTER,
            margin={
                "top": "16mm",
                "bottom": "16mm",
                "left": "14mm",
                "right": "14mm",
            },
        )
        browser.close()
    return len(re.findall(rb"/Type\s*/Page\b", out.read_bytes()))


def main(site: str, out: str) -> None:
    t0 = time.perf_counter()
    pages = print_pdf(Path(site), Path(out))
    seconds = time.perf_counter() - t0
    size = Path(out).stat().st_size / 2**20
    print(f"PDF: {out} ({pages} pages, {size:.1f} MB, {seconds:.0f} s)")


if __name__ == "__main__":
    main(*sys.argv[1:])
