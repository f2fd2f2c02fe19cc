"""Every performance comparison of the book, side by side in one process.

Usage: ``make bench``, or
``python benchmarks/run.py --out benchmarks/results``.

Each case times hwlib and its obvious alternatives on the same data in the
same run, ``--repeat`` times (at least 3), and reports the minimum and median
wall time and the ratio of minima to the reference. Full-size cases use
MNIST's shapes offline: Fashion-MNIST from Debian's ``dataset-fashion-mnist``
(60,000 / 10,000 images of 28 x 28), and, where sparsity matters, the real
MNIST sample tiled to 60,000 rows. Results go to ``results.md`` and
``results.json`` in the output folder.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hwlib import harris, pca  # noqa: E402
from hwlib import softmax as sm  # noqa: E402
from hwlib.data import load_mnist, read_idx  # noqa: E402
from hwlib.knn import KNNClassifier  # noqa: E402

FASHION = Path("/usr/share/datasets/fashion-mnist")


def timed(fn, repeat: int) -> dict:
    """Run ``fn`` ``repeat`` times; wall times in seconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return {
        "min": min(times),
        "median": statistics.median(times),
        "runs": times,
    }


def timed_interleaved(fns: dict, repeat: int) -> dict:
    """Like :func:`timed` for several functions, alternating between them each
    round, so that a slow spell of a shared machine hits them all alike."""
    times = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return {
        name: {"min": min(t), "median": statistics.median(t), "runs": t}
        for name, t in times.items()
    }


def fashion():
    files = {
        k: FASHION / f"{k}-ubyte.gz"
        for k in (
            "train-images-idx3",
            "train-labels-idx1",
            "t10k-images-idx3",
            "t10k-labels-idx1",
        )
    }
    missing = [str(p) for p in files.values() if not p.exists()]
    if missing:
        sys.exit(
            f"Fashion-MNIST missing ({missing[0]}): "
            "`make bench` installs Debian's dataset-fashion-mnist"
        )
    arrays = [read_idx(p) for p in files.values()]
    return (
        arrays[0],
        arrays[1].astype(np.int64),
        arrays[2],
        arrays[3].astype(np.int64),
    )


def bench_knn(data, repeat):
    import faiss
    from scipy.spatial import KDTree
    from scipy.stats import mode
    from sklearn.neighbors import KNeighborsClassifier

    X_train, y_train, X_test, _ = data
    A = X_train.reshape(len(X_train), -1).astype(np.float32)
    Q = X_test.reshape(len(X_test), -1).astype(np.float32)
    k = 3
    model = KNNClassifier(k, backend="brute").fit(X_train, y_train)
    index = faiss.IndexFlatL2(A.shape[1])
    index.add(A)
    sk = KNeighborsClassifier(k, algorithm="brute").fit(A, y_train)

    def run_faiss():
        _, ind = index.search(Q, k)
        return mode(y_train[ind], axis=1, keepdims=False).mode

    ours = model.predict(X_test)
    agree = float(np.mean(ours == run_faiss()))
    tree = KDTree(A.astype(np.float64))
    n_slice = 100
    rows = {
        "hwlib brute (float32 GEMM, float64 re-rank)": timed(
            lambda: model.predict(X_test), repeat
        ),
        "faiss-cpu IndexFlatL2 + vote": timed(run_faiss, repeat),
        "scikit-learn brute": timed(lambda: sk.predict(Q), repeat),
    }
    kd = timed(lambda: tree.query(Q[:n_slice], k=k), repeat)
    scale = len(Q) / n_slice
    rows[f"scipy KDTree ({n_slice} queries, x{scale:.0f})"] = {
        "min": kd["min"] * scale,
        "median": kd["median"] * scale,
        "runs": [t * scale for t in kd["runs"]],
    }
    return {
        "case": (
            f"3-NN, {len(Q):,} queries against {len(A):,} points "
            f"of {A.shape[1]} dims (Fashion-MNIST)"
        ),
        "reference": "faiss-cpu IndexFlatL2 + vote",
        "rows": rows,
        "note": (
            f"hwlib and faiss predictions agree on {agree:.2%} of queries "
            "(ties in float32 aside)"
        ),
    }


