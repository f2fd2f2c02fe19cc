"""Input validation shared by every hwlib module.

Each helper raises ``ValueError`` or ``TypeError`` with a message that names
the offending argument and says what was expected, so a reader who passes the
wrong thing learns what to fix instead of meeting a crash deep inside numpy.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = [
    "as_float_array",
    "as_images_or_matrix",
    "check_int_in_range",
    "check_labels",
    "finite_result",
]


def as_float_array(
    value: object,
    name: str,
    *,
    ndim: int | tuple[int, ...],
    allow_empty: bool = False,
    keep_float32: bool = False,
) -> np.ndarray:
    """Return ``value`` as a finite float64 array of the given dimensionality.

    Parameters
    ----------
    value : array_like
        Real numbers (bool, integer or float dtype).
    name : str
        The argument's name, used in error messages.
    ndim : int or tuple of int
        The accepted number(s) of dimensions.
    allow_empty : bool, default False
        Whether an array with no elements is accepted.
    keep_float32 : bool, default False
        Return float32 input as float32 (for code that works in the input's
        precision) instead of converting it.

    Returns
    -------
    ndarray of float64 (or float32, see ``keep_float32``)
        A new array when a conversion was needed; never a view that the caller
        could modify through.
    """
    arr = np.asarray(value)
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{name} must hold real numbers, got dtype {arr.dtype}"
        )
    allowed = (ndim,) if isinstance(ndim, int) else ndim
    if arr.ndim not in allowed:
        wanted = " or ".join(f"{d}-D" for d in allowed)
        raise ValueError(f"{name} must be {wanted}, got shape {arr.shape}")
    if not allow_empty and arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    is_float = arr.dtype.kind == "f"
    single = keep_float32 and arr.dtype == np.float32
    arr = arr.astype(np.float32 if single else np.float64, copy=True)
    # Integers are always finite: skip the pass.
    if is_float and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, found NaN or inf")
    return arr


def as_images_or_matrix(value: object, name: str) -> np.ndarray:
    """Return images (N, H, W) or a data matrix (N, d) as float64 (N, d).

    uint8 images are converted before any arithmetic, so no difference is ever
    taken modulo 256 (see page `mnist`).
    """
    arr = as_float_array(value, name, ndim=(2, 3))
    return arr.reshape(arr.shape[0], -1)


def check_int_in_range(
    value: object, name: str, low: int, high: int | None = None
) -> int:
    """Return ``value`` as an int, checking ``low <= value <= high``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if value < low or (high is not None and value > high):
        bound = f"{low}..{high}" if high is not None else f">= {low}"
        raise ValueError(f"{name} must be in {bound}, got {value}")
    return value


def check_labels(y: object, name: str, n: int) -> np.ndarray:
    """Return integer class labels of length ``n`` as an int64 array."""
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {arr.shape}")
    if arr.shape[0] != n:
        raise ValueError(
            f"{name} must have {n} entries (one per row of X), "
            f"got {arr.shape[0]}"
        )
    if arr.dtype.kind not in "iu":
        whole = (
            arr.dtype.kind == "f"
            and np.all(np.isfinite(arr))
            and np.all(arr == np.round(arr))
        )
        if whole and np.all(np.abs(arr) < 2**62):
            return arr.astype(np.int64)
        raise TypeError(
            f"{name} must hold integer class labels, got dtype {arr.dtype}"
        )
    return arr.astype(np.int64)


def finite_result(value: np.ndarray, message: str) -> np.ndarray:
    """Return ``value`` if every entry is finite, else raise ``ValueError``.

    The error carries ``message``. For inputs that are each finite but whose
    products or sums overflow float64: callers compute under
    ``np.errstate(over="ignore", invalid="ignore")`` and check here, so the
    reader gets a sentence instead of a silent NaN.
    """
    if not np.all(np.isfinite(value)):
        raise ValueError(message)
    return value
