"""k-nearest-neighbour classification (page `knn`).

Two interchangeable backends find the neighbours: ``"kdtree"`` uses
``scipy.spatial.KDTree`` as question 2.1 allows; ``"brute"`` computes exact
Euclidean distances with one matrix product per chunk of queries. Votes are
counted with ``scipy.stats.mode``.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import KDTree
from scipy.stats import mode

from ._checks import as_images_or_matrix, check_int_in_range, check_labels

__all__ = ["KNNClassifier", "pairwise_sq_distances"]

_BACKENDS = ("kdtree", "brute")
# float32 distance block per chunk: far under the 1 GB budget
_CHUNK_BYTES = 256 * 2**20
_EXTRA_CANDIDATES = 8  # float32 shortlist margin re-ranked in float64
_GROUP = 64  # training points per group in the shortlist search
# Points with norms below this have squared distances that fit in float32
# (max 3.4e38).
_MAX_NORM = 1e18


def _as_points(X: object, name: str) -> np.ndarray:
    X = as_images_or_matrix(X, name)
    largest = float(np.abs(X).max()) * np.sqrt(X.shape[1])
    if largest > _MAX_NORM:
        raise ValueError(
            f"{name} values are too large: squared distances would overflow "
            f"(norms up to {largest:.1e})"
        )
    return X


def pairwise_sq_distances(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Squared Euclidean distances by the expanded square (eq. `knn-expand`).

    ``||a - b||^2 = ||a||^2 - 2 a.b + ||b||^2``, so all distances between two
    sets cost one matrix product.

    Parameters
    ----------
    A : array_like, shape (n, d) or images (n, H, W)
    B : array_like, shape (m, d) or images (m, H, W)
        uint8 images are converted to float64 first, never wrapped.

    Returns
    -------
    D : ndarray of float64, shape (n, m)
        Clipped at 0: cancellation can leave tiny negatives.

    Examples
    --------
    >>> pairwise_sq_distances([[0.0, 0.0], [1.0, 1.0]], [[3.0, 4.0]])
    array([[25.],
           [13.]])
    """
    A = _as_points(A, "A")
    B = _as_points(B, "B")
    if A.shape[1] != B.shape[1]:
        raise ValueError(
            f"A and B must have the same number of features, got {A.shape[1]}"
            f" and {B.shape[1]}"
        )
    D = (A * A).sum(1)[:, None] - 2 * (A @ B.T) + (B * B).sum(1)[None, :]
    return np.maximum(D, 0, out=D)


