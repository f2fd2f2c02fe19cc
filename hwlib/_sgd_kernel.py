"""The compiled loop of fast per-sample SGD.

Used by ``hwlib.softmax.sgd(..., fast=True)``. Kept apart so that numba is
imported, and the loops compiled, only when the fast path runs;
``cache=True`` keeps the machine code for the next process.
"""

import numba
import numpy as np


@numba.njit(cache=True)
def sparse_rows(X):
    """X (n, m) in compressed-row form ``(indptr, indices, values)``.

    Row i has the values ``values[indptr[i]:indptr[i+1]]`` at pixels
    ``indices[...]``; most MNIST pixels are exactly 0 and are left out.
    The pixel indices are int32: half the memory traffic of int64 per epoch.
    """
    n, m = X.shape
    indptr = np.zeros(n + 1, np.int64)
    for i in range(n):
        count = 0
        for k in range(m):
            if X[i, k] != 0:
                count += 1
        indptr[i + 1] = indptr[i] + count
    indices = np.empty(indptr[n], np.int32)
    values = np.empty(indptr[n], X.dtype)
    for i in range(n):
        p = indptr[i]
        for k in range(m):
            if X[i, k] != 0:
                indices[p] = k
                values[p] = X[i, k]
                p += 1
    return indptr, indices, values


@numba.njit(cache=True)
def _all_zero(a):
    for value in a:
        if value != 0.0:
            return False
    return True


@numba.njit(cache=True)
def sparse_epoch(WT, b, indptr, indices, values, labels, order, lr):
    """One epoch of eq. (sgd-update) in place, touching only non-zero pixels.

    Two kinds of work are skipped, both because they would add exactly zero:
    the pixels that are 0 (they add nothing to ``W x`` and get no update) and
    the update of a point whose error ``y - y'`` is exactly 0.

    Parameters
    ----------
    WT : ndarray, shape (m, c)
        The weights, transposed; updated in place.
    b : ndarray, shape (c,)
        Updated in place.
    indptr, indices, values : ndarray
        The data points from :func:`sparse_rows`.
    labels : ndarray of int, shape (n,)
        True classes (the position of the 1 in each one-hot target).
    order : ndarray of int, shape (n,)
        The order in which the points are visited.
    lr : float

    Returns
    -------
    float
        The summed loss of the points, each taken just before its own update.
    """
    c = b.shape[0]
    u = np.empty(c)
    summed_loss = 0.0
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
        summed_loss += top - u[labels[i]]
        for j in range(c):
            u[j] = np.exp(u[j] - top)
            total += u[j]
        summed_loss += np.log(
            total
        )  # J = log sum exp(u - top) - (u_label - top)
        for j in range(c):
            u[j] /= total  # now the probabilities y
        u[labels[i]] -= 1.0  # now the error y - y'
        if _all_zero(u):
            # Fitted to machine precision (y = y' exactly, common once raw
            # pixels make the logits large): the update would subtract
            # exactly 0 from every weight, so skipping it changes no bit.
            continue
        for p in range(start, stop):
            k, v = indices[p], values[p]
            for j in range(c):
                WT[k, j] -= lr * v * u[j]
        for j in range(c):
            b[j] -= lr * u[j]
    return summed_loss
