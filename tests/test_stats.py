"""hwlib.stats against hand-computed cases, with scipy as an oracle."""

import math

import numpy as np
import pytest
from scipy.stats import binomtest

from hwlib.stats import (
    Accuracy,
    SeedSummary,
    accuracy_interval,
    accuracy_se,
    expected_calibration_error,
    over_seeds,
    paired_difference,
    reliability_curve,
    train_val_split,
)

Z95 = 1.959963984540054  # Phi^{-1}(0.975)


def _predictions(n, num_wrong):
    """Labels all 0 and predictions with ``num_wrong`` ones first."""
    y = np.zeros(n, dtype=int)
    pred = np.zeros(n, dtype=int)
    pred[:num_wrong] = 1
    return y, pred


# --------------------------------------------------------------------------
# train_val_split
# --------------------------------------------------------------------------


@pytest.fixture
def book_sample():
    """The book's sample: 400 images per class, classes interleaved."""
    y = np.tile(np.arange(10), 400)
    X = np.arange(4000 * 28 * 28, dtype=np.int64).reshape(4000, 28, 28)
    return (X % 256).astype(np.uint8), y


def test_split_of_the_book_sample(book_sample):
    X, y = book_sample
    X_fit, X_val, y_fit, y_val = train_val_split(X, y)
    assert X_fit.shape == (3200, 28, 28) and X_val.shape == (800, 28, 28)
    assert X_fit.dtype == np.uint8 and X_val.dtype == np.uint8
    assert y_fit.shape == (3200,) and y_val.shape == (800,)
    assert np.bincount(y_fit).tolist() == [320] * 10
    assert np.bincount(y_val).tolist() == [80] * 10


def test_split_is_disjoint_covers_everything_and_keeps_rows(rng):
    y = rng.integers(0, 5, 137)
    X = np.arange(137.0)[:, None] * np.ones((1, 3))  # row i holds its index i
    X_fit, X_val, y_fit, y_val = train_val_split(X, y, val_fraction=0.3)
    ids_fit, ids_val = X_fit[:, 0].astype(int), X_val[:, 0].astype(int)
    assert not set(ids_fit) & set(ids_val)
    assert sorted([*ids_fit, *ids_val]) == list(range(137))
    # labels travel with their rows, and each part keeps the input's order
    np.testing.assert_array_equal(y_fit, y[ids_fit])
    np.testing.assert_array_equal(y_val, y[ids_val])
    assert np.all(np.diff(ids_fit) > 0) and np.all(np.diff(ids_val) > 0)


def test_split_keeps_matrix_dtype():
    X = np.ones((20, 4), dtype=np.float32)
    y = np.repeat([0, 1], 10)
    X_fit, X_val, _, _ = train_val_split(X, y, val_fraction=0.5)
    assert X_fit.dtype == X_val.dtype == np.float32
    assert X_fit.shape == X_val.shape == (10, 4)


def test_split_is_stratified_with_rounding_half_up():
    # class sizes 3, 5, 4 at val_fraction 0.5: 1.5 -> 2, 2.5 -> 3, 2 -> 2
    # (round half up; numpy's round-half-to-even would give 2 for 2.5)
    y = np.repeat([0, 1, 2], [3, 5, 4])
    X = np.zeros((12, 2))
    _, _, y_fit, y_val = train_val_split(X, y, val_fraction=0.5)
    assert np.bincount(y_val).tolist() == [2, 3, 2]
    assert np.bincount(y_fit).tolist() == [1, 2, 2]


def test_split_same_proportion_in_every_class(rng):
    y = np.repeat(np.arange(4), [100, 200, 300, 400])
    X = rng.normal(size=(1000, 2))
    _, _, y_fit, y_val = train_val_split(X, y, val_fraction=0.25)
    assert np.bincount(y_val).tolist() == [25, 50, 75, 100]
    assert np.bincount(y_fit).tolist() == [75, 150, 225, 300]


