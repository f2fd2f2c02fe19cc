"""Figures more than one chapter draws (chapters 4, `04-knn`, and 8, `08-cnn`)."""

from __future__ import annotations

import numpy as np

from ._checks import check_int_in_range, check_labels

__all__ = ["confusion_matrix", "plot_confusion_matrix"]


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, num_classes: int = 10) -> np.ndarray:
    """Counts (num_classes, num_classes): row = true class, column = predicted class."""
    y_true = np.asarray(y_true)
    y_true = check_labels(y_true, "y_true", y_true.shape[0] if y_true.ndim == 1 else -1)
    y_pred = check_labels(y_pred, "y_pred", y_true.shape[0])
    num_classes = check_int_in_range(num_classes, "num_classes", 1)
    for name, y in (("y_true", y_true), ("y_pred", y_pred)):
        if y.size and (y.min() < 0 or y.max() >= num_classes):
            raise ValueError(f"{name} must hold labels in 0..{num_classes - 1}")
    counts = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(counts, (y_true, y_pred), 1)
    return counts


def plot_confusion_matrix(ax, y_true: np.ndarray, y_pred: np.ndarray, num_classes: int = 10) -> np.ndarray:
    """Draw the confusion matrix on ``ax`` with every non-zero count written in its cell; return it."""
    counts = confusion_matrix(y_true, y_pred, num_classes)
    ax.imshow(counts, cmap="Blues")
    for i, j in zip(*np.nonzero(counts)):
        dark = counts[i, j] > counts.max() / 2
        ax.text(j, i, counts[i, j], ha="center", va="center", fontsize=8, color="white" if dark else "black")
    ax.set(xticks=range(num_classes), yticks=range(num_classes), xlabel="predicted", ylabel="true")
    return counts
