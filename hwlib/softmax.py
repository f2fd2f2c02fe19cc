"""Softmax regression (chapters 5, `05-softmax-gradients`, and 6, `06-softmax-sgd`).

Shapes follow question 2.2: ``W`` is (c, m) for c classes and m features,
``b`` is (c,), a data point ``x`` is (m,) and its one-hot target ``y_true`` is
(c,). Every function also takes a batch: ``X`` (n, m) and ``Y`` (n, c).
"""

from __future__ import annotations

import os
from typing import NamedTuple

import numpy as np

from ._checks import as_float_array, check_int_in_range, check_labels, finite_result

__all__ = ["softmax", "loss", "loss_grad", "predict", "one_hot", "sgd", "SGDHistory"]


def softmax(u: np.ndarray) -> np.ndarray:
    """Stable softmax ``exp(u - max u) / sum exp(u - max u)`` (eq. `sm-stable` in chapter 6).

    Parameters
    ----------
    u : array_like, shape (c,) or (n, c)
        Logits; a batch is normalised row by row.

    Returns
    -------
    ndarray, same shape as ``u``
        Non-negative, each row sums to 1. ``u`` itself is never modified.
    """
    u = as_float_array(u, "u", ndim=(1, 2))  # a copy: the shift below cannot touch the caller's array
    if u.shape[-1] == 0:
        raise ValueError(f"u must have at least one class, got shape {u.shape}")
    with np.errstate(over="ignore"):  # e.g. -1e308 - 1e308 = -inf, whose exp is exactly 0
        u -= u.max(axis=-1, keepdims=True)
    e = np.exp(u)
    return e / e.sum(axis=-1, keepdims=True)


def _log_softmax(u: np.ndarray) -> np.ndarray:
    shifted = u - u.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _check_problem(W, b, x, y_true):
    W = as_float_array(W, "W", ndim=2)
    c, m = W.shape
    b = as_float_array(b, "b", ndim=1)
    if b.shape != (c,):
        raise ValueError(f"b must have shape ({c},) to match W {W.shape}, got {b.shape}")
    x = as_float_array(x, "x", ndim=(1, 2))
    if x.shape[-1] != m:
        raise ValueError(f"x must have {m} features to match W {W.shape}, got shape {x.shape}")
    y_true = as_float_array(y_true, "y_true", ndim=x.ndim)
    if y_true.shape != x.shape[:-1] + (c,):
        raise ValueError(f"y_true must have shape {x.shape[:-1] + (c,)}, got {y_true.shape}")
    if not (np.all((y_true == 0) | (y_true == 1)) and np.all(y_true.sum(axis=-1) == 1)):
        raise ValueError("y_true must be one-hot: zeros and a single 1 per row")
    return W, b, x, y_true


