"""Every page of the built book, opened in headless Chromium.

Run after the book is built (``make test`` does: pytest, build, then these).
For each page, at the theme's default layout (1200 px wide): no request
leaves localhost (MathJax is bundled), math is rendered (no raw TeX left), no
MyST source leaks into the text (a role or directive that did not render), no
code block scrolls horizontally, every image loads and has alt text, the
console shows no errors, and axe-core finds no serious or critical
accessibility violation. Then the page is rendered again in the theme's dark
mode, where every figure must keep its light background. Screenshots of both
(the first screen; ``SCREENSHOTS=full``: the whole page) go to
``_build/screenshots/`` and the axe results to
``_build/axe-report.json``.
"""

from __future__ import annotations

import functools
import json
import os
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tools.chromium import local_only, serve  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
REPORT = ROOT / "_build" / "axe-report.json"
# A role or directive left in the rendered text: {glue:text}`x`, {eq}`x`,
# ```{exercise}, ... (MyST did not parse it, e.g. a role inside inline code).
MYST_LEAK = re.compile(
    r"\{(glue(:\w+)?|eq|ref|numref|cite(:\w+)?|doc|func|class|mod|meth|attr"
    r"|math|term|download|code-cell|exercise|solution|figure|prf:\w+)\}"
)
LITERAL_DOLLAR = re.compile(r"\$[A-Za-z\\]\w*")
EQUAL_RANGE = re.compile(r"\bbetween ([\d.,]+) and \1(?![\d.,]*\d)")
RAW_TEX = [
    "\\frac",
    "\\begin{",
    "\\sum",
    "\\partial",
    "\\lambda",
    "\\mathbf",
    "$$",
]

pytestmark = pytest.mark.browser


@functools.cache
def equation_labels() -> frozenset[str]:
    """Every equation label of the built book (its ids are "equation-LABEL")."""
    return frozenset(
        label
        for page in HTML.rglob("*.html")
        for label in re.findall(r'id="equation-([\w-]+)"', page.read_text())
    )


def book_pages() -> list[str]:
    import yaml

    def walk(entries):
        for entry in entries:
            yield entry["file"]
            yield from walk(entry.get("sections", []))

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]
    for part in toc["parts"]:
        pages += walk(part["chapters"])
    return [p + ".html" for p in pages]


def lecture_pages() -> list[str]:
    """Chapter pages that are not a "Going further" page."""
    return [
        p
        for p in book_pages()
        if p.startswith("chapters/") and not p.endswith("-further.html")
    ]


@pytest.fixture(scope="module")
def server():
    if not (HTML / "index.html").exists():
        pytest.fail("build the book first (make book or make strict-book)")
    with serve(HTML) as base:
        yield base


@pytest.fixture(scope="module")
def axe_report(report_part):
    report: dict[str, dict] = {}
    yield report
    report_part(REPORT, report)


