"""Put tools/install_cell.py into the install cell of every page.

    python tools/apply_install_cell.py    # then: make notebooks

The install cell is a page's first code cell (it holds
``find_spec("hwlib")``); its options (``:tags: [remove-cell]``) stay, its
code becomes tools/install_cell.py. homework/build.py copies it from
chapters/01-mnist.md into the homework notebooks.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CELL = re.compile(
    r"(```\{code-cell\}[^\n]*\n(?::[^\n]*\n)*\n?)(.*?)(```)", re.S
)


def apply(page: Path, code: str) -> bool:
    text = page.read_text(encoding="utf-8")
    match = CELL.search(text)
    if not match or 'find_spec("hwlib")' not in match.group(2):
        return False
    new = text[: match.start(2)] + code + text[match.end(2) :]
    if new != text:
        page.write_text(new, encoding="utf-8")
    return True


if __name__ == "__main__":
    code = (ROOT / "tools" / "install_cell.py").read_text(encoding="utf-8")
    code = code.rstrip("\n") + "\n"
    pages = sorted(ROOT.glob("chapters/*.md")) + sorted(ROOT.glob("book/*.md"))
    for page in pages:
        if apply(page, code):
            print(page.relative_to(ROOT))
