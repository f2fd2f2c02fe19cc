"""hwlib.legacy_kdtree: today's SciPy as oracle for float64, hand-worked uint8.

The float64 tree must find what ``scipy.spatial.KDTree`` finds. For uint8
there is no oracle left in SciPy, so each case below is small enough to
work out by hand; the comments show the arithmetic. (The expected values
were also checked once against SciPy 1.3.3's own kdtree.py, and 1.4.1's for
exact_distances, run under numpy 1.26, which still promotes the old way.)
"""

import numpy as np
import pytest
from scipy.spatial import KDTree

from hwlib.legacy_kdtree import LegacyKDTree


def inner_splits(tree):
    """Split values of the inner nodes, in creation order (children first)."""
    return [s for d, s in zip(tree._split_dim, tree._split) if d >= 0]


def u8(rows):
    return np.array(rows, dtype=np.uint8)


# ------------------------------------------------- float64: same as SciPy


@pytest.mark.parametrize("leafsize", [1, 2, 10, 40])
@pytest.mark.parametrize("num_dims", [1, 3, 8])
def test_float_matches_scipy(rng, leafsize, num_dims):
    X = rng.normal(size=(300, num_dims))
    Q = rng.normal(size=(40, num_dims))
    tree = LegacyKDTree(X, leafsize=leafsize)
    ref = KDTree(X)
    for k in (1, 3, 8):
        dist, ind = tree.query(Q, k=k)
        ref_dist, ref_ind = ref.query(Q, k=k)
        assert dist.shape == ind.shape == ref_dist.shape
        np.testing.assert_array_equal(ind, ref_ind)
        np.testing.assert_allclose(dist, ref_dist, rtol=1e-12)


def test_float_degenerate_dims_match_scipy(rng):
    # Column 0 constant, column 1 two values, column 2 continuous; twelve
    # points share x = 5 so that, within a cell wider than its points, the
    # split slides and finally peels points off one by one.
    X = np.column_stack(
        [np.zeros(60), rng.integers(0, 2, 60), rng.normal(size=60)]
    )
    X[:12, 1] = 5.0
    X[12] = [0.0, 10.0, 0.3]
    Q = np.column_stack(
        [rng.normal(size=30), 5 * rng.random(30), rng.normal(size=30)]
    )
    for leafsize in (1, 2, 10):
        dist, ind = LegacyKDTree(X, leafsize=leafsize).query(Q, k=4)
        ref_dist, ref_ind = KDTree(X).query(Q, k=4)
        np.testing.assert_array_equal(ind, ref_ind)
        np.testing.assert_allclose(dist, ref_dist, rtol=1e-12)


def test_float_duplicate_points(rng):
    # Every point three times: equal distances, so compare the points found.
    X = np.repeat(rng.normal(size=(50, 4)), 3, axis=0)
    Q = rng.normal(size=(30, 4))
    for leafsize in (1, 5, 10):
        dist, ind = LegacyKDTree(X, leafsize=leafsize).query(Q, k=5)
        ref_dist, ref_ind = KDTree(X).query(Q, k=5)
        np.testing.assert_allclose(dist, ref_dist, rtol=1e-12)
        np.testing.assert_array_equal(X[ind], X[ref_ind])


def test_identical_points_make_one_leaf():
    X = np.ones((25, 2))
    tree = LegacyKDTree(X, leafsize=2)
    assert tree.depth == 0  # no side has any width: the root stays a leaf
    dist, ind = tree.query(np.array([[1.0, 2.0]]), k=3)
    np.testing.assert_array_equal(dist, [[1.0, 1.0, 1.0]])
    np.testing.assert_array_equal(ind, [[0, 1, 2]])  # ties: lowest rows


def test_more_neighbours_than_points_like_scipy():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0]])
    Q = np.array([[0.1, 0.1]])
    dist, ind = LegacyKDTree(X).query(Q, k=5)
    ref_dist, ref_ind = KDTree(X).query(Q, k=5)
    np.testing.assert_array_equal(ind, ref_ind)  # missing: index 3 (= N)
    np.testing.assert_allclose(dist, ref_dist, rtol=1e-12)  # and inf


