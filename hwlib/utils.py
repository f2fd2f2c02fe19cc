"""Small helpers every chapter uses: seeding."""

from __future__ import annotations

import random
import sys

import numpy as np

__all__ = ["set_seed"]


def set_seed(seed: int = 0) -> np.random.Generator:
    """Seed Python's, numpy's and (if imported) torch's generators.

    Every chapter calls this once in its first cell, so two builds print the
    same numbers.

    Parameters
    ----------
    seed : int, default 0

    Returns
    -------
    numpy.random.Generator
        A fresh generator seeded with ``seed``, for code that takes one.
    """
    random.seed(seed)
    np.random.seed(seed)
    if "torch" in sys.modules:  # importing torch costs seconds: seed it only if a chapter uses it
        sys.modules["torch"].manual_seed(seed)
    return np.random.default_rng(seed)