class KNNClassifier:
    """Majority vote of the nearest training points (eq. `knn-vote`).

    The vote is among the ``num_neighbors`` nearest ones.

    Parameters
    ----------
    num_neighbors : int
        ``k >= 1``; at most the number of training points.
    backend : {"kdtree", "brute"}, default "kdtree"
        How neighbours are found. Both return the exact nearest neighbours,
        so predictions agree (up to ties between equal distances).

    Attributes
    ----------
    X_ : ndarray of float64, shape (N, d)
        Training points (``"brute"``); for ``"kdtree"`` see ``kdtree_.data``.
    kdtree_ : scipy.spatial.KDTree
        Only with ``backend="kdtree"``.
    y_ : ndarray of int64, shape (N,)
    classes_ : ndarray of int64
        Sorted distinct labels.

    Notes
    -----
    Ties in the vote go to the smallest label: that is what
    ``scipy.stats.mode`` returns among equally frequent values.

    Examples
    --------
    >>> X = [[0.0], [1.0], [10.0], [11.0]]
    >>> knn = KNNClassifier(num_neighbors=1).fit(X, [0, 0, 1, 1])
    >>> knn.predict([[2.0], [9.0]])
    array([0, 1])
    """

    def __init__(self, num_neighbors: int, *, backend: str = "kdtree") -> None:
        self.num_neighbors = num_neighbors
        self.backend = backend

    def fit(self, X: np.ndarray, y: np.ndarray) -> KNNClassifier:
        """Store the training set.

        Parameters
        ----------
        X : array_like, shape (N, d) or (N, H, W)
            uint8 is converted to float64.
        y : array_like of int, shape (N,)

        Returns
        -------
        self
        """
        if self.backend not in _BACKENDS:
            raise ValueError(
                f"backend must be one of {_BACKENDS}, got {self.backend!r}"
            )
        X = _as_points(X, "X")
        self.y_ = check_labels(y, "y", X.shape[0])
        check_int_in_range(self.num_neighbors, "num_neighbors", 1, X.shape[0])
        self.classes_ = np.unique(self.y_)
        if self.backend == "kdtree":
            self.kdtree_ = KDTree(X)
        else:
            self.X_ = X
            # float32 rows [-2 b, ||b||^2], padded to whole groups of _GROUP
            # points with "infinitely far" rows [0, inf]: then [a, 1] . row
            # = ||b||^2 - 2 a.b, the distance less the query's constant, in
            # one matrix product (eq. `knn-expand`).
            n, d = X.shape
            groups = -(-n // _GROUP)
            self._X32 = np.zeros((groups * _GROUP, d + 1), dtype=np.float32)
            self._X32[:n, :d] = X
            self._X32[:n, d] = (self._X32[:n, :d] ** 2).sum(1)
            self._X32[:n, :d] *= -2.0  # exact in binary floating point
            self._X32[n:, d] = np.inf
        return self

    def kneighbors(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Distances and indices of each query's nearest training points.

        Parameters
        ----------
        X : array_like, shape (M, d) or (M, H, W)

        Returns
        -------
        distances : ndarray of float64, shape (M, k)
            Euclidean, ascending along each row.
        indices : ndarray of int64, shape (M, k)
            Rows of the training set.
        """
        if not hasattr(self, "y_"):
            raise RuntimeError(
                "this KNNClassifier is not fitted yet: call fit(X, y) first"
            )
        X = _as_points(X, "X")
        d = self.kdtree_.m if self.backend == "kdtree" else self.X_.shape[1]
        if X.shape[1] != d:
            raise ValueError(
                f"X must have {d} features like the training data, "
                f"got {X.shape[1]}"
            )
        k = self.num_neighbors
        if self.backend == "kdtree":
            dist, ind = self.kdtree_.query(X, k=k)
            return dist.reshape(-1, k), ind.reshape(-1, k).astype(np.int64)
        return self._brute_kneighbors(X, k)

    def _brute_kneighbors(
        self, X: np.ndarray, k: int
    ) -> tuple[np.ndarray, np.ndarray]:
        N, d = self.X_.shape
        shortlist = min(N, k + _EXTRA_CANDIDATES)
        # Both per-chunk blocks (float32 distances, float64 candidate
        # differences) stay under _CHUNK_BYTES.
        rows = max(
            1,
            min(
                _CHUNK_BYTES // (4 * len(self._X32)),
                _CHUNK_BYTES // (8 * shortlist * d),
            ),
        )
        distances = np.empty((X.shape[0], k))
        indices = np.empty((X.shape[0], k), dtype=np.int64)
        Q32 = np.ones((X.shape[0], d + 1), dtype=np.float32)
        Q32[:, :d] = X
        for start in range(0, X.shape[0], rows):
            stop = min(start + rows, X.shape[0])
            cand = self._shortlist(Q32[start:stop], self._X32, shortlist)
            # float32 rounding may swap near-equal distances: rank the
            # shortlist exactly.
            diff = self.X_[cand] - X[start:stop, None, :]
            exact = np.einsum("qcd,qcd->qc", diff, diff)
            # By distance, then index.
            order = np.lexsort((cand, exact), axis=1)[:, :k]
            indices[start:stop] = np.take_along_axis(cand, order, 1)
            distances[start:stop] = np.sqrt(
                np.take_along_axis(exact, order, 1)
            )
        return distances, indices

    @staticmethod
    def _shortlist(Q: np.ndarray, X32: np.ndarray, m: int) -> np.ndarray:
        """Indices (q, m) of the m nearest training points to each query.

        Computed in float32. ``Q`` holds the queries as rows ``[a, 1]`` and
        ``X32`` the training points as rows ``[-2 b, ||b||^2]`` (see ``fit``),
        so ``Q X32^T`` is ``||b||^2 - 2 a.b``, which orders the training points
        like the distance. Selecting the m smallest of N values per query costs
        nearly as much as the product if done on all N, so we first keep the m
        groups of ``_GROUP`` points with the smallest minima: any of the m
        nearest points lies in one of them, since a group holding one has a
        minimum no larger than the m-th smallest value. Then we select among
        those m * _GROUP candidates.
        """
        D = Q @ X32.T
        n_groups = D.shape[1] // _GROUP
        group_min = D.reshape(len(Q), n_groups, _GROUP).min(axis=2)
        kth = min(m, n_groups) - 1
        best_groups = np.argpartition(group_min, kth, axis=1)[:, :m]
        cand = (best_groups[:, :, None] * _GROUP + np.arange(_GROUP)).reshape(
            len(Q), -1
        )
        nearest = np.argpartition(
            np.take_along_axis(D, cand, 1), m - 1, axis=1
        )[:, :m]
        return np.take_along_axis(cand, nearest, 1)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predicted labels, shape (M,), by majority vote of the neighbours."""
        _, indices = self.kneighbors(X)
        return mode(self.y_[indices], axis=1, keepdims=False).mode.astype(
            np.int64
        )
