"""hwlib.softmax: the gradient against autograd and finite differences, stability, and SGD."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from hwlib import softmax as sm


def random_problem(rng, c=5, d=7, n=None, logit_scale=1.0):
    """W, b, one point x (d,) or a batch X (n, d), and integer labels."""
    W = rng.normal(size=(c, d)) * logit_scale
    b = rng.normal(size=c) * logit_scale
    shape = (d,) if n is None else (n, d)
    X = rng.normal(size=shape)
    y = rng.integers(0, c, 1 if n is None else n)
    return W, b, X, (int(y[0]) if n is None else y)


def autograd_grad(W, b, X, y):
    Wt = torch.tensor(W, requires_grad=True)
    bt = torch.tensor(b, requires_grad=True)
    Xt = torch.tensor(np.atleast_2d(X))
    target = torch.tensor(np.atleast_1d(y))
    logits = Xt @ Wt.T + bt
    F.cross_entropy(logits, target, reduction="sum").backward()
    return Wt.grad.numpy(), bt.grad.numpy()


@pytest.mark.parametrize("n", [None, 6])
@pytest.mark.parametrize("logit_scale", [1.0, 1e3])
def test_loss_grad_equals_autograd(rng, n, logit_scale):
    W, b, x, y = random_problem(rng, n=n, logit_scale=logit_scale)
    dW, db = sm.loss_grad(W, b, x, y)
    assert np.all(np.isfinite(dW)) and np.all(np.isfinite(db))
    ref_dW, ref_db = autograd_grad(W, b, x, y)
    scale = max(np.abs(ref_dW).max(), 1e-300)
    assert np.abs(dW - ref_dW).max() / scale < 1e-6
    assert np.abs(db - ref_db).max() / max(np.abs(ref_db).max(), 1e-300) < 1e-6


@pytest.mark.parametrize("n", [None, 4])
def test_loss_grad_equals_central_differences(rng, n):
    W, b, x, y = random_problem(rng, n=n)
    dW, db = sm.loss_grad(W, b, x, y)
    h = 1e-6
    fd_W = np.zeros_like(W)
    for idx in np.ndindex(W.shape):
        E = np.zeros_like(W)
        E[idx] = h
        fd_W[idx] = (sm.loss(W + E, b, x, y) - sm.loss(W - E, b, x, y)) / (
            2 * h
        )
    fd_b = np.array(
        [
            (sm.loss(W, b + h * e, x, y) - sm.loss(W, b - h * e, x, y))
            / (2 * h)
            for e in np.eye(len(b))
        ]
    )
    assert np.abs(fd_W - dW).max() / np.abs(dW).max() < 1e-6
    assert np.abs(fd_b - db).max() / np.abs(db).max() < 1e-6


@pytest.mark.parametrize("logit_scale", [1.0, 1e3])
def test_loss_equals_torch_cross_entropy(rng, logit_scale):
    W, b, X, y = random_problem(rng, n=8, logit_scale=logit_scale)
    logits = torch.tensor(X @ W.T + b)
    ref = F.cross_entropy(logits, torch.tensor(y), reduction="sum")
    assert sm.loss(W, b, X, y) == pytest.approx(ref.item(), rel=1e-10)
    assert np.isfinite(sm.loss(W, b, X, y))


def test_images_are_flattened_and_never_wrapped(rng):
    """uint8 images (n, H, W) give the loss of their float rows (n, H * W)."""
    images = rng.integers(0, 256, (6, 4, 4), dtype=np.uint8)
    y = rng.integers(0, 3, 6)
    W, b = rng.normal(size=(3, 16)) * 1e-2, rng.normal(size=3)
    rows = images.reshape(6, -1).astype(np.float64)
    assert sm.loss(W, b, images, y) == sm.loss(W, b, rows, y)
    np.testing.assert_array_equal(
        sm.predict(W, b, images), sm.predict(W, b, rows)
    )


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
    W, b, history = sm.sgd(
        X,
        y,
        lr=1e-2,
        num_epochs=10,
        num_classes=3,
        val_data=(X, y),
        progress=False,
    )
    assert np.array_equal(sm.predict(W, b, X), y)
    assert history.val_accuracy[-1] == 1.0
    assert history.train_loss[-1] < history.train_loss[0]
    assert history.val_loss[-1] == pytest.approx(
        sm.loss(W, b, X, y) / len(X), rel=1e-10
    )


def test_sgd_is_per_sample_and_seeded(rng):
    """One epoch equals the loop of eq. (sgd-update) from the question's start."""
    X = rng.normal(size=(20, 4))
    y = rng.integers(0, 3, 20)
    W, b, history = sm.sgd(
        X,
        y,
        lr=0.1,
        num_epochs=1,
        seed=7,
        num_classes=3,
        fast=False,
        progress=False,
    )
    g = np.random.default_rng(7)
    W_ref = g.random((3, 4)) - 0.5
    b_ref = g.random(3) - 0.5
    assert np.all((W_ref >= -0.5) & (W_ref < 0.5))
    losses = []
    for x, label in zip(X, y):
        # The running loss: J just before the point's own update.
        losses.append(sm.loss(W_ref, b_ref, x, label))
        dW, db = sm.loss_grad(W_ref, b_ref, x, label)
        W_ref, b_ref = W_ref - 0.1 * dW, b_ref - 0.1 * db
    np.testing.assert_allclose(W, W_ref, rtol=1e-12)
    np.testing.assert_allclose(b, b_ref, rtol=1e-12)
    np.testing.assert_allclose(
        history.train_loss, [np.mean(losses)], rtol=1e-12
    )