def test_exact_distances_changes_nothing_for_float(rng):
    X, Q = rng.normal(size=(200, 5)), rng.normal(size=(20, 5))
    tree = LegacyKDTree(X, leafsize=4)
    plain, wanted = (
        tree.query(Q, k=3),
        tree.query(Q, k=3, exact_distances=True),
    )
    np.testing.assert_array_equal(plain[0], wanted[0])
    np.testing.assert_array_equal(plain[1], wanted[1])


# ------------------------------------------------- uint8: worked by hand


@pytest.mark.parametrize(
    ("point", "query", "expected"),
    [
        (5, 3, 2.0),  # 3 - 5 = 254 in uint8; 254**2 = 64516 = 4 mod 256
        (19, 3, 0.0),  # 3 - 19 = 240; 240**2 = 57600 = 0 mod 256
        (20, 0, 12.0),  # 0 - 20 = 236; 236**2 = 55696 = 144 mod 256
        (200, 0, 8.0),  # 0 - 200 = 56; 56**2 = 3136 = 64 mod 256
    ],
)
def test_uint8_distance_wraps(point, query, expected):
    dist, ind = LegacyKDTree(u8([[point]])).query(u8([[query]]))
    assert dist[0] == expected and ind[0] == 0
    exact, _ = LegacyKDTree(u8([[point]])).query(
        u8([[query]]), exact_distances=True
    )
    assert exact[0] == abs(point - query)


def test_uint8_sum_is_not_wrapped():
    # Each of 4 differences 0 - 15 = 241 squares to 58081 = 225 mod 256; the
    # sum 900 is kept (np.sum of uint8 gave uint64), not 900 mod 256 = 132.
    dist, _ = LegacyKDTree(u8([[15, 15, 15, 15]])).query(u8([[0, 0, 0, 0]]))
    assert dist[0] == 30.0


def test_uint8_zero_distance_counts_as_farthest():
    # One leaf; wrapped squared distances from 3: 0 (to 19), 9, 4. SciPy kept
    # -d in its heap; for d = 9, -np.uint64(9) = 2**64 - 9, but -0 = 0 is
    # the smallest key, so the point at distance 0 sits on top as if it were
    # the farthest. After two points the k-th best is "0", and the point at
    # 4 is rejected: the answer is rows 0 and 1, not 0 and 2.
    dist, ind = LegacyKDTree(u8([[19], [0], [1]])).query(u8([[3]]), k=2)
    np.testing.assert_array_equal(ind, [[0, 1]])
    np.testing.assert_array_equal(dist, [[0.0, 3.0]])


def test_uint8_one_leaf_finds_the_wrapped_minimum(rng):
    # With a single leaf and k = 1 the search is brute force over the
    # wrapped distances: the first smallest one wins.
    X = rng.integers(0, 256, size=(30, 6), dtype=np.uint8)
    Q = rng.integers(0, 256, size=(20, 6), dtype=np.uint8)
    diff = Q[:, None, :] - X[None, :, :]  # uint8: wraps
    wrapped = (diff * diff).sum(-1, dtype=np.uint64)  # square wraps too
    dist, ind = LegacyKDTree(X, leafsize=30).query(Q)
    np.testing.assert_array_equal(ind, wrapped.argmin(axis=1))
    np.testing.assert_allclose(dist, np.sqrt(wrapped.min(axis=1)), rtol=1e-15)


def test_uint8_split_sum_wraps():
    # Root cell [100, 200]: 200 + 100 = 300 wraps to 44, and 44 / 2 = 22.0
    # lies below every point, so the split slides up to the lowest point,
    # 100. The cell above, [100, 200] again, holds 150 and 200: the same
    # 22.0, sliding to 150. float64 splits at 150.0, then at 125.0.
    X = [[100], [200], [150]]
    wrapped = LegacyKDTree(u8(X), leafsize=1)
    assert inner_splits(wrapped) == [150, 100]
    assert inner_splits(LegacyKDTree(np.array(X, float), leafsize=1)) == [
        125.0,
        150.0,
    ]
    # Either tree still holds every point.
    _, ind = wrapped.query(u8(X), exact_distances=True)
    np.testing.assert_array_equal(ind, [0, 1, 2])


