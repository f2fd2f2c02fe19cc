"""After a build: publish the executed notebooks and report execution times.

Run by ``make book`` and ``make test``: ``python _ext/report.py _build``.
Build tooling, not part of hwlib: changing it does not re-execute the book.

- The page's download menu offers ``_sources/<page>.ipynb``; in cache mode
  Jupyter Book writes it without outputs. Replace it with the executed
  notebook from the jupyter-cache, so readers download what the page shows.
- Print where the book is and how long each chapter took to execute.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat


def _latest_records(cache):
    latest = {}
    for record in cache.list_cache_records():
        if (
            record.uri not in latest
            or record.created > latest[record.uri].created
        ):
            latest[record.uri] = record
    return latest


def print_page_stats(build: Path) -> None:
    """Per chapter page: reading time, words, code shown, and (after the
    browser stage) screens; the budgets are enforced by tests/browser."""
    import json

    stats_file = build / "page-stats.json"
    if not stats_file.exists():
        return
    stats = json.loads(stats_file.read_text())
    budgets_file = build / "page-budgets.json"
    # Heights come from the browser stage; an older run's are stale.
    fresh = (
        budgets_file.exists()
        and budgets_file.stat().st_mtime >= stats_file.stat().st_mtime
    )
    measured = json.loads(budgets_file.read_text()) if fresh else {}
    print(
        "Chapter pages (lecture budget: 15 screens, 150 code lines, "
        "3,500 words):"
    )
    for page, s in stats.items():
        screens = measured.get(page + ".html", {}).get("height")
        shown = (
            f"{screens / 800:5.1f} screens" if screens else "      ? screens"
        )
        print(
            f"  {s['minutes']:3d} min {s['words']:6d} words "
            f"{s['code_lines']:4d} code lines {shown}  {page}"
        )


def main(build_dir: str = "_build") -> None:
    build = Path(build_dir).resolve()
    index = build / "html" / "index.html"
    print(f"Book: {index}" if index.exists() else f"No book at {index}")
    print_page_stats(build)
    cache_dir = build / ".jupyter_cache"
    if not cache_dir.exists():
        return
    from jupyter_cache import get_cache

    cache = get_cache(str(cache_dir))
    latest = _latest_records(cache)
    root = Path.cwd().resolve()
    print("Chapter execution times (latest run of each):")
    for uri in sorted(latest):
        record = latest[uri]
        path = Path(uri).resolve() if Path(uri).is_absolute() else root / uri
        if not path.is_relative_to(root):
            continue  # a record of another checkout (a copied _build)
        rel = path.relative_to(root)
        seconds = record.data.get("execution_seconds")
        print(
            f"  {float(seconds):7.1f} s  {rel}"
            if seconds is not None
            else f"     ?     {rel}"
        )
        download = build / "html" / "_sources" / rel.with_suffix(".ipynb")
        if download.exists():
            nbformat.write(cache.get_cache_bundle(record.pk).nb, download)


if __name__ == "__main__":
    main(*sys.argv[1:])
