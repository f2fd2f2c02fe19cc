"""Every equation and page label that hwlib cites exists in the book.

hwlib's docstrings and comments cite the book by label, never by chapter
number ("eq. `pca-cov`", "eq. (sm-stable)", "page `knn`"), so chapters can be
renumbered freely; this test fails when a cited label is renamed or removed.
(References inside the book itself are checked by the strict Sphinx build.)
On the page a reader sees numbers, not labels (_ext/codeeqs.py), and a glued
negative number has a minus sign (_ext/bookfixes.py): tested here too.
"""

import importlib.util
import re
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "codeeqs", ROOT / "_ext" / "codeeqs.py"
)
codeeqs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(codeeqs)
PAGES = sorted(ROOT.glob("chapters/*.md")) + sorted(ROOT.glob("book/*.md"))

# "$$ (label)" after a display (indented inside a list, too), or a math
# directive's ":label: name".
EQUATION = re.compile(
    r"^\s*\$\$ *\(([\w-]+)\)\s*$|^:label: *([\w-]+)\s*$", re.MULTILINE
)
PAGE = re.compile(r"^\(([\w-]+)\)=\s*$", re.MULTILINE)
# "eq. `x`", "eqs. `x`, `y`", "eq. (x)", "eqs. (x), (y)"
CITED_EQUATIONS = re.compile(
    r"\b[Ee]qs?\. *((?:[`(][\w-]+[`)](?:,? *(?:and )?)?)+)"
)
CITED_PAGES = re.compile(r"\bpages? *((?:`[\w-]+`(?:,? *(?:and )?)?)+)")


def labels(pattern):
    found = set()
    for page in PAGES:
        for match in pattern.finditer(page.read_text()):
            found |= {group for group in match.groups() if group}
    return found


def citations(pattern):
    cited = {}
    for source in sorted((ROOT / "hwlib").glob("*.py")):
        for group in pattern.findall(source.read_text()):
            for label in re.findall(r"[`(]([\w-]+)[`)]", group):
                cited.setdefault(label, source.name)
    return cited


def test_the_patterns_find_labels():
    assert {"pca-cov", "sm-stable", "harris-R"} <= labels(EQUATION)
    assert {"pca", "knn", "errata"} <= labels(PAGE)


def test_cited_equations_exist():
    cited = citations(CITED_EQUATIONS)
    assert len(cited) > 10
    missing = {k: v for k, v in cited.items() if k not in labels(EQUATION)}
    assert not missing, f"hwlib cites equations the book lacks: {missing}"


def test_cited_pages_exist():
    cited = citations(CITED_PAGES)
    assert {"pca", "knn"} <= set(cited)
    missing = {k: v for k, v in cited.items() if k not in labels(PAGE)}
    assert not missing, f"hwlib cites pages the book lacks: {missing}"


def test_hwlib_never_cites_a_chapter_number():
    for source in sorted((ROOT / "hwlib").glob("*.py")):
        text = source.read_text()
        assert not re.search(r"\bchapters? \d", text), source.name


def fake_env(equations, labels, numbers):
    """The parts of a Sphinx environment codeeqs reads, numfig on."""
    domains = {
        "math": SimpleNamespace(equations=equations),
        "std": SimpleNamespace(labels=labels),
    }
    return SimpleNamespace(
        config=SimpleNamespace(numfig=True, math_numfig=True, math_numsep="."),
        toc_fignumbers={
            doc: {"displaymath": {f"equation-{k}": v}}
            for k, (doc, v) in numbers.items()
        },
        get_domain=domains.__getitem__,
    )


def test_code_shows_equation_numbers_not_labels():
    env = fake_env(
        equations={"pca-cov": ("pca", 2), "mlp-batch": ("mlp", 9)},
        labels={"mlp": ("mlp", "mlp", "The MLP")},
        numbers={"pca-cov": ("pca", (2, 7)), "mlp-batch": ("mlp", (7, 9))},
    )
    cases = [  # (code, the page it is on, what the reader sees)
        (
            '"""Covariance (eq. pca-cov)."""',
            "pca",
            '"""Covariance (eq. 2.7)."""',
        ),
        ("see eq. `pca-cov`, Eq. pca-cov", "pca", "see eq. (2.7), Eq. (2.7)"),
        (
            "X  # (mlp-batch), (no-such-label)",
            "mlp",
            "X  # (7.9), (no-such-label)",
        ),
        ("(page `mlp`)", "mlp", "(this page)"),
        ("see page `mlp`", "pca", "see page \u201cThe MLP\u201d"),
        ("f(x-y) and (a-b)", "pca", "f(x-y) and (a-b)"),
    ]
    for code, docname, shown in cases:
        assert codeeqs.numbered(env, code, docname) == shown, code


_spec = importlib.util.spec_from_file_location(
    "bookfixes", ROOT / "_ext" / "bookfixes.py"
)
bookfixes = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bookfixes)


def test_glued_negative_numbers_get_a_minus_sign():
    cases = {
        "-0.1": "\u22120.1",
        "-3.5 to -0.2": "\u22123.5 to \u22120.2",
        "(-0.5, 0.4)": "(\u22120.5, 0.4)",
        "+1.6": "+1.6",
        "1e-3": "1e-3",
        "3-NN": "3-NN",
        "10-100": "10-100",
        "a - 1": "a - 1",
    }
    for glued, shown in cases.items():
        assert bookfixes.minus_signs(glued) == shown, glued
