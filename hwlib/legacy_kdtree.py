"""SciPy's pure-Python KD-tree of 2019, uint8 arithmetic included (`errata`).

The homework's answer key built ``scipy.spatial.KDTree`` on MNIST images
kept as ``uint8`` and reported a 3-NN accuracy of 55.43 %. In November 2019
(SciPy 1.3.x with numpy 1.17) that class was written in Python, in
``scipy/spatial/kdtree.py``, and did its arithmetic in the data's own dtype:
with ``uint8`` images the distances, the pruning bounds and the split values
wrap modulo 256. SciPy 1.4.0 cast the leaf distances to float64 (its comment
cites gh-10262) but left the bounds in the input dtype; from SciPy 1.6 on,
``KDTree`` wraps the compiled ``cKDTree``, which computes in float64. No
current SciPy can re-run the key's computation, so this module re-implements
it: :class:`LegacyKDTree` builds the same tree (sliding-midpoint splits) and
runs the same best-first search with the same pruning rule, with every
operation done in the dtype in which SciPy 1.3 and numpy 1.17 did it.

NumPy 2 changed how numpy scalars combine with Python numbers (NEP 50), so
nothing here relies on today's promotion rules. Where the old numpy wrapped,
truncated or widened a value, the code says so in a comment and does it
explicitly, with Python integers and ``% 256`` or with same-dtype array
operations, whose wrapping is the same in every numpy version.

Only ``uint8`` and ``float64`` data are accepted, the two dtypes whose 2019
arithmetic is reproduced, and the query is fixed to SciPy's defaults
(``eps=0``, ``p=2``, ``distance_upper_bound=inf``).
"""

from __future__ import annotations

import heapq
import math
import struct

import numpy as np

from ._checks import as_float_array, check_int_in_range

__all__ = ["LegacyKDTree"]

_BYTE = 256  # uint8 arithmetic is modulo 256
# np.sum of uint8 accumulated in np.uint: 64 bits on Linux and macOS (32 on
# Windows then; the modulus changes no comparison made below).
_WORD = 2**64
_DTYPES = (np.dtype(np.uint8), np.dtype(np.float64))
_LEAF = -1  # split dimension that marks a leaf
_CHUNK = 64  # queries whose distances are computed together
_CHUNK_POINTS = 4096  # points converted to float64 at a time
_pack_side = struct.Struct(">d").pack  # one side's value, as queued
_unpack_side = struct.Struct(">d").unpack_from


