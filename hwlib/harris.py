"""Harris corners as PCA of image gradients (page `harris`).

The matrix M of a pixel is the sum, over its window, of the outer products of
the gradients, ``P^T P`` for gradient rows ``P``: the structure tensor, the
gradients' second moment about the origin times the number of pixels. It is
not centred, so it is not their covariance (page `harris`, question 1.3.2).

Conventions of OpenCV's ``cornerHarris`` (``ksize=1`` for the central
difference, ``ksize=3`` for Sobel): the difference ``[-1, 0, 1]`` (not halved),
an unnormalised box window, and reflect-101 borders (``dcb|abcd|cba``; numpy's
``np.pad(mode="reflect")``). One difference: OpenCV multiplies the gradients by
``1 / (2**(ksize - 1) * blockSize)``, and by ``1 / 255`` more for an 8-bit
image, so its R is ours times that factor to the 4th power. hwlib leaves the
gradients unscaled; a constant factor moves no corner and flips no sign of R.

Precision: a float32 image is processed in float32, as OpenCV does, unless its
values exceed +-65,536 (where products of gradients could overflow single
precision); everything else in float64. Results are float64 arrays either way.

Everything is vectorised over pixels; a large image is processed in bands of
rows small enough to stay in the CPU cache.

Eigenvectors returned by :func:`gradient_pca` follow the sign convention of
:func:`hwlib.pca.fix_signs` (entry of largest magnitude positive).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy import ndimage

from ._checks import as_float_array, check_int_in_range, finite_result
from .pca import fix_signs

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


# Above this magnitude a float32 image is processed in float64: det(M) grows
# like the 4th power of the grey levels and must stay below float32's 3.4e38.
_SINGLE_PRECISION_LIMIT = 2.0**16


def _as_image(image: object) -> np.ndarray:
    image = as_float_array(image, "image", ndim=2, keep_float32=True)
    if min(image.shape) < 3:
        raise ValueError(
            f"image must be at least 3 x 3 pixels, got shape {image.shape}"
        )
    if (
        image.dtype == np.float32
        and max(image.max(), -image.min()) > _SINGLE_PRECISION_LIMIT
    ):
        image = image.astype(np.float64)
    return image


def _check_window(window_size: object) -> int:
    window_size = check_int_in_range(window_size, "window_size", 1)
    if window_size % 2 == 0:
        raise ValueError(
            "window_size must be odd so the box is centred on a pixel, "
            f"got {window_size}"
        )
    return window_size


def image_gradients(
    image: np.ndarray, *, derivative: str = "central"
) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal and vertical derivatives (eq. `harris-gradients`).

    Returned as ``(Ix, Iy)``.

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
    derivative = _check_derivative(derivative)
    with np.errstate(over="ignore", invalid="ignore"):
        Ix, Iy = _gradients(
            image, derivative, 0, image.shape[0], margin=0
        ).astype(np.float64)
    finite_result(
        Ix, "image values are too large: differences overflow float64"
    )
    finite_result(
        Iy, "image values are too large: differences overflow float64"
    )
    return Ix, Iy


def _check_derivative(derivative: object) -> str:
    if derivative not in _DERIVATIVES:
        raise ValueError(
            f"derivative must be one of {_DERIVATIVES}, got {derivative!r}"
        )
    return derivative


def _gradients(
    image: np.ndarray, derivative: str, top: int, stop: int, margin: int
) -> np.ndarray:
    """``(Ix, Iy)`` of image rows ``top`` to ``stop - 1``, with margins.

    ``margin`` more pixels are added on every side. The margins are mirrored
    (reflect-101) copies of the gradients, which is what the box sum needs at
    the image border. Unchecked, in the image's dtype; shape
    (2, stop - top + 2 margin, W + 2 margin).
    """
    if derivative == "central":
        return _central_differences(image, top, stop, margin)
    # Sobel = central difference along the axis, [1, 2, 1] smoothing across it.
    # One more mirrored pixel on each side feeds the smoothing; a mirrored
    # pixel's neighbours are the right ones because the kernel is symmetric.
    g = _central_differences(image, top, stop, margin + 1)
    Ix = g[0, :-2] + 2 * g[0, 1:-1] + g[0, 2:]  # across rows
    Iy = g[1, :, :-2] + 2 * g[1, :, 1:-1] + g[1, :, 2:]  # across columns
    return np.stack([Ix[:, 1:-1], Iy[1:-1]])


def _central_differences(
    image: np.ndarray, top: int, stop: int, margin: int
) -> np.ndarray:
    """``[-1, 0, 1]`` along columns and rows, for :func:`_gradients`.

    Rows ``top - margin`` to ``stop + margin - 1`` and columns ``-margin`` to
    ``W + margin - 1``, indices mirrored into the image. Reflect-101 mirrors
    about the border pixel (``I[-1] = I[1]``), so the difference across the
    border is exactly 0.
    """
    H, W = image.shape
    rows = _reflect_101(np.arange(top - margin, stop + margin), H)
    g = np.empty((2, len(rows), W + 2 * margin), image.dtype)
    Ix, Iy = g[:, :, margin : margin + W]
    band = image[rows]
    np.subtract(band[:, 2:], band[:, :-2], out=Ix[:, 1:-1])
    Ix[:, [0, -1]] = 0.0
    np.subtract(
        image[_reflect_101(rows + 1, H)],
        image[_reflect_101(rows - 1, H)],
        out=Iy,
    )
    outer = np.r_[0:margin, margin + W : W + 2 * margin]
    g[:, :, outer] = g[:, :, margin + _reflect_101(outer - margin, W)]
    return g


def _reflect_101(j: np.ndarray, n: int) -> np.ndarray:
    """Indices ``j`` of a length-``n`` axis (n >= 2) mirrored about its ends.

    The mirror is about the axis's end pixels: ``dcb|abcd|cba``, repeated
    as often as needed: the same as ``np.pad(mode="reflect")``, and OpenCV's
    ``BORDER_REFLECT_101``.
    """
    period = 2 * (n - 1)
    j = np.abs(j) % period
    return np.where(j >= n, period - j, j)


def _window_sums(P: np.ndarray, window_size: int, axis: int) -> np.ndarray:
    """Sums of ``window_size`` consecutive entries along ``axis``.

    One sum for every window inside ``P``.
    """
    Q = np.moveaxis(P, axis, 0)
    n = len(Q) - window_size + 1
    out = Q[0:n] + Q[1 : n + 1] if window_size > 1 else Q[0:n].copy()
    for d in range(2, window_size):
        out += Q[d : d + n]
    return np.moveaxis(out, 0, axis)


# Rows per band: about 64k pixels, so that a band's gradients, products and
# sums stay in the CPU cache while they are computed.
_BAND_PIXELS = 65_536


def _tensor_bands(image: np.ndarray, window_size: int, derivative: str):
    """Yield ``(rows, S)`` band by band (eq. `harris-M`).

    ``S = (Sxx, Sxy, Syy)`` for those rows. Unchecked (arguments already
    validated); ``S`` has the dtype of the image. The box sum is separable:
    sums along rows, then along columns. Each band's gradients come with
    mirrored margins of ``window_size // 2`` pixels, so every window lies
    inside the band and the sums are additions of shifted slices. Going band by
    band keeps the data in cache, which is most of the speed: the arithmetic
    itself is cheap.
    """
    H, W = image.shape
    r = window_size // 2
    height = max(1, _BAND_PIXELS // W)
    with np.errstate(over="ignore", invalid="ignore"):
        for top in range(0, H, height):
            stop = min(top + height, H)
            gx, gy = _gradients(image, derivative, top, stop, margin=r)
            P = np.empty((3, *gx.shape), gx.dtype)
            np.multiply(gx, gx, out=P[0])
            np.multiply(gx, gy, out=P[1])
            np.multiply(gy, gy, out=P[2])
            yield (
                slice(top, stop),
                _window_sums(_window_sums(P, window_size, 1), window_size, 2),
            )


def structure_tensor(
    image: np.ndarray, *, window_size: int = 3, derivative: str = "central"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Entries of the matrix M at every pixel (eq. `harris-M`).

    M is the box-window sum of the outer products of the gradients: neither
    divided by the window's size nor centred, and the gradients unscaled.

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
    S = _tensor(
        _as_image(image),
        _check_window(window_size),
        _check_derivative(derivative),
    )
    finite_result(
        np.stack(S),
        "image values are too large: squared gradients overflow float64",
    )
    return S


def _tensor(
    image: np.ndarray, window_size: int, derivative: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unchecked :func:`structure_tensor` of validated arguments."""
    S = np.empty((3, *image.shape))
    for rows, band in _tensor_bands(image, window_size, derivative):
        S[:, rows] = band
    return tuple(S)


