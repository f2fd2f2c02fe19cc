"""Principal component analysis, one step per function (page `pca`).

The steps follow question 1.2. Each public function validates its input and
calls a small plain core, the numpy lines page `pca` shows:

- :func:`center` calls ``_center`` (eq. `pca-center`),
- :func:`covariance` calls ``_covariance`` (eq. `pca-cov`),
- :func:`eig_descending` calls ``_eig_descending`` (eq. `pca-eig`),
- :func:`project` calls ``_project`` (eq. `pca-project`),
- :func:`reconstruct` calls ``_reconstruct`` (eq. `pca-reconstruct`).

:class:`PCA` composes them as a scikit-learn estimator (``fit``,
``transform``, ``inverse_transform``, learned attributes with a trailing
underscore): it can sit in a :func:`sklearn.pipeline.make_pipeline` and be
cross-validated.

Sign convention: an eigenvector is only defined up to its sign, and two
LAPACK builds may return either. :func:`fix_signs` makes the entry of largest
magnitude of every eigenvector positive (scikit-learn's ``svd_flip`` rule), so
figures of principal axes do not flip between machines.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.exceptions import NotFittedError

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


# --------------------------------------------------------------------------
# The cores: the homework's lines, shown on page `pca`. No validation here.
# --------------------------------------------------------------------------


def _center(images):
    """Flatten, convert to float, subtract the mean (eq. pca-center)."""
    X = np.asarray(images, dtype=np.float64).reshape(len(images), -1)
    mean = X.mean(axis=0)
    return X - mean, mean


def _covariance(X_centered):
    """Covariance without np.cov (eq. pca-cov)."""
    n = X_centered.shape[0]
    return X_centered.T @ X_centered / (n - 1)


def _eig_descending(C):
    """Eigenvalues and eigenvectors, largest eigenvalue first."""
    eigenvalues, eigenvectors = np.linalg.eigh(C)  # ascending order
    return eigenvalues[::-1], eigenvectors[:, ::-1]


def _project(X_centered, eigenvectors, num_components):
    """Codes on the first num_components axes (eq. pca-project)."""
    return X_centered @ eigenvectors[:, :num_components]


def _reconstruct(Z, eigenvectors, mean):
    """Back to pixel space from the codes Z (eq. pca-reconstruct)."""
    q = Z.shape[1]
    return Z @ eigenvectors[:, :q].T + mean


# --------------------------------------------------------------------------
# The public functions: validation, then the core.
# --------------------------------------------------------------------------


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

    Examples
    --------
    >>> X_centered, mean = center(np.array([[0, 2], [2, 6]], dtype=np.uint8))
    >>> X_centered
    array([[-1., -2.],
           [ 1.,  2.]])
    >>> mean
    array([1., 4.])
    """
    X = as_images_or_matrix(X, "X")
    with np.errstate(over="ignore", invalid="ignore"):
        X_centered, mean = _center(X)
    finite_result(mean, "X is too large: its mean overflows float64")
    message = "X is too large: centring overflows float64"
    return finite_result(X_centered, message), mean


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
            _covariance(X_centered),
            "X_centered is too large: its covariance overflows float64",
        )
        # Symmetric in exact arithmetic; a guard in case a BLAS rounds the
        # two triangles differently (numpy's X.T @ X is exactly symmetric).
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
    eigenvalues, eigenvectors = _eig_descending(C)
    return eigenvalues.copy(), fix_signs(eigenvectors)


def fix_signs(V: np.ndarray) -> np.ndarray:
    """Flip columns so that each one's entry of largest magnitude is positive.

    ``v`` and ``-v`` are equally valid eigenvectors; this picks one of the
    two deterministically (scikit-learn's ``svd_flip`` rule, applied to
    columns). Among entries of equal magnitude the first counts.

    Parameters
    ----------
    V : array_like, shape (d, q)
        Eigenvectors as columns.

    Returns
    -------
    ndarray of float64, shape (d, q)
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
        The number ``q`` of axes kept.

    Returns
    -------
    Z : ndarray, shape (n, num_components)
    """
    X_centered = as_float_array(X_centered, "X_centered", ndim=2)
    V = _check_axes(eigenvectors, X_centered.shape[1])
    q = check_int_in_range(num_components, "num_components", 1, V.shape[1])
    with np.errstate(over="ignore", invalid="ignore"):
        Z = _project(X_centered, V, q)
    return finite_result(
        Z, "X_centered or eigenvectors too large: the projection overflows"
    )


