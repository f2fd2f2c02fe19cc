"""k-nearest-neighbour classification (pages `knn` and `knn-further`).

Two interchangeable backends find the neighbours: ``"kdtree"`` uses
``scipy.spatial.KDTree`` as question 2.1 asks; ``"brute"`` computes exact
Euclidean distances with one matrix product per chunk of queries. Votes are
counted with ``scipy.stats.mode``. :class:`KNNClassifier` is a scikit-learn
estimator (``fit``/``predict``/``score``, ``get_params``), so it works in
``cross_val_score``, ``GridSearchCV`` and ``Pipeline``.

:func:`kdtree_search` repeats scipy's best-first search on scipy's own tree
in float64 and counts the distance evaluations that scipy does not report
(page `knn-further`).
"""

from __future__ import annotations

import heapq
import numbers

import numpy as np
from scipy.spatial import KDTree
from scipy.stats import mode
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils import check_array, column_or_1d

from ._checks import as_images_or_matrix, check_int_in_range

__all__ = ["KNNClassifier", "kdtree_search", "pairwise_sq_distances"]

_BACKENDS = ("kdtree", "brute")
# float32 distance block per chunk: far under the 1 GB budget
_CHUNK_BYTES = 256 * 2**20
_EXTRA_CANDIDATES = 8  # float32 shortlist margin re-ranked in float64
_GROUP = 64  # training points per group in the shortlist search
# Points with norms below this have squared distances that fit in float32
# (max 3.4e38).
_MAX_NORM = 1e18


def _as_points(X: object, name: str) -> np.ndarray:
    """Images (N, H, W) or a matrix (N, d) as float64 (N, d), checked.

    scikit-learn's ``check_array`` gives its usual messages (sparse, complex,
    object dtype, 1-D input, NaN); each is prefixed with the argument's name.
    """
    if X is None:
        raise ValueError(f"{name} must be an array, got None")
    try:
        # check_array tests finiteness on the sum, which warns for inf - inf
        # before it raises its own clear error.
        with np.errstate(invalid="ignore", over="ignore"):
            X = check_array(
                X, dtype="numeric", allow_nd=True, input_name=name, copy=False
            )
    except (TypeError, ValueError) as err:
        raise type(err)(f"{name}: {err}") from None
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