def _logits(W: np.ndarray, b: np.ndarray, x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore", invalid="ignore"):
        u = x @ W.T + b
    return finite_result(u, "W, b and x are too large: the logits W x + b overflow float64")


def loss(W: np.ndarray, b: np.ndarray, x: np.ndarray, y_true: np.ndarray) -> float:
    """Cross-entropy ``J(y', S(Wx + b)) = -sum_i y'_i log y_i`` (eq. `sm-loss` in chapter 5).

    Computed as ``log-sum-exp(u) - u . y'``, finite for any finite logits.

    Parameters
    ----------
    W : array_like, shape (c, m)
    b : array_like, shape (c,)
    x : array_like, shape (m,) or (n, m)
    y_true : array_like, shape (c,) or (n, c)
        One-hot targets.

    Returns
    -------
    float
        The loss, summed over the batch for batch input.
    """
    W, b, x, y_true = _check_problem(W, b, x, y_true)
    with np.errstate(over="ignore", invalid="ignore"):
        J = float(-(y_true * _log_softmax(_logits(W, b, x))).sum())
    return finite_result(np.float64(J), "W, b and x give a loss that overflows float64").item()


def loss_grad(
    W: np.ndarray, b: np.ndarray, x: np.ndarray, y_true: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Gradient of :func:`loss`: ``dW = (y - y') x^T``, ``db = y - y'`` (eqs. `sm-dW`, `sm-db` in chapter 5).

    Parameters
    ----------
    W, b, x, y_true
        As in :func:`loss`.

    Returns
    -------
    dW : ndarray, shape (c, m)
    db : ndarray, shape (c,)
        Summed over the batch for batch input.
    """
    W, b, x, y_true = _check_problem(W, b, x, y_true)
    error = softmax(_logits(W, b, x)) - y_true  # y - y'
    with np.errstate(over="ignore", invalid="ignore"):
        dW = np.outer(error, x) if x.ndim == 1 else error.T @ x
    finite_result(dW, "x is too large: the gradient (y - y') x^T overflows float64")
    return dW, (error if x.ndim == 1 else error.sum(axis=0))


def predict(W: np.ndarray, b: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Most probable class ``argmax_j (W x + b)_j`` of each row of ``X`` (n, m) -> (n,)."""
    W = as_float_array(W, "W", ndim=2)
    b = as_float_array(b, "b", ndim=1)
    X = as_float_array(X, "X", ndim=2)
    if X.shape[1] != W.shape[1] or b.shape != (W.shape[0],):
        raise ValueError(f"X (n, {W.shape[1]}) and b ({W.shape[0]},) must match W {W.shape}; got X {X.shape}, b {b.shape}")
    return np.argmax(_logits(W, b, X), axis=1)


def one_hot(y: np.ndarray, num_classes: int = 10) -> np.ndarray:
    """One-hot rows (n, num_classes) from integer labels (n,)."""
    y = np.asarray(y)
    y = check_labels(y, "y", y.shape[0] if y.ndim == 1 else -1)
    num_classes = check_int_in_range(num_classes, "num_classes", 1)
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(f"y must hold labels in 0..{num_classes - 1}, got {y.min()}..{y.max()}")
    Y = np.zeros((y.shape[0], num_classes))
    Y[np.arange(y.shape[0]), y] = 1.0
    return Y


class SGDHistory(NamedTuple):
    """Per-epoch record of :func:`sgd`."""

    train_loss: list[float]
    """Mean cross-entropy over each epoch, every point's (or minibatch's) loss
    taken just before its own update: the running loss that ``hwlib.nets.train``
    also reports. It comes free with the updates; a separate pass over the
    training set after each epoch would cost about as much as the epoch's
    forward passes again."""
    test_accuracy: list[float]
    """Accuracy on the test set after each epoch (empty without test data)."""


def _progress(iterable, enabled: bool | None, total: int):
    if enabled is None:  # the book build sets HWLIB_QUIET=1; interactive readers get a bar
        enabled = os.environ.get("HWLIB_QUIET", "") in ("", "0")
    if not enabled:
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, total=total, desc="epochs")


def sgd(
    X: np.ndarray,
    Y: np.ndarray,
    lr: float = 1e-3,
    num_epochs: int = 20,
    seed: int = 0,
    batch_size: int = 1,
    shuffle: bool = False,
    X_test: np.ndarray | None = None,
    y_test: np.ndarray | None = None,
    fast: bool = True,
    progress: bool | None = None,
) -> tuple[np.ndarray, np.ndarray, SGDHistory]:
    """Stochastic gradient descent on the summed cross-entropy (eq. `sgd-update` in chapter 6).

    With the defaults this is question 2.2.2 exactly: ``W`` and ``b`` start
    uniform in [-0.5, 0.5), and every data point, in order, makes one update
    ``W -= lr dW``, ``b -= lr db``.

    Parameters
    ----------
    X : array_like, shape (n, m)
    Y : array_like, shape (n, c)
        One-hot targets.
    lr : float > 0
    num_epochs : int >= 1
        Passes over the whole training set.
    seed : int
        Seeds the initialisation (and the shuffling).
    batch_size : int >= 1
        1 is per-sample SGD; larger values average the gradient over a
        minibatch (the comparison variant).
    shuffle : bool, default False
        Visit the points in a new random order each epoch.
    X_test, y_test : array_like, optional
        Test points (n_test, m) and integer labels, for the per-epoch accuracy.
    fast : bool, default True
        For per-sample SGD: run the compiled loop, which makes the same
        updates but skips work that adds exactly zero (pixels that are 0,
        and the update of a point whose error ``y - y'`` is exactly 0), so
        results agree with the plain loop up to rounding. ``False`` runs
        the reference loop that chapter 6 explains.
    progress : bool, optional
        Show a tqdm bar; by default on, except when ``HWLIB_QUIET=1``.

    Returns
    -------
    W : ndarray, shape (c, m)
    b : ndarray, shape (c,)
    history : SGDHistory
    """
    X = as_float_array(X, "X", ndim=2)
    Y = as_float_array(Y, "Y", ndim=2)
    if Y.shape[0] != X.shape[0]:
        raise ValueError(f"Y must have one row per row of X ({X.shape[0]}), got {Y.shape[0]}")
    if not (np.all((Y == 0) | (Y == 1)) and np.all(Y.sum(axis=1) == 1)):
        raise ValueError("Y must be one-hot: zeros and a single 1 per row")
    lr = float(lr)
    if not (np.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a positive number, got {lr}")
    num_epochs = check_int_in_range(num_epochs, "num_epochs", 1)
    batch_size = check_int_in_range(batch_size, "batch_size", 1, X.shape[0])
    if (X_test is None) != (y_test is None):
        raise ValueError("pass X_test and y_test together, or neither")
    if X_test is not None:
        X_test = as_float_array(X_test, "X_test", ndim=2)
        y_test = check_labels(y_test, "y_test", X_test.shape[0])
    n, m = X.shape
    c = Y.shape[1]
    rng = np.random.default_rng(seed)
    W = rng.random((c, m)) - 0.5
    b = rng.random(c) - 0.5
    history = SGDHistory([], [])
    labels = Y.argmax(axis=1)
    if fast and batch_size == 1:
        from . import _sgd_kernel  # numba compiles the loops on first use

        sparse = _sgd_kernel.sparse_rows(X)
    with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported below, by epoch
        for _ in _progress(range(num_epochs), progress, num_epochs):
            order = rng.permutation(n) if shuffle else np.arange(n)
            if fast and batch_size == 1:
                WT = np.ascontiguousarray(W.T)  # (m, c): a pixel's c weights are adjacent
                summed_loss = _sgd_kernel.sparse_epoch(WT, b, *sparse, labels, order, lr)
                W[...] = WT.T
            elif batch_size == 1:
                summed_loss = _per_sample_epoch(W, b, X, Y, order, lr)
            else:
                summed_loss = _minibatch_epoch(W, b, X, Y, order, lr, batch_size)
            if not (np.all(np.isfinite(W)) and np.all(np.isfinite(b))):
                raise ValueError(f"SGD diverged (weights overflowed) in epoch {len(history.train_loss) + 1}: lr={lr} is too large for inputs of this scale")
            history.train_loss.append(float(summed_loss / n))
            if X_test is not None:
                history.test_accuracy.append(float(np.mean(predict(W, b, X_test) == y_test)))
    return W, b, history


def _per_sample_epoch(W, b, X, Y, order, lr) -> float:
    """One epoch of per-sample updates, in place: the reference loop of chapter 6.

    Returns the summed loss of the points, each taken just before its update.
    """
    summed_loss = 0.0
    for i in order:  # overflow is caught after the epoch, by sgd
        x, y_true = X[i], Y[i]
        u = W @ x + b
        shifted = u - u.max()  # the stable softmax of eq. (sm-stable)
        e = np.exp(shifted)
        summed_loss += np.log(e.sum()) - y_true @ shifted
        error = e / e.sum() - y_true  # y - y', the gradient with respect to u
        W -= lr * np.outer(error, x)
        b -= lr * error
    return summed_loss


def _minibatch_epoch(W, b, X, Y, order, lr, batch_size) -> float:
    """One epoch of averaged-gradient minibatch updates, in place; returns the summed loss."""
    summed_loss = 0.0
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        log_y = _log_softmax(X[idx] @ W.T + b)
        summed_loss -= (Y[idx] * log_y).sum()
        error = np.exp(log_y) - Y[idx]
        W -= lr * (error.T @ X[idx]) / len(idx)
        b -= lr * error.mean(axis=0)
    return summed_loss
