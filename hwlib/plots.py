"""Figures the pages draw, so that a page's visible code is the algorithm.

Each function draws one kind of figure and returns what it drew on (a
matplotlib ``Figure`` or ``Axes``); pages call ``plt.show()`` after it.
Functions that draw one panel take ``ax=None`` (a new figure) or an
existing ``Axes``.

Every page calls :func:`use_book_style` once: one house style
(``hwlib/book.mplstyle``) for all figures, drawn at the size they are shown
so their text stays legible, on white so they read in the theme's dark mode
too, and as double-resolution PNG for high-density screens.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ._checks import as_float_array, check_int_in_range, check_labels
from .history import History

__all__ = [
    "use_book_style",
    "confusion_matrix",
    "plot_confusion_matrix",
    "plot_training_curves",
    "plot_image_grid",
    "plot_gradient_cloud",
    "plot_lambda_plane",
    "plot_reliability_diagram",
]


STYLE = Path(__file__).with_name("book.mplstyle")
"""The book's matplotlib style file."""


def use_book_style() -> None:
    """Apply the book's figure style; in Jupyter, also draw 2x PNG figures.

    Examples
    --------
    >>> use_book_style()
    >>> import matplotlib
    >>> matplotlib.rcParams["figure.facecolor"]
    'white'
    """
    _pyplot().style.use(STYLE)
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: no inline figures to configure
        return
    if get_ipython() is not None:
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("retina")  # PNG at twice the pixel density


def _pyplot():
    import matplotlib.pyplot as plt  # on demand: importing hwlib stays fast

    return plt


def _axes(ax, figsize: tuple[float, float]):
    return _pyplot().subplots(figsize=figsize)[1] if ax is None else ax


def confusion_matrix(
    y_true: np.ndarray, y_pred: np.ndarray, *, num_classes: int = 10
) -> np.ndarray:
    """Counts of (true, predicted) label pairs.

    Parameters
    ----------
    y_true, y_pred : array_like of int, shape (n,)
        Labels in ``0..num_classes-1``.
    num_classes : int >= 1, default 10

    Returns
    -------
    counts : ndarray of int64, shape (num_classes, num_classes)
        Row = true class, column = predicted class.

    Examples
    --------
    >>> confusion_matrix([0, 1, 1], [0, 0, 1], num_classes=2)
    array([[1, 0],
           [1, 1]])
    """
    y_true = np.asarray(y_true)
    n = y_true.shape[0] if y_true.ndim == 1 else -1
    y_true = check_labels(y_true, "y_true", n)
    y_pred = check_labels(y_pred, "y_pred", y_true.shape[0])
    num_classes = check_int_in_range(num_classes, "num_classes", 1)
    for name, y in (("y_true", y_true), ("y_pred", y_pred)):
        if y.size and (y.min() < 0 or y.max() >= num_classes):
            raise ValueError(
                f"{name} must hold labels in 0..{num_classes - 1}"
            )
    counts = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(counts, (y_true, y_pred), 1)
    return counts


def plot_confusion_matrix(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    *,
    num_classes: int = 10,
    ax=None,
) -> np.ndarray:
    """Draw the confusion matrix, every non-zero count written in its cell.

    Returns the counts (see :func:`confusion_matrix`).
    """
    counts = confusion_matrix(y_true, y_pred, num_classes=num_classes)
    ax = _axes(ax, (5, 4.6))
    ax.imshow(counts, cmap="Blues")
    for i, j in zip(*np.nonzero(counts)):
        dark = counts[i, j] > counts.max() / 2  # white text on dark cells
        ax.text(
            j,
            i,
            counts[i, j],
            ha="center",
            va="center",
            fontsize=8,
            color="white" if dark else "black",
        )
    ticks = range(num_classes)
    ax.set(xticks=ticks, yticks=ticks, xlabel="predicted", ylabel="true")
    return counts


