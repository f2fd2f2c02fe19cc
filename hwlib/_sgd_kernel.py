"""The compiled loop of fast per-sample SGD (``hwlib.softmax.sgd(..., fast=True)``).

Kept apart so that numba is imported, and the loop compiled, only when the
fast path runs; ``cache=True`` keeps the machine code for the next process.
"""

import numba
import numpy as np


@numba.njit(cache=True)
def sparse_epoch(WT, b, indptr, indices, values, labels, order, lr):
    """One epoch of eq. (sgd-update) in place, touching only non-zero pixels.

    Parameters
    ----------
    WT : ndarray, shape (m, c)
        The weights, transposed; updated in place.
    b : ndarray, shape (c,)
        Updated in place.
    indptr, indices, values : ndarray
        The data points in compressed-row form: row i has the values
        ``values[indptr[i]:indptr[i+1]]`` at pixels ``indices[...]``.
    labels : ndarray of int, shape (n,)
        True classes (the position of the 1 in each one-hot target).
    order : ndarray of int, shape (n,)
        The order in which the points are visited.
    lr : float
    """
    c = b.shape[0]
    u = np.empty(c)
    for i in order:
        start, stop = indptr[i], indptr[i + 1]
        for j in range(c):
            u[j] = b[j]
        for p in range(start, stop):
            k, v = indices[p], values[p]
            for j in range(c):
                u[j] += v * WT[k, j]
        top = u.max()
        total = 0.0
        for j in range(c):
            u[j] = np.exp(u[j] - top)
            total += u[j]
        for j in range(c):
            u[j] /= total  # now the probabilities y
        u[labels[i]] -= 1.0  # now the error y - y'
        for p in range(start, stop):
            k, v = indices[p], values[p]
            for j in range(c):
                WT[k, j] -= lr * v * u[j]
        for j in range(c):
            b[j] -= lr * u[j]