def test_split_is_deterministic_per_seed_and_differs_across_seeds(book_sample):
    X, y = book_sample
    a = train_val_split(X, y, seed=3)
    b = train_val_split(X, y, seed=3)
    c = train_val_split(X, y, seed=4)
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[1], c[1])


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"X": np.zeros(10)}, ValueError, "X must be"),
        ({"X": np.zeros((0, 3)), "y": []}, ValueError, "X must not be empty"),
        ({"y": np.zeros(9, dtype=int)}, ValueError, "y must have 10"),
        ({"y": np.full(10, 0.5)}, TypeError, "y must hold integer"),
        ({"val_fraction": 0.0}, ValueError, "val_fraction"),
        ({"val_fraction": 1.0}, ValueError, "val_fraction"),
        ({"val_fraction": float("nan")}, ValueError, "val_fraction"),
        ({"val_fraction": True}, TypeError, "val_fraction"),
        ({"val_fraction": 0.01}, ValueError, "validation part empty"),
        ({"val_fraction": 0.99}, ValueError, "fitting part empty"),
        ({"seed": -1}, ValueError, "seed"),
        ({"seed": None}, TypeError, "seed"),
    ],
)
def test_split_rejects_bad_input(kwargs, error, match):
    args = {"X": np.zeros((10, 3)), "y": np.repeat([0, 1], 5), **kwargs}
    X, y = args.pop("X"), args.pop("y")
    with pytest.raises(error, match=match):
        train_val_split(X, y, **args)


# --------------------------------------------------------------------------
# accuracy_se and accuracy_interval
# --------------------------------------------------------------------------


def test_accuracy_se_by_hand():
    assert accuracy_se(0.9, 100) == pytest.approx(0.03)  # sqrt(.09 / 100)
    assert accuracy_se(0.99, 10_000) == pytest.approx(math.sqrt(0.0099) / 100)
    assert accuracy_se(1.0, 50) == 0.0 and accuracy_se(0.0, 50) == 0.0


@pytest.mark.parametrize(
    ("accuracy", "n", "error", "match"),
    [
        (1.5, 10, ValueError, "accuracy"),
        (float("nan"), 10, ValueError, "accuracy"),
        ("0.9", 10, TypeError, "accuracy"),
        (0.9, 0, ValueError, "n must be"),
        (0.9, 10.0, TypeError, "n must be"),
    ],
)
def test_accuracy_se_rejects_bad_input(accuracy, n, error, match):
    with pytest.raises(error, match=match):
        accuracy_se(accuracy, n)


def test_wilson_interval_by_hand():
    # 90 of 100 right, z = 1.96: 1 + z^2/n = 1.038415,
    # centre (0.9 + z^2/200) / 1.038415 = 0.885203,
    # half-width z sqrt(0.09/100 + z^2/40000) / 1.038415 = 0.059568.
    y, pred = _predictions(100, 10)
    acc = accuracy_interval(y, pred)
    assert isinstance(acc, Accuracy)
    assert acc.value == 0.9
    assert acc.lo == pytest.approx(0.885203 - 0.059568, abs=2e-6)
    assert acc.hi == pytest.approx(0.885203 + 0.059568, abs=2e-6)
    value, lo, hi = acc  # unpacks as (accuracy, lo, hi)
    assert (value, lo, hi) == (acc.value, acc.lo, acc.hi)


def test_wilson_interval_when_everything_is_right():
    # p = 1: the interval is [1 / (1 + z^2/n), 1], not the normal
    # approximation's single point.
    y = np.arange(800) % 10
    acc = accuracy_interval(y, y)
    assert acc.value == 1.0 and acc.hi == 1.0
    assert acc.lo == pytest.approx(1 / (1 + Z95**2 / 800), rel=1e-12)
    assert acc.lo == pytest.approx(0.995221, abs=1e-6)


@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
@pytest.mark.parametrize(
    ("k", "n"), [(0, 20), (3, 20), (90, 100), (792, 800), (9900, 10_000)]
)
def test_wilson_interval_matches_scipy(k, n, level):
    y, pred = _predictions(n, n - k)
    acc = accuracy_interval(y, pred, level=level)
    ref = binomtest(k, n).proportion_ci(
        confidence_level=level, method="wilson"
    )
    assert acc.value == k / n
    assert acc.lo == pytest.approx(ref.low, abs=1e-12)
    assert acc.hi == pytest.approx(ref.high, abs=1e-12)
    assert 0.0 <= acc.lo <= acc.value <= acc.hi <= 1.0


