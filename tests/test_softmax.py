"""hwlib.softmax: the gradient against autograd and finite differences, stability, and SGD."""

import numpy as np
import pytest
import torch

from hwlib import softmax as sm


def random_problem(rng, c=5, m=7, n=None, logit_scale=1.0):
    W = rng.normal(size=(c, m)) * logit_scale
    b = rng.normal(size=c) * logit_scale
    shape = (m,) if n is None else (n, m)
    x = rng.normal(size=shape)
    labels = rng.integers(0, c, 1 if n is None else n)
    y_true = np.eye(c)[labels]
    return W, b, x, (y_true[0] if n is None else y_true)


def autograd_grad(W, b, x, y_true):
    Wt = torch.tensor(W, requires_grad=True)
    bt = torch.tensor(b, requires_grad=True)
    xt = torch.tensor(np.atleast_2d(x))
    target = torch.tensor(np.atleast_2d(y_true).argmax(1))
    torch.nn.functional.cross_entropy(xt @ Wt.T + bt, target, reduction="sum").backward()
    return Wt.grad.numpy(), bt.grad.numpy()


@pytest.mark.parametrize("n", [None, 6])
@pytest.mark.parametrize("logit_scale", [1.0, 1e3])
def test_loss_grad_equals_autograd(rng, n, logit_scale):
    W, b, x, y_true = random_problem(rng, n=n, logit_scale=logit_scale)
    dW, db = sm.loss_grad(W, b, x, y_true)
    assert np.all(np.isfinite(dW)) and np.all(np.isfinite(db))
    ref_dW, ref_db = autograd_grad(W, b, x, y_true)
    scale = max(np.abs(ref_dW).max(), 1e-300)
    assert np.abs(dW - ref_dW).max() / scale < 1e-6
    assert np.abs(db - ref_db).max() / max(np.abs(ref_db).max(), 1e-300) < 1e-6


@pytest.mark.parametrize("n", [None, 4])
def test_loss_grad_equals_central_differences(rng, n):
    W, b, x, y_true = random_problem(rng, n=n)
    dW, db = sm.loss_grad(W, b, x, y_true)
    h = 1e-6
    fd_W = np.zeros_like(W)
    for idx in np.ndindex(W.shape):
        E = np.zeros_like(W)
        E[idx] = h
        fd_W[idx] = (sm.loss(W + E, b, x, y_true) - sm.loss(W - E, b, x, y_true)) / (2 * h)
    fd_b = np.array([(sm.loss(W, b + h * e, x, y_true) - sm.loss(W, b - h * e, x, y_true)) / (2 * h) for e in np.eye(len(b))])
    assert np.abs(fd_W - dW).max() / np.abs(dW).max() < 1e-6
    assert np.abs(fd_b - db).max() / np.abs(db).max() < 1e-6


@pytest.mark.parametrize("logit_scale", [1.0, 1e3])
def test_loss_equals_torch_cross_entropy(rng, logit_scale):
    W, b, X, Y = random_problem(rng, n=8, logit_scale=logit_scale)
    ref = torch.nn.functional.cross_entropy(torch.tensor(X @ W.T + b), torch.tensor(Y.argmax(1)), reduction="sum")
    assert sm.loss(W, b, X, Y) == pytest.approx(ref.item(), rel=1e-10)
    assert np.isfinite(sm.loss(W, b, X, Y))


def test_softmax_sums_to_one_and_is_shift_invariant(rng):
    u = rng.normal(size=(4, 6))
    p = sm.softmax(u)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    assert np.all(p > 0)
    np.testing.assert_allclose(sm.softmax(u + 123.4), p, rtol=1e-12)
    np.testing.assert_allclose(sm.softmax(u[0]), p[0])


def test_softmax_is_finite_for_huge_logits():
    for u in (np.array([1e4, -1e4, 0.0]), np.array([-1e4, -1e4 + 1.0])):
        p = sm.softmax(u)
        assert np.all(np.isfinite(p))
        assert p.sum() == pytest.approx(1.0)


def test_softmax_leaves_its_input_untouched():
    u = np.array([3.0, 1.0, 2.0])
    before = u.copy()
    sm.softmax(u)
    np.testing.assert_array_equal(u, before)


def test_sgd_separates_a_separable_problem(blobs):
    X, y = blobs
    W, b, history = sm.sgd(X, sm.one_hot(y, 3), lr=1e-2, num_epochs=10, seed=0, X_test=X, y_test=y, progress=False)
    assert np.array_equal(sm.predict(W, b, X), y)
    assert history.test_accuracy[-1] == 1.0
    assert history.train_loss[-1] < history.train_loss[0]


