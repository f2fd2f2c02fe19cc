"""hwlib.knn against scikit-learn's brute-force k-NN (test-only oracle).

Also: KNNClassifier passes scikit-learn's own estimator checks and works in
cross_val_score, GridSearchCV and a Pipeline; kdtree_search finds scipy's
neighbours and counts its distance evaluations.
"""

import numpy as np
import pytest
from scipy.spatial import KDTree
from sklearn.datasets import load_digits
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import (
    GridSearchCV,
    StratifiedKFold,
    cross_val_score,
)
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from hwlib import knn
from hwlib.knn import KNNClassifier, kdtree_search


@pytest.fixture
def problem(rng):
    """Continuous random data: no two distances tie."""
    X = rng.normal(size=(300, 20))
    y = rng.integers(0, 4, 300)
    Q = rng.normal(size=(80, 20))
    return X, y, Q


@pytest.mark.parametrize("k", [1, 3, 7])
@pytest.mark.parametrize("backend", ["kdtree", "brute"])
def test_same_neighbours_as_sklearn(problem, k, backend):
    X, y, Q = problem
    ours = KNNClassifier(k, backend=backend).fit(X, y)
    ref = KNeighborsClassifier(k, algorithm="brute").fit(X, y)
    dist, ind = ours.kneighbors(Q)
    ref_dist, ref_ind = ref.kneighbors(Q)
    np.testing.assert_array_equal(ind, ref_ind)
    np.testing.assert_allclose(dist, ref_dist, rtol=1e-10)
    if (
        k == 1 or k == 7
    ):  # k = 3 with 4 classes can tie, where the tie rules differ
        np.testing.assert_array_equal(ours.predict(Q), ref.predict(Q))


def test_backends_agree(problem):
    X, y, Q = problem
    a = KNNClassifier(5, backend="kdtree").fit(X, y)
    b = KNNClassifier(5, backend="brute").fit(X, y)
    np.testing.assert_array_equal(a.predict(Q), b.predict(Q))
    np.testing.assert_array_equal(a.kneighbors(Q)[1], b.kneighbors(Q)[1])


def test_tie_goes_to_smallest_label():
    X = np.array([[0.0], [1.0], [-1.0], [5.0]])
    y = np.array([7, 2, 9, 2])
    # Neighbours of 0.1 with k=3: labels 7, 2, 9, one vote each: the smallest wins.
    assert KNNClassifier(3).fit(X, y).predict(np.array([[0.1]]))[0] == 2


def test_uint8_images_give_the_float_result(rng):
    X8 = rng.integers(0, 256, (60, 6, 6), dtype=np.uint8)
    y = rng.integers(0, 3, 60)
    Q8 = rng.integers(0, 256, (10, 6, 6), dtype=np.uint8)
    for backend in ["kdtree", "brute"]:
        a = KNNClassifier(3, backend=backend).fit(X8, y)
        b = KNNClassifier(3, backend=backend).fit(
            X8.reshape(60, -1).astype(float), y
        )
        np.testing.assert_allclose(
            a.kneighbors(Q8)[0],
            b.kneighbors(Q8.reshape(10, -1).astype(float))[0],
        )
        # The distance between images 3 and 5 apart is 2 per pixel, never 254.
    d, _ = (
        KNNClassifier(1, backend="brute")
        .fit(np.full((1, 4), 3, np.uint8), [0])
        .kneighbors(np.full((1, 4), 5, np.uint8))
    )
    assert d[0, 0] == pytest.approx(4.0)


def test_chunking_does_not_change_results(problem, monkeypatch):
    X, y, Q = problem
    full = KNNClassifier(4, backend="brute").fit(X, y).kneighbors(Q)
    monkeypatch.setattr(
        knn, "_CHUNK_BYTES", 4 * 300 * 3
    )  # three queries per chunk
    chunked = KNNClassifier(4, backend="brute").fit(X, y).kneighbors(Q)
    np.testing.assert_array_equal(full[1], chunked[1])
    np.testing.assert_allclose(full[0], chunked[0])


def test_float32_shortlist_is_reranked_exactly(rng):
    # Near-duplicate training points at large offset: float32 cannot order them, float64 can.
    base = rng.normal(size=(1, 50)) * 1e4
    X = np.repeat(base, 6, axis=0) + np.arange(6)[:, None] * 1e-3
    y = np.arange(6)
    _, ind = KNNClassifier(6, backend="brute").fit(X, y).kneighbors(base)
    np.testing.assert_array_equal(ind[0], np.arange(6))


def test_pairwise_sq_distances_is_exact_identity(rng):
    A, B = rng.normal(size=(5, 3)), rng.normal(size=(4, 3))
    ref = ((A[:, None, :] - B[None, :, :]) ** 2).sum(-1)
    np.testing.assert_allclose(
        knn.pairwise_sq_distances(A, B), ref, atol=1e-12
    )


