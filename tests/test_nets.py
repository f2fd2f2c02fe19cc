"""hwlib.nets: the prescribed architectures, training, determinism and weight files."""

import numpy as np
import pytest
import torch

from hwlib import nets


@pytest.fixture
def digits(rng):
    """64 random 'images' with labels: enough to overfit, no data set needed."""
    X = rng.integers(0, 256, (64, 28, 28), dtype=np.uint8)
    y = rng.integers(0, 10, 64)
    return X, y


def test_parameter_counts():
    assert nets.count_parameters(nets.MLP()) == 814_090
    assert nets.count_parameters(nets.CNN()) == 1_111_946


def test_cnn_layers_are_named_in_the_prescribed_order():
    model = nets.CNN()
    names = [name for name, _ in model.named_children()]
    assert names == [
        "conv1", "relu1", "pool1", "conv2", "relu2", "pool2",
        "flatten", "fc1", "relu3", "fc2",
    ]  # fmt: skip
    assert (model.conv1.kernel_size, model.conv1.out_channels) == ((5, 5), 32)
    assert (model.conv2.kernel_size, model.conv2.out_channels) == ((5, 5), 64)
    assert model.fc1.in_features == 64 * 4 * 4
    # forward is exactly the named layers applied in order
    x = torch.rand(2, 1, 28, 28)
    h = x
    for _, layer in model.named_children():
        h = layer(h)
    torch.testing.assert_close(model(x), h)


def test_mlp_layers_are_named():
    model = nets.MLP(num_hiddens=16)
    assert [name for name, _ in model.named_children()] == [
        "flatten", "fc1", "relu", "fc2",
    ]  # fmt: skip
    assert model.fc1.out_features == 16


@pytest.mark.parametrize("model_cls", [nets.MLP, nets.CNN])
def test_output_shapes(model_cls):
    x = torch.zeros(5, 1, 28, 28)
    assert model_cls()(x).shape == (5, 10)


def test_mlp_flattens_images_itself():
    torch.manual_seed(0)
    model = nets.MLP()
    x = torch.rand(3, 1, 28, 28)
    torch.testing.assert_close(model(x), model(x.reshape(3, 784)))


def test_to_tensor_scales_uint8_once(digits):
    X, _ = digits
    t = nets.to_tensor(X)
    assert t.shape == (64, 1, 28, 28) and t.dtype == torch.float32
    assert float(t.max()) <= 1.0
    np.testing.assert_allclose(t[:, 0].numpy(), X / 255.0, rtol=1e-6)


def test_cnn_overfits_64_examples(digits):
    X, y = digits
    torch.manual_seed(0)
    model = nets.CNN()
    history = nets.train(
        model, X, y, val_data=(X, y), lr=1e-3, num_epochs=30, batch_size=16,
        seed=0, device="cpu", progress=False,
    )  # fmt: skip
    assert history.val_accuracy[-1] == 1.0
    assert history.num_epochs == 30 == len(history.val_loss)
    # The recorded validation values are those evaluate() reports.
    assert (history.val_loss[-1], 1.0) == pytest.approx(
        nets.evaluate(model, X, y)
    )


def test_same_seed_gives_identical_weights(digits):
    X, y = digits

    def run():
        torch.manual_seed(3)
        model = nets.CNN()
        nets.train(
            model, X, y, num_epochs=1, batch_size=16, seed=5, device="cpu",
            progress=False,
        )  # fmt: skip
        return [p.detach().clone() for p in model.parameters()]

    for a, b in zip(run(), run()):
        assert torch.equal(a, b)


def test_accuracy_is_total_correct_over_total(digits):
    X, y = digits
    torch.manual_seed(0)
    model = nets.MLP()
    _, acc = nets.evaluate(model, X[:50], y[:50], batch_size=16)
    pred = model(nets.to_tensor(X[:50])).argmax(1).numpy()
    assert acc == pytest.approx(np.mean(pred == y[:50]))


def test_misclassified_sorted_by_confidence(digits):
    X, y = digits
    torch.manual_seed(0)
    model = nets.MLP()
    wrong, predicted, confidence = nets.misclassified(model, X, y)
    proba = nets.predict_proba(model, X)
    assert np.all(proba.argmax(1)[wrong] != y[wrong])
    assert np.array_equal(predicted, proba.argmax(1)[wrong])
    assert np.all(np.diff(confidence) <= 0)
    assert len(wrong) == np.sum(proba.argmax(1) != y)


def test_weights_round_trip(tmp_path):
    torch.manual_seed(1)
    model = nets.CNN()
    path = tmp_path / "cnn.pt"
    nets.save(model, path)
    torch.manual_seed(2)
    other = nets.load(nets.CNN(), path)
    for a, b in zip(model.state_dict().values(), other.state_dict().values()):
        assert torch.equal(a, b)


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(lr=0), ValueError, "lr must be a positive"),
        (dict(num_epochs=0), ValueError, "num_epochs"),
        (dict(batch_size=0), ValueError, "batch_size"),
    ],
)
def test_bad_training_arguments(digits, kwargs, exc, match):
    X, y = digits
    with pytest.raises(exc, match=match):
        nets.train(nets.MLP(), X, y, progress=False, **kwargs)


def test_bad_data_arguments(digits):
    X, y = digits
    with pytest.raises(TypeError, match="val_data must be a pair"):
        nets.train(nets.MLP(), X, y, val_data=X, progress=False)
    with pytest.raises(ValueError, match="y must have 64 entries"):
        nets.train(nets.MLP(), X, y[:3], progress=False)
    with pytest.raises(ValueError, match="val_data\\[1\\] must have 64"):
        nets.train(nets.MLP(), X, y, val_data=(X, y[:3]), progress=False)
    with pytest.raises(ValueError, match="X must be 3-D"):
        nets.to_tensor(X.reshape(64, -1))