def test_uint8_split_bound_truncates():
    # Root [0, 255] splits at 127.5; stored into the uint8 bounds it becomes
    # 127, so the lower cell [0, 127] splits at 63.5 (float64: 63.75). Its
    # lower cell [0, 63] splits at 31.5 above both 0 and 10, and slides
    # down to 10.
    X = [[0], [255], [10], [100]]
    assert inner_splits(LegacyKDTree(u8(X), leafsize=1)) == [10, 63.5, 127.5]
    assert inner_splits(LegacyKDTree(np.array(X, float), leafsize=1)) == [
        10.0,
        63.75,
        127.5,
    ]


def test_uint8_wrapped_bound_prunes_the_nearest_point():
    # Points 33, 25, 28, 38 (leafsize 1), query 25, distances exact.
    # Root cell [25, 38]: its bound should be 0, but 25 - 38 wraps to 243
    # and 243**2 = 59049 = 169 mod 256. Split 31.5: the near half {25, 28}
    # keeps 169; the far half {33, 38} gets (31.5 - 25)**2 = 42.25 and is
    # searched first. There 33 is found at squared distance 64, 38 (169)
    # is rejected, and the near half, at bound 169 > 64, is never opened:
    # the query point itself, at distance 0, is missed.
    tree = LegacyKDTree(u8([[33], [25], [28], [38]]), leafsize=1)
    dist, ind = tree.query(u8([[25]]), exact_distances=True)
    assert ind[0] == 0 and dist[0] == 8.0
    # float64 data: the bound is 0 and the point itself is found.
    dist, ind = LegacyKDTree(
        np.array([[33.0], [25.0], [28.0], [38.0]]), leafsize=1
    ).query(np.array([[25.0]]))
    assert ind[0] == 1 and dist[0] == 0.0


def test_uint8_exact_bounds_find_the_nearest_point():
    # The tree of the test above with exact bounds: the root bound is 0,
    # the split 31.5 sends the query to the half {25, 28}, which holds it.
    tree = LegacyKDTree(
        u8([[33], [25], [28], [38]]), leafsize=1, exact_bounds=True
    )
    dist, ind = tree.query(u8([[25]]), exact_distances=True)
    assert ind[0] == 1 and dist[0] == 0.0
    # Wrapped distances, exact bounds: 25 - 33 = 248 wraps, 248**2 = 61504
    # = 64 mod 256, so 33 is at "8" again; 25 itself is still at 0, and
    # (k = 1) nothing beats 0.
    dist, ind = tree.query(u8([[25]]))
    assert ind[0] == 1 and dist[0] == 0.0


@pytest.mark.parametrize("leafsize", [1, 3, 10])
def test_uint8_exact_bounds_and_distances_match_float(rng, leafsize):
    # Exact bounds and exact distances: the uint8 tree is the float64 tree.
    X = rng.integers(0, 256, size=(200, 6), dtype=np.uint8)
    X[:, 0] = 0  # a constant column, as MNIST's borders
    Q = rng.integers(0, 256, size=(30, 6), dtype=np.uint8)
    tree = LegacyKDTree(X, leafsize=leafsize, exact_bounds=True)
    dist, ind = tree.query(Q, k=3, exact_distances=True)
    ref_dist, ref_ind = KDTree(X.astype(float)).query(Q.astype(float), k=3)
    np.testing.assert_array_equal(ind, ref_ind)
    np.testing.assert_allclose(dist, ref_dist, rtol=1e-12)
    float_tree = LegacyKDTree(X.astype(float), leafsize=leafsize)
    assert inner_splits(tree) == inner_splits(float_tree)


def test_uint8_exact_bounds_one_leaf_is_wrapped_brute_force(rng):
    # One leaf: the bounds play no part, so exact bounds change nothing.
    X = rng.integers(0, 256, size=(30, 6), dtype=np.uint8)
    Q = rng.integers(0, 256, size=(20, 6), dtype=np.uint8)
    plain = LegacyKDTree(X, leafsize=30).query(Q, k=2)
    exact = LegacyKDTree(X, leafsize=30, exact_bounds=True).query(Q, k=2)
    np.testing.assert_array_equal(plain[0], exact[0])
    np.testing.assert_array_equal(plain[1], exact[1])


