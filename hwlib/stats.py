"""Honest statistics for the book's experiments.

Written for the pages labelled `knn`, `softmax-sgd`, `mlp` and `cnn`, which
follow the protocol of Hastie, Tibshirani and Friedman, *The Elements of
Statistical Learning*, ch. 7:

1. choose settings (``k``, learning rates, epochs) on a validation split
   carved from the training digits (:func:`train_val_split`), never on the
   test set;
2. report test accuracy once, with its uncertainty (:func:`accuracy_se`,
   :func:`accuracy_interval`);
3. compare two classifiers on the same test points by their paired
   differences (:func:`paired_difference`), and call the difference a tie
   when its interval contains 0;
4. summarise how much SGD varies from seed to seed (:func:`over_seeds`);
5. measure calibration (:func:`reliability_curve`,
   :func:`expected_calibration_error`).

Intervals use the two-sided standard normal quantile
``z = Phi^{-1}(1 - (1 - level) / 2)``, 1.96 for ``level=0.95``.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable
from typing import NamedTuple

import numpy as np
from scipy.stats import binomtest, norm

from ._checks import as_float_array, check_int_in_range, check_labels

__all__ = [
    "Accuracy",
    "PairedDifference",
    "ReliabilityCurve",
    "SeedSummary",
    "accuracy_interval",
    "accuracy_se",
    "expected_calibration_error",
    "over_seeds",
    "paired_difference",
    "reliability_curve",
    "train_val_split",
]

_ROW_SUM_TOL = 1e-6  # float32 softmax rows sum to 1 within about 1e-7


def _check_fraction(value: object, name: str) -> float:
    """Return ``value`` as a float strictly between 0 and 1."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if not 0.0 < value < 1.0:  # also rejects NaN
        raise ValueError(
            f"{name} must be in the open interval (0, 1), got {value}"
        )
    return value


def _z(level: float) -> float:
    """Two-sided standard normal quantile for a confidence ``level``."""
    return float(norm.ppf(0.5 + _check_fraction(level, "level") / 2))


def _label_pair(y_true: object, y_pred: object, pred_name: str):
    """Check ``y_true`` (n,) and a prediction of the same shape."""
    y_true = np.asarray(y_true)
    if y_true.ndim != 1 or y_true.shape[0] == 0:
        raise ValueError(
            "y_true must be a non-empty 1-D array of labels, "
            f"got shape {y_true.shape}"
        )
    n = y_true.shape[0]
    if np.shape(y_pred) != (n,):
        raise ValueError(
            f"{pred_name} must have shape ({n},) to match y_true, "
            f"got {np.shape(y_pred)}"
        )
    y_true = check_labels(y_true, "y_true", n)
    return y_true, check_labels(y_pred, pred_name, n)


# --------------------------------------------------------------------------
# 1. Validation split
# --------------------------------------------------------------------------


