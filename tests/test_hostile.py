"""Hostile input for every public hwlib function (property-based, with hypothesis).

For any argument of the wrong dimensionality, dtype or size, with NaN, inf or
huge values, each function must either return a finite, well-shaped result or
raise ValueError / TypeError whose message names the argument. Never a NaN,
never an exception from deep inside numpy.
"""

import os
import re

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from hwlib import harris, knn, nets, pca
from hwlib import softmax as sm

# CI runs a fixed, derandomised search (the same examples every run);
# HWLIB_DEEP_FUZZ=1 runs a wide random one locally.
DEEP = os.environ.get("HWLIB_DEEP_FUZZ") == "1"
SETTINGS = settings(
    max_examples=1500 if DEEP else 60,
    deadline=None,
    derandomize=not DEEP,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

special = st.sampled_from(
    [0.0, 1.0, -1.0, np.nan, np.inf, -np.inf, 1e300, -1e300, 1e-300, 255.0]
)
dtypes = st.sampled_from(
    [
        np.float64,
        np.float32,
        np.int64,
        np.uint8,
        np.bool_,
        np.complex128,
        np.str_,
    ]
)


@st.composite
def arrays(draw, min_dims=0, max_dims=4, max_side=6):
    """Arrays of any small shape and dtype, elements including the special values."""
    dtype = draw(dtypes)
    shape = draw(
        hnp.array_shapes(
            min_dims=min_dims, max_dims=max_dims, min_side=0, max_side=max_side
        )
    )
    if dtype is np.str_:
        return np.full(shape, "a")
    if dtype in (np.float64, np.float32, np.complex128):
        values = draw(
            hnp.arrays(
                np.float64,
                shape,
                elements=st.one_of(special, st.floats(-1e3, 1e3)),
            )
        )
        return (
            values.astype(dtype)
            if dtype is not np.float32
            else np.clip(values, -3e38, 3e38).astype(np.float32)
        )
    if dtype is np.uint8:
        return draw(hnp.arrays(np.uint8, shape))
    if dtype is np.bool_:
        return draw(hnp.arrays(np.bool_, shape))
    return draw(
        hnp.arrays(np.int64, shape, elements=st.integers(-(2**40), 2**40))
    )


def outcome(call, names):
    """Run ``call``; accept a finite result or a clear error naming one of ``names``."""
    try:
        result = call()
    except (ValueError, TypeError) as err:
        message = str(err)
        assert any(
            re.search(rf"\b{re.escape(n)}\b", message) for n in names
        ), f"error does not name {names}: {message}"
        return None
    for part in result if isinstance(result, tuple) else (result,):
        if isinstance(part, torch.Tensor):
            part = part.detach().numpy()
        if isinstance(part, np.ndarray) and part.dtype.kind in "fc":
            assert np.all(np.isfinite(part)), "silent NaN or inf in the result"
        elif isinstance(part, float):
            assert np.isfinite(part), "silent NaN or inf in the result"
    return result


@SETTINGS
@given(X=arrays())
def test_pca_center(X):
    outcome(lambda: pca.center(X), ["X"])


@SETTINGS
@given(X=arrays())
def test_pca_covariance(X):
    outcome(lambda: pca.covariance(X), ["X_centered"])


@SETTINGS
@given(C=arrays(max_side=5))
def test_pca_eig_descending(C):
    outcome(lambda: pca.eig_descending(C), ["C"])


@SETTINGS
@given(X=arrays(), k=st.integers(-3, 10))
def test_pca_estimator(X, k):
    def run():
        model = pca.PCA(num_components=k).fit(X)
        return model.inverse_transform(model.transform(X))

    outcome(run, ["X", "num_components", "Z"])


@SETTINGS
@given(Xc=arrays(), V=arrays(), k=st.integers(-2, 8))
def test_pca_project(Xc, V, k):
    outcome(
        lambda: pca.project(Xc, V, k),
        ["X_centered", "eigenvectors", "num_components"],
    )


@SETTINGS
@given(Z=arrays(), V=arrays(), mean=arrays())
def test_pca_reconstruct(Z, V, mean):
    outcome(lambda: pca.reconstruct(Z, V, mean), ["Z", "eigenvectors", "mean"])


@SETTINGS
@given(
    image=arrays(max_side=8),
    kappa=st.sampled_from([-0.1, 0.0, 0.05, 0.3, np.nan]),
    w=st.integers(-1, 6),
)
def test_harris_response(image, kappa, w):
    outcome(
        lambda: harris.harris_response(image, kappa=kappa, window_size=w),
        ["image", "kappa", "window_size"],
    )


@SETTINGS
@given(
    image=arrays(max_side=8),
    derivative=st.sampled_from(["central", "sobel", "bogus"]),
)
def test_harris_eigenvalues_and_gradients(image, derivative):
    outcome(
        lambda: harris.structure_eigenvalues(image, derivative=derivative),
        ["image", "derivative"],
    )
    outcome(
        lambda: harris.image_gradients(image, derivative=derivative),
        ["image", "derivative"],
    )


@SETTINGS
@given(
    image=arrays(max_side=8), row=st.integers(-2, 9), col=st.integers(-2, 9)
)
def test_harris_gradient_pca(image, row, col):
    outcome(
        lambda: harris.gradient_pca(image, row, col), ["image", "row", "col"]
    )


@SETTINGS
@given(
    response=arrays(max_side=8),
    d=st.integers(-1, 3),
    t=st.sampled_from([-1.0, 0.0, 0.5, 2.0]),
)
def test_harris_corner_peaks(response, d, t):
    outcome(
        lambda: harris.corner_peaks(response, min_distance=d, threshold_rel=t),
        ["response", "min_distance", "threshold_rel"],
    )


@SETTINGS
@given(
    X=arrays(),
    y=arrays(max_dims=2),
    Q=arrays(),
    k=st.integers(-1, 8),
    backend=st.sampled_from(["kdtree", "brute"]),
)
def test_knn(X, y, Q, k, backend):
    outcome(
        lambda: knn.KNNClassifier(k, backend=backend).fit(X, y).predict(Q),
        ["X", "y", "num_neighbors"],
    )


@SETTINGS
@given(u=arrays())
def test_softmax(u):
    result = outcome(lambda: sm.softmax(u), ["u"])
    if result is not None:
        np.testing.assert_allclose(result.sum(axis=-1), 1.0)


@SETTINGS
@given(
    W=arrays(max_dims=3),
    b=arrays(max_dims=2),
    X=arrays(max_dims=4),
    y=arrays(max_dims=2),
)
def test_loss_and_grad(W, b, X, y):
    outcome(lambda: sm.loss(W, b, X, y), ["W", "b", "X", "y"])
    outcome(lambda: sm.loss_grad(W, b, X, y), ["W", "b", "X", "y"])


@SETTINGS
@given(W=st.sampled_from([1.0, 1e200]), scale=st.sampled_from([1.0, 1e200]))
def test_loss_with_huge_but_finite_values(W, scale):
    """Values each finite but whose products overflow: a clear error, not NaN."""
    Wm = np.full((3, 4), W)
    x = np.full(4, scale)
    outcome(lambda: sm.loss(Wm, np.zeros(3), x, 0), ["W", "b", "X", "y"])
    outcome(lambda: sm.loss_grad(Wm, np.zeros(3), x, 0), ["W", "b", "X", "y"])


@SETTINGS
@given(
    X=arrays(max_dims=4),
    y=arrays(max_dims=2),
    lr=st.sampled_from([-1.0, 0.0, 1e-3, np.nan, 1e300]),
    epochs=st.integers(-1, 2),
)
def test_sgd(X, y, lr, epochs):
    outcome(
        lambda: sm.sgd(X, y, lr=lr, num_epochs=epochs, progress=False)[:2],
        ["X", "y", "lr", "num_epochs", "batch_size"],
    )


@SETTINGS
@given(A=arrays(), B=arrays())
def test_knn_pairwise_sq_distances(A, B):
    outcome(lambda: knn.pairwise_sq_distances(A, B), ["A", "B"])


@SETTINGS
@given(y=arrays(max_dims=2), c=st.integers(-1, 12))
def test_one_hot(y, c):
    outcome(lambda: sm.one_hot(y, num_classes=c), ["y", "num_classes"])


@SETTINGS
@given(W=arrays(max_dims=3), b=arrays(max_dims=2), X=arrays(max_dims=3))
def test_predict(W, b, X):
    outcome(lambda: sm.predict(W, b, X), ["W", "b", "X"])


@settings(max_examples=25, deadline=None, derandomize=not DEEP, database=None)
@given(X=arrays(max_dims=4, max_side=4))
def test_nets_to_tensor(X):
    outcome(lambda: nets.to_tensor(X), ["X"])


@pytest.mark.parametrize(
    "bad",
    [
        np.full((2, 28, 28), np.nan),
        np.full((2, 28, 28), 1e300),
        np.zeros((2, 5, 5)),
    ],
)
def test_nets_predict_rejects_bad_images(bad):
    outcome(lambda: nets.predict_proba(nets.MLP(), bad), ["X"])


@SETTINGS
@given(y=arrays(max_dims=2), p=arrays(max_dims=2), c=st.integers(-1, 12))
def test_confusion_matrix(y, p, c):
    from hwlib.plots import confusion_matrix

    outcome(
        lambda: confusion_matrix(y, p, num_classes=c),
        ["y_true", "y_pred", "num_classes"],
    )
