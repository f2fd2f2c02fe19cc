"""Principal component analysis, one step per function (page `pca`).

The steps follow question 1.2: :func:`center`, :func:`covariance`,
:func:`eig_descending`, :func:`project`, :func:`reconstruct`. :class:`PCA`
composes them behind scikit-learn's estimator interface (``fit``,
``transform``, learned attributes with a trailing underscore).

Sign convention: an eigenvector is only defined up to its sign, and two
LAPACK builds may return either. :func:`fix_signs` makes the entry of largest
magnitude of every eigenvector positive (scikit-learn's ``svd_flip`` rule), so
figures of principal axes do not flip between machines.
"""

from __future__ import annotations

import numpy as np

from ._checks import (
    as_float_array,
    as_images_or_matrix,
    check_int_in_range,
    finite_result,
)

__all__ = [
    "center",
    "covariance",
    "eig_descending",
    "fix_signs",
    "project",
    "reconstruct",
    "PCA",
]


def center(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Subtract the mean of every feature (eq. `pca-center`).

    Parameters
    ----------
    X : array_like, shape (n, d) or (n, H, W)
        Data points as rows, or images (flattened to ``d = H * W``). uint8
        is converted to float64 before subtracting.

    Returns
    -------
    X_centered : ndarray, shape (n, d)
    mean : ndarray, shape (d,)
    """
    X_centered, mean = _center(X)
    message = "X is too large: centring overflows float64"
    return finite_result(X_centered, message), mean


def _center(X: object) -> tuple[np.ndarray, np.ndarray]:
    """:func:`center` without the final overflow check.

    PCA.fit checks the covariance instead.
    """
    raw = np.asarray(X)
    if raw.dtype.kind in "biu" and raw.ndim in (2, 3) and raw.size:
        # Integer images: average and subtract straight from the integers
        # into float64, one pass instead of converting first (never uint8
        # arithmetic).
        raw = raw.reshape(raw.shape[0], -1)
        mean = raw.mean(axis=0, dtype=np.float64)
        return np.subtract(raw, mean, dtype=np.float64), mean
    # A new float64 array: safe to centre in place.
    X = as_images_or_matrix(X, "X")
    with np.errstate(over="ignore", invalid="ignore"):
        mean = finite_result(
            X.mean(axis=0), "X is too large: its mean overflows float64"
        )
        X -= mean
    return X, mean


def covariance(X_centered: np.ndarray) -> np.ndarray:
    """Sample covariance ``X^T X / (n - 1)`` of centred data (eq. `pca-cov`).

    Parameters
    ----------
    X_centered : array_like, shape (n, d), n >= 2
        Rows with zero mean, as returned by :func:`center`.

    Returns
    -------
    C : ndarray, shape (d, d)
        Symmetric positive semi-definite.
    """
    X_centered = as_float_array(X_centered, "X_centered", ndim=2)
    n = X_centered.shape[0]
    if n < 2:
        raise ValueError(
            "X_centered must have at least 2 rows to estimate a covariance, "
            f"got {n}"
        )
    with np.errstate(over="ignore", invalid="ignore"):
        C = finite_result(
            X_centered.T @ X_centered / (n - 1),
            "X_centered is too large: its covariance overflows float64",
        )
        # The product is symmetric in exact arithmetic; make it so in floats.
        return (C + C.T) / 2


def eig_descending(C: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Eigen-decomposition of a symmetric matrix, largest eigenvalue first.

    Parameters
    ----------
    C : array_like, shape (d, d)
        Symmetric matrix (a covariance).

    Returns
    -------
    eigenvalues : ndarray, shape (d,)
        Descending.
    eigenvectors : ndarray, shape (d, d)
        Column ``i`` is the unit eigenvector of ``eigenvalues[i]``, its
        signs fixed by :func:`fix_signs`.

    Examples
    --------
    >>> eigenvalues, V = eig_descending(np.array([[1.0, 0.0], [0.0, 3.0]]))
    >>> eigenvalues
    array([3., 1.])
    >>> V
    array([[0., 1.],
           [1., 0.]])
    """
    C = as_float_array(C, "C", ndim=2)
    if C.shape[0] != C.shape[1]:
        raise ValueError(f"C must be square, got shape {C.shape}")
    scale = np.abs(C).max()
    if not np.all(np.abs(C - C.T) <= 1e-10 * scale):
        raise ValueError("C must be symmetric (a covariance matrix)")
    if scale > 1e150:  # eigh squares entries internally
        raise ValueError(
            f"C is too large to decompose in float64 (max |C| = {scale:.1e})"
        )
    eigenvalues, eigenvectors = np.linalg.eigh(
        C
    )  # ascending, for symmetric matrices
    return eigenvalues[::-1].copy(), fix_signs(eigenvectors[:, ::-1])


def fix_signs(V: np.ndarray) -> np.ndarray:
    """Flip columns so that each one's entry of largest magnitude is positive.

    ``v`` and ``-v`` are equally valid eigenvectors; this picks one of the
    two deterministically (scikit-learn's ``svd_flip`` rule, applied to
    columns). Among entries of equal magnitude the first counts.

    Parameters
    ----------
    V : array_like, shape (d, k)
        Eigenvectors as columns.

    Returns
    -------
    ndarray of float64, shape (d, k)
        A new array; ``V[:, i]`` or ``-V[:, i]`` for each ``i``.

    Examples
    --------
    >>> fix_signs(np.array([[0.6, -0.8], [-0.8, -0.6]]))
    array([[-0.6, 0.8],
           [ 0.8, 0.6]])
    """
    V = as_float_array(V, "V", ndim=2)
    largest = np.argmax(np.abs(V), axis=0)
    signs = np.sign(V[largest, np.arange(V.shape[1])])
    signs[signs == 0] = 1.0  # an all-zero column stays as it is
    return V * signs


def project(
    X_centered: np.ndarray, eigenvectors: np.ndarray, num_components: int
) -> np.ndarray:
    """Coordinates on the first principal axes (eq. `pca-project`).

    There are ``num_components`` of them.

    Parameters
    ----------
    X_centered : array_like, shape (n, d)
    eigenvectors : array_like, shape (d, d') with d' >= num_components
        Columns sorted by descending eigenvalue.
    num_components : int, 1 <= num_components <= d'
        The number ``k`` of axes kept.

    Returns
    -------
    Z : ndarray, shape (n, num_components)
    """
    X_centered = as_float_array(X_centered, "X_centered", ndim=2)
    V = _check_axes(eigenvectors, X_centered.shape[1])
    k = check_int_in_range(num_components, "num_components", 1, V.shape[1])
    with np.errstate(over="ignore", invalid="ignore"):
        Z = X_centered @ V[:, :k]
    return finite_result(
        Z, "X_centered or eigenvectors too large: the projection overflows"
    )


def reconstruct(
    Z: np.ndarray, eigenvectors: np.ndarray, mean: np.ndarray
) -> np.ndarray:
    """Map ``k``-D codes back to the data space (eq. `pca-reconstruct`).

    Parameters
    ----------
    Z : array_like, shape (n, k)
    eigenvectors : array_like, shape (d, d') with d' >= k
    mean : array_like, shape (d,)

    Returns
    -------
    X_hat : ndarray, shape (n, d)
    """
    Z = as_float_array(Z, "Z", ndim=2)
    mean = as_float_array(mean, "mean", ndim=1)
    V = _check_axes(eigenvectors, mean.shape[0])
    k = Z.shape[1]
    if k > V.shape[1]:
        raise ValueError(
            f"Z has {k} columns but eigenvectors has only {V.shape[1]}"
        )
    with np.errstate(over="ignore", invalid="ignore"):
        return finite_result(
            Z @ V[:, :k].T + mean,
            "Z, eigenvectors or mean too large: "
            "the reconstruction overflows float64",
        )


def _check_axes(eigenvectors: np.ndarray, d: int) -> np.ndarray:
    V = as_float_array(eigenvectors, "eigenvectors", ndim=2)
    if V.shape[0] != d:
        raise ValueError(
            f"eigenvectors must have {d} rows (one per feature), "
            f"got shape {V.shape}"
        )
    return V


class PCA:
    """PCA by eigen-decomposition of the covariance matrix.

    Parameters
    ----------
    num_components : int
        Number of principal components ``k`` kept, ``1 <= k <= d``.

    Attributes
    ----------
    mean_ : ndarray, shape (d,)
    components_ : ndarray, shape (k, d)
        Principal axes as rows, by descending variance.
    explained_variance_ : ndarray, shape (k,)
        Eigenvalues of the covariance (variance along each axis).
    explained_variance_ratio_ : ndarray, shape (k,)
        Each eigenvalue over the total variance (the trace).
    eigenvalues_ : ndarray, shape (d,)
        Every eigenvalue, descending, for scree plots.

    Notes
    -----
    Component signs follow :func:`fix_signs`.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(100, 5))
    >>> pca = PCA(num_components=2).fit(X)
    >>> pca.transform(X).shape
    (100, 2)
    """

    def __init__(self, num_components: int) -> None:
        self.num_components = num_components

    def fit(self, X: np.ndarray) -> PCA:
        """Learn the mean and principal axes of ``X``.

        ``X`` is a data matrix (n, d) or images (n, H, W).
        """
        X_centered, mean = _center(X)
        if X_centered.shape[0] < 2:
            raise ValueError(
                "X must have at least 2 rows (data points), "
                f"got {X_centered.shape[0]}"
            )
        k = check_int_in_range(
            self.num_components, "num_components", 1, X_centered.shape[1]
        )
        try:
            eigenvalues, eigenvectors = eig_descending(covariance(X_centered))
        except ValueError as err:
            # Name the caller's argument, not our intermediate.
            raise ValueError(f"X is too large to analyse: {err}") from None
        # Rounding can leave tiny negative eigenvalues of a PSD matrix;
        # variance is >= 0.
        eigenvalues = np.clip(eigenvalues, 0.0, None)
        if eigenvalues.sum() == 0:
            raise ValueError(
                "X has zero variance (all rows are equal): "
                "its principal components are undefined"
            )
        self.mean_ = mean
        self.eigenvalues_ = eigenvalues
        self.components_ = eigenvectors[:, :k].T.copy()
        self.explained_variance_ = eigenvalues[:k].copy()
        self.explained_variance_ratio_ = eigenvalues[:k] / eigenvalues.sum()
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Codes ``Z`` (n, k) of new points."""
        self._check_fitted()
        X = as_images_or_matrix(X, "X")
        if X.shape[1] != self.mean_.shape[0]:
            raise ValueError(
                f"X must have {self.mean_.shape[0]} features, got {X.shape[1]}"
            )
        return project(
            X - self.mean_, self.components_.T, self.components_.shape[0]
        )

    def inverse_transform(self, Z: np.ndarray) -> np.ndarray:
        """Reconstructions (n, d) from codes ``Z`` (n, k)."""
        self._check_fitted()
        Z = as_float_array(Z, "Z", ndim=2)
        if Z.shape[1] != self.components_.shape[0]:
            raise ValueError(
                f"Z must have {self.components_.shape[0]} columns, "
                f"got {Z.shape[1]}"
            )
        return reconstruct(Z, self.components_.T, self.mean_)

    def _check_fitted(self) -> None:
        if not hasattr(self, "components_"):
            raise RuntimeError("this PCA is not fitted yet: call fit(X) first")