def bench_pca(data, repeat):
    from sklearn.decomposition import PCA as SkPCA

    X = data[0].reshape(len(data[0]), -1)
    return {
        "case": (
            f"PCA fit, {X.shape[0]:,} x {X.shape[1]} uint8 images "
            "(Fashion-MNIST), 50 components"
        ),
        "reference": "scikit-learn PCA(svd_solver='covariance_eigh')",
        "rows": {
            "hwlib PCA": timed(lambda: pca.PCA(50).fit(X), repeat),
            "scikit-learn PCA(svd_solver='covariance_eigh')": timed(
                lambda: SkPCA(50, svd_solver="covariance_eigh").fit(X), repeat
            ),
        },
    }


def bench_harris(repeat):
    import cv2

    noise = np.random.default_rng(0).random((1024, 1024))
    img = noise.astype(np.float32) * 255
    img64 = img.astype(np.float64)
    as_float64 = (
        "hwlib harris_response, same image as float64 (double precision)"
    )
    return {
        "case": (
            "Harris response, 1024 x 1024 float32, 3 x 3 box, "
            "central differences"
        ),
        "reference": "OpenCV cornerHarris(blockSize=3, ksize=1)",
        "note": (
            f"Milliseconds per call, so {10 * repeat} interleaved rounds "
            f"instead of {repeat}."
        ),
        "rows": timed_interleaved(
            {
                "hwlib harris_response": lambda: harris.harris_response(
                    img, k=0.05
                ),
                "OpenCV cornerHarris(blockSize=3, ksize=1)": lambda: (
                    cv2.cornerHarris(img, 3, 1, 0.05)
                ),
                as_float64: lambda: harris.harris_response(img64, k=0.05),
            },
            10 * repeat,
        ),
    }


def bench_sgd(data, repeat):
    results = []
    sample = load_mnist("sample")[0]
    flat = sample.reshape(len(sample), -1)
    tiled = np.tile(flat, (15, 1)).astype(np.float64)
    y_tiled = np.tile(load_mnist("sample")[1], 15)
    fash = data[0].reshape(len(data[0]), -1).astype(np.float64)
    for name, X, y in [
        ("MNIST sample tiled to 60,000", tiled, y_tiled),
        ("Fashion-MNIST", fash, data[1]),
    ]:
        Y = sm.one_hot(y)
        # Compile the fast path once.
        sm.sgd(X[:100], Y[:100], num_epochs=1, progress=False)

        # X and Y are bound as defaults: each call sees this round's data.
        def fast_path(X=X, Y=Y):
            return sm.sgd(X, Y, num_epochs=20, progress=False)

        def reference_loop(X=X, Y=Y):
            return sm.sgd(X, Y, num_epochs=20, fast=False, progress=False)

        nonzero = np.mean(X != 0)
        results.append(
            {
                "case": (
                    "per-sample SGD, 20 epochs, lr 1e-3, "
                    f"{X.shape[0]:,} x {X.shape[1]} "
                    f"({name}, {nonzero:.0%} non-zero)"
                ),
                "reference": "hwlib reference loop (numpy)",
                "rows": {
                    "hwlib fast path (numba, non-zero pixels)": timed(
                        fast_path, repeat
                    ),
                    "hwlib reference loop (numpy)": timed(
                        reference_loop, repeat
                    ),
                },
            }
        )
    return results


def bench_cnn(data, repeat):
    import torch

    from hwlib import nets

    X_train, y_train, X_test, y_test = data
    rows, memory = {}, {}
    for device in ["cpu"] + (["cuda"] if torch.cuda.is_available() else []):

        def epoch(device=device):  # bound now: timed() calls it at once
            torch.manual_seed(0)
            nets.train(
                nets.CNN(),
                (X_train, y_train),
                (X_test[:1000], y_test[:1000]),
                lr=1e-3,
                num_epochs=1,
                batch_size=64,
                device=device,
                progress=False,
            )

        rows[f"hwlib train, 1 epoch, batch 64, {device}"] = timed(
            epoch, repeat
        )
    try:
        import resource

        memory["max_rss_MB"] = (
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        )
    except ImportError:
        pass
    peak_rss_mb = memory.get("max_rss_MB", float("nan"))
    return {
        "case": f"CNN, one epoch over {len(X_train):,} images (Fashion-MNIST)",
        "reference": None,
        "rows": rows,
        "note": (
            f"peak RSS of the benchmark process so far: {peak_rss_mb:.0f} MB"
        ),
    }


