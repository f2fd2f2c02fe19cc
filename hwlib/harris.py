"""Harris corners as PCA of image gradients (chapter 3, `03-harris-pca`).

Conventions (those of OpenCV's ``cornerHarris`` with ``ksize=1``): the central
difference ``[-1, 0, 1]`` (not halved), an unnormalised box window, and
reflect-101 borders (``dcb|abcd|cba``; numpy's ``np.pad(mode="reflect")``).
Everything is vectorised over pixels.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy import ndimage

from ._checks import as_float_array, check_int_in_range, finite_result

__all__ = [
    "image_gradients",
    "structure_tensor",
    "harris_response",
    "structure_eigenvalues",
    "shi_tomasi",
    "corner_peaks",
    "gradient_pca",
    "GradientPCA",
]

_DERIVATIVES = ("central", "sobel")


def _as_image(image: object) -> np.ndarray:
    image = as_float_array(image, "image", ndim=2)
    if min(image.shape) < 3:
        raise ValueError(f"image must be at least 3 x 3 pixels, got shape {image.shape}")
    return image


def _check_window(window_size: object) -> int:
    window_size = check_int_in_range(window_size, "window_size", 1)
    if window_size % 2 == 0:
        raise ValueError(f"window_size must be odd so the box is centred on a pixel, got {window_size}")
    return window_size


def image_gradients(image: np.ndarray, derivative: str = "central") -> tuple[np.ndarray, np.ndarray]:
    """Horizontal and vertical derivatives ``(Ix, Iy)`` (eq. `harris-gradients` in chapter 3).

    Parameters
    ----------
    image : array_like, shape (H, W)
        Grey levels, float or uint8; H, W >= 3.
    derivative : {"central", "sobel"}
        ``"central"``: ``I[y, x+1] - I[y, x-1]``. ``"sobel"``: the same
        difference smoothed by ``[1, 2, 1]`` across it.

    Returns
    -------
    Ix, Iy : ndarray of float64, shape (H, W)
    """
    image = _as_image(image)
    Ix, Iy = _gradients(image, _check_derivative(derivative))
    finite_result(Ix, "image values are too large: differences overflow float64")
    finite_result(Iy, "image values are too large: differences overflow float64")
    return Ix, Iy


def _check_derivative(derivative: object) -> str:
    if derivative not in _DERIVATIVES:
        raise ValueError(f"derivative must be one of {_DERIVATIVES}, got {derivative!r}")
    return derivative


def _gradients(image: np.ndarray, derivative: str) -> tuple[np.ndarray, np.ndarray]:
    """Unchecked :func:`image_gradients` of a validated image (overflow shows up downstream)."""
    with np.errstate(over="ignore", invalid="ignore"):
        Ix, Iy = _central_differences(image)
        if derivative == "sobel":
            # Sobel = central difference along the axis, [1, 2, 1] smoothing across it.
            Ix = ndimage.correlate1d(Ix, [1.0, 2.0, 1.0], axis=0, mode="mirror")
            Iy = ndimage.correlate1d(Iy, [1.0, 2.0, 1.0], axis=1, mode="mirror")
    return Ix, Iy


def _central_differences(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``[-1, 0, 1]`` along columns and rows with reflect-101 borders.

    Reflect-101 mirrors about the border pixel (``I[-1] = I[1]``), so at the
    first and last column ``I[x+1] - I[x-1]`` is exactly 0: no padding needed.
    """
    Ix = np.zeros_like(image)
    Iy = np.zeros_like(image)
    np.subtract(image[:, 2:], image[:, :-2], out=Ix[:, 1:-1])
    np.subtract(image[2:, :], image[:-2, :], out=Iy[1:-1, :])
    return Ix, Iy


