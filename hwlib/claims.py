"""Checked claims: a sentence about a result fails the build when false.

Numbers in the book are glued from the computation, so they cannot go stale.
A *sentence* about what a result shows ("the CNN is better calibrated", "the
tree is slower than brute force on 50 features") can: it is typed by hand. The
book checks every such sentence with :func:`claim`, in a hidden cell beside
it (``tags: [remove-cell]``)::

    claim(ece_cnn < ece_mlp, "the CNN is better calibrated than the MLP")

When the condition is false, the strict build stops with the sentence in its
error message, on the embedded sample and on full MNIST alike.

:func:`verdict` is the other half: where a sentence must say one of two
things depending on the data ("clears" / "does not clear"), glue the words
instead of asserting one of them.

A stand-in data set (``make full-check`` runs every page on Fashion-MNIST)
can make claims about *digits* false without anything being broken. With
``HWLIB_CLAIMS=report`` a false claim is printed and appended to the file
``$HWLIB_CLAIMS_FILE`` (default ``false-claims.txt`` in the working
directory) instead of raising, so the check can list them.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

__all__ = ["ClaimError", "claim", "verdict"]


class ClaimError(AssertionError):
    """A sentence of the book is false for the data it was built on."""


def claim(holds: object, text: str) -> None:
    """Check that the sentence ``text`` of the book holds.

    Parameters
    ----------
    holds : bool-like
        The condition that makes the sentence true (a numpy bool is fine).
    text : str
        The claim in words, as the page states it.

    Raises
    ------
    ClaimError
        When ``holds`` is false, unless ``HWLIB_CLAIMS=report``.

    Examples
    --------
    >>> claim(2 > 1, "two is more than one")
    >>> claim(1 > 2, "one is more than two")
    Traceback (most recent call last):
    ...
    hwlib.claims.ClaimError: the text claims "one is more than two", \
which is false for this data
    """
    if not isinstance(text, str) or not text:
        raise TypeError(f"text must be the claim as a sentence, got {text!r}")
    if bool(holds):
        return
    message = f'the text claims "{text}", which is false for this data'
    if os.environ.get("HWLIB_CLAIMS") == "report":
        path = Path(os.environ.get("HWLIB_CLAIMS_FILE", "false-claims.txt"))
        with path.open("a") as out:
            out.write(text + "\n")
        warnings.warn(message, stacklevel=2)
        return
    raise ClaimError(message)


def verdict(holds: object, if_true: str, if_false: str) -> str:
    """The words a sentence needs: ``if_true`` if ``holds``, else ``if_false``.

    Examples
    --------
    >>> verdict(0.93 > 0.9, "clears", "does not clear")
    'clears'
    """
    return if_true if bool(holds) else if_false
