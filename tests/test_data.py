"""hwlib.data: the embedded sample, the full-MNIST path on tiny IDX files, and clear errors."""

import gzip
import struct

import numpy as np
import pytest

from hwlib import data


def write_idx(path, array, compress=False):
    """Write ``array`` (uint8) as an IDX file, the format of MNIST."""
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + b"".join(
        struct.pack(">I", s) for s in array.shape
    )
    payload = header + array.astype(np.uint8).tobytes()
    opener = gzip.open if compress else open
    with opener(path, "wb") as f:
        f.write(payload)


@pytest.fixture
def tiny_mnist(tmp_path, rng):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(
            0, 256, (12, 28, 28), dtype=np.uint8
        ),
        "train-labels-idx1-ubyte": rng.integers(0, 10, 12, dtype=np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(
            0, 256, (5, 28, 28), dtype=np.uint8
        ),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, 5, dtype=np.uint8),
    }
    for i, (name, array) in enumerate(arrays.items()):
        compress = i % 2 == 0  # exercise both plain and .gz files
        write_idx(raw / (name + (".gz" if compress else "")), array, compress)
    return tmp_path, arrays


def test_sample_shapes_dtypes_and_stratified_split():
    X_train, y_train, X_test, y_test = data.load_mnist("sample")
    assert X_train.shape == (4000, 28, 28) and X_test.shape == (1000, 28, 28)
    assert X_train.dtype == np.uint8 and y_train.dtype == np.int64
    assert np.array_equal(np.bincount(y_train), np.full(10, 400))
    assert np.array_equal(np.bincount(y_test), np.full(10, 100))
    # Train and test are disjoint images of the 5,000.
    train_rows = {x.tobytes() for x in X_train}
    assert not any(x.tobytes() in train_rows for x in X_test)


def test_sample_is_deterministic_and_not_sorted_by_class():
    a = data.load_mnist("sample")
    b = data.load_mnist("sample")
    for u, v in zip(a, b):
        assert np.array_equal(u, v)
    y_train = a[1]
    assert (
        np.mean(y_train[1:] != y_train[:-1]) > 0.8
    )  # shuffled, not in class blocks


def test_full_reads_idx_files_plain_and_gz(tiny_mnist):
    root, arrays = tiny_mnist
    X_train, y_train, X_test, y_test = data.load_mnist("full", data_dir=root)
    assert np.array_equal(X_train, arrays["train-images-idx3-ubyte"])
    assert np.array_equal(y_train, arrays["train-labels-idx1-ubyte"])
    assert np.array_equal(X_test, arrays["t10k-images-idx3-ubyte"])
    assert y_test.dtype == np.int64


def test_environment_variable_switches_source(tiny_mnist, monkeypatch):
    root, arrays = tiny_mnist
    monkeypatch.setenv("HWLIB_DATA", "full")
    monkeypatch.setattr(data, "DEFAULT_DATA_DIR", root)
    assert data.default_source() == "full"
    assert data.load_mnist()[0].shape == (12, 28, 28)
    monkeypatch.setenv("HWLIB_DATA", "nonsense")
    with pytest.raises(ValueError, match="HWLIB_DATA"):
        data.default_source()


def test_missing_full_data_says_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match="download=True") as err:
        data.load_mnist("full", data_dir=tmp_path)
    assert "sample" in str(err.value)


def test_unknown_source():
    with pytest.raises(ValueError, match="source"):
        data.load_mnist("imagenet")


@pytest.mark.parametrize("damage", ["truncate", "magic", "garbage-gz"])
def test_damaged_idx_gives_clear_error_and_changes_nothing(tiny_mnist, damage):
    root, _ = tiny_mnist
    raw = root / "MNIST" / "raw"
    target = raw / "t10k-labels-idx1-ubyte"  # a plain file
    gz_target = raw / "train-images-idx3-ubyte.gz"
    if damage == "truncate":
        target.write_bytes(target.read_bytes()[:-2])
    elif damage == "magic":
        target.write_bytes(b"\x01\x02" + target.read_bytes()[2:])
    else:
        gz_target.write_bytes(b"this is not gzip data")
    before = {p.name: p.read_bytes() for p in raw.iterdir()}
    with pytest.raises(ValueError, match="IDX|truncated|cannot read"):
        data.load_mnist("full", data_dir=root)
    after = {p.name: p.read_bytes() for p in raw.iterdir()}
    assert before == after