def test_wilson_interval_widens_with_level_and_narrows_with_n():
    y, pred = _predictions(100, 10)
    narrow = accuracy_interval(y, pred, level=0.9)
    wide = accuracy_interval(y, pred, level=0.99)
    assert wide.lo < narrow.lo and narrow.hi < wide.hi
    y_big, pred_big = _predictions(1000, 100)
    big = accuracy_interval(y_big, pred_big)
    assert big.hi - big.lo < narrow.hi - narrow.lo


@pytest.mark.parametrize(
    ("y_true", "y_pred", "level", "error", "match"),
    [
        ([], [], 0.95, ValueError, "y_true"),
        ([[0, 1]], [[0, 1]], 0.95, ValueError, "y_true"),
        (
            [0, 1, 2],
            [0, 1],
            0.95,
            ValueError,
            r"y_pred must have shape \(3,\)",
        ),
        ([0, 1], [0, 0.5], 0.95, TypeError, "y_pred"),
        ([0, 1], [0, 1], 1.0, ValueError, "level"),
        ([0, 1], [0, 1], 0.0, ValueError, "level"),
        ([0, 1], [0, 1], "95%", TypeError, "level"),
    ],
)
def test_accuracy_interval_rejects_bad_input(
    y_true, y_pred, level, error, match
):
    with pytest.raises(error, match=match):
        accuracy_interval(y_true, y_pred, level=level)


# --------------------------------------------------------------------------
# paired_difference
# --------------------------------------------------------------------------


def test_identical_predictions_differ_by_exactly_zero(rng):
    y = rng.integers(0, 10, 500)
    pred = np.where(rng.random(500) < 0.8, y, (y + 1) % 10)
    d = paired_difference(y, pred, pred.copy())
    assert (d.value, d.lo, d.hi) == (0.0, 0.0, 0.0)
    assert d.p_value == 1.0 and d.num_only_a == d.num_only_b == 0
    assert d.is_tie


def test_paired_difference_by_hand():
    # 1,000 points: A alone right on 30, B alone right on 10, rest agree.
    # d_i: thirty +1, ten -1, 960 zeros; mean 20/1000 = 0.02;
    # variance (ddof=0) 40/1000 - 0.02^2 = 0.0396;
    # SE sqrt(0.0396 / 1000) = 0.0062929; half-width 1.96 SE = 0.0123338.
    y = np.zeros(1000, dtype=int)
    a = np.zeros(1000, dtype=int)
    b = np.zeros(1000, dtype=int)
    b[:30] = 1
    a[30:40] = 1
    d = paired_difference(y, a, b)
    assert d.value == pytest.approx(0.02)
    assert d.lo == pytest.approx(0.02 - 0.0123338, abs=1e-7)
    assert d.hi == pytest.approx(0.02 + 0.0123338, abs=1e-7)
    assert (d.num_only_a, d.num_only_b) == (30, 10)
    # McNemar exact: 2 P(X >= 30), X ~ Binomial(40, 1/2)
    tail = sum(math.comb(40, j) for j in range(30, 41)) / 2**40
    assert d.p_value == pytest.approx(2 * tail, rel=1e-10)
    assert d.p_value == pytest.approx(binomtest(30, 40).pvalue, rel=1e-12)
    assert not d.is_tie


def test_paired_difference_tie_and_symmetry():
    # 12 against 10 discordant points on 1,000: the interval contains 0.
    y = np.zeros(1000, dtype=int)
    a = np.zeros(1000, dtype=int)
    b = np.zeros(1000, dtype=int)
    b[:12] = 1
    a[12:22] = 1
    ab = paired_difference(y, a, b)
    ba = paired_difference(y, b, a)
    assert ab.lo < 0 < ab.hi and ab.is_tie
    assert ab.p_value > 0.5
    assert ba.value == -ab.value
    assert (ba.lo, ba.hi) == pytest.approx((-ab.hi, -ab.lo), abs=1e-15)
    assert ba.p_value == ab.p_value
    assert (ba.num_only_a, ba.num_only_b) == (10, 12)


def test_paired_difference_counts_correctness_not_labels():
    # Both wrong on every point, with different wrong labels: no difference.
    y = np.zeros(6, dtype=int)
    d = paired_difference(y, np.ones(6, dtype=int), np.full(6, 2))
    assert (d.value, d.lo, d.hi, d.num_only_a, d.num_only_b) == (0, 0, 0, 0, 0)