def test_minibatch_variant_learns(blobs):
    X, y = blobs
    W, b, _ = sm.sgd(
        X,
        y,
        lr=0.1,
        num_epochs=10,
        batch_size=16,
        shuffle=True,
        num_classes=3,
        progress=False,
    )
    assert np.mean(sm.predict(W, b, X) == y) == 1.0


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda W, b, x, y: sm.loss(W, b[:2], x, y), ValueError, "b must have shape"),
        (lambda W, b, x, y: sm.loss(W, b, x[:2], y), ValueError, "X must have 4 features"),
        (lambda W, b, x, y: sm.loss(W, b, x, 3), ValueError, "y must hold labels in 0..2"),
        (lambda W, b, x, y: sm.loss(W, b, x, 0.5), TypeError, "y must hold integer class labels"),
        (lambda W, b, x, y: sm.loss_grad(W, b, x[None], [0, 1]), ValueError, "y must have 1 entries"),
        (lambda W, b, x, y: sm.loss(W * np.nan, b, x, y), ValueError, "W must be finite"),
        (lambda W, b, x, y: sm.softmax(np.ones((2, 2, 2))), ValueError, "u must be 1-D or 2-D"),
        (lambda W, b, x, y: sm.sgd(x[None], [y], lr=-1), ValueError, "lr must be a positive"),
        (lambda W, b, x, y: sm.sgd(x[None], [y], num_epochs=0), ValueError, "num_epochs"),
        (lambda W, b, x, y: sm.sgd(np.ones((2, 4)), [y]), ValueError, "y must have 2 entries"),
        (lambda W, b, x, y: sm.sgd(x[None], [y], val_data=x), TypeError, "val_data must be a pair"),
        (lambda W, b, x, y: sm.sgd(x[None], [y], val_data=(x[None, :2], [0])), ValueError, "val_data\\[0\\] must have 4 features"),
        (lambda W, b, x, y: sm.one_hot(np.array([0, 3]), num_classes=3), ValueError, "labels in 0..2"),
        (lambda W, b, x, y: sm.predict(W, b, x[None, :2]), ValueError, "must match W"),
    ],
)  # fmt: skip
def test_bad_input(rng, call, exc, match):
    W, b, x, y = random_problem(rng, c=3, d=4)
    with pytest.raises(exc, match=match):
        call(W, b, x, y)


@pytest.mark.parametrize("shuffle", [False, True])
def test_fast_path_matches_the_reference_loop(rng, shuffle):
    """The compiled sparse loop makes the same updates as the plain loop."""
    # Mostly zeros, like digits.
    X = rng.random((300, 30)) * (rng.random((300, 30)) < 0.3)
    y = rng.integers(0, 4, 300)
    kwargs = dict(
        lr=0.05,
        num_epochs=1,
        seed=1,
        shuffle=shuffle,
        num_classes=4,
        progress=False,
    )
    fast = sm.sgd(X, y, fast=True, **kwargs)
    slow = sm.sgd(X, y, fast=False, **kwargs)
    np.testing.assert_allclose(fast[0], slow[0], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(fast[1], slow[1], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(
        fast[2].train_loss, slow[2].train_loss, rtol=1e-10
    )


def test_fast_path_skips_only_updates_that_are_exactly_zero(rng):
    """Raw-pixel scale saturates the softmax: most errors become exactly 0 and
    the compiled loop skips those updates; the weights still equal the
    reference loop's."""
    X = np.round(255 * rng.random((400, 30)) * (rng.random((400, 30)) < 0.3))
    # Separable by a margin.
    y = (X[:, :10].sum(axis=1) > X[:, 10:20].sum(axis=1)).astype(int)
    kwargs = dict(lr=1e-2, seed=3, num_classes=2, progress=False)
    W0, b0, _ = sm.sgd(X, y, num_epochs=1, fast=False, **kwargs)
    errors = sm.softmax(X @ W0.T + b0) - sm.one_hot(y, num_classes=2)
    assert np.mean(np.all(errors == 0, axis=1)) > 0.5  # the skip is exercised
    fast = sm.sgd(X, y, num_epochs=2, fast=True, **kwargs)
    slow = sm.sgd(X, y, num_epochs=2, fast=False, **kwargs)
    np.testing.assert_allclose(fast[0], slow[0], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(fast[1], slow[1], rtol=1e-10, atol=1e-12)


def test_tuned_setting_feeds_sgd_and_reads_as_the_pages_quote_it(blobs):
    """`TUNED` is the one source of chapter 6's choice that chapter 7 reruns."""
    X, y = blobs
    setting = sm.Setting(pixel_scale=2.0, lr=1e-2, shuffle=True, num_epochs=3)
    W, b, history = sm.sgd(
        X / setting.pixel_scale,
        y,
        **setting.options,
        num_classes=3,
        progress=False,
    )
    assert history.num_epochs == 3
    assert str(setting) == (
        "pixels divided by 2, learning rate 0.01, shuffled, 3 epochs"
    )
    assert str(sm.Setting(1.0, 1e-3, False)) == (
        "raw pixels, learning rate 0.001, the data's order, 20 epochs"
    )
    assert sm.TUNED == sm.Setting(255.0, 1e-2, True, 20)
    with pytest.raises(AttributeError):
        sm.TUNED.lr = 1.0  # frozen: a page cannot change the choice