def test_num_examined_counts_the_leaves_opened():
    # Leaves of one point, the tree of the wrapped-bound test: both leaves
    # of the far half {33, 38} are opened (38 is compared and rejected),
    # the near half is pruned: 2 points examined. With exact bounds the near half
    # {25, 28} comes first: both its leaves are opened (a leaf's bound is
    # not tested), and the far half, at bound 42.25 > 0, is pruned.
    for exact_bounds in (False, True):
        tree = LegacyKDTree(
            u8([[33], [25], [28], [38]]), leafsize=1, exact_bounds=exact_bounds
        )
        tree.query(u8([[25]]), exact_distances=True)
        np.testing.assert_array_equal(tree.num_examined_, [2])
    # One leaf holding everything: every point is examined, every query.
    X = np.arange(12.0).reshape(6, 2)
    tree = LegacyKDTree(X, leafsize=6)
    tree.query(X[:4], k=2)
    np.testing.assert_array_equal(tree.num_examined_, [6, 6, 6, 6])


def test_num_examined_is_at_most_all_points(rng):
    X, Q = rng.normal(size=(300, 2)), rng.normal(size=(25, 2))
    tree = LegacyKDTree(X, leafsize=5)
    tree.query(Q, k=3)
    assert tree.num_examined_.shape == (25,)
    assert np.all(tree.num_examined_ >= 3) and np.all(tree.num_examined_ < 300)


def test_uint8_tree_keeps_its_dtype():
    data = u8([[1, 2], [3, 4]])
    tree = LegacyKDTree(data)
    assert tree.data.dtype == tree.maxes.dtype == tree.mins.dtype == np.uint8
    np.testing.assert_array_equal(tree.maxes, [3, 4])


# ------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("data", "kwargs", "error", "name"),
    [
        (np.arange(6).reshape(3, 2), {}, TypeError, "data"),  # int64
        (np.ones((3, 2), np.float32), {}, TypeError, "data"),
        (np.ones((3, 2), complex), {}, TypeError, "data"),
        (np.ones(3), {}, ValueError, "data"),
        (u8(np.ones(3)), {}, ValueError, "data"),
        (np.ones((0, 2)), {}, ValueError, "data"),
        (u8(np.ones((0, 2))), {}, ValueError, "data"),
        (np.array([[0.0, np.nan]]), {}, ValueError, "data"),
        (np.ones((3, 2)), {"leafsize": 0}, ValueError, "leafsize"),
        (np.ones((3, 2)), {"leafsize": 2.5}, TypeError, "leafsize"),
        (np.ones((3, 2)), {"exact_bounds": 1}, TypeError, "exact_bounds"),
    ],
)
def test_bad_construction(data, kwargs, error, name):
    with pytest.raises(error, match=name):
        LegacyKDTree(data, **kwargs)


@pytest.mark.parametrize(
    ("data", "X", "kwargs", "error", "name"),
    [
        (u8([[1, 2]]), np.ones((1, 2)), {}, TypeError, "X"),
        (u8([[1, 2]]), u8([[1, 2, 3]]), {}, ValueError, "X"),
        (u8([[1, 2]]), u8([1, 2]), {}, ValueError, "X"),
        (np.ones((2, 2)), np.ones((1, 3)), {}, ValueError, "X"),
        (np.ones((2, 2)), np.array([[np.inf, 0.0]]), {}, ValueError, "X"),
        (np.ones((2, 2)), np.ones((1, 2)), {"k": 0}, ValueError, "k"),
        (np.ones((2, 2)), np.ones((1, 2)), {"k": 1.0}, TypeError, "k"),
        (
            np.ones((2, 2)),
            np.ones((1, 2)),
            {"exact_distances": 1},
            TypeError,
            "exact_distances",
        ),
    ],
)
def test_bad_query(data, X, kwargs, error, name):
    with pytest.raises(error, match=name):
        LegacyKDTree(data).query(X, **kwargs)


def test_float_tree_accepts_integer_queries():
    # numpy promoted an integer query against float64 data to float64.
    tree = LegacyKDTree(np.array([[0.0, 0.0], [3.0, 4.0]]))
    dist, ind = tree.query(np.array([[3, 3]]))
    assert ind[0] == 1 and dist[0] == 1.0
