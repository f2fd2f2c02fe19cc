"""Small helpers every page uses: seeding."""

from __future__ import annotations

import random
import sys

import numpy as np

__all__ = ["set_seed"]


def set_seed(seed: int = 0) -> np.random.Generator:
    """Seed Python's, numpy's and (if imported) torch's generators.

    Every page calls this once in its first cell, so two builds print the
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
    # Legacy global seeding on purpose: code that calls np.random.* directly
    # must repeat too.
    np.random.seed(seed)  # noqa: NPY002
    # Importing torch costs seconds: seed it only if a page uses it.
    if "torch" in sys.modules:
        sys.modules["torch"].manual_seed(seed)
    return np.random.default_rng(seed)