@pytest.mark.parametrize("page_path", book_pages())
def test_page(server, browser, axe_report, budgets, page_path):
    from axe_playwright_python.sync_playwright import Axe

    # Screens are 800 px tall (the lecture budget counts them).
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    page = context.new_page()
    external, console_errors = [], []
    local_only(page, external)
    page.on(
        "console",
        lambda m: console_errors.append(m.text) if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: console_errors.append(str(e)))
    page.goto(f"{server}/{page_path}", wait_until="networkidle")
    has_mathjax = page.evaluate(
        "() => typeof window.MathJax !== 'undefined' && !!window.MathJax.startup"
    )
    if has_mathjax:
        page.evaluate("() => window.MathJax.startup.promise")

    assert not external, f"requests left localhost: {external}"
    assert not console_errors, f"console errors: {console_errors}"

    # Prose and rendered math only: code cells legitimately contain TeX strings.
    text = page.evaluate(
        "() => { const a = document.querySelector('article').cloneNode(true);"
        " a.querySelectorAll('pre, .highlight, .cell_input, mjx-container').forEach(e => e.remove());"
        " return a.innerText; }"
    )
    raw = [t for t in RAW_TEX if t in text]
    assert not raw, f"math not rendered, raw TeX in the page: {raw}"
    leaks = sorted({m.group(0) for m in MYST_LEAK.finditer(text)})
    assert not leaks, f"MyST source in the rendered text: {leaks}"
    # Template leaks: TeX that never became math (a glued "$k$"), and a
    # generated range whose two ends are equal ("between 400 and 400").
    dollars = sorted(set(LITERAL_DOLLAR.findall(text)))
    assert not dollars, f"a literal $ before a letter in the text: {dollars}"
    ranges = [m.group(0) for m in EQUAL_RANGE.finditer(text)]
    assert not ranges, f"a range with equal ends in the text: {ranges}"

    # Code must fit the column: a block wider than its box scrolls.
    wide = page.evaluate(
        "() => Array.from(document.querySelectorAll('article pre'))"
        ".filter(p => p.scrollWidth > p.clientWidth)"
        ".map(p => [p.scrollWidth, p.clientWidth,"
        " p.innerText.split('\\n').reduce((a, b) => a.length < b.length"
        " ? b : a, '')])"
    )
    assert not wide, f"code blocks that scroll horizontally: {wide}"
    # Code cites equations by label in hwlib and the notebooks; on the page
    # the reader sees the number (_ext/codeeqs.py).
    code = page.evaluate(
        "() => Array.from(document.querySelectorAll('article pre'))"
        ".map(p => p.innerText).join('\\n')"
    )
    cited = set(re.findall(r"[(`]([\w-]+)[)`]|\b[Ee]q\. ([\w-]+)", code))
    unnumbered = sorted(
        {label for pair in cited for label in pair} & equation_labels()
    )
    assert not unnumbered, (
        f"equation labels instead of numbers in code: {unnumbered}"
    )
    if (
        "math" in page.content()
        and page.locator("div.math, span.math").count()
    ):
        assert has_mathjax and page.locator("mjx-container").count() > 0, (
            "MathJax did not render"
        )

    broken = page.evaluate(
        "() => Array.from(document.querySelectorAll('article img'))"
        ".filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"
    )
    assert not broken, f"images that did not load: {broken}"
    no_alt = page.evaluate(
        "() => Array.from(document.querySelectorAll('article img'))"
        ".filter(i => !(i.getAttribute('alt') || '').trim()).map(i => i.src)"
    )
    assert not no_alt, f"images without alt text: {no_alt}"

    results = Axe().run(page).response
    serious = [
        v
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    axe_report[page_path] = {
        "violations": {
            v["id"]: {"impact": v["impact"], "nodes": len(v["nodes"])}
            for v in results["violations"]
        },
        "passes": len(results["passes"]),
    }

    # The first screen; SCREENSHOTS=full takes the whole page (for reading
    # the rendered book as a picture; a tall page costs about 2 s).
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(
        path=str(
            SHOTS / (page_path.replace("/", "_").replace(".html", ".png"))
        ),
        full_page=os.environ.get("SCREENSHOTS") == "full",
    )
    over = []
    if page_path in lecture_pages():
        budgets[page_path] = measured = page.evaluate(MEASURE)
        over = over_budget(measured)
    check_dark_mode(page, page_path)
    context.close()
    assert not over, f"{page_path} is over its lecture budget: {over}"
    assert not serious, "serious accessibility violations: " + json.dumps(
        [
            (v["id"], v["help"], [n["target"] for n in v["nodes"][:3]])
            for v in serious
        ],
        indent=1,
    )


@pytest.mark.parametrize(
    "page_path", [p for p in book_pages() if p.startswith("chapters/")]
)
def test_download_and_launch_offer_the_notebook(page_path):
    """The download menu gives the executed .ipynb; Colab and Binder open the committed one."""
    import nbformat

    html = (HTML / page_path).read_text()
    stem = Path(page_path).stem
    assert f"_sources/chapters/{stem}.ipynb" in html
    assert (
        f"colab.research.google.com/github/mnist-book/mnist-book/blob/main/chapters/{stem}.ipynb"
        in html
    )
    assert f"lab/tree/chapters/{stem}.ipynb" in html  # Binder
    executed = nbformat.read(
        HTML / "_sources" / "chapters" / f"{stem}.ipynb", as_version=4
    )
    assert any(
        cell.get("outputs")
        for cell in executed.cells
        if cell.cell_type == "code"
    ), "downloaded notebook has no outputs"


@pytest.mark.parametrize(
    "page_path",
    [p for p in book_pages() if p.startswith(("chapters/", "book/"))],
)
def test_every_named_figure_is_drawn(page_path):
    """Each figure a chapter names in its source is in the built page with its image.

    A build whose kernels draw nowhere (MPLBACKEND=Agg, say) still succeeds,
    with captions and no pictures; this catches it.
    """
    import re

    source = (ROOT / page_path).with_suffix(".md").read_text()
    names = re.findall(r"^\s+name: (fig-[\w-]+)", source, flags=re.M)
    html = (HTML / page_path).read_text()
    figures = dict(
        re.findall(
            r'<figure[^>]*id="(fig-[\w-]+)"[^>]*>(.*?)</figure>',
            html,
            flags=re.S,
        )
    )
    missing = [n for n in names if "<img" not in figures.get(n, "")]
    assert not missing, f"{page_path}: figures without an image: {missing}"


def check_dark_mode(page, page_path: str) -> None:
    """In the theme's dark mode, every figure keeps its light background.

    Figures are drawn on white, some with transparent margins; the theme's
    dark mode dims images and puts them on grey. Each figure must instead be
    shown undimmed on white, so its text and lines keep their contrast.
    """
    # A reader whose system is dark and who chose dark: the theme reads the
    # choice from localStorage before drawing. The page is loaded again from
    # the browser's cache.
    page.emulate_media(color_scheme="dark")
    page.evaluate("() => localStorage.setItem('mode', 'dark')")
    page.reload(wait_until="networkidle")
    theme = page.evaluate("() => document.documentElement.dataset.theme")
    assert theme == "dark", f"the page did not switch to dark mode: {theme}"
    styles = page.evaluate(
        "() => Array.from(document.querySelectorAll('article .cell_output img'))"
        ".map(i => { const s = getComputedStyle(i);"
        " return [s.backgroundColor, s.filter]; })"
    )
    dimmed = [
        (i, style)
        for i, style in enumerate(styles)
        if style != ["rgb(255, 255, 255)", "none"]
    ]
    SHOTS.mkdir(parents=True, exist_ok=True)
    name = page_path.replace("/", "_").replace(".html", "-dark.png")
    page.screenshot(path=str(SHOTS / name))  # the first screen, to look at
    assert not dimmed, f"figures not shown on white in dark mode: {dimmed}"


@pytest.mark.parametrize(
    "page_path",
    [
        p
        for p in book_pages()
        if p.startswith(("chapters/", "book/")) and p != "book/answers.html"
    ],
)
def test_every_glued_number_is_in_the_page(page_path):
    """Each {glue:text} role of the source renders as text in the page.

    myst-nb silently drops a glued value it cannot format (a numpy scalar
    with a format spec, say): the sentence then reads with a hole and the
    strict build does not warn. Count the roles against the rendered spans.
    """
    source = (ROOT / page_path).with_suffix(".md").read_text()
    roles = len(re.findall(r"\{glue:text\}`[^`]+`", source))
    html = (HTML / page_path).read_text()
    spans = html.count('class="pasted-text"')
    assert spans == roles, (
        f"{page_path}: {roles} glued numbers in the source, {spans} rendered"
    )


# A lecture page is read in one sitting (issue #19): at 1200 px wide, at most
# 15 screens of 800 px, 150 lines of code shown without a click and 3,500
# words of prose. "Going further" pages hold the rest and have no budget.
MAX_HEIGHT_PX = 15 * 800
MAX_CODE_LINES = 150
MAX_WORDS = 3500
BUDGETS = ROOT / "_build" / "page-budgets.json"
MEASURE = """() => {
  const article = document.querySelector('article');
  const shown = e => e.checkVisibility();
  const code = Array.from(article.querySelectorAll('div.highlight pre'))
    .filter(p => shown(p) && !p.closest('.cell_output'))
    .reduce((n, p) => n + p.innerText.replace(/\\n+$/, '').split('\\n').length, 0);
  const prose = article.cloneNode(true);
  prose.querySelectorAll('pre, .highlight, .cell_input, .cell_output, mjx-container, .math')
    .forEach(e => e.remove());
  const words = prose.innerText.split(/\\s+/).filter(w => /\\w/.test(w)).length;
  return {height: document.documentElement.scrollHeight, code_lines: code, words: words};
}"""


@pytest.fixture(scope="module")
def budgets(report_part):
    measured: dict[str, dict] = {}
    yield measured
    report_part(BUDGETS, measured)
    for page, m in sorted(measured.items()):
        print(
            f"{page}: {m['height'] / 800:.1f} screens, "
            f"{m['code_lines']} code lines, {m['words']} words"
        )


def over_budget(measured: dict) -> list[str]:
    """What of MEASURE's result is over a lecture page's budget."""
    return [
        f"{what} {measured[key]} > {limit}"
        for what, key, limit in [
            ("height (px)", "height", MAX_HEIGHT_PX),
            ("visible code lines", "code_lines", MAX_CODE_LINES),
            ("words", "words", MAX_WORDS),
        ]
        if measured[key] > limit
    ]


@pytest.mark.parametrize("page_path", lecture_pages())
def test_a_lecture_page_is_not_titled_going_further(page_path):
    """Lecture pages have a budget (checked by test_page); Going-further
    pages, which have none, are named *-further."""
    html = (HTML / page_path).read_text()
    title = re.search(r"<title>([\d.]+ )?(.*?)</title>", html).group(2)
    assert not title.startswith("Going further"), (
        f"{page_path} is titled {title!r}: name it *-further.md"
    )


def _answers_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "answers", ROOT / "_ext" / "answers.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.QUESTIONS, module.label_of


def test_every_homework_question_has_its_answer_on_the_answers_page():
    """The answers page holds one box per question, each linking back."""
    QUESTIONS, label_of = _answers_module()

    html = (HTML / "book" / "answers.html").read_text()
    boxes = re.findall(
        r'<div class="answer admonition">\s*<p class="admonition-title">'
        r"Answer ([\d.]+)",
        html,
    )
    assert boxes == QUESTIONS, f"answers page lists {boxes}"
    for question in QUESTIONS:
        assert f'#{label_of(question)}"' in html, (
            f"no link back to the box of {question}"
        )


def test_links_on_the_answers_page_resolve():
    """The copied boxes' equation, figure and page links point at anchors
    that exist (they were written relative to the boxes' own pages)."""
    base = HTML / "book"
    html = (base / "answers.html").read_text()
    article = html[html.index("<article") : html.index("</article>")]
    broken = []
    for link in re.findall(r'href="([^"]+)"', article):
        if link.startswith(("http", "mailto")):
            continue
        path, _, anchor = link.partition("#")
        target = (
            (base / path.split("?")[0]).resolve()
            if path
            else base / "answers.html"
        )
        if not target.exists() or (
            anchor and f'id="{anchor}"' not in target.read_text()
        ):
            broken.append(link)
    assert not broken, f"broken links on the answers page: {broken}"
