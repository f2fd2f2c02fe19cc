"""hwlib's estimators inside scikit-learn's own tools (issue #21, item 4).

hwlib.pca.PCA and hwlib.knn.KNNClassifier follow scikit-learn's estimator
API (they derive from ``sklearn.base.BaseEstimator``): so a pipeline of the
two fits, cross-validation scores the classifier, and a grid search tunes
its ``num_neighbors``, on scikit-learn's own 8 x 8 digits (shipped with it,
offline). Results agree with doing the steps by hand and with
scikit-learn's k-NN.
"""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline

from hwlib.knn import KNNClassifier
from hwlib.pca import PCA


@pytest.fixture(scope="module")
def digits():
    """1,797 digits, 64 grey levels each (0..16), labels 0..9."""
    return load_digits(return_X_y=True)


def test_they_are_scikit_learn_estimators():
    for estimator in (PCA(5), KNNClassifier(3, backend="brute")):
        assert isinstance(estimator, BaseEstimator)
        assert estimator.__sklearn_tags__() is not None
        twin = clone(estimator)
        assert twin is not estimator
        assert twin.get_params() == estimator.get_params()
    assert isinstance(KNNClassifier(3), ClassifierMixin)
    assert PCA(50).get_params()["num_components"] == 50
    knn = KNNClassifier(3).set_params(num_neighbors=5)
    assert knn.get_params()["num_neighbors"] == 5


def test_pipeline_of_pca_and_knn(digits):
    X, y = digits
    train, test = slice(0, 1500), slice(1500, None)
    pipeline = make_pipeline(PCA(50), KNNClassifier(3))
    assert pipeline.fit(X[train], y[train]) is pipeline
    predicted = pipeline.predict(X[test])
    # The same as the two steps by hand.
    pca = PCA(50).fit(X[train])
    knn = KNNClassifier(3).fit(pca.transform(X[train]), y[train])
    np.testing.assert_array_equal(
        predicted, knn.predict(pca.transform(X[test]))
    )
    assert pipeline.score(X[test], y[test]) == pytest.approx(
        np.mean(predicted == y[test])
    )
    assert pipeline.score(X[test], y[test]) > 0.9


def test_cross_val_score_of_knn(digits):
    X, y = digits
    scores = cross_val_score(KNNClassifier(3), X, y, cv=5)
    assert scores.shape == (5,) and scores.min() > 0.9
    # scikit-learn's k-NN on the same folds (ties may go another way).
    reference = cross_val_score(KNeighborsClassifier(3), X, y, cv=5)
    np.testing.assert_allclose(scores, reference, atol=0.01)


def test_grid_search_over_num_neighbors(digits):
    X, y = digits
    pipeline = make_pipeline(PCA(30), KNNClassifier(1))
    search = GridSearchCV(
        pipeline, {"knnclassifier__num_neighbors": [1, 3, 5]}, cv=3
    )
    search.fit(X, y)
    assert search.best_params_["knnclassifier__num_neighbors"] in {1, 3, 5}
    assert search.best_score_ > 0.9
    assert len(search.cv_results_["mean_test_score"]) == 3
    best = search.best_estimator_
    assert isinstance(best[-1], KNNClassifier)
    np.testing.assert_array_equal(search.predict(X[:50]), best.predict(X[:50]))
    # The classifier alone, searched directly.
    alone = GridSearchCV(KNNClassifier(1), {"num_neighbors": [1, 3]}, cv=3)
    assert alone.fit(X, y).best_estimator_.num_neighbors in {1, 3}