def test_random_affine_shifts_by_at_most_max_shift():
    """A blob far from the border: its centre of mass moves <= max_shift."""
    from hwlib.nets import _random_affine

    images = torch.zeros(64, 1, 28, 28)
    images[:, 0, 12:16, 12:16] = 1.0
    g = torch.Generator().manual_seed(0)
    moved = _random_affine(images, 2.0, 0.0, g)
    grid = torch.arange(28.0)
    mass = moved.sum(dim=(1, 2, 3))
    cy = (moved.sum(dim=3)[:, 0] * grid).sum(1) / mass
    cx = (moved.sum(dim=2)[:, 0] * grid).sum(1) / mass
    shift = torch.stack([cy - 13.5, cx - 13.5])
    assert shift.abs().max() <= 2.0 + 1e-4
    assert shift.abs().max() > 1.0  # it does move them
    torch.testing.assert_close(mass, torch.full((64,), 16.0))


def test_random_rotation_keeps_a_centred_disc():
    from hwlib.nets import _random_affine

    r = torch.hypot(
        *torch.meshgrid(
            torch.arange(28.0) - 13.5, torch.arange(28.0) - 13.5, indexing="ij"
        )
    )
    disc = (r < 6).float().expand(8, 1, 28, 28)
    g = torch.Generator().manual_seed(1)
    rotated = _random_affine(disc, 0.0, 30.0, g)
    # Only the rim is resampled: inside and outside are untouched.
    inside, outside = r < 4.5, r > 7.5
    torch.testing.assert_close(rotated[:, 0, inside], disc[:, 0, inside])
    torch.testing.assert_close(rotated[:, 0, outside], disc[:, 0, outside])
    torch.testing.assert_close(rotated.sum(), disc.sum(), rtol=1e-2, atol=0)


def test_training_options_are_seeded(digits):
    X, y = digits

    def run():
        torch.manual_seed(3)
        model = nets.MLP(num_hiddens=32)
        nets.train(
            model, X, y, num_epochs=2, batch_size=16, seed=5, device="cpu",
            weight_decay=1e-4, lr_schedule="cosine", max_shift=2,
            max_rotation=10, progress=False,
        )  # fmt: skip
        return [p.detach().clone() for p in model.parameters()]

    for a, b in zip(run(), run()):
        assert torch.equal(a, b)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(weight_decay=-1), "weight_decay must be a number >= 0"),
        (dict(max_shift=float("nan")), "max_shift must be a number >= 0"),
        (dict(max_rotation=-5), "max_rotation must be a number >= 0"),
        (dict(lr_schedule="step"), "lr_schedule must be one of"),
    ],
)
def test_bad_training_options(digits, kwargs, match):
    X, y = digits
    with pytest.raises(ValueError, match=match):
        nets.train(nets.MLP(), X, y, progress=False, **kwargs)


def test_train_step_is_one_adam_update(digits):
    X, y = digits
    torch.manual_seed(0)
    model = nets.MLP(num_hiddens=8)
    images, labels = nets.to_tensor(X[:16]), torch.as_tensor(y[:16])
    before = [p.detach().clone() for p in model.parameters()]
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss = nets.train_step(model, optimizer, images, labels)
    assert not loss.requires_grad and loss.ndim == 0
    # Adam's first step moves each parameter with a clear gradient by lr.
    for p0, p in zip(before, model.parameters()):
        big = p.grad.abs() > 1e-4  # where Adam's epsilon is negligible
        torch.testing.assert_close(
            (p - p0)[big], -1e-3 * p.grad[big].sign(), rtol=1e-3, atol=1e-7
        )


def test_trained_caches_by_settings(digits, tmp_path, monkeypatch):
    X, y = digits
    monkeypatch.setenv("HWLIB_NETS_CACHE", str(tmp_path))
    options = dict(num_epochs=1, batch_size=16, device="cpu", progress=False)
    first, h1 = nets.trained(nets.MLP, X, y, seed=1, **options)
    assert len(list(tmp_path.glob("*.pt"))) == 1
    again, h2 = nets.trained(nets.MLP, X, y, seed=1, **options)
    assert len(list(tmp_path.glob("*.pt"))) == 1  # loaded, not retrained
    assert h2.train_loss == h1.train_loss and h2.seconds == h1.seconds
    for a, b in zip(first.parameters(), again.parameters()):
        assert torch.equal(a, b)
    # Loading gives what training from scratch gives (CPU determinism).
    monkeypatch.setenv("HWLIB_NETS_CACHE", "")
    fresh, h3 = nets.trained(nets.MLP, X, y, seed=1, **options)
    assert h3.train_loss == h1.train_loss
    for a, b in zip(first.parameters(), fresh.parameters()):
        assert torch.equal(a, b)
    # Another seed, option or data set is another network.
    monkeypatch.setenv("HWLIB_NETS_CACHE", str(tmp_path))
    nets.trained(nets.MLP, X, y, seed=2, **options)
    nets.trained(nets.MLP, X, y, seed=1, lr=1e-3, **options)
    nets.trained(nets.MLP, X[:32], y[:32], seed=1, **options)
    assert len(list(tmp_path.glob("*.pt"))) == 4
    # Another thread count sums the gradients in another order: another key.
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(threads + 1)
        nets.trained(nets.MLP, X, y, seed=1, **options)
    finally:
        torch.set_num_threads(threads)
    assert len(list(tmp_path.glob("*.pt"))) == 5