def harris_response(
    image: np.ndarray,
    *,
    kappa: float = 0.05,
    window_size: int = 3,
    derivative: str = "central",
) -> np.ndarray:
    """Harris response ``R = det(M) - kappa trace(M)^2`` (eq. `harris-R`).

    Parameters
    ----------
    image : array_like, shape (H, W)
    kappa : float, 0 <= kappa < 0.25
        Sensitivity. ``R`` can only be positive where ``kappa < 1/4``.
    window_size : odd int >= 1
    derivative : {"central", "sobel"}

    Returns
    -------
    R : ndarray of float64, shape (H, W)
        Large positive at corners, negative on edges, near zero on flat areas.

    Examples
    --------
    >>> square = np.zeros((9, 9))
    >>> square[3:, 3:] = 1.0
    >>> R = harris_response(square)
    >>> [int(i) for i in np.unravel_index(np.argmax(R), R.shape)]
    [3, 3]
    """
    kappa = _check_kappa(kappa)
    image = _as_image(image)
    R = np.empty(image.shape)
    bands = _tensor_bands(
        image, _check_window(window_size), _check_derivative(derivative)
    )
    with np.errstate(over="ignore", invalid="ignore"):
        for rows, (Sxx, Sxy, Syy) in bands:
            R[rows] = _response_2x2(Sxx, Sxy, Syy, kappa)
    # Any overflow along the way leaves an inf or NaN in R.
    return finite_result(
        R, "image values are too large: det(M) overflows float64"
    )