def _box_sum(a: np.ndarray, window_size: int) -> np.ndarray:
    """Sum of ``a`` over a centred ``window_size`` square, reflect-101 borders.

    The box is separable: sum ``window_size`` shifted copies along rows, then
    along columns. For the small windows Harris uses this is faster than an
    integral image, and exact to rounding of the sums themselves.
    """
    r = window_size // 2
    out = a
    for axis in (0, 1):
        n = a.shape[axis]
        pad = [(0, 0), (0, 0)]
        pad[axis] = (r, r)
        p = np.pad(out, pad, mode="reflect")
        shifted = [p[d : d + n] if axis == 0 else p[:, d : d + n] for d in range(window_size)]
        out = shifted[0].copy()
        for s in shifted[1:]:
            out += s
    return out


def structure_tensor(
    image: np.ndarray, window_size: int = 3, derivative: str = "central"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Entries of the matrix M at every pixel (eq. `harris-M`).

    Parameters
    ----------
    image : array_like, shape (H, W)
    window_size : odd int >= 1
        Side of the box window ``w`` (all weights 1).
    derivative : {"central", "sobel"}

    Returns
    -------
    Sxx, Sxy, Syy : ndarray of float64, shape (H, W)
        ``M = [[Sxx, Sxy], [Sxy, Syy]]`` at each pixel.
    """
    S = _tensor(_as_image(image), _check_window(window_size), _check_derivative(derivative))
    finite_result(np.stack(S), "image values are too large: squared gradients overflow float64")
    return S


def _tensor(image: np.ndarray, window_size: int, derivative: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unchecked :func:`structure_tensor` of validated arguments."""
    Ix, Iy = _gradients(image, derivative)
    with np.errstate(over="ignore", invalid="ignore"):
        return tuple(_box_sum(P, window_size) for P in (Ix * Ix, Ix * Iy, Iy * Iy))


def harris_response(
    image: np.ndarray, k: float = 0.05, window_size: int = 3, derivative: str = "central"
) -> np.ndarray:
    """Harris response ``R = det(M) - k trace(M)^2`` (eq. `harris-R`).

    Parameters
    ----------
    image : array_like, shape (H, W)
    k : float, 0 <= k < 0.25
        Sensitivity. ``R`` can only be positive where ``k < 1/4``.
    window_size : odd int >= 1
    derivative : {"central", "sobel"}

    Returns
    -------
    R : ndarray of float64, shape (H, W)
        Large positive at corners, negative on edges, near zero on flat areas.
    """
    k = _check_k(k)
    Sxx, Sxy, Syy = _tensor(_as_image(image), _check_window(window_size), _check_derivative(derivative))
    with np.errstate(over="ignore", invalid="ignore"):
        trace = Sxx + Syy
        R = Sxx * Syy  # in place from here on: the image can be large
        R -= Sxy * Sxy
        R -= k * (trace * trace)
    # Any overflow along the way leaves an inf or NaN in R.
    return finite_result(R, "image values are too large: det(M) overflows float64")


def _check_k(k: object) -> float:
    if isinstance(k, bool) or not isinstance(k, (int, float, np.floating, np.integer)):
        raise TypeError(f"k must be a real number, got {k!r}")
    k = float(k)
    if not 0.0 <= k < 0.25:
        raise ValueError(f"k must be in [0, 0.25), got {k}")
    return k


def structure_eigenvalues(
    image: np.ndarray, window_size: int = 3, derivative: str = "central"
) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues ``lambda1 >= lambda2 >= 0`` of M at every pixel, in closed form.

    For a symmetric 2 x 2 matrix ``[[a, b], [b, c]]`` they are
    ``(a + c) / 2 +- sqrt(((a - c) / 2)^2 + b^2)`` (eq. `harris-eig` in chapter 3).

    Returns
    -------
    lambda1, lambda2 : ndarray of float64, shape (H, W)
    """
    Sxx, Sxy, Syy = structure_tensor(image, window_size, derivative)
    with np.errstate(over="ignore", invalid="ignore"):
        mid = (Sxx + Syy) / 2
        radius = finite_result(np.hypot((Sxx - Syy) / 2, Sxy), "image values are too large: eigenvalues overflow float64")
    # M is a sum of outer products, hence PSD; clip the rounding below zero.
    return mid + radius, np.maximum(mid - radius, 0.0)


def shi_tomasi(image: np.ndarray, window_size: int = 3, derivative: str = "central") -> np.ndarray:
    """Shi-Tomasi score ``min(lambda1, lambda2)`` at every pixel, shape (H, W)."""
    return structure_eigenvalues(image, window_size, derivative)[1]


def corner_peaks(
    response: np.ndarray, min_distance: int = 1, threshold_rel: float = 0.01
) -> np.ndarray:
    """Corners: local maxima of a response map above a relative threshold.

    Parameters
    ----------
    response : array_like, shape (H, W)
    min_distance : int >= 1
        A peak is the largest value in its ``(2 min_distance + 1)`` square.
    threshold_rel : float in [0, 1]
        Keep peaks with ``response > threshold_rel * response.max()``.

    Returns
    -------
    coords : ndarray of int64, shape (n_peaks, 2)
        ``(row, col)`` of each peak, strongest first (ties in row-major order).
    """
    response = as_float_array(response, "response", ndim=2)
    min_distance = check_int_in_range(min_distance, "min_distance", 1)
    threshold_rel = float(threshold_rel)
    if not 0.0 <= threshold_rel <= 1.0:
        raise ValueError(f"threshold_rel must be in [0, 1], got {threshold_rel}")
    top = response.max()
    if top <= 0:
        return np.zeros((0, 2), dtype=np.int64)
    local_max = ndimage.maximum_filter(response, size=2 * min_distance + 1, mode="nearest")
    mask = (response == local_max) & (response > threshold_rel * top)
    coords = np.argwhere(mask)
    order = np.argsort(-response[mask], kind="stable")
    return coords[order].astype(np.int64)


class GradientPCA(NamedTuple):
    """The PCA view of one window: returned by :func:`gradient_pca`."""

    points: np.ndarray
    """Gradient vectors ``(Ix, Iy)`` of the window's pixels, shape (n, 2)."""
    matrix: np.ndarray
    """Scatter matrix of the points, shape (2, 2): M itself when uncentred."""
    eigenvalues: np.ndarray
    """Descending, shape (2,)."""
    eigenvectors: np.ndarray
    """Column i belongs to ``eigenvalues[i]``, shape (2, 2)."""


def gradient_pca(
    image: np.ndarray,
    row: int,
    col: int,
    window_size: int = 3,
    derivative: str = "central",
    centered: bool = False,
) -> GradientPCA:
    """PCA of the gradient vectors in the window centred at ``(row, col)``.

    The data points are the window's gradient vectors; the matrix is their
    scatter ``P^T P`` (eq. `harris-scatter` in chapter 3), which equals the structure tensor M at
    ``(row, col)``. With ``centered=True`` the points' mean is subtracted
    first, as textbook PCA does.

    Parameters
    ----------
    image : array_like, shape (H, W)
    row, col : int
        Window centre, inside the image.
    window_size : odd int >= 1
    derivative : {"central", "sobel"}
    centered : bool, default False

    Returns
    -------
    GradientPCA
    """
    image = _as_image(image)
    window_size = _check_window(window_size)
    H, W = image.shape
    row = check_int_in_range(row, "row", 0, H - 1)
    col = check_int_in_range(col, "col", 0, W - 1)
    Ix, Iy = image_gradients(image, derivative)
    r = window_size // 2
    # Same reflect-101 border as the box sum, so the window matches M exactly.
    Px = np.pad(Ix, r, mode="reflect")[row : row + window_size, col : col + window_size]
    Py = np.pad(Iy, r, mode="reflect")[row : row + window_size, col : col + window_size]
    points = np.column_stack([Px.ravel(), Py.ravel()])
    D = points - points.mean(axis=0) if centered else points
    with np.errstate(over="ignore", invalid="ignore"):
        matrix = finite_result(D.T @ D, "image values are too large: the scatter matrix overflows float64")
    eigenvalues, eigenvectors = np.linalg.eigh(matrix)
    return GradientPCA(points, matrix, eigenvalues[::-1].copy(), eigenvectors[:, ::-1].copy())
