"""Shared fixtures: small seeded data the tests make themselves (no data set is committed)."""

import numpy as np
import pytest


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


@pytest.fixture
def blobs(rng):
    """A small, well-separated 3-class problem: X (90, 5) float64, y (90,) int64."""
    centers = rng.normal(scale=10.0, size=(3, 5))
    y = np.repeat(np.arange(3), 30)
    X = centers[y] + rng.normal(size=(90, 5))
    return X, y