def _check_kappa(kappa: object) -> float:
    real = (int, float, np.floating, np.integer)
    if isinstance(kappa, bool) or not isinstance(kappa, real):
        raise TypeError(f"kappa must be a real number, got {kappa!r}")
    kappa = float(kappa)
    if not 0.0 <= kappa < 0.25:
        raise ValueError(f"kappa must be in [0, 0.25), got {kappa}")
    return kappa


def structure_eigenvalues(
    image: np.ndarray, *, window_size: int = 3, derivative: str = "central"
) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues ``lambda1 >= lambda2 >= 0`` of M at every pixel.

    In closed form: for a symmetric 2 x 2 matrix ``[[a, b], [b, c]]`` they are
    ``(a + c) / 2 +- sqrt(((a - c) / 2)^2 + b^2)`` (eq. `harris-eig`).

    Returns
    -------
    lambda1, lambda2 : ndarray of float64, shape (H, W)
    """
    Sxx, Sxy, Syy = structure_tensor(
        image, window_size=window_size, derivative=derivative
    )
    with np.errstate(over="ignore", invalid="ignore"):
        lambda1, lambda2 = _eigenvalues_2x2(Sxx, Sxy, Syy)
    finite_result(
        lambda1, "image values are too large: eigenvalues overflow float64"
    )
    # M is a sum of outer products, hence PSD; clip the rounding below zero.
    return lambda1, np.maximum(lambda2, 0.0)


def shi_tomasi(
    image: np.ndarray, *, window_size: int = 3, derivative: str = "central"
) -> np.ndarray:
    """Shi-Tomasi score ``min(lambda1, lambda2)`` at every pixel.

    Returns an array of shape (H, W).
    """
    return structure_eigenvalues(
        image, window_size=window_size, derivative=derivative
    )[1]


def corner_peaks(
    response: np.ndarray, *, min_distance: int = 1, threshold_rel: float = 0.01
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
        raise ValueError(
            f"threshold_rel must be in [0, 1], got {threshold_rel}"
        )
    top = response.max()
    if top <= 0:
        return np.zeros((0, 2), dtype=np.int64)
    local_max = ndimage.maximum_filter(
        response, size=2 * min_distance + 1, mode="nearest"
    )
    mask = (response == local_max) & (response > threshold_rel * top)
    coords = np.argwhere(mask)
    order = np.argsort(-response[mask], kind="stable")
    return coords[order].astype(np.int64)


class GradientPCA(NamedTuple):
    """The PCA view of one window: returned by :func:`gradient_pca`."""

    points: np.ndarray
    """Gradient vectors ``(Ix, Iy)`` of the window's pixels, shape (n, 2)."""
    matrix: np.ndarray
    """``P^T P`` of the points (M itself), or of the points minus their mean
    with ``centered=True``; shape (2, 2)."""
    eigenvalues: np.ndarray
    """Descending, shape (2,)."""
    eigenvectors: np.ndarray
    """Column i belongs to ``eigenvalues[i]``, shape (2, 2); signs as
    :func:`hwlib.pca.fix_signs`."""


