"""Print where the built book is and how long each chapter took to execute.

Run by ``make book`` and ``make test``: ``python -m hwlib._report _build``.
The times come from the jupyter-cache record myst-nb writes per chapter.
"""

from __future__ import annotations

import sys
from pathlib import Path


def main(build_dir: str = "_build") -> None:
    build = Path(build_dir).resolve()
    index = build / "html" / "index.html"
    print(f"Book: {index}" if index.exists() else f"No book at {index}")
    cache_dir = build / ".jupyter_cache"
    if not cache_dir.exists():
        return
    from jupyter_cache import get_cache

    records = get_cache(str(cache_dir)).list_cache_records()
    if not records:
        return
    print("Chapter execution times (latest run of each):")
    latest = {}
    for record in records:
        latest.setdefault(record.uri, record)
        if record.created > latest[record.uri].created:
            latest[record.uri] = record
    for uri in sorted(latest):
        seconds = latest[uri].data.get("execution_seconds")
        name = Path(uri).relative_to(Path.cwd()) if Path(uri).is_absolute() else uri
        print(f"  {float(seconds):7.1f} s  {name}" if seconds is not None else f"     ?     {name}")


if __name__ == "__main__":
    main(*sys.argv[1:])