def plot_training_curves(
    histories: History | Sequence[History],
    *,
    labels: Sequence[str] | None = None,
    target: float | None = None,
    log_loss: bool = False,
):
    """Loss (left) and validation accuracy (right) per epoch, for any trainer.

    Parameters
    ----------
    histories : History or sequence of History
        From :func:`hwlib.softmax.sgd` or :func:`hwlib.nets.train`.
    labels : sequence of str, optional
        One legend entry per history.
    target : float, optional
        An accuracy to mark with a dashed line (e.g. 0.9).
    log_loss : bool, default False
        Logarithmic loss axis.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    The loss axis is in nats per digit (the mean natural-log
    cross-entropy). The training loss is the running loss of the epoch
    (solid); the
    validation loss, measured after the epoch, is dashed in the same colour.
    """
    if isinstance(histories, History):
        histories = [histories]
    if labels is None:
        labels = [None] * len(histories)
    if len(labels) != len(histories):
        raise ValueError(
            f"labels must have one entry per history ({len(histories)}), "
            f"got {len(labels)}"
        )
    plt = _pyplot()
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(6.8, 3.0))
    for h, label, color in zip(histories, labels, _colors(len(histories))):
        epochs = np.arange(1, h.num_epochs + 1)
        name = "" if label is None else f"{label}, "
        ax_loss.plot(
            epochs,
            h.train_loss,
            color=color,
            marker=".",
            label=f"{name}train (running)",
        )
        if h.val_loss:
            ax_loss.plot(
                epochs,
                h.val_loss,
                "--",
                color=color,
                marker=".",
                label=f"{name}validation",
            )
        if h.val_accuracy:
            accuracy = 100 * np.array(h.val_accuracy)
            ax_acc.plot(epochs, accuracy, color=color, marker=".", label=label)
    if target is not None:
        ax_acc.axhline(100 * target, ls=":", c="gray", lw=1)
    ax_loss.set(xlabel="epoch", ylabel="cross-entropy (nats per digit)")
    if log_loss:
        ax_loss.set_yscale("log")
    ax_acc.set(xlabel="epoch", ylabel="validation accuracy (%)")
    ax_loss.legend(fontsize=8)
    if any(label is not None for label in labels):
        ax_acc.legend(fontsize=8)
    fig.tight_layout()
    return fig


def _colors(n: int) -> list:
    cycle = _pyplot().rcParams["axes.prop_cycle"].by_key()["color"]
    return [cycle[i % len(cycle)] for i in range(n)]