def train_val_split(
    X: np.ndarray,
    y: np.ndarray,
    *,
    val_fraction: float = 0.2,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Stratified split into a fitting part and a validation part.

    Each class ``c`` with ``n_c`` points sends ``floor(val_fraction * n_c +
    1/2)`` of them (rounded half up) to the validation part, chosen uniformly
    at random by ``np.random.default_rng(seed)``; the rest go to the fitting
    part. The classes are visited in increasing label order, so the split is
    a deterministic function of ``(y, val_fraction, seed)``. Both parts keep
    the input's order (sorted indices), so they are selections of rows, not
    shuffles: a trainer that wants shuffled data shuffles itself.

    Parameters
    ----------
    X : array_like, shape (n, H, W) or (n, d)
        Images or a data matrix; any dtype. Returned in that dtype
        (uint8 images stay uint8).
    y : array_like of int, shape (n,)
        Class labels.
    val_fraction : float in (0, 1), default 0.2
        Share of each class sent to the validation part.
    seed : int >= 0, default 0
        Seeds the choice of validation points.

    Returns
    -------
    X_fit : ndarray, shape (n_fit, ...) same trailing shape and dtype as X
    X_val : ndarray, shape (n_val, ...)
    y_fit : ndarray of int64, shape (n_fit,)
    y_val : ndarray of int64, shape (n_val,)
        New arrays (copies). The two parts are disjoint and together hold
        every input row exactly once.

    Raises
    ------
    ValueError
        If either part would be empty (too few points for ``val_fraction``).

    Examples
    --------
    The book's sample: 400 digits per class gives 320 + 80 per class.

    >>> X = np.zeros((4000, 28, 28), dtype=np.uint8)
    >>> y = np.repeat(np.arange(10), 400)
    >>> X_fit, X_val, y_fit, y_val = train_val_split(X, y)
    >>> X_fit.shape, X_val.shape, X_val.dtype
    ((3200, 28, 28), (800, 28, 28), dtype('uint8'))
    >>> np.bincount(y_val).tolist()
    [80, 80, 80, 80, 80, 80, 80, 80, 80, 80]
    """
    X = np.asarray(X)
    if X.ndim not in (2, 3):
        raise ValueError(
            "X must be images (n, H, W) or a matrix (n, d), "
            f"got shape {X.shape}"
        )
    if X.shape[0] == 0:
        raise ValueError(f"X must not be empty, got shape {X.shape}")
    y = check_labels(y, "y", X.shape[0])
    val_fraction = _check_fraction(val_fraction, "val_fraction")
    seed = check_int_in_range(seed, "seed", 0)

    rng = np.random.default_rng(seed)
    is_val = np.zeros(X.shape[0], dtype=bool)
    for c in np.unique(y):  # sorted labels: a fixed order of draws
        members = np.flatnonzero(y == c)
        num_val = int(np.floor(val_fraction * members.size + 0.5))
        is_val[rng.permutation(members)[:num_val]] = True
    num_val = int(is_val.sum())
    if num_val == 0 or num_val == X.shape[0]:
        part = "validation" if num_val == 0 else "fitting"
        raise ValueError(
            f"val_fraction={val_fraction} leaves the {part} part empty for "
            f"{X.shape[0]} points; class counts are "
            f"{np.unique(y, return_counts=True)[1].tolist()}"
        )
    return X[~is_val], X[is_val], y[~is_val], y[is_val]


# --------------------------------------------------------------------------
# 2. Accuracy with its uncertainty
# --------------------------------------------------------------------------


class Accuracy(NamedTuple):
    """Accuracy and its Wilson interval, from :func:`accuracy_interval`.

    Unpacks as ``value, lo, hi``.
    """

    value: float
    """Fraction of correct predictions."""
    lo: float
    """Lower end of the Wilson interval."""
    hi: float
    """Upper end of the Wilson interval."""


def accuracy_se(accuracy: float, n: int) -> float:
    """Binomial standard error ``sqrt(p (1 - p) / n)`` of an accuracy.

    Each test point is a Bernoulli trial, correct with probability ``p``; the
    accuracy is their mean, whose standard deviation is this.

    Parameters
    ----------
    accuracy : float in [0, 1]
    n : int >= 1
        Number of test points.

    Returns
    -------
    float

    Examples
    --------
    >>> accuracy_se(0.9, 100)
    0.03
    >>> round(accuracy_se(0.99, 10_000), 6)  # the MNIST test set
    0.000995
    """
    if isinstance(accuracy, bool) or not isinstance(accuracy, numbers.Real):
        raise TypeError(f"accuracy must be a real number, got {accuracy!r}")
    if not 0.0 <= accuracy <= 1.0:  # also rejects NaN
        raise ValueError(f"accuracy must be in [0, 1], got {accuracy}")
    n = check_int_in_range(n, "n", 1)
    return float(np.sqrt(accuracy * (1.0 - accuracy) / n))


def accuracy_interval(
    y_true: np.ndarray, y_pred: np.ndarray, *, level: float = 0.95
) -> Accuracy:
    """Accuracy of ``y_pred`` with its Wilson score interval.

    With ``k`` correct out of ``n``, ``p = k / n`` and the quantile ``z``, the
    interval is the set of true accuracies ``q`` that a score test would not
    reject, ``|p - q| <= z sqrt(q (1 - q) / n)``, which solves to

    ``(p + z^2/(2n) +- z sqrt(p (1 - p)/n + z^2/(4n^2))) / (1 + z^2/n)``.

    Why Wilson rather than the normal approximation ``p +- z SE``: near 99 %
    the binomial is skewed (the accuracy cannot exceed 1), and the normal
    interval is symmetric, falls short of its nominal coverage, can reach
    past 1, and has zero width when every prediction is right. Wilson's
    interval stays inside [0, 1], leans towards 1/2 as the skew demands, and
    keeps close to nominal coverage (Brown, Cai and DasGupta 2001).
    On 10,000 test points at 99 % the two differ in the fourth decimal; on
    800 validation points at 99 % the normal interval is [98.3, 99.7] % and
    Wilson's [98.0, 99.5] %, and at 800 of 800 the normal interval is the
    single point 100 % while Wilson's is [99.5, 100] %.

    Parameters
    ----------
    y_true : array_like of int, shape (n,)
    y_pred : array_like of int, shape (n,)
    level : float in (0, 1), default 0.95
        Confidence level.

    Returns
    -------
    Accuracy
        ``(value, lo, hi)``, with ``0 <= lo <= value <= hi <= 1``. The
        standard error is ``accuracy_se(value, n)``.

    Examples
    --------
    >>> y = np.zeros(100, dtype=int)
    >>> acc = accuracy_interval(y, np.r_[np.zeros(90), np.ones(10)])
    >>> print(f"{acc.value:.2f} [{acc.lo:.4f}, {acc.hi:.4f}]")
    0.90 [0.8256, 0.9448]
    >>> accuracy_interval(y, y).hi  # all right: the interval still has width
    1.0
    """
    y_true, y_pred = _label_pair(y_true, y_pred, "y_pred")
    z = _z(level)
    n = y_true.shape[0]
    p = float(np.mean(y_true == y_pred))
    denom = 1.0 + z**2 / n
    center = (p + z**2 / (2 * n)) / denom
    half = z * np.sqrt(p * (1.0 - p) / n + z**2 / (4 * n**2)) / denom
    # In exact arithmetic lo >= 0 and hi <= 1 (equal at p = 0 and p = 1);
    # the clip removes rounding that lands a hair outside.
    lo, hi = np.clip([center - half, center + half], 0.0, 1.0)
    return Accuracy(p, float(lo), float(hi))


# --------------------------------------------------------------------------
# 3. Paired comparison of two classifiers
# --------------------------------------------------------------------------


class PairedDifference(NamedTuple):
    """Accuracy of A minus accuracy of B, from :func:`paired_difference`."""

    value: float
    """``accuracy(A) - accuracy(B)``."""
    lo: float
    """Lower end of the interval for the difference."""
    hi: float
    """Upper end of the interval for the difference."""
    p_value: float
    """McNemar's exact two-sided p-value (1.0 when no point is discordant)."""
    num_only_a: int
    """Points that A classifies correctly and B does not."""
    num_only_b: int
    """Points that B classifies correctly and A does not."""

    @property
    def is_tie(self) -> bool:
        """The book's rule: a tie when ``lo <= 0 <= hi``."""
        return self.lo <= 0.0 <= self.hi


def paired_difference(
    y_true: np.ndarray,
    pred_a: np.ndarray,
    pred_b: np.ndarray,
    *,
    level: float = 0.95,
) -> PairedDifference:
    """Compare two classifiers on the same test points.

    Each point ``i`` gives ``d_i = [a_i correct] - [b_i correct]`` in
    {-1, 0, 1}; the accuracy difference is their mean ``dbar``. Because both
    classifiers see the same points, the per-point differences carry the
    comparison: points both get right (or both get wrong) add no noise, which
    makes the paired interval far narrower than two separate accuracy
    intervals would suggest. The interval is ``dbar +- z s / sqrt(n)`` with
    ``s`` the standard deviation of the ``d_i`` (``ddof=0``: the usual Wald
    interval for paired proportions), clipped to [-1, 1].

    **The book's rule:** a difference whose interval contains 0
    (``lo <= 0 <= hi``, :attr:`PairedDifference.is_tie`) is called a tie;
    only a difference whose interval excludes 0 is reported as one
    classifier beating the other.

    McNemar's exact test is reported alongside: under "equally accurate",
    each of the ``num_only_a + num_only_b`` discordant points is equally
    likely to favour A or B, so ``num_only_a`` is Binomial(discordant, 1/2)
    (``scipy.stats.binomtest``). With few discordant points the test and
    the rule can disagree at the margin; the rule is what the book uses.

    Parameters
    ----------
    y_true : array_like of int, shape (n,)
    pred_a, pred_b : array_like of int, shape (n,)
        Predictions of classifiers A and B on the same points.
    level : float in (0, 1), default 0.95

    Returns
    -------
    PairedDifference
        ``(value, lo, hi, p_value, num_only_a, num_only_b)``.

    Examples
    --------
    A beats B on 30 points, B beats A on 10, out of 1,000:

    >>> y = np.zeros(1000, dtype=int)
    >>> a = np.r_[np.zeros(30), np.ones(10), np.zeros(960)]
    >>> b = np.r_[np.ones(30), np.zeros(10), np.zeros(960)]
    >>> d = paired_difference(y, a, b)
    >>> print(f"{d.value:.3f} [{d.lo:.4f}, {d.hi:.4f}] p={d.p_value:.4f}")
    0.020 [0.0077, 0.0323] p=0.0022
    >>> d.is_tie
    False
    """
    y_true, pred_a = _label_pair(y_true, pred_a, "pred_a")
    _, pred_b = _label_pair(y_true, pred_b, "pred_b")
    z = _z(level)
    d = (pred_a == y_true).astype(np.float64) - (pred_b == y_true)
    n = d.size
    value = float(d.mean())
    half = z * float(d.std()) / np.sqrt(n)
    lo, hi = np.clip([value - half, value + half], -1.0, 1.0)
    num_only_a = int(np.sum(d > 0))
    num_only_b = int(np.sum(d < 0))
    num_discordant = num_only_a + num_only_b
    p_value = (
        binomtest(num_only_a, num_discordant).pvalue if num_discordant else 1.0
    )
    return PairedDifference(
        value, float(lo), float(hi), float(p_value), num_only_a, num_only_b
    )


# --------------------------------------------------------------------------
# 4. Seed-to-seed variation
# --------------------------------------------------------------------------


class SeedSummary(NamedTuple):
    """One number measured under several seeds, from :func:`over_seeds`."""

    mean: float
    std: float
    """Sample standard deviation (``ddof=1``)."""
    min: float
    max: float
    values: np.ndarray
    """float64, shape (num_seeds,), in the order of ``seeds``."""


def over_seeds(
    fn: Callable[[int], float], seeds: Iterable[int]
) -> SeedSummary:
    """Run ``fn(seed)`` for each seed and summarise the results.

    Parameters
    ----------
    fn : callable, ``fn(seed: int) -> float``
        E.g. trains with that seed and returns the validation accuracy.
    seeds : iterable of int >= 0
        At least two (the standard deviation uses ``ddof=1``).

    Returns
    -------
    SeedSummary
        ``(mean, std, min, max, values)``.

    Examples
    --------
    >>> s = over_seeds(lambda seed: 0.9 + 0.01 * seed, range(3))
    >>> print(f"{s.mean:.2f} +- {s.std:.2f}, range {s.min:.2f}..{s.max:.2f}")
    0.91 +- 0.01, range 0.90..0.92
    """
    if not callable(fn):
        raise TypeError(f"fn must be callable as fn(seed), got {fn!r}")
    seeds = [
        check_int_in_range(s, f"seeds[{i}]", 0) for i, s in enumerate(seeds)
    ]
    if len(seeds) < 2:
        raise ValueError(
            "seeds must hold at least 2 seeds (the std uses ddof=1), "
            f"got {len(seeds)}"
        )
    values = []
    for seed in seeds:
        result = fn(seed)
        if isinstance(result, bool) or not isinstance(result, numbers.Real):
            raise TypeError(
                "fn(seed) must return a real number, "
                f"got {result!r} for seed {seed}"
            )
        if not np.isfinite(result):
            raise ValueError(
                f"fn(seed) must return a finite number, got {result!r} "
                f"for seed {seed}"
            )
        values.append(float(result))
    values = np.array(values)
    return SeedSummary(
        float(values.mean()),
        float(values.std(ddof=1)),
        float(values.min()),
        float(values.max()),
        values,
    )


# --------------------------------------------------------------------------
# 5. Calibration
# --------------------------------------------------------------------------


class ReliabilityCurve(NamedTuple):
    """Per-bin calibration data, from :func:`reliability_curve`.

    Empty bins have ``count`` 0 and NaN ``confidence`` and ``accuracy``
    (matplotlib leaves NaN points out of a plot).
    """

    edges: np.ndarray
    """float64, shape (num_bins + 1,): ``linspace(0, 1, num_bins + 1)``."""
    confidence: np.ndarray
    """float64, shape (num_bins,): mean top-label confidence in each bin."""
    accuracy: np.ndarray
    """float64, shape (num_bins,): fraction correct in each bin."""
    count: np.ndarray
    """int64, shape (num_bins,): number of points in each bin."""


def _check_proba(proba: object, y: object) -> tuple[np.ndarray, np.ndarray]:
    proba = as_float_array(proba, "proba", ndim=2)
    n, num_classes = proba.shape
    if np.any(proba < 0) or np.any(proba > 1):
        raise ValueError(
            "proba must hold probabilities in [0, 1], "
            f"got values in [{proba.min()}, {proba.max()}]"
        )
    worst = float(np.max(np.abs(proba.sum(axis=1) - 1.0)))
    if worst > _ROW_SUM_TOL:
        raise ValueError(
            f"proba rows must sum to 1 (within {_ROW_SUM_TOL:g}), "
            f"off by up to {worst:.3g}"
        )
    y = check_labels(y, "y", n)
    if y.min() < 0 or y.max() >= num_classes:
        raise ValueError(
            f"y must hold labels in 0..{num_classes - 1} (one per column "
            f"of proba), got {y.min()}..{y.max()}"
        )
    return proba, y


def reliability_curve(
    proba: np.ndarray, y: np.ndarray, *, num_bins: int = 15
) -> ReliabilityCurve:
    """Reliability diagram data: confidence against accuracy, binned.

    Following Guo et al. (2017), each point's confidence is its top-label
    probability ``max_j proba[i, j]`` and its prediction is ``argmax_j
    proba[i, j]`` (the first index among equal maxima). The points are
    binned by confidence into ``num_bins`` equal-width bins with edges
    ``linspace(0, 1, num_bins + 1)``.

    **Bin edges:** bins are right-closed, ``(lo, hi]``, and the first bin
    also includes 0, i.e. ``[0, 1/num_bins]``. A confidence that equals an
    edge goes to the bin below it; a confidence of 1 goes to the last bin.
    With ``num_classes`` classes the confidence is at least
    ``1/num_classes``, so the lowest bins are often empty.

    Parameters
    ----------
    proba : array_like, shape (n, num_classes)
        Predicted class probabilities: entries in [0, 1], rows summing to 1
        within 1e-6.
    y : array_like of int, shape (n,)
        True labels in ``0..num_classes-1``.
    num_bins : int >= 1, default 15
        Guo et al. use 15.

    Returns
    -------
    ReliabilityCurve
        ``(edges, confidence, accuracy, count)``; see its fields.

    Examples
    --------
    >>> proba = np.array([[7, 1], [6, 2], [2, 6], [3, 5]]) / 8
    >>> curve = reliability_curve(proba, [0, 1, 0, 1], num_bins=2)
    >>> curve.count.tolist()
    [0, 4]
    >>> curve.confidence.tolist(), curve.accuracy.tolist()
    ([nan, 0.75], [nan, 0.5])
    """
    proba, y = _check_proba(proba, y)
    num_bins = check_int_in_range(num_bins, "num_bins", 1)
    edges = np.linspace(0.0, 1.0, num_bins + 1)
    confidence = proba.max(axis=1)
    correct = (proba.argmax(axis=1) == y).astype(np.float64)
    # searchsorted(side="left") returns i with edges[i-1] < c <= edges[i], so
    # i - 1 is the right-closed bin; c = 0 gives i = 0, moved into bin 0.
    which = np.maximum(np.searchsorted(edges, confidence, side="left") - 1, 0)
    count = np.bincount(which, minlength=num_bins)
    nonempty = count > 0
    mean_conf = np.full(num_bins, np.nan)
    mean_acc = np.full(num_bins, np.nan)
    mean_conf[nonempty] = (
        np.bincount(which, confidence, num_bins)[nonempty] / count[nonempty]
    )
    mean_acc[nonempty] = (
        np.bincount(which, correct, num_bins)[nonempty] / count[nonempty]
    )
    return ReliabilityCurve(edges, mean_conf, mean_acc, count.astype(np.int64))


def expected_calibration_error(
    proba: np.ndarray, y: np.ndarray, *, num_bins: int = 15
) -> float:
    """Expected calibration error ``sum_b (n_b / n) |acc_b - conf_b|``.

    The gap between accuracy and mean confidence in each bin of
    :func:`reliability_curve` (same bins, same edge convention), weighted by
    the share of points in the bin; empty bins contribute nothing. 0 for a
    perfectly calibrated classifier (up to sampling noise), at most 1.

    Parameters
    ----------
    proba : array_like, shape (n, num_classes)
    y : array_like of int, shape (n,)
    num_bins : int >= 1, default 15

    Returns
    -------
    float in [0, 1]

    Examples
    --------
    Four points, all in the bin (0.5, 1]: confidence 0.75, accuracy 0.5.

    >>> proba = np.array([[7, 1], [6, 2], [2, 6], [3, 5]]) / 8
    >>> expected_calibration_error(proba, [0, 1, 0, 1], num_bins=2)
    0.25
    """
    curve = reliability_curve(proba, y, num_bins=num_bins)
    nonempty = curve.count > 0
    weights = curve.count[nonempty] / curve.count.sum()
    gaps = np.abs(curve.accuracy[nonempty] - curve.confidence[nonempty])
    return float(np.sum(weights * gaps))