def test_paired_difference_interval_is_clipped_to_minus_one_one():
    # d = (1, 0): mean 0.5, SE 0.5 / sqrt(2), so 0.5 + 1.96 SE > 1 unclipped
    d = paired_difference([0, 0], [0, 1], [1, 1])
    assert d.hi == 1.0 and d.lo == pytest.approx(0.5 - Z95 * 0.5 / 2**0.5)


@pytest.mark.parametrize(
    ("pred_a", "pred_b", "level", "match"),
    [
        ([0, 1], [0, 1, 2], 0.95, "pred_a"),
        ([0, 1, 2], [0, 1], 0.95, "pred_b"),
        ([0, 1, 2], [0, 1, 2], 1.5, "level"),
    ],
)
def test_paired_difference_rejects_bad_input(pred_a, pred_b, level, match):
    with pytest.raises(ValueError, match=match):
        paired_difference([0, 1, 2], pred_a, pred_b, level=level)


# --------------------------------------------------------------------------
# over_seeds
# --------------------------------------------------------------------------


def test_over_seeds_by_hand():
    calls = []

    def fn(seed):
        calls.append(seed)
        return seed / 10

    s = over_seeds(fn, [3, 1, 2])
    assert isinstance(s, SeedSummary)
    assert calls == [3, 1, 2]
    np.testing.assert_array_equal(s.values, [0.3, 0.1, 0.2])
    # mean 0.2; deviations 0.1, -0.1, 0; std sqrt(0.02 / 2) = 0.1
    assert s.mean == pytest.approx(0.2) and s.std == pytest.approx(0.1)
    assert (s.min, s.max) == (0.1, 0.3)


def test_over_seeds_accepts_any_iterable_and_numpy_scalars():
    s = over_seeds(lambda seed: np.float32(seed), range(2))
    assert (s.mean, s.std) == pytest.approx((0.5, 2**-0.5))


@pytest.mark.parametrize(
    ("fn", "seeds", "error", "match"),
    [
        (float, [1], ValueError, "at least 2 seeds"),
        (float, [1, -2], ValueError, r"seeds\[1\]"),
        (float, [1, 2.0], TypeError, r"seeds\[1\]"),
        ("fn", [1, 2], TypeError, "fn must be callable"),
        (lambda s: float("nan"), [1, 2], ValueError, "fn"),
        (lambda s: str(s), [1, 2], TypeError, "fn"),
    ],
)
def test_over_seeds_rejects_bad_input(fn, seeds, error, match):
    with pytest.raises(error, match=match):
        over_seeds(fn, seeds)


# --------------------------------------------------------------------------
# reliability_curve and expected_calibration_error
# --------------------------------------------------------------------------


def test_ece_by_hand_with_two_bins():
    # Bins [0, 0.5] and (0.5, 1]. Three classes:
    #   row                 y  confidence  prediction  correct  bin
    #   (0.4, 0.3, 0.3)     0     0.4          0         yes     0
    #   (0.2, 0.5, 0.3)     2     0.5          1         no      0 (edge)
    #   (0.9, 0.05, 0.05)   0     0.9          0         yes     1
    #   (0.1, 0.7, 0.2)     1     0.7          1         yes     1
    #   (0.2, 0.2, 0.6)     0     0.6          2         no      1
    # bin 0: confidence 0.45, accuracy 1/2, gap 0.05, weight 2/5
    # bin 1: confidence 2.2/3, accuracy 2/3, gap 0.2/3, weight 3/5
    # ECE = 2/5 * 0.05 + 3/5 * 0.2/3 = 0.02 + 0.04 = 0.06
    proba = [
        [0.4, 0.3, 0.3],
        [0.2, 0.5, 0.3],
        [0.9, 0.05, 0.05],
        [0.1, 0.7, 0.2],
        [0.2, 0.2, 0.6],
    ]
    y = [0, 2, 0, 1, 0]
    curve = reliability_curve(proba, y, num_bins=2)
    np.testing.assert_array_equal(curve.edges, [0.0, 0.5, 1.0])
    assert curve.count.tolist() == [2, 3]
    np.testing.assert_allclose(curve.confidence, [0.45, 2.2 / 3])
    np.testing.assert_allclose(curve.accuracy, [0.5, 2 / 3])
    ece = expected_calibration_error(proba, y, num_bins=2)
    assert ece == pytest.approx(0.06, abs=1e-12)