class LegacyKDTree:
    """The KD-tree of SciPy 1.3 (``scipy.spatial.KDTree``), dtype included.

    Parameters
    ----------
    data : array_like of uint8 or float64, shape (N, m)
        The points, one per row (flatten images first).
    leafsize : int, default 10
        A cell with at most this many points is not split further.
    exact_bounds : bool, default False
        For ``uint8`` data: build the splits and compute the pruning bounds
        exactly (as for float64 data), while the leaf distances keep their
        ``uint8`` arithmetic unless :meth:`query` is given
        ``exact_distances=True``. No SciPy ever did this; it completes the
        2 x 2 design (distances x bounds) that separates the two effects.
        No effect for ``float64`` data.

    Attributes
    ----------
    data : ndarray, shape (N, m)
        A copy of the points, in their own dtype.
    leafsize : int
    maxes, mins : ndarray, shape (m,), same dtype as ``data``
        The bounding box of all points: the root cell.
    num_examined_ : ndarray of intp, shape (M,)
        Set by each call of :meth:`query`: for each query, the number of
        points whose distance the search compared with the k-th best, that
        is, the points of every leaf it opened. Without pruning it would be
        ``N``.
    depth : int
        Level of the deepest leaf (the root is level 0). SciPy built the tree
        by recursion, so beyond about 990 levels its constructor would have
        stopped with a ``RecursionError``; this one builds with a loop.

    Notes
    -----
    Construction splits each cell at the middle of its widest side. If all
    points fall on one side, the split slides to the nearest point
    (Maneewongvatana and Mount's sliding midpoint); if they all share the
    coordinate, the last point is split off alone. As in SciPy, a cell keeps
    the bounds inherited from its parent, not those of its points.

    The search pops cells from a priority queue ordered by a lower bound on
    the squared distance from the query to the cell, brute-forces the
    leaves, and stops at the first inner cell whose bound exceeds the k-th
    best squared distance found so far. With ``uint8`` data the bounds are
    computed in ``uint8``: one can exceed the true distance, and the search
    then skips a cell it should have opened. The leaf distances wrap too.
    ``exact_distances=True`` in :meth:`query` computes the leaf distances
    exactly but keeps the wrapped bounds and splits, as SciPy 1.4 and 1.5
    did; ``exact_bounds=True`` does the opposite. With both, a ``uint8``
    tree finds what a float64 tree finds.

    One detail cannot be reproduced: when two queued cells had equal
    bounds and equal per-side distances, SciPy ordered them by ``id()``, a
    memory address. Here they are ordered by creation (children before
    their parent, lesser side first). On the book's sample no answer
    depends on that order.

    Examples
    --------
    >>> import numpy as np
    >>> from hwlib.legacy_kdtree import LegacyKDTree
    >>> points = np.array([[0.0, 0.0], [3.0, 4.0], [10.0, 10.0]])
    >>> LegacyKDTree(points).query(np.array([[2.0, 3.0]]), k=2)
    (array([[1.41421356, 3.60555128]]), array([[1, 0]]))

    In ``uint8``, 3 - 19 wraps to 240, and 240**2 = 57600 is 0 modulo 256,
    so 19 is at distance 0 from 3:

    >>> tree = LegacyKDTree(np.array([[19], [0]], dtype=np.uint8))
    >>> query = np.array([[3]], dtype=np.uint8)
    >>> tree.query(query)
    (array([0.]), array([0]))
    >>> tree.query(query, exact_distances=True)
    (array([3.]), array([1]))
    """

    def __init__(
        self,
        data: np.ndarray,
        *,
        leafsize: int = 10,
        exact_bounds: bool = False,
    ) -> None:
        self.data = _as_points(data, "data")
        self.leafsize = check_int_in_range(leafsize, "leafsize", 1)
        if not isinstance(exact_bounds, bool):
            raise TypeError(
                f"exact_bounds must be True or False, got {exact_bounds!r}"
            )
        self.exact_bounds = exact_bounds
        self._uint8 = self.data.dtype == np.uint8  # leaf distances may wrap
        self._wraps = self._uint8 and not exact_bounds  # bounds, splits wrap
        self.maxes = self.data.max(axis=0)
        self.mins = self.data.min(axis=0)
        # The root cell as the build and the search use it: float64 when
        # the bounds are exact (a split stored into uint8 would truncate).
        self._maxes = self.maxes if self._wraps else self.maxes.astype(float)
        self._mins = self.mins if self._wraps else self.mins.astype(float)
        self._build()

    # ----------------------------------------------------------------- build

    def _build(self) -> None:
        """Build the tree; nodes are numbered in creation order.

        SciPy's recursive ``__build`` created a node after both of its
        subtrees, the lesser one first. The explicit stack below creates
        them in the same order, so the numbers stand in for SciPy's
        ``id()`` in the search's tie-break (see the class Notes).
        """
        self._split_dim: list[int] = []  # _LEAF for a leaf
        self._split: list[float | int] = []
        self._int_split: list[bool] = []  # split held as np.uint8 in SciPy
        self._less: list[int] = []
        self._greater: list[int] = []
        # A leaf holds rows _order[_first[node]:_stop[node]], ascending.
        self._first: list[int] = []
        self._stop: list[int] = []
        leaf_rows: list[np.ndarray] = []
        num_placed = 0  # rows already in leaves

        num_points = self.data.shape[0]
        todo = [(np.arange(num_points), self._maxes, self._mins, 0)]
        finished: list[int] = []  # node numbers of completed subtrees
        self.depth = 0
        while todo:
            task = todo.pop()
            if task[0] is None:  # both subtrees done: create their parent
                _, dim, split, int_split = task
                greater = finished.pop()
                less = finished.pop()
                finished.append(
                    self._add_node(dim, split, int_split, less, greater)
                )
                continue
            ids, maxes, mins, level = task
            plan = self._plan_split(ids, maxes, mins)
            if plan is None:
                self.depth = max(self.depth, level)
                leaf_rows.append(ids)
                rows = (num_placed, num_placed + len(ids))
                num_placed += len(ids)
                finished.append(
                    self._add_node(_LEAF, 0, False, _LEAF, _LEAF, rows)
                )
                continue
            dim, split, int_split, below, above = plan
            less_maxes, greater_mins = maxes.copy(), mins.copy()
            if self._wraps:
                # `lessmaxes[d] = split` stored a float64 (or np.uint8) into
                # a copy of the uint8 bounds: numpy cast it by C truncation,
                # 127.5 -> 127, silently. split >= 0, so int() truncates the
                # same way.
                less_maxes[dim] = greater_mins[dim] = int(split)
            else:
                less_maxes[dim] = greater_mins[dim] = split
            todo.append((None, dim, split, int_split))
            todo.append((ids[above], maxes, greater_mins, level + 1))
            todo.append((ids[below], less_maxes, mins, level + 1))
        (self._root,) = finished
        order = np.concatenate(leaf_rows)
        self._order = order.tolist()
        # The points leaf by leaf, so that one vectorised step per query
        # gives every leaf's distances (see _sq_distances).
        self._grouped = self.data[order]

    def _plan_split(
        self, ids: np.ndarray, maxes: np.ndarray, mins: np.ndarray
    ) -> tuple[int, float | int, bool, np.ndarray, np.ndarray] | None:
        """Where SciPy split a cell: (dim, split, int_split, below, above).

        ``below`` and ``above`` are positions in ``ids``; None means a leaf.
        """
        if len(ids) <= self.leafsize:
            return None
        # The widest side of the cell. For uint8 this difference of two
        # uint8 arrays was taken in uint8; it cannot wrap, because the
        # truncated bounds below never cross (maxes >= mins in every cell).
        dim = int(np.argmax(maxes - mins))
        top, bottom = maxes[dim].item(), mins[dim].item()  # Python numbers
        if top == bottom:  # every side has zero width: identical points
            return None
        column = self.data[ids, dim]
        if self._wraps:
            # `maxval + minval` added two np.uint8 scalars: numpy 1.17
            # wrapped the sum modulo 256 (with only an overflow warning),
            # and `/ 2` then gave a float64: 200 + 100 -> 44 -> 22.0. (NEP 50
            # would also wrap here; `% 256` makes it independent of that.)
            split = ((top + bottom) % _BYTE) / 2
            values = column.astype(np.float64)  # compared as float64, exact
        else:
            split = (top + bottom) / 2
            values = column
        int_split = False
        below = np.flatnonzero(values <= split)
        above = np.flatnonzero(values > split)
        # A wrapped midpoint lies below the whole cell, so for uint8 the
        # first fallback is taken every time the sum wrapped.
        if len(below) == 0:  # slide the split down to the lowest point
            # np.amin returned a scalar of the data's dtype (np.uint8).
            split, int_split = column.min().item(), self._wraps
            below = np.flatnonzero(column <= split)
            above = np.flatnonzero(column > split)
        if len(above) == 0:  # slide it up to the highest point
            split, int_split = column.max().item(), self._wraps
            below = np.flatnonzero(column < split)
            above = np.flatnonzero(column >= split)
        if len(below) == 0:  # all share this coordinate: split off the last
            # (SciPy's "Troublesome data array" error, for a column that is
            # not constant here, cannot happen with finite data.)
            split, int_split = column[0].item(), self._wraps
            below = np.arange(len(ids) - 1)
            above = np.array([len(ids) - 1])
        return dim, split, int_split, below, above

    def _add_node(
        self,
        dim: int,
        split: float | int,
        int_split: bool,
        less: int,
        greater: int,
        rows: tuple[int, int] = (0, 0),
    ) -> int:
        """Append a node (a leaf if ``dim`` is _LEAF); return its number."""
        self._split_dim.append(dim)
        self._split.append(split)
        self._int_split.append(int_split)
        self._less.append(less)
        self._greater.append(greater)
        self._first.append(rows[0])
        self._stop.append(rows[1])
        return len(self._split_dim) - 1

    # ----------------------------------------------------------------- query

    def query(
        self, X: np.ndarray, *, k: int = 1, exact_distances: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` nearest points to each row of ``X``, as SciPy 1.3 did it.

        Parameters
        ----------
        X : array_like, shape (M, m)
            Query points. For a ``uint8`` tree they must be ``uint8`` too (a
            wider dtype would have changed the 2019 arithmetic); for a
            ``float64`` tree any real dtype is converted to float64, which
            is what numpy's promotion did.
        k : int, default 1
            Number of neighbours. Named ``k`` (not ``num_neighbors``) to
            keep SciPy's historical signature ``query(x, k=1)``.
        exact_distances : bool, default False
            Compute the query-to-point distances at the leaves exactly, as
            SciPy 1.4 and 1.5 did by casting to float64, while the pruning
            bounds and the splits keep the data's dtype. No effect for
            ``float64`` data.

        Returns
        -------
        distances : ndarray of float64, shape (M,) if k == 1 else (M, k)
            Ascending along each row, as the search computed them (wrapped
            for ``uint8`` unless ``exact_distances``). ``inf`` where fewer
            than ``k`` points were found.
        indices : ndarray of intp, same shape
            Rows of ``data``; ``N`` (one past the last row) where missing.
        """
        X = _as_points(X, "X", like=self.data)
        if X.shape[1] != self.data.shape[1]:
            raise ValueError(
                f"X must have {self.data.shape[1]} columns like data, "
                f"got {X.shape[1]}"
            )
        k = check_int_in_range(k, "k", 1)
        if not isinstance(exact_distances, bool):
            raise TypeError(
                "exact_distances must be True or False, "
                f"got {exact_distances!r}"
            )
        num_queries = X.shape[0]
        distances = np.full((num_queries, k), np.inf)
        indices = np.full((num_queries, k), self.data.shape[0], dtype=np.intp)
        self.num_examined_ = np.zeros(num_queries, dtype=np.intp)
        # The wrapped search stops after a few leaves and computes their
        # distances on arrival, as SciPy did. The others visit nearly every
        # leaf (in 784 dimensions the bounds prune little), so all their
        # distances are computed at once.
        lazy = self._uint8 and not exact_distances
        for start in range(0, num_queries, _CHUNK):
            block = X[start : start + _CHUNK]
            if not lazy:
                dense = self._sq_distances(block, exact_distances)
            for row, x in enumerate(block, start):
                sq_dists = None if lazy else dense[row - start].tolist()
                hits, self.num_examined_[row] = self._search(
                    x, sq_dists, k, exact_distances
                )
                for j, (dist, i) in enumerate(hits):
                    distances[row, j] = dist
                    indices[row, j] = i
        if k == 1:
            return distances[:, 0], indices[:, 0]
        return distances, indices

    def _search(
        self, x: np.ndarray, sq_dists: list | None, k: int, exact: bool
    ) -> tuple[list[tuple[float, int]], int]:
        """SciPy's ``__query`` for one point: sorted (distance, row) pairs.

        Also returns the number of points in the leaves it opened.

        ``sq_dists`` holds the squared distances from ``x`` to all points in
        leaf order (see _sq_distances); None: compute the wrapped ones of a
        leaf when it is reached.
        """
        wraps = self._wraps  # the bounds and splits
        # SciPy negated each squared distance to keep the farthest neighbour
        # on top of a min-heap. For wrapped uint8 distances that value was
        # an np.uint64 (see _wrapped_sq_distances); -np.uint64(d) wrapped
        # to 2**64 - d, which keeps the order for d > 0, but -0 is 0: a
        # point at wrapped distance 0 ranks as the *farthest* neighbour.
        unsigned = self._uint8 and not exact
        side = self._root_side_distances(x)
        if wraps:
            # np.sum of a uint8 array accumulated in np.uint (uint64 here):
            # no wrap, the exact sum.
            bound = int(side.sum(dtype=np.uint64))
        else:
            bound = float(np.sum(side))  # pairwise summation, as in SciPy
        # SciPy queued tuple(side_distances) with each cell, so cells with
        # equal bounds were ordered by comparing these tuples. The values
        # here are exact in float64 and never negative, so big-endian
        # float64 bytes compare like the tuples did, but at memcmp speed.
        sides = (side + 0.0).astype(">f8").tobytes()  # + 0.0: no -0.0
        coords = x.tolist()
        split_dim, splits, int_split = (
            self._split_dim,
            self._split,
            self._int_split,
        )
        less, greater = self._less, self._greater
        first, stop, order = self._first, self._stop, self._order
        grouped = self._grouped

        cells = [(bound, sides, self._root)]
        # Entries (-squared distance, row); the top is the farthest kept.
        neighbours: list[tuple[float | int, int]] = []
        kth_best = math.inf  # SciPy's distance_upper_bound, squared
        examined = 0
        while cells:
            bound, sides, node = heapq.heappop(cells)
            dim = split_dim[node]
            if dim == _LEAF:
                lo, hi = first[node], stop[node]
                examined += hi - lo
                if sq_dists is None:
                    dists = _wrapped_sq_distances(x, grouped[lo:hi]).tolist()
                else:
                    dists = sq_dists[lo:hi]
                for row, dist in zip(order[lo:hi], dists):
                    if dist < kth_best:
                        if len(neighbours) == k:
                            heapq.heappop(neighbours)
                        key = (-dist) % _WORD if unsigned else -dist
                        heapq.heappush(neighbours, (key, row))
                        if len(neighbours) == k:
                            top = neighbours[0][0]
                            kth_best = (-top) % _WORD if unsigned else -top
                continue
            # SciPy tested the bound only on inner cells; since the queue
            # is ordered by bound, nothing left can be nearer: stop.
            if bound > kth_best:
                break
            split, coord = splits[node], coords[dim]
            # np.uint8 against a float64 or np.uint8 split: compared exactly.
            if coord < split:
                near, far = less[node], greater[node]
            else:
                near, far = greater[node], less[node]
            # The near child inherits the parent's bound unchanged.
            heapq.heappush(cells, (bound, sides, near))
            # The far child: replace this side's term by the squared
            # distance to the splitting plane.
            if int_split[node]:
                # The split was an np.uint8 scalar: `split - x[d]` of two
                # np.uint8 scalars wrapped modulo 256 and np.abs kept it;
                # `** 2` with the Python int 2 then promoted to int64 in
                # numpy 1.17 (NEP 50 would keep uint8 and wrap again), so
                # the square itself does not wrap.
                plane = ((split - coord) % _BYTE) ** 2
            else:
                # A float64 split makes the difference and the square
                # float64: exact for uint8 data, which are integers.
                plane = abs(split - coord) ** 2
            # SciPy's running bound went from np.uint64 to float64 here
            # (uint64 with float64, or with int64, gives float64); for uint8
            # data all values are integers or quarters far below 2**53, so
            # nothing is rounded.
            at = 8 * dim
            far_bound = bound - _unpack_side(sides, at)[0] + plane
            if far_bound <= kth_best:
                far_sides = sides[:at] + _pack_side(plane) + sides[at + 8 :]
                heapq.heappush(cells, (far_bound, far_sides, far))

        if unsigned:
            found = [((-key) % _WORD, row) for key, row in neighbours]
        else:
            found = [(-key, row) for key, row in neighbours]
        # SciPy's `(-d) ** (1./p)`: a power of 0.5, not np.sqrt.
        return sorted((dist**0.5, row) for dist, row in found), examined

    def _root_side_distances(self, x: np.ndarray) -> np.ndarray:
        """Per-side squared distances from ``x`` to the root cell: (m,)."""
        if self._wraps:
            # `x - self.maxes` and `self.mins - x` subtracted uint8 arrays:
            # both wrap modulo 256, so a point inside the cell gets large
            # values instead of 0. np.maximum(0, ...) with the Python int 0
            # stayed uint8 and changed nothing.
            side = np.maximum(x - self.maxes, self.mins - x)
            # `side_distances **= 2` squared in place in uint8: modulo 256.
            return np.square(side)
        x = x.astype(np.float64)  # exact bounds for uint8 data too
        side = np.maximum(0.0, np.maximum(x - self._maxes, self._mins - x))
        return np.square(side)

    def _sq_distances(self, X: np.ndarray, exact: bool) -> np.ndarray:
        """Exact squared distances from the rows of ``X`` to all points.

        Shape (M, N), columns in leaf order (``_order``). SciPy computed a
        leaf's distances when the search reached it, as ``np.sum(np.abs(x -
        points) ** 2, axis=-1)`` with ``points = data[leaf]``; computing
        them all up front gives the same values.
        """
        points = self._grouped
        sq_dists = np.empty((X.shape[0], points.shape[0]))
        if not self._uint8:
            for x, row in zip(X, sq_dists):
                # Row by row, summed like SciPy's (n, m) blocks: bit for bit.
                np.square(x - points).sum(axis=-1, out=row)
            return sq_dists
        # uint8 data with exact distances: SciPy 1.4 cast to float64 first.
        # Integers below 2**53 are exact in float64 however they are summed,
        # so the expanded square gives the same, exact values.
        X = X.astype(np.float64)
        for s in range(0, points.shape[0], _CHUNK_POINTS):
            block = points[s : s + _CHUNK_POINTS].astype(np.float64)
            sq_dists[:, s : s + _CHUNK_POINTS] = (
                np.square(X).sum(axis=1)[:, None]
                - 2.0 * (X @ block.T)
                + np.square(block).sum(axis=1)[None, :]
            )
        return sq_dists


def _wrapped_sq_distances(x: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Squared distances of uint8 points as SciPy before 1.4 took them: (n,).

    ``minkowski_distance_p`` computed ``np.sum(np.abs(x - points) ** 2,
    axis=-1)`` in the data's dtype: the uint8 difference wraps modulo 256,
    np.abs changes nothing, ``** 2`` squares in uint8 (modulo 256 again),
    and np.sum of a uint8 array accumulates in np.uint (uint64), exactly.
    """
    return np.square(x - points).sum(axis=-1, dtype=np.uint64)


def _as_points(
    value: object, name: str, *, like: np.ndarray | None = None
) -> np.ndarray:
    """A copy of 2-D uint8 or float64 points, never converting uint8.

    For queries (``like`` is the tree's data): a uint8 tree takes uint8
    only; a float64 tree converts any real dtype to float64.
    """
    arr = np.asarray(value)
    if like is not None and like.dtype == np.float64:
        return as_float_array(arr, name, ndim=2)
    if like is not None and arr.dtype != like.dtype:
        raise TypeError(
            f"{name} must have dtype {like.dtype} like data, got {arr.dtype}: "
            "a different dtype would change the arithmetic being reproduced"
        )
    if arr.dtype not in _DTYPES:
        raise TypeError(
            f"{name} must have dtype uint8 or float64, got {arr.dtype} "
            "(convert with .astype(np.float64) for exact arithmetic)"
        )
    if arr.dtype == np.float64:
        return as_float_array(arr, name, ndim=2)  # finite, 2-D, a copy
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-D, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    return arr.copy()