def test_sgd_is_per_sample_and_seeded(rng):
    """One epoch equals the explicit loop of eq. (sgd-update) from the question's initialisation."""
    X = rng.normal(size=(20, 4))
    Y = np.eye(3)[rng.integers(0, 3, 20)]
    W, b, history = sm.sgd(X, Y, lr=0.1, num_epochs=1, seed=7, fast=False, progress=False)
    g = np.random.default_rng(7)
    W_ref = g.random((3, 4)) - 0.5
    b_ref = g.random(3) - 0.5
    assert np.all((W_ref >= -0.5) & (W_ref < 0.5))
    losses = []
    for x, t in zip(X, Y):
        losses.append(sm.loss(W_ref, b_ref, x, t))  # the running loss: J just before the update
        dW, db = sm.loss_grad(W_ref, b_ref, x, t)
        W_ref, b_ref = W_ref - 0.1 * dW, b_ref - 0.1 * db
    np.testing.assert_allclose(W, W_ref, rtol=1e-12)
    np.testing.assert_allclose(b, b_ref, rtol=1e-12)
    np.testing.assert_allclose(history.train_loss, [np.mean(losses)], rtol=1e-12)


def test_minibatch_variant_learns(blobs):
    X, y = blobs
    W, b, _ = sm.sgd(X, sm.one_hot(y, 3), lr=0.1, num_epochs=10, batch_size=16, shuffle=True, progress=False)
    assert np.mean(sm.predict(W, b, X) == y) == 1.0


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda W, b, x, t: sm.loss(W, b[:2], x, t), ValueError, "b must have shape"),
        (lambda W, b, x, t: sm.loss(W, b, x[:2], t), ValueError, "x must have 4 features"),
        (lambda W, b, x, t: sm.loss(W, b, x, t * 2), ValueError, "one-hot"),
        (lambda W, b, x, t: sm.loss_grad(W, b, x, t[:2]), ValueError, "y_true must have shape"),
        (lambda W, b, x, t: sm.loss(W * np.nan, b, x, t), ValueError, "W must be finite"),
        (lambda W, b, x, t: sm.softmax(np.ones((2, 2, 2))), ValueError, "u must be 1-D or 2-D"),
        (lambda W, b, x, t: sm.sgd(x[None], t[None], lr=-1), ValueError, "lr must be a positive"),
        (lambda W, b, x, t: sm.sgd(x[None], t[None], num_epochs=0), ValueError, "num_epochs"),
        (lambda W, b, x, t: sm.sgd(np.ones((2, 4)), t[None]), ValueError, "Y must have one row per row of X"),
        (lambda W, b, x, t: sm.one_hot(np.array([0, 3]), 3), ValueError, "labels in 0..2"),
        (lambda W, b, x, t: sm.predict(W, b, x[None, :2]), ValueError, "must match W"),
    ],
)
def test_bad_input(rng, call, exc, match):
    W, b, x, t = random_problem(rng, c=3, m=4)
    with pytest.raises(exc, match=match):
        call(W, b, x, t)


@pytest.mark.parametrize("shuffle", [False, True])
def test_fast_path_matches_the_reference_loop(rng, shuffle):
    """The compiled sparse loop makes the same updates as the plain loop (chapter 6)."""
    X = rng.random((300, 30)) * (rng.random((300, 30)) < 0.3)  # mostly zeros, like digits
    Y = np.eye(4)[rng.integers(0, 4, 300)]
    fast = sm.sgd(X, Y, lr=0.05, num_epochs=1, seed=1, shuffle=shuffle, fast=True, progress=False)
    slow = sm.sgd(X, Y, lr=0.05, num_epochs=1, seed=1, shuffle=shuffle, fast=False, progress=False)
    np.testing.assert_allclose(fast[0], slow[0], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(fast[1], slow[1], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(fast[2].train_loss, slow[2].train_loss, rtol=1e-10)


def test_fast_path_skips_only_updates_that_are_exactly_zero(rng):
    """Raw-pixel scale saturates the softmax: most errors become exactly 0 and the
    compiled loop skips those updates; the weights still equal the reference loop's."""
    X = np.round(255 * rng.random((400, 30)) * (rng.random((400, 30)) < 0.3))
    y = (X[:, :10].sum(axis=1) > X[:, 10:20].sum(axis=1)).astype(int)  # separable by a margin
    Y = sm.one_hot(y, 2)
    W0, b0, _ = sm.sgd(X, Y, lr=1e-2, num_epochs=1, seed=3, fast=False, progress=False)
    errors = sm.softmax(X @ W0.T + b0) - Y
    assert np.mean(np.all(errors == 0, axis=1)) > 0.5  # the skip is exercised
    fast = sm.sgd(X, Y, lr=1e-2, num_epochs=2, seed=3, fast=True, progress=False)
    slow = sm.sgd(X, Y, lr=1e-2, num_epochs=2, seed=3, fast=False, progress=False)
    np.testing.assert_allclose(fast[0], slow[0], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(fast[1], slow[1], rtol=1e-10, atol=1e-12)
