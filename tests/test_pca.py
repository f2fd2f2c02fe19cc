"""hwlib.pca against scikit-learn's PCA (an oracle used only here) and PCA's identities."""

import numpy as np
import pytest
from sklearn.decomposition import PCA as SkPCA

from hwlib import pca


@pytest.fixture
def X(rng):
    # Correlated data with a clear spectrum, like images.
    A = rng.normal(size=(8, 12))
    return rng.normal(size=(200, 8)) @ A + rng.normal(size=12)


def test_matches_sklearn(X):
    k = 5
    ours = pca.PCA(k).fit(X)
    ref = SkPCA(k, svd_solver="full").fit(X)
    np.testing.assert_allclose(
        ours.explained_variance_, ref.explained_variance_, rtol=1e-8
    )
    np.testing.assert_allclose(
        ours.explained_variance_ratio_,
        ref.explained_variance_ratio_,
        rtol=1e-8,
    )
    np.testing.assert_allclose(ours.mean_, ref.mean_, rtol=1e-12)
    signs = np.sign(np.sum(ours.components_ * ref.components_, axis=1))
    np.testing.assert_allclose(
        ours.components_ * signs[:, None], ref.components_, atol=1e-8
    )
    np.testing.assert_allclose(
        np.abs(ours.transform(X)), np.abs(ref.transform(X)), atol=1e-7
    )


def test_covariance_equals_np_cov(X):
    Xc, _ = pca.center(X)
    np.testing.assert_allclose(
        pca.covariance(Xc), np.cov(X, rowvar=False), rtol=1e-12, atol=1e-12
    )


def test_center_has_zero_mean_and_accepts_uint8_images(rng):
    images = rng.integers(0, 256, size=(30, 4, 4), dtype=np.uint8)
    Xc, mean = pca.center(images)
    assert Xc.shape == (30, 16) and Xc.dtype == np.float64
    np.testing.assert_allclose(Xc.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(Xc + mean, images.reshape(30, -1).astype(float))
    assert (Xc < 0).any()  # would be impossible in uint8


def test_eigenvalues_descending_nonnegative_and_vectors_orthonormal(X):
    values, vectors = pca.eig_descending(pca.covariance(pca.center(X)[0]))
    assert np.all(np.diff(values) <= 1e-12)
    assert values[-1] > -1e-9 * values[0]
    np.testing.assert_allclose(
        vectors.T @ vectors, np.eye(len(values)), atol=1e-10
    )
    C = pca.covariance(pca.center(X)[0])
    np.testing.assert_allclose(
        C @ vectors, vectors * values, atol=1e-8 * values[0]
    )


def test_components_orthonormal(X):
    comps = pca.PCA(6).fit(X).components_
    np.testing.assert_allclose(comps @ comps.T, np.eye(6), atol=1e-10)


def test_exact_reconstruction_at_full_dimension(X):
    model = pca.PCA(X.shape[1]).fit(X)
    np.testing.assert_allclose(
        model.inverse_transform(model.transform(X)), X, atol=1e-9
    )


def test_reconstruction_error_is_sum_of_discarded_eigenvalues(X):
    Xc, mean = pca.center(X)
    values, vectors = pca.eig_descending(pca.covariance(Xc))
    k = 3
    X_hat = pca.reconstruct(pca.project(Xc, vectors, k), vectors, mean)
    error = np.sum((X - X_hat) ** 2) / (len(X) - 1)
    np.testing.assert_allclose(error, values[k:].sum(), rtol=1e-9)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: pca.center(np.ones(5)), "X must be 2-D or 3-D"),
        (lambda: pca.center(np.ones((0, 3))), "X must not be empty"),
        (
            lambda: pca.center(np.array([[1.0, np.nan], [2.0, 3.0]])),
            "X must be finite",
        ),
        (
            lambda: pca.PCA(0).fit(np.ones((4, 3))),
            "num_components must be in 1..3",
        ),
        (
            lambda: pca.PCA(4).fit(np.ones((4, 3))),
            "num_components must be in 1..3",
        ),
        (lambda: pca.covariance(np.ones((1, 3))), "at least 2 rows"),
        (lambda: pca.eig_descending(np.ones((2, 3))), "C must be square"),
        (
            lambda: pca.eig_descending(np.array([[1.0, 2.0], [0.0, 1.0]])),
            "symmetric",
        ),
        (
            lambda: pca.project(np.ones((3, 2)), np.eye(2), 3),
            "num_components must be in 1..2",
        ),
        (
            lambda: pca.project(np.ones((3, 2)), np.eye(3), 1),
            "eigenvectors must have 2 rows",
        ),
    ],
)
def test_bad_input_is_rejected_with_the_argument_named(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_strings_are_a_type_error():
    with pytest.raises(TypeError, match="X must hold real numbers"):
        pca.center(np.array([["a", "b"], ["c", "d"]]))


def test_transform_before_fit():
    with pytest.raises(RuntimeError, match="fit"):
        pca.PCA(2).transform(np.ones((3, 3)))


def test_fix_signs_makes_the_largest_entry_positive(rng):
    V = rng.normal(size=(6, 4))
    fixed = pca.fix_signs(V)
    largest = np.argmax(np.abs(V), axis=0)
    assert np.all(fixed[largest, range(4)] > 0)
    # Each column is the original or its negative; applying twice is a no-op.
    assert np.all(np.isclose(fixed, V).all(0) | np.isclose(fixed, -V).all(0))
    np.testing.assert_array_equal(pca.fix_signs(fixed), fixed)


def test_components_do_not_depend_on_the_sign_lapack_returns(X):
    """Flipping an eigenvector (as another LAPACK build may) changes nothing."""
    model = pca.PCA(num_components=3).fit(X)
    largest = np.argmax(np.abs(model.components_), axis=1)
    assert np.all(model.components_[range(3), largest] > 0)
    C = pca.covariance(pca.center(X)[0])
    _, V = pca.eig_descending(C)
    np.testing.assert_array_equal(pca.fix_signs(-V), V)
