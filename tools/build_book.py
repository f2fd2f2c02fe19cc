"""``jupyter-book build`` with Sphinx's parallel reading: two pages at a time.

Jupyter Book 1.x builds with Sphinx, whose ``-j N`` reads (and so, with
myst-nb, executes) N chunks of pages at once in forked processes; its
command line does not offer that option, though its ``build_sphinx`` takes
it as ``jobs``. This runs that same command line with ``jobs`` set::

    python tools/build_book.py --jobs 2 build . --all --warningiserror

Everything else (configuration, caching, output) is Jupyter Book's own. The
executed outputs do not depend on ``--jobs``: each page still runs in its own
kernel, start to finish. Sphinx reads in parallel only when every extension
declares it safe (`_ext/bookfixes.py` declares it for three that do not say)
and more than five pages are to be read; otherwise it reads one at a time.
It splits the pages, in name order, into consecutive chunks, one reader
each: chapter 8's Going-further page, read after chapter 8 in the same
chunk, loads the networks that chapter trained (``hwlib.nets.trained``); in
another chunk it would train them again, to the same weights.

When a cell fails in a parallel reader, Sphinx reports only the page and
drops the reader's log, which held the cell's traceback; this prints that
traceback (it is the failure's cause) before the error.
"""

from __future__ import annotations

import argparse
import functools
import sys

import jupyter_book.sphinx
from jupyter_book.cli.main import main
from sphinx.errors import SphinxParallelError


def run(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1, help="pages at a time")
    args, rest = parser.parse_known_args(argv)
    if args.jobs < 1:
        parser.error(f"--jobs must be an integer >= 1, got {args.jobs}")
    # jupyter_book.cli.main imports build_sphinx from here when it builds.
    jupyter_book.sphinx.build_sphinx = functools.partial(
        jupyter_book.sphinx.build_sphinx, jobs=args.jobs
    )
    sys.argv = ["jupyter-book", *rest]
    try:
        main()
    except Exception as err:
        cause = err
        while cause is not None and not isinstance(cause, SphinxParallelError):
            cause = cause.__cause__
        if cause is not None:
            print(cause.traceback, file=sys.stderr)
        raise


if __name__ == "__main__":
    run(sys.argv[1:])
