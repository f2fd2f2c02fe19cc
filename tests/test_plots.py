"""hwlib.plots: each figure draws what its caption will claim it draws."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from hwlib import harris  # noqa: E402
from hwlib.history import History  # noqa: E402
from hwlib.plots import (  # noqa: E402
    confusion_matrix,
    plot_confusion_matrix,
    plot_gradient_cloud,
    plot_image_grid,
    plot_lambda_plane,
    plot_reliability_diagram,
    plot_training_curves,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_counts_rows_true_columns_predicted():
    y_true = np.array([0, 0, 1, 2, 2, 2])
    y_pred = np.array([0, 1, 1, 2, 0, 2])
    expected = np.array([[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    counts = confusion_matrix(y_true, y_pred, num_classes=3)
    np.testing.assert_array_equal(counts, expected)
    fig, ax = plt.subplots()
    drawn = plot_confusion_matrix(y_true, y_pred, num_classes=3, ax=ax)
    np.testing.assert_array_equal(drawn, expected)
    # Every non-zero count is written in its cell, and only those.
    texts = {(t.get_position(), t.get_text()) for t in ax.texts}
    assert texts == {
        ((j, i), str(expected[i, j])) for i, j in zip(*np.nonzero(expected))
    }


def test_bad_labels():
    with pytest.raises(ValueError, match="y_pred must have 2 entries"):
        confusion_matrix([0, 1], [0])
    with pytest.raises(ValueError, match="y_true must hold labels in 0..1"):
        confusion_matrix([0, 5], [0, 1], num_classes=2)


def two_histories():
    a = History([0.9, 0.5], [0.8, 0.6], [0.7, 0.8], [1.0, 1.0])
    b = History([0.7, 0.3], [], [], [1.0, 1.0])  # no validation data
    return a, b


def test_training_curves_draw_every_recorded_series():
    a, b = two_histories()
    fig = plot_training_curves([a, b], labels=["a", "b"], target=0.9)
    ax_loss, ax_acc = fig.axes
    plotted = [list(line.get_ydata()) for line in ax_loss.lines]
    assert plotted == [a.train_loss, a.val_loss, b.train_loss]
    assert ax_loss.get_ylabel() == "cross-entropy (nats per digit)"
    acc_lines = [list(line.get_ydata()) for line in ax_acc.lines]
    # Validation accuracy in percent, then the dashed 90 % target.
    assert acc_lines[0] == pytest.approx([70.0, 80.0])
    assert acc_lines[1] == pytest.approx([90.0, 90.0])


def test_training_curves_take_one_history_and_check_labels():
    a, _ = two_histories()
    assert len(plot_training_curves(a).axes) == 2
    with pytest.raises(ValueError, match="labels must have one entry"):
        plot_training_curves([a], labels=["x", "y"])


def test_image_grid_layout_and_scales(rng):
    images = rng.normal(size=(7, 4, 4))
    fig = plot_image_grid(images, num_cols=3, titles=list("abcdefg"))
    assert len(fig.axes) == 9  # 3 rows of 3, two left empty
    shown = [ax for ax in fig.axes if ax.images]
    assert len(shown) == 7
    assert [ax.get_title() for ax in shown] == list("abcdefg")
    fig = plot_image_grid(images, scale="symmetric")
    vmax = np.abs(images).max()
    for ax in fig.axes:
        assert ax.images[0].get_clim() == pytest.approx((-vmax, vmax))
    fig = plot_image_grid(images.reshape(7, 16), scale=(0, 255))
    assert fig.axes[0].images[0].get_array().shape == (4, 4)
    assert fig.axes[0].images[0].get_clim() == (0, 255)


def test_image_grid_bad_input(rng):
    with pytest.raises(ValueError, match="titles must have 2 entries"):
        plot_image_grid(rng.normal(size=(2, 3, 3)), titles=["a"])
    with pytest.raises(ValueError, match="images given as rows"):
        plot_image_grid(rng.normal(size=(2, 5)))
    with pytest.raises(ValueError, match="scale must be"):
        plot_image_grid(rng.normal(size=(2, 3, 3)), scale="bogus")


def test_gradient_cloud_ellipse_follows_the_first_eigenvector():
    step = np.zeros((9, 9))
    step[:, 5:] = 100.0  # a vertical edge: gradients point along x
    view = harris.gradient_pca(step, 4, 4, window_size=5)
    ax = plot_gradient_cloud(view)
    (ellipse,) = ax.patches
    assert ellipse.angle == pytest.approx(0.0, abs=1e-9)
    assert ellipse.width == pytest.approx(
        4 * np.sqrt(view.eigenvalues[0] / len(view.points))
    )
    assert ellipse.height == pytest.approx(0.0, abs=1e-9)


def test_lambda_plane_axes_end_at_the_quantile(rng):
    l1 = rng.random(1000) * 10
    l2 = l1 * rng.random(1000)
    ax = plot_lambda_plane(l1, l2, kappa=0.05, quantile=0.5)
    top = np.quantile(l1, 0.5)
    assert ax.get_xlim() == pytest.approx((0, top))
    with pytest.raises(ValueError, match="same shape"):
        plot_lambda_plane(l1, l2[:5], kappa=0.05)


@pytest.mark.parametrize("kappa", [0.04, 0.05, 0.06])
def test_lambda_plane_keeps_lines_and_labels_out_of_the_impossible_half(
    rng, kappa
):
    """The reader's findings on Fig. `fig-lambda-plane`: no region label or
    contour label where lambda2 > lambda1, the dotted diagonal above the grey
    fill, "flat" inside the axes, "edge" at the mouth of the R < 0 wedge."""
    l1 = rng.random(2000) * 10
    l2 = l1 * rng.random(2000)
    ax = plot_lambda_plane(l1, l2, kappa=kappa)
    top = ax.get_xlim()[1]
    texts = {t.get_text(): t.get_position() for t in ax.texts}
    for name in ("corner", "flat"):
        x, y = texts.pop(name)
        assert 0 < y < x < top, name
    x, y = texts.pop("edge")
    alpha = (1 - 2 * kappa - np.sqrt(1 - 4 * kappa)) / (2 * kappa)
    assert x > top and 0 < y < alpha * top
    impossible = [k for k in texts if k.startswith("impossible")]
    assert len(impossible) == 1
    x, y = texts.pop(impossible[0])
    assert y > x
    # What is left are the contour labels: all in the possible half.
    assert len(texts) == 4
    assert all(y <= x <= top for x, y in texts.values())
    (fill,) = ax.collections[:1]
    (diagonal,) = [ln for ln in ax.lines if ln.get_linestyle() == ":"]
    assert diagonal.get_zorder() > fill.get_zorder()


def test_reliability_diagram_plots_the_curve_of_hwlib_stats(rng):
    from hwlib.stats import reliability_curve

    proba = rng.dirichlet(np.ones(4) * 0.3, size=500)
    y = rng.integers(0, 4, 500)
    ax = plot_reliability_diagram(proba, y, num_bins=5, label="model")
    curve = reliability_curve(proba, y, num_bins=5)
    full = curve.count > 0
    line, diagonal = ax.lines
    np.testing.assert_allclose(line.get_xdata(), curve.confidence[full])
    np.testing.assert_allclose(line.get_ydata(), curve.accuracy[full])
    assert list(diagonal.get_xdata()) == [0, 1]
    assert "model (ECE" in ax.get_legend().get_texts()[0].get_text()