def reconstruct(
    Z: np.ndarray, eigenvectors: np.ndarray, mean: np.ndarray
) -> np.ndarray:
    """Map ``q``-D codes back to the data space (eq. `pca-reconstruct`).

    Parameters
    ----------
    Z : array_like, shape (n, q)
    eigenvectors : array_like, shape (d, d') with d' >= q
    mean : array_like, shape (d,)

    Returns
    -------
    X_hat : ndarray, shape (n, d)
    """
    Z = as_float_array(Z, "Z", ndim=2)
    mean = as_float_array(mean, "mean", ndim=1)
    V = _check_axes(eigenvectors, mean.shape[0])
    q = Z.shape[1]
    if q > V.shape[1]:
        raise ValueError(
            f"Z has {q} columns but eigenvectors has only {V.shape[1]}"
        )
    with np.errstate(over="ignore", invalid="ignore"):
        return finite_result(
            _reconstruct(Z, V, mean),
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


def _as_data(X: object, name: str) -> np.ndarray:
    """``X`` as a float64 matrix (n, d); images (n, H, W) are flattened.

    Besides :func:`hwlib._checks.as_images_or_matrix`: object arrays of
    numbers are accepted (as scikit-learn's estimators accept them), sparse
    matrices are refused with a TypeError.
    """
    if hasattr(X, "toarray") or hasattr(X, "tocsr"):
        raise TypeError(
            f"{name} must be a dense array: PCA does not accept sparse "
            "matrices; convert with X.toarray()"
        )
    arr = np.asarray(X)
    if arr.dtype == object:
        # float() names the offending element: "float() argument must be a
        # string or a real number, not 'dict'".
        arr = arr.astype(np.float64)
    if arr.dtype.kind == "c":
        raise ValueError(f"{name} must be real: Complex data not supported")
    if arr.ndim == 1:
        raise ValueError(
            f"{name} must be 2-D (n, d) or images (n, H, W), got shape "
            f"{arr.shape}. Reshape your data: {name}.reshape(-1, 1) for a "
            f"single feature, {name}.reshape(1, -1) for a single sample"
        )
    if arr.ndim in (2, 3) and 0 in arr.shape[1:]:
        raise ValueError(
            f"{name} has 0 feature(s) (shape={arr.shape}) while a minimum "
            "of 1 is required."
        )
    return as_images_or_matrix(arr, name)


class PCA(TransformerMixin, BaseEstimator):
    """PCA by eigen-decomposition of the covariance matrix.

    A scikit-learn transformer: ``fit(X, y=None)`` returns ``self``,
    ``transform`` gives the codes, ``inverse_transform`` the
    reconstructions, so it can be put in
    :func:`sklearn.pipeline.make_pipeline`, cloned, grid-searched and
    cross-validated.

    Parameters
    ----------
    num_components : int or None, default None
        Number of principal components ``q`` kept, ``1 <= q <= d``; None
        keeps all ``d``. Stored as given; checked by :meth:`fit`.

    Attributes
    ----------
    mean_ : ndarray, shape (d,)
    components_ : ndarray, shape (q, d)
        Principal axes as rows, by descending variance.
    explained_variance_ : ndarray, shape (q,)
        Eigenvalues of the covariance (variance along each axis).
    explained_variance_ratio_ : ndarray, shape (q,)
        Each eigenvalue over the total variance (the trace).
    eigenvalues_ : ndarray, shape (d,)
        Every eigenvalue, descending, for scree plots.
    n_components_ : int
        The number ``q`` of components kept.
    n_features_in_ : int
        The number ``d`` of features seen by :meth:`fit`.

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

    def __init__(self, num_components: int | None = None) -> None:
        self.num_components = num_components

    def fit(self, X: np.ndarray, y: object = None) -> PCA:
        """Learn the mean and principal axes of ``X``.

        Parameters
        ----------
        X : array_like, shape (n, d) or images (n, H, W)
        y : ignored
            Accepted for scikit-learn's pipelines.

        Returns
        -------
        self
        """
        X = _as_data(X, "X")
        n, d = X.shape
        if n < 2:
            raise ValueError(
                f"X must have at least 2 rows (data points), got n_samples={n}"
            )
        q = self.num_components
        if q is None:
            q = d
        try:
            q = check_int_in_range(q, "num_components", 1, d)
        except ValueError as err:
            raise ValueError(f"{err} (X has n_features={d})") from None
        with np.errstate(over="ignore", invalid="ignore"):
            X_centered, mean = _center(X)
        try:
            C = covariance(X_centered)
            eigenvalues, eigenvectors = eig_descending(C)
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
        self.n_features_in_ = d
        self.n_components_ = q
        self.mean_ = mean
        self.eigenvalues_ = eigenvalues
        self.components_ = eigenvectors[:, :q].T.copy()
        self.explained_variance_ = eigenvalues[:q].copy()
        self.explained_variance_ratio_ = eigenvalues[:q] / eigenvalues.sum()
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Codes ``Z`` (n, q) of the points ``X`` (n, d) or images."""
        self._check_fitted()
        X = _as_data(X, "X")
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but PCA is expecting "
                f"{self.n_features_in_} features as input"
            )
        with np.errstate(over="ignore", invalid="ignore"):
            X_centered = X - self.mean_
        message = "X is too large: centring overflows float64"
        return project(
            finite_result(X_centered, message),
            self.components_.T,
            self.n_components_,
        )

    def inverse_transform(self, Z: np.ndarray) -> np.ndarray:
        """Reconstructions (n, d) from codes ``Z`` (n, q)."""
        self._check_fitted()
        Z = _as_data(Z, "Z")
        if Z.shape[1] != self.n_components_:
            raise ValueError(
                f"Z must have {self.n_components_} columns "
                f"(one per component), got {Z.shape[1]}"
            )
        return reconstruct(Z, self.components_.T, self.mean_)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Names of the codes: ``pca0``, ``pca1``, ... (for ``set_output``)."""
        self._check_fitted()
        return np.asarray(
            [f"pca{i}" for i in range(self.n_components_)], dtype=object
        )

    def _check_fitted(self) -> None:
        if not hasattr(self, "components_"):
            raise NotFittedError(
                "this PCA is not fitted yet: call fit(X) first"
            )