def test_bins_are_right_closed():
    # Four bins with edges 0, 0.25, 0.5, 0.75, 1: a confidence on an edge
    # belongs to the bin below it.
    proba = [
        [0.25, 0.25, 0.25, 0.25],  # 0.25 -> bin 0
        [0.3, 0.3, 0.2, 0.2],  # 0.3 -> bin 1
        [0.5, 0.5, 0.0, 0.0],  # 0.5 -> bin 1
        [0.75, 0.25, 0.0, 0.0],  # 0.75 -> bin 2
        [1.0, 0.0, 0.0, 0.0],  # 1.0 -> bin 3
    ]
    curve = reliability_curve(proba, [0, 0, 0, 0, 0], num_bins=4)
    assert curve.count.tolist() == [1, 2, 1, 1]
    np.testing.assert_allclose(curve.confidence, [0.25, 0.4, 0.75, 1.0])


def test_empty_bins_are_nan_and_do_not_count():
    proba = np.array([[0.875, 0.125], [0.125, 0.875]])
    curve = reliability_curve(proba, [0, 0], num_bins=15)
    assert curve.count.sum() == 2 and curve.count[13] == 2
    empty = curve.count == 0
    assert np.all(np.isnan(curve.confidence[empty]))
    assert np.all(np.isnan(curve.accuracy[empty]))
    # one bin: accuracy 1/2, confidence 0.875
    assert expected_calibration_error(proba, [0, 0]) == 0.375


def test_perfectly_calibrated_case_has_ece_near_zero(rng):
    # Confidence c uniform in [0.5, 1], the top class right with probability
    # c: calibrated by construction, so only sampling noise remains.
    n = 100_000
    c = rng.uniform(0.5, 1.0, n)
    proba = np.column_stack([c, 1 - c])
    y = np.where(rng.random(n) < c, 0, 1)
    assert expected_calibration_error(proba, y) < 0.01


def test_overconfident_case():
    # Always 90 % sure, right 60 % of the time: ECE = |0.6 - 0.9| = 0.3.
    proba = np.tile([0.9, 0.1], (10, 1))
    y = np.r_[np.zeros(6, dtype=int), np.ones(4, dtype=int)]
    assert expected_calibration_error(proba, y) == pytest.approx(0.3)


def test_ece_is_the_weighted_gap_of_the_curve(rng):
    logits = rng.normal(scale=3.0, size=(500, 10))
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    y = rng.integers(0, 10, 500)
    curve = reliability_curve(proba, y)
    full = curve.count > 0
    expected = np.sum(
        curve.count[full]
        / 500
        * np.abs(curve.accuracy[full] - curve.confidence[full])
    )
    assert expected_calibration_error(proba, y) == pytest.approx(expected)
    # float32 softmax rows (sums off by ~1e-7) are accepted
    ece32 = expected_calibration_error(proba.astype(np.float32), y)
    assert ece32 == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize(
    ("proba", "y", "num_bins", "error", "match"),
    [
        ([0.5, 0.5], [0], 15, ValueError, "proba must be 2-D"),
        (np.zeros((0, 2)), [], 15, ValueError, "proba must not be empty"),
        ([[np.nan, 1.0]], [0], 15, ValueError, "proba must be finite"),
        ([[-0.1, 1.1]], [0], 15, ValueError, r"proba must hold prob"),
        ([[0.5, 0.4]], [0], 15, ValueError, "proba rows must sum to 1"),
        ([[0.5, 0.5 + 1e-5]], [0], 15, ValueError, "proba rows"),
        ([["a", "b"]], [0], 15, TypeError, "proba"),
        ([[0.5, 0.5]], [2], 15, ValueError, r"y must hold labels in 0\.\.1"),
        ([[0.5, 0.5]], [0, 1], 15, ValueError, "y must have 1"),
        ([[0.5, 0.5]], [0], 0, ValueError, "num_bins"),
        ([[0.5, 0.5]], [0], 2.5, TypeError, "num_bins"),
    ],
)
def test_calibration_rejects_bad_input(proba, y, num_bins, error, match):
    with pytest.raises(error, match=match):
        reliability_curve(proba, y, num_bins=num_bins)
    with pytest.raises(error, match=match):
        expected_calibration_error(proba, y, num_bins=num_bins)