def bench_book(repeat):
    env = dict(os.environ, HWLIB_QUIET="1")

    def clean():
        shutil.rmtree(ROOT / "_build", ignore_errors=True)
        subprocess.run(
            ["make", "-C", str(ROOT), "-o", ".venv/.installed", "book"],
            env=env,
            check=True,
            capture_output=True,
        )

    def no_change():
        subprocess.run(
            ["make", "-C", str(ROOT), "-o", ".venv/.installed", "book"],
            env=env,
            check=True,
            capture_output=True,
        )

    def touch_hwlib():
        # What make does when hwlib/ changes, without writing into hwlib/:
        # a recorded hash that no longer matches makes it re-execute every
        # chapter. (A killed run leaves at most a stale hash in _build/.)
        (ROOT / "_build" / ".hwlib-hash").write_text("changed\n")
        subprocess.run(
            ["make", "-C", str(ROOT), "-o", ".venv/.installed", "book"],
            env=env,
            check=True,
            capture_output=True,
        )

    rows = {
        "clean build (make book, empty _build)": timed(clean, repeat),
        "no-change rebuild (make book)": timed(no_change, repeat),
        "rebuild after touching hwlib/ (make book)": timed(
            touch_hwlib, repeat
        ),
    }
    no_change()  # leave the book built for the current hwlib
    return {
        "case": "the book itself, on the embedded sample",
        "reference": "clean build (make book, empty _build)",
        "rows": rows,
    }


def to_markdown(results, meta) -> str:
    lines = [
        f"# Benchmarks, {meta['date']}",
        "",
        f"Machine: {meta['machine']}. Repetitions: {meta['repeat']} "
        "(min and median wall time).",
        "",
    ]
    for r in results:
        lines += [
            f"## {r['case']}",
            "",
            "| implementation | min (s) | median (s) "
            "| ratio to reference (min) |",
            "| --- | ---: | ---: | ---: |",
        ]
        ref = r["rows"].get(r["reference"]) if r["reference"] else None
        for name, t in r["rows"].items():
            ratio = f"{t['min'] / ref['min']:.2f}" if ref else ""
            lines.append(
                f"| {name} | {t['min']:.4g} | {t['median']:.4g} | {ratio} |"
            )
        if r.get("note"):
            lines += ["", r["note"]]
        lines.append("")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--skip",
        nargs="*",
        default=[],
        choices=["knn", "pca", "harris", "sgd", "cnn", "book"],
    )
    args = parser.parse_args()
    if args.repeat < 3:
        parser.error(
            "--repeat must be at least 3 (min and median need several runs)"
        )
    data = fashion()
    results = []
    steps = [
        ("harris", lambda: [bench_harris(args.repeat)]),
        ("pca", lambda: [bench_pca(data, args.repeat)]),
        ("knn", lambda: [bench_knn(data, args.repeat)]),
        ("sgd", lambda: bench_sgd(data, args.repeat)),
        ("cnn", lambda: [bench_cnn(data, args.repeat)]),
        ("book", lambda: [bench_book(args.repeat)]),
    ]
    for name, step in steps:
        if name in args.skip:
            continue
        print(f"benchmark: {name} ...", flush=True)
        results += step()
    processor = platform.processor() or platform.machine()
    meta = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": (
            f"{platform.node()}, {os.cpu_count()} CPUs, {processor}, "
            f"Python {platform.python_version()}"
        ),
        "repeat": args.repeat,
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(
        json.dumps({"meta": meta, "results": results}, indent=2)
    )
    (out / "results.md").write_text(to_markdown(results, meta))
    print(to_markdown(results, meta))


if __name__ == "__main__":
    main()