def gradient_pca(
    image: np.ndarray,
    row: int,
    col: int,
    *,
    window_size: int = 3,
    derivative: str = "central",
    centered: bool = False,
) -> GradientPCA:
    """PCA of the gradient vectors in the window centred at ``(row, col)``.

    The data points are the window's gradient vectors; the matrix is the sum
    of their outer products ``P^T P`` (eq. `harris-scatter`), which equals the
    structure tensor M at ``(row, col)``. With ``centered=True`` the points'
    mean is subtracted first, as textbook PCA does.

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
    Ix, Iy = image_gradients(image, derivative=derivative)
    points = _window_points(Ix, Iy, row, col, window_size)
    with np.errstate(over="ignore", invalid="ignore"):
        matrix = finite_result(
            _second_moment(points, centered=centered),
            "image values are too large: the scatter matrix overflows float64",
        )
    eigenvalues, eigenvectors = np.linalg.eigh(matrix)
    return GradientPCA(
        points,
        matrix,
        eigenvalues[::-1].copy(),
        fix_signs(eigenvectors[:, ::-1]),
    )


# The plain core of the detector, shown on page `harris`: unchecked, for
# arguments the public functions above have validated.


def _window_points(Ix, Iy, row, col, size):
    """The data points: the gradients (Ix, Iy) of the window at (row, col).

    One row per pixel of the ``size x size`` window, shape (size**2, 2).
    The borders are mirrored (reflect-101) as in the box sum of M.
    """
    r = size // 2
    window = np.s_[row : row + size, col : col + size]  # of the padded maps
    Px = np.pad(Ix, r, mode="reflect")[window]
    Py = np.pad(Iy, r, mode="reflect")[window]
    return np.column_stack([Px.ravel(), Py.ravel()])


def _second_moment(points, centered=False):
    """M = P^T P: the sum of the points' outer products, not a covariance.

    Eq. `harris-scatter`: ``|W|`` times their second moment about the origin;
    ``centered=True`` subtracts their mean first, as textbook PCA does.
    """
    P = points - points.mean(axis=0) if centered else points
    return P.T @ P


def _eigenvalues_2x2(a, b, c):
    """lambda1 >= lambda2 of [[a, b], [b, c]] (eq. `harris-eig`)."""
    mid = (a + c) / 2
    radius = np.hypot((a - c) / 2, b)
    return mid + radius, mid - radius


def _response_2x2(a, b, c, kappa):
    """R = det M - kappa (tr M)^2 of M = [[a, b], [b, c]] (eq. `harris-R`)."""
    return a * c - b * b - kappa * (a + c) ** 2