@pytest.mark.parametrize(
    "make, exc, match",
    [
        (
            lambda X, y: KNNClassifier(0).fit(X, y),
            ValueError,
            "num_neighbors must be in 1..10",
        ),
        (
            lambda X, y: KNNClassifier(11).fit(X, y),
            ValueError,
            "num_neighbors must be in 1..10",
        ),
        (
            lambda X, y: KNNClassifier(1, backend="ball").fit(X, y),
            ValueError,
            "backend",
        ),
        (
            lambda X, y: KNNClassifier(1).fit(X, y[:5]),
            ValueError,
            "y must have 10 entries",
        ),
        (
            lambda X, y: KNNClassifier(1).fit(X[:0], y[:0]),
            ValueError,
            "X: Found array with 0 sample",
        ),
        (
            lambda X, y: KNNClassifier(1).fit(np.where(X > 0, np.nan, X), y),
            ValueError,
            "Input X contains NaN",
        ),
        (
            lambda X, y: KNNClassifier(1).fit(X, y).predict(X[:, :2]),
            ValueError,
            "X has 2 features, but KNNClassifier is expecting 3",
        ),
        (
            lambda X, y: KNNClassifier(1).predict(X),
            NotFittedError,
            "not fitted",
        ),
        (
            lambda X, y: KNNClassifier(1.5).fit(X, y),
            TypeError,
            "num_neighbors must be an integer",
        ),
        (
            lambda X, y: KNNClassifier(1).fit(X, y + 0.5),
            ValueError,
            "Unknown label type: y must hold class labels",
        ),
    ],
)
def test_bad_input(rng, make, exc, match):
    X, y = rng.normal(size=(10, 3)), rng.integers(0, 2, 10)
    with pytest.raises(exc, match=match):
        make(X, y)


# scikit-learn's own checks of an estimator (clone, get_params, fit returning
# self, n_features_in_, error messages, pickling, ...). None has to be
# skipped; array-API input is skipped by scikit-learn itself unless
# SCIPY_ARRAY_API is set.
@parametrize_with_checks(
    [KNNClassifier(3), KNNClassifier(1, backend="brute")],
    expected_failed_checks=lambda estimator: {},
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:600], y[:600]


def test_params_are_stored_as_given():
    model = KNNClassifier(5, backend="brute")
    assert model.get_params() == {"num_neighbors": 5, "backend": "brute"}
    assert KNNClassifier().num_neighbors == 3
    # Validation happens in fit, not in __init__.
    bad = KNNClassifier(-1, backend="ball")
    assert (bad.num_neighbors, bad.backend) == (-1, "ball")


def test_fit_returns_self_and_score_is_accuracy(digits):
    X, y = digits
    model = KNNClassifier(3)
    assert model.fit(X[:500], y[:500]) is model
    np.testing.assert_array_equal(model.classes_, np.arange(10))
    assert model.n_features_in_ == 64
    pred = model.predict(X[500:])
    assert model.score(X[500:], y[500:]) == pytest.approx(
        np.mean(pred == y[500:])
    )


def test_string_labels_come_back(digits):
    X, y = digits
    names = np.array([f"digit {i}" for i in range(10)])[y]
    model = KNNClassifier(3).fit(X[:500], names[:500])
    np.testing.assert_array_equal(
        model.predict(X[500:]),
        names[KNNClassifier(3).fit(X[:500], y[:500]).predict(X[500:])],
    )


def test_cross_val_score(digits):
    X, y = digits
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    ours = cross_val_score(KNNClassifier(3), X, y, cv=folds)
    ref = cross_val_score(
        KNeighborsClassifier(3, algorithm="brute"), X, y, cv=folds
    )
    assert ours.shape == (5,) and ours.mean() > 0.9
    # Ties in distance can break differently: within one digit per fold.
    np.testing.assert_allclose(ours, ref, atol=1 / 100)


def test_grid_search(digits):
    X, y = digits
    search = GridSearchCV(
        KNNClassifier(backend="brute"),
        {"num_neighbors": [1, 3, 5]},
        cv=StratifiedKFold(4, shuffle=True, random_state=0),
    ).fit(X, y)
    assert search.best_params_["num_neighbors"] in (1, 3, 5)
    assert isinstance(search.best_estimator_, KNNClassifier)
    assert (
        search.best_estimator_.num_neighbors
        == search.best_params_["num_neighbors"]
    )
    assert search.cv_results_["mean_test_score"].shape == (3,)


def test_pipeline_with_a_scaler(digits):
    X, y = digits
    pipe = make_pipeline(StandardScaler(), KNNClassifier(3)).fit(
        X[:500], y[:500]
    )
    Xs = StandardScaler().fit(X[:500]).transform(X[500:])
    np.testing.assert_array_equal(
        pipe.predict(X[500:]),
        KNNClassifier(3)
        .fit(StandardScaler().fit_transform(X[:500]), y[:500])
        .predict(Xs),
    )
    # Scaling pixels by their spread does not help k-NN here (rare border
    # pixels get weight): the test asserts the plumbing, not a gain.
    assert pipe.score(X[500:], y[500:]) > 0.7


@pytest.mark.parametrize("leafsize", [1, 10, 400])
@pytest.mark.parametrize("balanced", [True, False])
def test_kdtree_search_finds_scipys_neighbours(problem, leafsize, balanced):
    X, _, Q = problem
    tree = KDTree(X, leafsize=leafsize, balanced_tree=balanced)
    dist, ind, evaluations = kdtree_search(tree, Q, 3)
    ref_dist, ref_ind = tree.query(Q, k=3)
    np.testing.assert_allclose(dist, ref_dist, rtol=1e-12)
    np.testing.assert_array_equal(ind, ref_ind)
    assert np.all((3 <= evaluations) & (evaluations <= len(X)))
    if leafsize >= len(X):  # one leaf: every point is measured
        assert np.all(evaluations == len(X))


def test_kdtree_search_prunes_in_low_dimension(rng):
    X = rng.random((2000, 2))
    tree = KDTree(X)
    _, _, evaluations = kdtree_search(tree, rng.random((50, 2)), 1)
    assert np.median(evaluations) < 0.05 * len(X)


def test_kdtree_search_bad_input(problem):
    X, _, Q = problem
    tree = KDTree(X)
    with pytest.raises(TypeError, match="tree must be"):
        kdtree_search(X, Q, 1)
    with pytest.raises(ValueError, match="X must have 20 features"):
        kdtree_search(tree, Q[:, :3], 1)
    with pytest.raises(ValueError, match="k must be in 1..300"):
        kdtree_search(tree, Q, 301)
