"""hwlib.plots: the confusion matrix counts what it claims to."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from hwlib.plots import confusion_matrix, plot_confusion_matrix  # noqa: E402


def test_counts_rows_true_columns_predicted():
    y_true = np.array([0, 0, 1, 2, 2, 2])
    y_pred = np.array([0, 1, 1, 2, 0, 2])
    expected = np.array([[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    np.testing.assert_array_equal(confusion_matrix(y_true, y_pred, 3), expected)
    fig, ax = plt.subplots()
    np.testing.assert_array_equal(plot_confusion_matrix(ax, y_true, y_pred, 3), expected)
    assert len(ax.texts) == np.count_nonzero(expected)
    plt.close(fig)


def test_bad_labels():
    with pytest.raises(ValueError, match="y_pred must have 2 entries"):
        confusion_matrix([0, 1], [0])
    with pytest.raises(ValueError, match="y_true must hold labels in 0..1"):
        confusion_matrix([0, 5], [0, 1], 2)