def plot_image_grid(
    images: np.ndarray,
    *,
    num_cols: int = 10,
    titles: Sequence[str] | None = None,
    row_labels: Sequence[str] | None = None,
    scale: str | tuple[float, float] = "each",
    colorbar: bool = False,
    size: float | None = None,
):
    """Draw images in a grid, row by row.

    Parameters
    ----------
    images : array_like, shape (n, H, W) or (n, H * W) with H = W
        Grey images (a flat row of a square image is reshaped).
    num_cols : int >= 1, default 10
    titles : sequence of str, optional
        One per image, above it.
    row_labels : sequence of str, optional
        One per row, left of it.
    scale : "each", "symmetric", "symmetric-each" or (vmin, vmax)
        ``"each"``: every image in grey, stretched to its own range.
        ``"symmetric"``: red-blue, one scale centred at 0 for all images
        (signed weights, eigenvectors). ``"symmetric-each"``: red-blue,
        each image on its own symmetric scale. A pair: grey between them
        (``(0, 255)`` for digits as they are stored).
    colorbar : bool, default False
        Add one colour bar (meaningful with a shared scale).
    size : float, optional
        Side of one panel in inches; by default 1.2, or less so that the
        grid is at most 6.8 inches wide (the width of the page's column).

    Returns
    -------
    matplotlib.figure.Figure
    """
    images = _as_square_images(images)
    n = len(images)
    num_cols = check_int_in_range(num_cols, "num_cols", 1)
    num_cols = min(num_cols, n)
    num_rows = -(-n // num_cols)
    if size is None:
        size = min(1.2, 6.8 / num_cols)
    for name, seq, count in (
        ("titles", titles, n),
        ("row_labels", row_labels, num_rows),
    ):
        if seq is not None and len(seq) != count:
            raise ValueError(
                f"{name} must have {count} entries, got {len(seq)}"
            )
    style = _image_style(scale, images)
    plt = _pyplot()
    lines = 0
    if titles is not None:  # room for each line of the longest title
        lines = max((str(t).count("\n") + 1 for t in titles), default=1)
    height = size * (1.0 + 0.25 * lines)
    fig, axes = plt.subplots(
        num_rows,
        num_cols,
        figsize=(size * num_cols, height * num_rows),
        squeeze=False,
    )
    for i, ax in enumerate(axes.ravel()):
        ax.set_xticks([])
        ax.set_yticks([])
        if i >= n:
            ax.axis("off")
            continue
        shown = ax.imshow(images[i], **style(images[i]))
        if titles is not None:
            ax.set_title(titles[i], fontsize=8)
    for r, label in enumerate(row_labels or []):
        axes[r, 0].set_ylabel(label, rotation=0, ha="right", va="center")
    if colorbar:
        fig.colorbar(shown, ax=axes, shrink=0.8)
    return fig


def _as_square_images(images: object) -> np.ndarray:
    images = as_float_array(images, "images", ndim=(2, 3))
    if images.ndim == 2:
        side = int(round(np.sqrt(images.shape[1])))
        if side * side != images.shape[1]:
            raise ValueError(
                "images given as rows must be square images flattened "
                f"(H * W with H = W), got {images.shape[1]} values per row"
            )
        images = images.reshape(len(images), side, side)
    return images


def _image_style(scale, images: np.ndarray):
    """A function from one image to ``imshow`` keyword arguments."""
    if isinstance(scale, tuple) and len(scale) == 2:
        vmin, vmax = (float(v) for v in scale)
        return lambda image: {"cmap": "gray", "vmin": vmin, "vmax": vmax}
    if scale == "each":
        return lambda image: {"cmap": "gray"}
    if scale == "symmetric":
        vmax = float(np.abs(images).max()) or 1.0
        return lambda image: {"cmap": "RdBu_r", "vmin": -vmax, "vmax": vmax}
    if scale == "symmetric-each":

        def each(image):
            vmax = float(np.abs(image).max()) or 1.0
            return {"cmap": "RdBu_r", "vmin": -vmax, "vmax": vmax}

        return each
    raise ValueError(
        "scale must be 'each', 'symmetric', 'symmetric-each' or a pair "
        f"(vmin, vmax), got {scale!r}"
    )


def plot_gradient_cloud(view, *, ax=None, title: str | None = None):
    """Gradient vectors of one window and their principal axes as an ellipse.

    The ellipse has semi-axes twice the RMS spread along each eigenvector,
    ``2 sqrt(lambda_i / n)`` for ``n`` points, and is centred at the origin:
    Harris's matrix is the scatter about the origin (eq. `harris-scatter`).

    Parameters
    ----------
    view : hwlib.harris.GradientPCA
        From :func:`hwlib.harris.gradient_pca`.
    ax : matplotlib Axes, optional
    title : str, optional
        Defaults to the two eigenvalues.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from matplotlib.patches import Ellipse

    ax = _axes(ax, (3.5, 3.5))
    points, eigenvalues = view.points, view.eigenvalues
    ax.scatter(*points.T, s=8)
    v1 = view.eigenvectors[:, 0]
    angle = np.degrees(np.arctan2(v1[1], v1[0]))
    width, height = 4 * np.sqrt(eigenvalues / len(points))
    ax.add_patch(
        Ellipse(
            (0, 0),
            width,
            height,
            angle=angle,
            fill=False,
            color="tab:red",
            lw=2,
        )
    )
    lim = max(np.abs(points).max(), 5) * 1.15
    ax.set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal")
    ax.set(xlabel="$I_x$", ylabel="$I_y$")
    if title is None:
        title = rf"$\lambda_1$={eigenvalues[0]:.3g}, " + (
            rf"$\lambda_2$={eigenvalues[1]:.3g}"
        )
    ax.set_title(title, fontsize=9)
    return ax


def plot_lambda_plane(
    lambda1: np.ndarray,
    lambda2: np.ndarray,
    *,
    kappa: float,
    quantile: float = 0.999,
    ax=None,
):
    """Pixels placed by their eigenvalues, with Harris-response iso-lines.

    Only the half ``lambda2 <= lambda1`` can hold a pixel: the other half is
    shaded grey, below the dotted diagonal, and holds no line or label. The
    iso-lines of ``R > 0`` (labelled with their value) and the dashed
    ``R = 0``, the line ``lambda2 = alpha* lambda1`` of eq. `harris-alpha`,
    are drawn in the possible half only; "corner" is written above that
    line, "edge" at its mouth, right of the axes, and "flat" at the origin.

    Parameters
    ----------
    lambda1, lambda2 : array_like, same shape
        Eigenvalues of M at every pixel, ``lambda1 >= lambda2``.
    kappa : float
        Harris constant of the iso-lines ``R = l1 l2 - kappa (l1 + l2)^2``
        (eq. `harris-R-eig`); ``R = 0`` is dashed.
    quantile : float in (0, 1], default 0.999
        The axes end at this quantile of ``lambda1`` (outliers clipped).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    lambda1 = as_float_array(lambda1, "lambda1", ndim=(1, 2)).ravel()
    lambda2 = as_float_array(lambda2, "lambda2", ndim=(1, 2)).ravel()
    if lambda1.shape != lambda2.shape:
        raise ValueError("lambda1 and lambda2 must have the same shape")
    ax = _axes(ax, (5, 4.6))
    top = float(np.quantile(lambda1, quantile)) or 1.0
    g = np.linspace(0, top, 200)
    G1, G2 = np.meshgrid(g, g)
    R = G1 * G2 - kappa * (G1 + G2) ** 2
    possible = G2 <= G1
    R_possible = np.where(possible, R, np.nan)  # no line where no pixel is
    ax.fill_between([0, top], [0, top], top, color="0.88", lw=0, zorder=0.5)
    ax.hexbin(
        lambda1,
        lambda2,
        gridsize=80,
        bins="log",
        extent=(0, top, 0, top),
        cmap="Greys",
        mincnt=1,
        zorder=1,
    )
    if np.any(R[possible] > 0):
        levels = np.quantile(R[possible & (R > 0)], [0.25, 0.5, 0.75, 0.95])
        lines = ax.contour(
            G1,
            G2,
            R_possible,
            levels=levels,
            colors="tab:red",
            linewidths=1,
            zorder=2,
        )
        # Labels where the lines cross lambda1 = 0.93 top (the smaller root
        # lambda2 of R = level there): in the possible half, right of the
        # "corner" label.
        x = 0.93 * top
        b = (1 - 2 * kappa) * x
        disc = b**2 - 4 * kappa * (kappa * x**2 + levels)
        if kappa > 0 and np.all(disc >= 0):
            y = (b - np.sqrt(disc)) / (2 * kappa)
            ax.clabel(
                lines, fmt="%.2g", fontsize=7, manual=list(zip([x] * 4, y))
            )
        else:
            ax.clabel(lines, fmt="%.2g", fontsize=7)
    ax.contour(
        G1, G2, R_possible, levels=[0], colors="tab:red", linestyles="--"
    )
    ax.plot([0, top], [0, top], ":", c="0.3", zorder=3)
    box = {"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1}
    ax.text(0.03 * top, 0.93 * top, r"impossible: $\lambda_2 > \lambda_1$")
    ax.text(
        0.6 * top,
        0.48 * top,
        "corner",
        color="tab:red",
        ha="center",
        bbox=box,
        zorder=4,
    )
    alpha = _alpha_star(kappa)
    ax.text(1.02 * top, 0.5 * alpha * top, "edge", va="center", clip_on=False)
    ax.text(0.1 * top, 0.02 * top, "flat", bbox=box, zorder=4)
    ax.set(xlabel=r"$\lambda_1$", ylabel=r"$\lambda_2$")
    ax.set(xlim=(0, top), ylim=(0, top), aspect="equal")
    return ax


def _alpha_star(kappa: float) -> float:
    """The ratio lambda2 / lambda1 where R = 0 (eq. `harris-alpha`)."""
    if kappa <= 0:
        return 0.0
    if kappa >= 0.25:
        return 1.0
    return (1 - 2 * kappa - np.sqrt(1 - 4 * kappa)) / (2 * kappa)


def plot_reliability_diagram(
    proba: np.ndarray,
    y: np.ndarray,
    *,
    num_bins: int = 15,
    label: str | None = None,
    ax=None,
):
    """Accuracy against confidence, bin by bin: a reliability diagram.

    Each non-empty bin of top-label confidence (see
    :func:`hwlib.stats.reliability_curve`) is drawn at its mean confidence
    and its accuracy, with a marker whose area grows with the number of
    predictions in it; a calibrated model lies on the dotted diagonal.

    Parameters
    ----------
    proba : array_like, shape (n, c)
        Predicted class probabilities.
    y : array_like of int, shape (n,)
    num_bins : int >= 1, default 15
    label : str, optional
        Legend entry; the expected calibration error is appended to it.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    from .stats import expected_calibration_error, reliability_curve

    curve = reliability_curve(proba, y, num_bins=num_bins)
    ece = expected_calibration_error(proba, y, num_bins=num_bins)
    ax = _axes(ax, (4.5, 4.5))
    full = curve.count > 0
    sizes = 200 * curve.count[full] / curve.count.max()
    name = f"ECE {100 * ece:.1f} %"
    ax.plot(
        curve.confidence[full],
        curve.accuracy[full],
        marker="o",
        label=name if label is None else f"{label} ({name})",
    )
    ax.scatter(
        curve.confidence[full], curve.accuracy[full], s=sizes, alpha=0.3
    )
    ax.plot([0, 1], [0, 1], ":", c="gray", lw=1)
    ax.set(xlim=(0, 1.02), ylim=(0, 1.02), aspect="equal")
    ax.set(xlabel="confidence (top probability)", ylabel="accuracy")
    ax.legend(fontsize=8, loc="upper left")
    return ax