def _class_labels(y: object, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (classes, codes): sorted distinct labels and each row's index."""
    if y is None:
        raise ValueError(
            "KNNClassifier requires y to be passed, but the target y is None"
        )
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = column_or_1d(arr, warn=True)  # warns, as scikit-learn does
    if arr.ndim != 1:
        raise ValueError(f"y must be 1-D, got shape {arr.shape}")
    if arr.shape[0] != n:
        raise ValueError(
            f"y must have {n} entries (one per row of X), got {arr.shape[0]}"
        )
    if arr.dtype.kind in "fc" and not np.all(np.isfinite(arr)):
        raise ValueError("Input y contains NaN or infinity: y must be finite")
    if arr.dtype.kind == "c" or (
        arr.dtype.kind == "f" and not np.all(arr == np.round(arr))
    ):
        raise ValueError(
            "Unknown label type: y must hold class labels (integers or "
            "strings), got continuous values"
        )
    if arr.dtype.kind not in "biufUSO":
        raise TypeError(f"y must hold class labels, got dtype {arr.dtype}")
    if arr.dtype.kind in "iuf":  # integer labels come back as int64
        arr = arr.astype(np.int64)
    try:
        classes, codes = np.unique(arr, return_inverse=True)
    except TypeError as err:  # objects that cannot be ordered
        raise TypeError(f"y must hold sortable class labels: {err}") from None
    return classes, codes.reshape(-1)


class KNNClassifier(ClassifierMixin, BaseEstimator):
    """Majority vote of the nearest training points (eq. `knn-vote`).

    The vote is among the ``num_neighbors`` nearest ones. A scikit-learn
    classifier: parameters are stored as given and checked in ``fit``.

    Parameters
    ----------
    num_neighbors : int, default 3
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
    y_ : ndarray, shape (N,)
        Training labels, as given.
    classes_ : ndarray
        Sorted distinct labels.
    n_features_in_ : int
        Number of features (pixels) seen in ``fit``.

    Notes
    -----
    Ties in the vote go to the smallest label: that is what
    ``scipy.stats.mode`` returns among equally frequent values. Images
    (N, H, W) are accepted and flattened to (N, H * W).

    Examples
    --------
    >>> X = [[0.0], [1.0], [10.0], [11.0]]
    >>> knn = KNNClassifier(num_neighbors=1).fit(X, [0, 0, 1, 1])
    >>> knn.predict([[2.0], [9.0]])
    array([0, 1])
    """

    def __init__(
        self, num_neighbors: int = 3, *, backend: str = "kdtree"
    ) -> None:
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
        if not isinstance(self.backend, str) or self.backend not in _BACKENDS:
            raise ValueError(
                f"backend must be one of {_BACKENDS}, got {self.backend!r}"
            )
        if isinstance(self.num_neighbors, numbers.Real) and not isinstance(
            self.num_neighbors, numbers.Integral
        ):
            raise TypeError(
                f"num_neighbors must be an integer, got {self.num_neighbors!r}"
            )
        X = _as_points(X, "X")
        self.classes_, self._codes = _class_labels(y, X.shape[0])
        self.y_ = self.classes_[self._codes]
        n = X.shape[0]
        if isinstance(self.num_neighbors, numbers.Integral) and (
            self.num_neighbors > n
        ):
            raise ValueError(
                f"num_neighbors must be in 1..{n}, got {self.num_neighbors}: "
                f"X has only {n} sample(s)"
            )
        check_int_in_range(self.num_neighbors, "num_neighbors", 1, n)
        self.n_features_in_ = X.shape[1]
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
        if not hasattr(self, "n_features_in_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError(
                "this KNNClassifier is not fitted yet: call fit(X, y) first"
            )
        X = _as_points(X, "X")
        d = self.n_features_in_
        if X.shape[1] != d:
            raise ValueError(
                f"X has {X.shape[1]} features, but KNNClassifier is expecting "
                f"{d} features as input (like the training data)"
            )
        k = self.num_neighbors
        if hasattr(self, "kdtree_"):
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
        codes = mode(self._codes[indices], axis=1, keepdims=False).mode
        return self.classes_[codes]


def _flat_tree(tree: KDTree) -> list[tuple]:
    """scipy's tree as a list: (split_dim, split, less, greater) or (idx,)."""
    nodes: list[tuple] = []

    def add(node) -> int:
        at = len(nodes)
        nodes.append(())
        if hasattr(node, "split_dim"):
            less, greater = add(node.less), add(node.greater)
            nodes[at] = (node.split_dim, node.split, less, greater)
        else:
            nodes[at] = (np.asarray(node.idx, dtype=np.int64),)
        return at

    add(tree.tree)
    return nodes


def kdtree_search(
    tree: KDTree, X: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Best-first k-NN search on scipy's tree, counting distance evaluations.

    The search of ``scipy.spatial.KDTree.query``, written out in Python and
    float64 (page `knn-further`): cells wait in a priority queue ordered by
    their lower bound (eq. `knn-box`); the nearest cell is taken, and from a
    split the near child is entered at once while the far child is queued
    with its bound raised along the split coordinate only; a leaf's points
    are measured. As in SciPy, the search stops when the cell taken from the
    queue is to be split further and its bound exceeds the current k-th
    smallest squared distance; a leaf taken from the queue is measured
    whatever its bound, so the counts are those of SciPy's search.

    Parameters
    ----------
    tree : scipy.spatial.KDTree
        A built tree (any leaf size, median or midpoint splits).
    X : array_like, shape (M, d) or images (M, H, W)
        Queries.
    k : int
        Number of neighbours, ``1 <= k <= tree.n``.

    Returns
    -------
    distances : ndarray of float64, shape (M, k)
        Euclidean, ascending (ties by index).
    indices : ndarray of int64, shape (M, k)
    evaluations : ndarray of int64, shape (M,)
        Training points whose distance to the query was computed.

    Examples
    --------
    >>> tree = KDTree(np.arange(40.0).reshape(20, 2), leafsize=2)
    >>> d, i, n = kdtree_search(tree, [[0.0, 1.0]], 1)
    >>> int(i[0, 0]), bool(n[0] < 20)
    (0, True)
    """
    if not isinstance(tree, KDTree):
        raise TypeError(f"tree must be a scipy.spatial.KDTree, got {tree!r}")
    X = _as_points(X, "X")
    if X.shape[1] != tree.m:
        raise ValueError(f"X must have {tree.m} features, got {X.shape[1]}")
    k = check_int_in_range(k, "k", 1, tree.n)
    data = np.asarray(tree.data, dtype=np.float64)
    lo, hi = data.min(axis=0), data.max(axis=0)
    nodes = _flat_tree(tree)
    distances = np.empty((len(X), k))
    indices = np.empty((len(X), k), dtype=np.int64)
    evaluations = np.zeros(len(X), dtype=np.int64)
    for q, x in enumerate(X):
        side2 = np.maximum(np.maximum(lo - x, 0.0), x - hi) ** 2
        queue = [(float(side2.sum()), 0, 0, side2)]  # (bound, tiebreak, node)
        pushed = 1
        best_d2 = np.full(k, np.inf)
        best_i = np.full(k, -1, dtype=np.int64)
        while queue:
            bound, _, node, side2 = heapq.heappop(queue)
            if len(nodes[node]) == 4 and bound > best_d2[-1]:
                break  # every cell left is farther (SciPy tests inner cells)
            while len(nodes[node]) == 4:  # descend, queueing far children
                dim, split, less, greater = nodes[node]
                near, far = (
                    (less, greater) if x[dim] < split else (greater, less)
                )
                far_side2 = side2.copy()
                far_side2[dim] = (x[dim] - split) ** 2
                far_bound = bound - side2[dim] + far_side2[dim]
                if far_bound <= best_d2[-1]:
                    heapq.heappush(queue, (far_bound, pushed, far, far_side2))
                    pushed += 1
                node = near
            (idx,) = nodes[node]
            diff = data[idx] - x
            d2 = np.einsum("ij,ij->i", diff, diff)
            evaluations[q] += len(idx)
            all_d2 = np.concatenate([best_d2, d2])
            all_i = np.concatenate([best_i, idx])
            order = np.lexsort((all_i, all_d2))[:k]
            best_d2, best_i = all_d2[order], all_i[order]
        distances[q], indices[q] = np.sqrt(best_d2), best_i
    return distances, indices, evaluations
