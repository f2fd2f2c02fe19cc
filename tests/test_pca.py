"""hwlib.pca against scikit-learn's PCA (an oracle used only here) and PCA's identities.

Also scikit-learn's own estimator checks: hwlib.pca.PCA is a transformer that
can be cloned, put in a pipeline and cross-validated.
"""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA as SkPCA
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import cross_val_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

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
    with pytest.raises(NotFittedError, match="fit"):
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


def test_the_cores_shown_on_the_page_are_what_the_wrappers_compute(X):
    """Page `pca` shows the cores; the public functions add only guards."""
    Xc, mean = pca._center(X)
    ours_c, ours_mean = pca.center(X)
    np.testing.assert_array_equal(Xc, ours_c)
    np.testing.assert_array_equal(mean, ours_mean)
    C = pca._covariance(Xc)
    np.testing.assert_array_equal(C, pca.covariance(Xc))
    values, vectors = pca._eig_descending(C)
    ours_values, ours_vectors = pca.eig_descending(C)
    np.testing.assert_array_equal(values, ours_values)
    np.testing.assert_array_equal(pca.fix_signs(vectors), ours_vectors)
    Z = pca._project(Xc, ours_vectors, 3)
    np.testing.assert_array_equal(Z, pca.project(Xc, ours_vectors, 3))
    np.testing.assert_array_equal(
        pca._reconstruct(Z, ours_vectors, mean),
        pca.reconstruct(Z, ours_vectors, mean),
    )


def test_center_flattens_uint8_images_without_wrapping(rng):
    images = rng.integers(0, 256, size=(5, 3, 3), dtype=np.uint8)
    Xc, mean = pca._center(images)
    assert Xc.shape == (5, 9) and Xc.dtype == np.float64
    np.testing.assert_allclose(Xc + mean, images.reshape(5, 9))


# scikit-learn's estimator checks (scikit-learn 1.9 API). Every check passes;
# a check that had to be skipped would be listed here, with its reason.
EXPECTED_FAILED_CHECKS: dict[str, str] = {}


@parametrize_with_checks(
    [pca.PCA(num_components=2)],
    expected_failed_checks=lambda estimator: EXPECTED_FAILED_CHECKS,
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def test_parameters_are_stored_as_given_and_checked_in_fit():
    model = pca.PCA(num_components=-1)  # no error yet: sklearn's contract
    assert model.get_params() == {"num_components": -1}
    with pytest.raises(ValueError, match="num_components must be in"):
        model.fit(np.ones((4, 3)) + np.eye(4, 3))
    with pytest.raises(TypeError, match="num_components must be an integer"):
        pca.PCA(num_components=2.5).fit(np.eye(4, 3))
    assert clone(pca.PCA(3)).num_components == 3  # positional still works


def test_default_keeps_every_component(X):
    model = pca.PCA().fit(X)
    assert model.components_.shape == (X.shape[1], X.shape[1])
    assert model.n_components_ == X.shape[1] == model.n_features_in_
    np.testing.assert_allclose(model.explained_variance_ratio_.sum(), 1.0)


def test_fit_accepts_images_and_returns_self(rng):
    images = rng.integers(0, 256, size=(20, 4, 4), dtype=np.uint8)
    model = pca.PCA(num_components=3)
    assert model.fit(images, y=np.zeros(20)) is model
    assert model.n_features_in_ == 16
    assert model.fit_transform(images).shape == (20, 3)


def test_pipeline_cross_validates_like_sklearns_pca():
    """In a pipeline with k-NN, the same scores as scikit-learn's own PCA.

    The codes agree up to the sign of each component, which changes no
    distance, so every fold predicts the same labels.
    """
    X, y = load_digits(return_X_y=True)
    ours = make_pipeline(pca.PCA(num_components=20), KNeighborsClassifier(3))
    ref = make_pipeline(
        SkPCA(n_components=20, svd_solver="full"), KNeighborsClassifier(3)
    )
    scores = cross_val_score(ours, X, y, cv=5)
    np.testing.assert_allclose(scores, cross_val_score(ref, X, y, cv=5))
    assert scores.mean() > 0.9
