"""Checks for the homework notebooks (issue #16, section 4).

``check_<name>(student_function, *, seed=None)`` calls a student's function
on fresh random inputs, compares what it returns with the book's solution in
hwlib (the oracle) and with identities the answer must satisfy, and raises
``AssertionError`` with a message that says what is wrong: a shape, a sign, a
constant factor, the input where the values differ, or a known mistake by
name. A stub that still raises ``NotImplementedError`` fails with a message
that says so. When everything agrees the check prints one line starting
with "✓".

Random inputs: with ``seed=None`` (what the notebooks do) every run draws a
new seed from the operating system's entropy, so a function cannot pass by
luck on one fixed input. A failure message prints the seed, and
``check_<name>(function, seed=...)`` repeats exactly those inputs. The tests
pass fixed seeds. Inputs are tiny (no MNIST, no training): a check takes
well under two seconds.

The notebooks cannot import this module: on Colab only hwlib is installed.
``homework/build.py`` copies ``HEADER``, the helpers in ``HELPERS`` and the
checks a notebook needs into one cell of that notebook
(``inspect.getsource``). Everything here is therefore self-contained:
module-level code is only what ``HEADER`` imports, and each check imports
anything else (hwlib, sympy, torch) inside its body.
"""

import contextlib

import numpy as np

HEADER = "import contextlib\n\nimport numpy as np\n"


# ---------------------------------------------------------------- helpers


class _NotImplementedYet(AssertionError):
    """A stub that still raises NotImplementedError."""


def _rng(seed):
    """A numpy Generator and its seed; a fresh seed from the OS if None."""
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % 1_000_000)
    return np.random.default_rng(seed), seed


@contextlib.contextmanager
def _checking(name, seed):
    """Name the function in every failure and say how to repeat it."""
    try:
        yield
    except _NotImplementedYet:
        raise
    except AssertionError as err:
        message = f"{name}: {err}"
        if seed is not None:
            message += (
                f"\n(random inputs from seed={seed}: "
                f"check_{name}({name}, seed={seed}) repeats them)"
            )
        raise AssertionError(message) from err.__cause__


def _describe(value):
    """A short description of a value for messages: type, dtype, shape."""
    shape = getattr(value, "shape", None)
    if shape is not None and hasattr(value, "dtype"):
        return f"<{type(value).__name__} {value.dtype} {tuple(shape)}>"
    if isinstance(value, (bool, int, float, np.number)):
        return repr(value)
    if isinstance(value, (tuple, list)):
        return f"<{type(value).__name__} of {len(value)}>"
    return f"<{type(value).__name__}>"


def _call(name, function, *args, hint=None, **kwargs):
    """Call the student's code; turn what it raises into a clear failure."""
    try:
        return function(*args, **kwargs)
    except NotImplementedError:
        raise _NotImplementedYet(
            f"{name} is not implemented yet: write your code in place of "
            "`raise NotImplementedError`, run that cell, then run the check "
            "again."
        ) from None
    except AssertionError:
        raise
    except Exception as err:
        inputs = [_describe(a) for a in args]
        inputs += [f"{k}={_describe(v)}" for k, v in kwargs.items()]
        message = (
            f"{name}({', '.join(inputs)}) raised {type(err).__name__}: {err}"
        )
        if hint:
            message += f"\nHint: {hint}"
        raise AssertionError(message) from err


def _fail(message):
    raise AssertionError(message)


def _as_array(value, what):
    """``value`` as a float array, or a failure that says why it is not."""
    if value is None:
        _fail(f"{what} is None: did you forget to `return` it?")
    if type(value).__module__.split(".")[0] == "torch":
        _fail(
            f"{what} is a torch {type(value).__name__}: return a numpy "
            "array (tensor.detach().cpu().numpy())"
        )
    try:
        return np.array(value, dtype=float)
    except (TypeError, ValueError):
        _fail(f"{what} must be an array of numbers, got {_describe(value)}")


def _unpack(value, names, function):
    """The tuple a function returns, checked for its length."""
    if not isinstance(value, (tuple, list)) or len(value) != len(names):
        _fail(
            f"{function} must return a tuple ({', '.join(names)}), "
            f"got {_describe(value)}"
        )
    return value


def _assert_close(
    actual,
    expected,
    what,
    *,
    rtol=1e-7,
    atol=0.0,
    where="",
    hints=(),
    nonfinite="",
):
    """Compare with the oracle; explain the difference if there is one.

    Values agree within ``rtol`` times the largest magnitude of
    ``expected``, or ``atol``, whichever is larger. ``hints`` pairs known
    wrong answers with what to say when ``actual`` equals one of them;
    ``nonfinite`` is said when ``actual`` holds inf or NaN.
    """
    got = _as_array(actual, what)
    expected = np.asarray(expected, dtype=float)
    scale = float(np.abs(expected).max(initial=0.0))
    tol = max(rtol * (scale if scale > 0 else 1.0), atol)

    def close(a, b):
        b = np.asarray(b, dtype=float)
        return a.shape == b.shape and bool(np.all(np.abs(a - b) <= tol))

    def known_mistake():
        for candidate, message in hints:
            if close(got, candidate):
                _fail(f"{what}{where} is wrong: {message}")

    if got.shape != expected.shape:
        known_mistake()
        if got.ndim == 2 and close(got.T, expected):
            _fail(
                f"{what}{where} is transposed: shape {got.shape}, expected "
                f"{expected.shape}"
            )
        _fail(
            f"{what}{where} has shape {got.shape}, expected {expected.shape}"
        )
    if not np.all(np.isfinite(got)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(got))[0])
        at = f" at index {bad}" if bad else ""
        _fail(
            f"{what}{where} contains {got[bad]}{at}, expected finite "
            f"values. {nonfinite}".rstrip()
        )
    if close(got, expected):
        return
    known_mistake()
    if close(got, -expected):
        _fail(f"{what}{where} has the wrong sign")
    norm2 = float((expected * expected).sum())
    if norm2 > 0:
        factor = float((got * expected).sum()) / norm2
        if abs(factor - 1) > 1e-3 and close(got, factor * expected):
            _fail(f"{what}{where} is {factor:.6g} times the right value")
    error = np.abs(got - expected)
    worst = np.unravel_index(np.argmax(error), error.shape)
    at = f" at index {tuple(int(i) for i in worst)}" if worst else ""
    _fail(
        f"{what}{where} is wrong{at}: got {got[worst]:.8g}, expected "
        f"{expected[worst]:.8g} (tolerance {tol:.1g})"
    )


def _numeric_gradient(f, x, h=1e-6):
    """Central differences: array of shape ``f(x).shape + x.shape``."""
    x = np.array(x, dtype=float)
    out = np.asarray(f(x), dtype=float)
    jacobian = np.empty(out.shape + x.shape)
    for index in np.ndindex(*x.shape):
        up, down = x.copy(), x.copy()
        up[index] += h
        down[index] -= h
        difference = np.asarray(f(up)) - np.asarray(f(down))
        jacobian[(...,) + index] = difference / (2 * h)
    return jacobian


def _window(rng, window_size):
    """A random image and a pixel whose window's gradients are interior."""
    r = window_size // 2
    H, W = (int(v) for v in rng.integers(2 * r + 4, 2 * r + 9, size=2))
    image = rng.uniform(0.0, 255.0, size=(H, W))
    row = int(rng.integers(r + 1, H - r - 1))
    col = int(rng.integers(r + 1, W - r - 1))
    return image, row, col


def _symbolic_counterexample(derived, mine, rng):
    """Numbers at which two expressions of hwlib.derivations differ.

    Returns a description of the first such point, or None when the two
    agree at every point tried.
    """
    import sympy as sp

    from hwlib import derivations as d

    s = d.symbols()
    for i, j, k in ((1, 2, 1), (2, 2, 2), (3, 1, 2)):
        fixed = {s["c"]: 3, s["n"]: 2, s["i"]: i, s["j"]: j, s["k"]: k}
        a = sp.sympify(derived).subs(fixed).doit()
        b = sp.sympify(mine).subs(fixed).doit()
        values = {}
        for atom in sorted(a.atoms(sp.Indexed) | b.atoms(sp.Indexed), key=str):
            if atom.base == s["t"]:
                values[atom] = 1 if atom.indices[0] == 2 else 0
            else:
                values[atom] = sp.Rational(int(rng.integers(1, 10)), 10)
        b_value = b.subs(values)
        if b_value.free_symbols:
            _fail(
                "your expression uses symbols "
                f"{sorted(map(str, b_value.free_symbols))} that are not "
                "among the ones passed to your function (write y[j], not "
                "sympy.Symbol('y_j'))"
            )
        a_value = float(a.subs(values))
        b_value = float(b_value)
        if abs(a_value - b_value) > 1e-9 * max(1.0, abs(a_value)):
            shown = ", ".join(
                f"{atom} = {value}".replace("t[", "y'[")
                for atom, value in values.items()
            )
            softmax = " (y = S(u))" if "u[" in shown else ""
            return (
                f"with c = 3 classes, i = {i}, j = {j}, k = {k} and "
                f"{shown}{softmax}, your expression is {b_value:.6g} but the "
                f"derivative is {a_value:.6g}"
            )
    return None


def _assert_same_expression(expr, derived, substitute, what, seed):
    """A student's sympy expression equals hwlib's derived one."""
    import sympy as sp

    if not isinstance(expr, sp.Basic):
        _fail(
            f"{what} must be a sympy expression built from the symbols "
            f"passed in (such as y[i] or delta(i, j)), got {_describe(expr)}"
        )
    mine = substitute(expr)
    if sp.simplify(sp.expand(derived - mine)) == 0:
        return
    if sp.simplify(sp.expand(derived + mine)) == 0:
        _fail(f"your {what} = {expr} has the wrong sign")
    where = _symbolic_counterexample(
        derived, mine, np.random.default_rng(seed)
    )
    _fail(
        f"your {what} = {expr} is not the derivative: "
        + (where or "sympy cannot show it equals the derived one")
    )


def _passed(name, summary):
    print(f"✓ {name}: {summary}")


# ------------------------------------------------------- question 1.1


def check_pick_digit_images(pick_digit_images, *, seed=None):
    """pick_digit_images(images, labels) -> (10, H, W), entry k shows a k."""
    rng, seed = _rng(seed)
    with _checking("pick_digit_images", seed):
        for size in ((28, 28), tuple(int(v) for v in rng.integers(3, 9, 2))):
            n = int(rng.integers(12, 40))
            labels = rng.permutation(
                np.concatenate([np.arange(10), rng.integers(0, 10, n - 10)])
            )
            images = rng.integers(0, 256, size=(n, *size), dtype=np.uint8)
            out = _call(
                "pick_digit_images",
                pick_digit_images,
                images.copy(),
                labels.copy(),
            )
            digit_images = _as_array(out, "digit_images")
            if digit_images.shape != (10, *size):
                _fail(
                    f"digit_images has shape {digit_images.shape}, expected "
                    f"(10, {size[0]}, {size[1]}): one image per class 0..9"
                )
            for k in range(10):
                same = np.all(images == digit_images[k], axis=(1, 2))
                found = np.flatnonzero(same)
                if found.size == 0:
                    _fail(f"digit_images[{k}] is not one of the input images")
                if not np.any(labels[found] == k):
                    _fail(
                        f"digit_images[{k}] is image {int(found[0])}, "
                        f"labelled {int(labels[found[0]])}, not {k}: "
                        f"entry k must be an image of the digit k"
                    )
    _passed(
        "pick_digit_images",
        "entry k is an image labelled k, for every k, on 28 x 28 and "
        "smaller random images",
    )


# ------------------------------------------------------- question 1.2


def check_center(center, *, seed=None):
    """center(X) -> (X_centered, mean), for data and uint8 images."""
    from hwlib import pca

    rng, seed = _rng(seed)
    with _checking("center", seed):
        n = int(rng.integers(5, 12))
        cases = [
            rng.normal(3.0, 2.0, size=(n, int(rng.integers(2, 7)))),
            rng.integers(0, 256, size=(n, 4, 5), dtype=np.uint8),
        ]
        for X in cases:
            where = (
                f" for uint8 images of shape {X.shape}"
                if X.dtype == np.uint8
                else f" for float data of shape {X.shape}"
            )
            original = X.copy()
            X_centered, mean = _unpack(
                _call("center", center, X), ("X_centered", "mean"), "center"
            )
            if not np.array_equal(X, original):
                _fail(f"center changed its argument X in place{where}")
            expected, expected_mean = pca.center(X)
            rows = X.reshape(len(X), -1).astype(float)
            kind = np.asarray(X_centered).dtype.kind
            if kind in "iub":
                _fail(
                    f"X_centered{where} has integer dtype "
                    f"{np.asarray(X_centered).dtype}: convert X to float "
                    "before subtracting (uint8 arithmetic wraps around: "
                    "3 - 5 = 254, and the mean is not a whole number)"
                )
            _assert_close(
                mean,
                expected_mean,
                "mean",
                where=where,
                hints=[
                    (
                        expected_mean.reshape(X.shape[1:]),
                        "flatten every image into a row first: "
                        "X.reshape(len(X), -1) has shape (n, H * W)",
                    ),
                    (
                        rows.mean(axis=1),
                        "it has one value per data point; average over "
                        "axis 0 (the data points), one mean per feature",
                    ),
                ],
            )
            _assert_close(
                X_centered,
                expected,
                "X_centered",
                where=where,
                hints=[
                    (
                        expected.reshape(X.shape),
                        "flatten every image into a row first: "
                        "X.reshape(len(X), -1) has shape (n, H * W)",
                    ),
                    (
                        rows - rows.mean(),
                        "you subtracted one overall mean; subtract the mean "
                        "of every feature (column)",
                    ),
                ],
            )
    _passed(
        "center",
        "same as hwlib.pca.center on float data and on uint8 images; every "
        "column of X_centered averages to 0",
    )


def check_covariance(covariance, *, seed=None):
    """covariance(X_centered) -> C (d, d), without np.cov."""
    from hwlib import pca

    rng, seed = _rng(seed)

    def no_cov(*args, **kwargs):
        _fail(
            "it calls np.cov, which question 1.2.2 rules out: compute C from "
            "X_centered with one matrix product"
        )

    with _checking("covariance", seed):
        for _ in range(3):
            n, d = int(rng.integers(4, 15)), int(rng.integers(2, 7))
            X = rng.normal(size=(n, d)) @ rng.normal(size=(d, d))
            Xc = X - X.mean(axis=0)
            real_cov = np.cov
            np.cov = no_cov
            try:
                C = _call("covariance", covariance, Xc.copy())
            finally:
                np.cov = real_cov
            _assert_close(
                C,
                pca.covariance(Xc),
                "C",
                where=f" for X_centered of shape {Xc.shape}",
                hints=[
                    (
                        Xc.T @ Xc / n,
                        "it is divided by n; the sample covariance divides "
                        "by n - 1 (eq. pca-cov)",
                    ),
                    (
                        Xc @ Xc.T / (n - 1),
                        "that is X_centered @ X_centered.T, shape (n, n); "
                        "the covariance of the d features is "
                        "X_centered.T @ X_centered / (n - 1), shape (d, d)",
                    ),
                ],
            )
    _passed(
        "covariance",
        "same as hwlib.pca.covariance, X_centered^T X_centered / (n - 1), on "
        "3 random data sets, without np.cov",
    )


def check_eig_descending(eig_descending, *, seed=None):
    """eig_descending(C) -> (eigenvalues desc, eigenvectors as columns)."""
    from hwlib import pca

    rng, seed = _rng(seed)
    with _checking("eig_descending", seed):
        for _ in range(3):
            d = int(rng.integers(2, 7))
            A = rng.normal(size=(d + 3, d)) * rng.uniform(0.5, 3.0, size=d)
            C = pca.covariance(A - A.mean(axis=0))
            expected_values, expected_vectors = pca.eig_descending(C)
            where = f" for a random {d} x {d} covariance matrix"
            values, vectors = _unpack(
                _call("eig_descending", eig_descending, C.copy()),
                ("eigenvalues", "eigenvectors"),
                "eig_descending",
            )
            values = _as_array(values, "eigenvalues")
            _assert_close(
                values,
                expected_values,
                "eigenvalues",
                rtol=1e-9,
                where=where,
                hints=[
                    (
                        expected_values[::-1],
                        "they are in ascending order (np.linalg.eigh's); "
                        "reverse them, and the columns of eigenvectors too",
                    )
                ],
            )
            V = _as_array(vectors, "eigenvectors")
            if V.shape != (d, d):
                _fail(f"eigenvectors has shape {V.shape}, expected {(d, d)}")
            tol = 1e-8 * float(np.abs(expected_values).max())
            residual = np.linalg.norm(C @ V - V * values, axis=0)
            if np.any(residual > tol):
                if np.allclose(C @ V.T, V.T * values, rtol=0, atol=tol):
                    _fail(
                        "eigenvectors holds the eigenvectors as rows; keep "
                        "them as columns: eigenvectors[:, i] belongs to "
                        "eigenvalues[i] (transpose it)"
                    )
                if np.allclose(
                    C @ V[:, ::-1], V[:, ::-1] * values, rtol=0, atol=tol
                ):
                    _fail(
                        "eigenvectors[:, i] belongs to eigenvalues[d - 1 - i]"
                        ": you reversed the eigenvalues but not the columns "
                        "of eigenvectors"
                    )
                i = int(np.argmax(residual > tol))
                _fail(
                    f"eigenvectors[:, {i}] is not an eigenvector of C for "
                    f"eigenvalues[{i}]{where}: |C v - lambda v| = "
                    f"{residual[i]:.3g}"
                )
            lengths = np.linalg.norm(V, axis=0)
            if not np.allclose(lengths, 1.0):
                _fail(
                    "the columns of eigenvectors must have length 1; their "
                    f"lengths are {np.round(lengths, 4).tolist()}"
                )
            signs = np.where((V * expected_vectors).sum(axis=0) < 0, -1, 1)
            _assert_close(
                V * signs,
                expected_vectors,
                "eigenvectors (each column up to its sign)",
                rtol=1e-6,
                where=where,
            )
    _passed(
        "eig_descending",
        "eigenvalues descending and equal to hwlib.pca.eig_descending's; "
        "each column is a unit eigenvector (C v = lambda v), the book's up "
        "to its sign",
    )


def check_project(project, *, seed=None):
    """project(X_centered, eigenvectors, num_components) -> Z (n, k)."""
    from hwlib import pca

    rng, seed = _rng(seed)
    with _checking("project", seed):
        for _ in range(3):
            n, d = int(rng.integers(5, 12)), int(rng.integers(3, 7))
            X = rng.normal(size=(n, d))
            Xc = X - X.mean(axis=0)
            _, V = pca.eig_descending(pca.covariance(Xc))
            k = int(rng.integers(1, d))
            Z = _call("project", project, Xc.copy(), V.copy(), k)
            _assert_close(
                Z,
                pca.project(Xc, V, k),
                "Z",
                where=f" for X_centered {Xc.shape}, num_components={k}",
                hints=[
                    (
                        Xc @ V[:k].T,
                        "it uses the first k rows of eigenvectors; the "
                        "eigenvectors are its columns, eigenvectors[:, :k]",
                    ),
                    (
                        Xc @ V[:, -k:],
                        "it uses the last k columns of eigenvectors; the "
                        "principal axes are the first k (largest "
                        "eigenvalues)",
                    ),
                    (
                        Xc @ V,
                        "it keeps all d coordinates; keep the first "
                        "num_components",
                    ),
                ],
            )
    _passed(
        "project",
        "same as hwlib.pca.project, X_centered V[:, :k], on 3 random inputs",
    )


def check_reconstruct(reconstruct, *, seed=None):
    """reconstruct(Z, eigenvectors, mean) -> X_hat (n, d)."""
    from hwlib import pca

    rng, seed = _rng(seed)
    with _checking("reconstruct", seed):
        for trial in range(3):
            n, d = int(rng.integers(5, 12)), int(rng.integers(3, 7))
            X = rng.normal(2.0, 1.0, size=(n, d))
            Xc, mean = pca.center(X)
            _, V = pca.eig_descending(pca.covariance(Xc))
            k = d if trial == 2 else int(rng.integers(1, d))
            Z = pca.project(Xc, V, k)
            X_hat = _call(
                "reconstruct", reconstruct, Z.copy(), V.copy(), mean.copy()
            )
            _assert_close(
                X_hat,
                pca.reconstruct(Z, V, mean),
                "X_hat",
                where=f" for Z {Z.shape}, eigenvectors {V.shape}",
                hints=[
                    (
                        Z @ V[:, :k].T,
                        "the mean is missing: add it back to Z V_k^T",
                    ),
                    (
                        Z @ V[:k] + mean,
                        "it uses the first k rows of eigenvectors; the "
                        "eigenvectors are its columns, eigenvectors[:, :k]",
                    ),
                ],
            )
            if k == d:
                _assert_close(
                    X_hat,
                    X,
                    "X_hat",
                    rtol=1e-9,
                    where=" with all d components (it must give back X)",
                )
    _passed(
        "reconstruct",
        "same as hwlib.pca.reconstruct on 3 random inputs, and gives back X "
        "exactly when all components are kept",
    )


# ------------------------------------------------------- question 1.3


def check_gradient_points(gradient_points, *, seed=None):
    """gradient_points(image, row, col, window_size) -> P (n, 2)."""
    from hwlib import harris

    rng, seed = _rng(seed)

    def by_rows(A):
        A = np.asarray(A, dtype=float)
        return A[np.lexsort(A.T[::-1])] if A.ndim == 2 else A

    with _checking("gradient_points", seed):
        for trial, window_size in enumerate((3, 5, 3)):
            image, row, col = _window(rng, window_size)
            if trial == 2:
                image = image.astype(np.uint8)
            n = window_size**2
            where = (
                f" for the {window_size} x {window_size} window at "
                f"row={row}, col={col} of a {image.dtype} image"
            )
            P = _as_array(
                _call(
                    "gradient_points",
                    gradient_points,
                    image.copy(),
                    row,
                    col,
                    window_size=window_size,
                ),
                "P",
            )
            if P.shape != (n, 2):
                _fail(
                    f"P has shape {P.shape}{where}, expected ({n}, 2): one "
                    "row (Ix, Iy) per pixel of the window"
                )
            expected = harris.gradient_pca(
                image, row, col, window_size=window_size
            ).points
            _assert_close(
                by_rows(P),
                by_rows(expected),
                "the set of gradient vectors (rows of P)",
                where=where,
                hints=[
                    (
                        by_rows(expected[:, ::-1]),
                        "the columns are (Iy, Ix); put Ix first: the "
                        "difference along x, that is along a row (axis 1)",
                    ),
                    (
                        by_rows(expected / 2),
                        "they are half the book's; the central difference "
                        "of eq. harris-gradients is I(x+1) - I(x-1), not "
                        "divided by 2 (np.gradient divides by 2)",
                    ),
                    (
                        by_rows(np.mod(expected, 256)),
                        "uint8 differences wrapped around (3 - 5 = 254); "
                        "convert the image to float first",
                    ),
                ],
            )
    _passed(
        "gradient_points",
        "the window's gradient vectors (Ix, Iy) are those of "
        "hwlib.harris.gradient_pca, for 3 x 3 and 5 x 5 windows and uint8 "
        "images",
    )


def check_structure_matrix(structure_matrix, *, seed=None):
    """structure_matrix(P) -> M (2, 2): the detector's M, and E(d) = d'Md."""
    from hwlib import harris

    rng, seed = _rng(seed)
    with _checking("structure_matrix", seed):
        # M of the detector (eq. harris-M) from the window's gradients.
        for window_size in (3, 5):
            image, row, col = _window(rng, window_size)
            P = harris.gradient_pca(
                image, row, col, window_size=window_size
            ).points
            Sxx, Sxy, Syy = (
                S[row, col]
                for S in harris.structure_tensor(
                    image, window_size=window_size
                )
            )
            D = P - P.mean(axis=0)
            _assert_close(
                _call("structure_matrix", structure_matrix, P.copy()),
                np.array([[Sxx, Sxy], [Sxy, Syy]]),
                "M",
                rtol=1e-9,
                where=(
                    f" for the gradients of a {window_size} x {window_size} "
                    "window (compared with hwlib.harris.structure_tensor)"
                ),
                hints=[
                    (
                        D.T @ D,
                        "you subtracted the mean gradient; Harris's M is "
                        "the plain sum of the outer products g g^T (eq. "
                        "harris-scatter), the second moment",
                    ),
                    (
                        P.T @ P / len(P),
                        "it is the average of the outer products g g^T; "
                        "with a box window of ones M is their sum",
                    ),
                    (
                        P @ P.T,
                        "that is P P^T, one row and column per pixel; M is "
                        "P^T P, 2 x 2",
                    ),
                ],
            )
        # Why this M: shifting the window by a small d changes it by
        # E(d) = sum_p [I(p + d) - I(p)]^2 ~ d^T M d (first-order Taylor).
        # A smooth image with exact gradients, so d can be tiny.
        amplitudes = rng.uniform(0.5, 2.0, size=3)
        frequencies = rng.uniform(-0.8, 0.8, size=(3, 2))
        phases = rng.uniform(0.0, 2 * np.pi, size=3)

        def intensity(p):
            return np.sin(p @ frequencies.T + phases) @ amplitudes

        def gradient(p):
            return (np.cos(p @ frequencies.T + phases) * amplitudes) @ (
                frequencies
            )

        offsets = np.arange(-2, 3)
        center = rng.uniform(-5.0, 5.0, size=2)
        pixels = center + np.stack(
            np.meshgrid(offsets, offsets), axis=-1
        ).reshape(-1, 2)
        P = gradient(pixels)
        M = _as_array(
            _call("structure_matrix", structure_matrix, P.copy()), "M"
        )
        if M.shape != (2, 2):
            _fail(f"M has shape {M.shape}, expected (2, 2)")
        step = 1e-5
        tolerance = 1e-2 * float(np.trace(P.T @ P)) * step**2
        for _ in range(4):
            direction = rng.normal(size=2)
            shift = step * direction / np.linalg.norm(direction)
            change = intensity(pixels + shift) - intensity(pixels)
            E = float((change**2).sum())
            predicted = float(shift @ M @ shift)
            if abs(E - predicted) > tolerance:
                _fail(
                    f"it does not describe how the window changes: for the "
                    f"small shift d = {shift} of a smooth image, "
                    f"E(d) = sum_p [I(p + d) - I(p)]^2 = {E:.6g}, but "
                    f"d^T M d = {predicted:.6g}. Expand I(p + d) to first "
                    "order in d (eq. harris-M)."
                )
    _passed(
        "structure_matrix",
        "equals hwlib.harris.structure_tensor's M at the window's centre, "
        "and E(d) = sum_p [I(p + d) - I(p)]^2 matches d^T M d for small "
        "shifts d",
    )


def check_harris_eigenvalues(harris_eigenvalues, *, seed=None):
    """harris_eigenvalues(M) -> (lambda1, lambda2), lambda1 >= lambda2."""
    from hwlib import harris

    rng, seed = _rng(seed)
    with _checking("harris_eigenvalues", seed):
        cases = []
        for window_size in (3, 5):
            image, row, col = _window(rng, window_size)
            S = harris.structure_tensor(image, window_size=window_size)
            M = np.array([[S[0], S[1]], [S[1], S[2]]])[:, :, row, col]
            lam = harris.structure_eigenvalues(image, window_size=window_size)
            cases.append(
                (
                    M,
                    np.array([lam[0][row, col], lam[1][row, col]]),
                    "M of a random window",
                )
            )
        v = rng.normal(size=2)
        cases.append((np.outer(v, v), np.array([v @ v, 0.0]), "an edge"))
        a = float(rng.uniform(1.0, 100.0))
        cases.append((a * np.eye(2), np.array([a, a]), "M = a I"))
        for M, expected, label in cases:
            out = _unpack(
                _call("harris_eigenvalues", harris_eigenvalues, M.copy()),
                ("lambda1", "lambda2"),
                "harris_eigenvalues",
            )
            got = np.array([_as_array(x, "lambda") for x in out])
            _assert_close(
                got,
                expected,
                "(lambda1, lambda2)",
                rtol=1e-9,
                where=f" for {label}, M = {M.round(4).tolist()}",
                hints=[
                    (expected[::-1], "lambda1 must be the larger one"),
                ],
                nonfinite=(
                    "For an edge det M = (tr M / 2)^2 up to rounding, so "
                    "the square root's argument can come out slightly "
                    "negative: clip it at 0, or use "
                    "np.hypot((a - c) / 2, b)."
                ),
            )
    _passed(
        "harris_eigenvalues",
        "same as hwlib.harris.structure_eigenvalues, also for an edge "
        "(lambda2 = 0) and for equal eigenvalues",
    )


def check_harris_response(harris_response, *, seed=None):
    """harris_response(M, kappa=0.05) -> R = det M - kappa (tr M)^2."""
    from hwlib import harris

    rng, seed = _rng(seed)
    with _checking("harris_response", seed):
        for trial, window_size in enumerate((3, 5, 3)):
            image, row, col = _window(rng, window_size)
            S = harris.structure_tensor(image, window_size=window_size)
            M = np.array([[S[0], S[1]], [S[1], S[2]]])[:, :, row, col]
            kappa = 0.05 if trial == 0 else float(rng.uniform(0.04, 0.06))
            expected = harris.harris_response(
                image, kappa=kappa, window_size=window_size
            )[row, col]
            args = (M.copy(),) if trial == 0 else (M.copy(), kappa)
            det, trace = np.linalg.det(M), np.trace(M)
            _assert_close(
                _call("harris_response", harris_response, *args),
                expected,
                "R",
                rtol=1e-9,
                where=(
                    " with the default kappa"
                    if trial == 0
                    else f" for kappa={kappa:.4f}"
                )
                + f", M = {M.round(4).tolist()}",
                hints=[
                    (
                        det - kappa * trace,
                        "the trace must be squared: R = det M - kappa "
                        "(tr M)^2",
                    ),
                    (det, "kappa (tr M)^2 is missing"),
                ],
            )
    _passed(
        "harris_response",
        "same as hwlib.harris.harris_response at the window's centre, "
        "with the default and with random kappa",
    )


# ------------------------------------------------------- question 2.1


def check_KNNClassifier(KNNClassifier, *, seed=None):
    """KNNClassifier(k).fit(X, y) is self; .predict(X_test) -> labels."""
    from hwlib.knn import KNNClassifier as BookKNN
    from hwlib.knn import pairwise_sq_distances

    rng, seed = _rng(seed)
    with _checking("KNNClassifier", seed):
        for k, num_classes, kind in (
            (3, 3, "float"),
            (1, 4, "float"),
            (5, 4, "uint8"),
        ):
            while True:
                N, d = int(rng.integers(30, 60)), int(rng.integers(2, 6))
                M = int(rng.integers(1, 15))
                y = rng.integers(0, num_classes, size=N)
                if kind == "uint8":
                    X = rng.integers(0, 256, size=(N, d), dtype=np.uint8)
                    X_test = rng.integers(0, 256, size=(M, d), dtype=np.uint8)
                else:
                    centers = rng.normal(scale=3.0, size=(num_classes, d))
                    X = centers[y] + rng.normal(size=(N, d))
                    X_test = centers[rng.integers(0, num_classes, M)]
                    X_test = X_test + rng.normal(scale=1.5, size=(M, d))
                # No ties at the k-th neighbour: the vote is well defined.
                D = np.sort(pairwise_sq_distances(X_test, X), axis=1)
                if np.all(D[:, k] > D[:, k - 1]):
                    break
            where = (
                f" (num_neighbors={k}, {N} training points of {kind} dtype "
                f"with {d} features, {M} test points)"
            )
            model = _call("KNNClassifier", KNNClassifier, k)
            fitted = _call("KNNClassifier.fit", model.fit, X.copy(), y.copy())
            if fitted is not model:
                _fail(
                    "fit must return self, so that "
                    "KNNClassifier(3).fit(X, y).predict(X_test) works"
                )
            hint = None
            if k == 1:
                hint = (
                    "with k=1, KDTree.query returns 1-D arrays (one "
                    "neighbour per point, no second axis)"
                )
            predicted = _as_array(
                _call(
                    "KNNClassifier.predict",
                    model.predict,
                    X_test.copy(),
                    hint=hint,
                ),
                "predict's result",
            )
            if predicted.shape != (M,):
                _fail(
                    f"predict returned shape {predicted.shape}{where}, "
                    f"expected ({M},): one label per test point"
                )
            _, nearest = (
                BookKNN(k, backend="brute").fit(X, y).kneighbors(X_test)
            )
            for q in range(M):
                votes = np.bincount(y[nearest[q]], minlength=num_classes)
                winners = np.flatnonzero(votes == votes.max())
                if predicted[q] not in winners:
                    note = ""
                    if kind == "uint8":
                        note = (
                            " These inputs are uint8: differences of uint8 "
                            "arrays wrap around (3 - 5 = 254); convert to "
                            "float first."
                        )
                    _fail(
                        f"test point {q} is predicted {predicted[q]:g}"
                        f"{where}, but the labels of its {k} nearest "
                        f"training points are {y[nearest[q]].tolist()}, so "
                        f"the vote gives {' or '.join(map(str, winners))}."
                        + note
                    )
            if k == 1:
                again = _as_array(
                    _call("KNNClassifier.predict", model.predict, X.copy()),
                    "predict's result",
                )
                if not np.array_equal(again, y):
                    _fail(
                        "with num_neighbors=1, every training point must be "
                        "predicted its own label (it is its own nearest "
                        "neighbour)"
                    )
    _passed(
        "KNNClassifier",
        "predictions win the vote of the k nearest training points (found "
        "by hwlib's exact search) for k = 1, 3, 5, float and uint8 data",
    )


# --------------------------------------------------- questions 2.2.x


def _softmax_problem(rng, large=False):
    """Random W (c, d), b (c,), x (d,), label and one-hot y'."""
    from hwlib import softmax as sm

    c, d = int(rng.integers(3, 6)), int(rng.integers(2, 6))
    W = rng.normal(size=(c, d))
    b = rng.normal(size=c)
    x = rng.normal(size=d)
    if large:  # logits near 1000: exp overflows without the shift
        b = b + 1000.0
    label = int(rng.integers(0, c))
    return W, b, x, label, sm.one_hot([label], num_classes=c)[0]


def check_softmax(softmax, *, seed=None):
    """softmax(u) -> probabilities, stable for large logits."""
    from hwlib import softmax as sm

    rng, seed = _rng(seed)
    with _checking("softmax", seed):
        cases = [
            (
                "random logits",
                rng.normal(0.0, 3.0, size=int(rng.integers(2, 11))),
            ),
            ("logits near 1000", rng.normal(0.0, 3.0, size=5) + 1000.0),
            ("logits near -1000", rng.normal(0.0, 3.0, size=4) - 1000.0),
            ("a single class", rng.normal(size=1)),
            ("integer logits", rng.integers(-5, 6, size=6)),
        ]
        for label, u in cases:
            original = u.copy()
            with np.errstate(all="ignore"):
                p = _call("softmax", softmax, u)
            if not np.array_equal(u, original):
                _fail(
                    "softmax changed its argument in place (u -= u.max() "
                    "modifies the caller's array): compute u - u.max() into "
                    "a new array"
                )
            _assert_close(
                p,
                sm.softmax(u),
                "softmax(u)",
                rtol=1e-9,
                where=f" for {label}, u = {np.round(u, 3).tolist()}",
                nonfinite=(
                    "exp overflows or underflows: subtract max(u) first, "
                    "S(u) = S(u - max u) (eq. sm-stable)"
                ),
            )
    _passed(
        "softmax",
        "same as hwlib.softmax.softmax for random, huge (+-1000), single and "
        "integer logits, and leaves its argument unchanged",
    )


def check_loss(loss, *, seed=None):
    """loss(W, b, x, y_prime) -> J = -sum_i y'_i log y_i, y = S(Wx + b)."""
    from hwlib import softmax as sm

    rng, seed = _rng(seed)
    with _checking("loss", seed):
        for trial in range(4):
            W, b, x, label, y_prime = _softmax_problem(rng, large=trial == 3)
            if trial == 3:  # the target is the most probable class
                label = int(np.argmax(W @ x + b))
                y_prime = sm.one_hot([label], num_classes=len(b))[0]
            y = sm.softmax(W @ x + b)
            with np.errstate(all="ignore"):
                J = _call(
                    "loss", loss, W.copy(), b.copy(), x.copy(), y_prime.copy()
                )
            if np.ndim(J) != 0:
                _fail(f"loss must return one number, got {_describe(J)}")
            _assert_close(
                J,
                sm.loss(W, b, x, label),
                "J",
                rtol=1e-9,
                where=(
                    f" for W {W.shape}"
                    + (", logits near 1000" if trial == 3 else "")
                ),
                hints=[
                    (
                        -(y_prime * y).sum(),
                        "the log is missing: J = -sum_i y'_i log y_i (the "
                        "2019 answer key had this bug)",
                    ),
                    (
                        -(y_prime * (W @ x + b)).sum(),
                        "it takes the logits u = Wx + b for y; y is S(Wx + b)",
                    ),
                ],
                nonfinite="use the stable softmax (subtract max(u)).",
            )
    _passed(
        "loss",
        "same as hwlib.softmax.loss on 4 random problems, one with logits "
        "near 1000",
    )


def check_loss_grad(loss_grad, *, seed=None):
    """loss_grad(W, b, x, y_prime) -> (dW (c, d), db (c,))."""
    from hwlib import softmax as sm

    rng, seed = _rng(seed)
    with _checking("loss_grad", seed):
        for trial in range(4):
            W, b, x, label, y_prime = _softmax_problem(rng, large=trial == 3)
            where = f" for W {W.shape}" + (
                ", logits near 1000" if trial == 3 else ""
            )
            with np.errstate(all="ignore"):
                out = _call(
                    "loss_grad",
                    loss_grad,
                    W.copy(),
                    b.copy(),
                    x.copy(),
                    y_prime.copy(),
                )
            dW, db = _unpack(out, ("dW", "db"), "loss_grad")
            if np.shape(dW) == b.shape and np.shape(db) == W.shape:
                _fail("it returned (db, dW); return (dW, db)")
            expected_dW, expected_db = sm.loss_grad(W, b, x, label)
            y = sm.softmax(W @ x + b)
            stable = "use the stable softmax (subtract max(u))."
            _assert_close(
                dW,
                expected_dW,
                "dW",
                rtol=1e-9,
                where=where,
                hints=[
                    (
                        np.outer(y, x),
                        "it is y x^T; the error y - y' multiplies x",
                    )
                ],
                nonfinite=stable,
            )
            _assert_close(
                db,
                expected_db,
                "db",
                rtol=1e-9,
                where=where,
                hints=[(y, "it is y; subtract the target y'")],
                nonfinite=stable,
            )
            if trial == 0:  # the oracle itself, by central differences
                numeric = _numeric_gradient(
                    lambda V, b=b, x=x, label=label: sm.loss(V, b, x, label),
                    W,
                )
                _assert_close(
                    dW,
                    numeric,
                    "dW",
                    rtol=1e-6,
                    atol=1e-8,
                    where=" compared with central differences of the loss",
                )
    _passed(
        "loss_grad",
        "same as hwlib.softmax.loss_grad, dW = (y - y') x^T and "
        "db = y - y', and as central differences of the loss",
    )


def check_dJ_dy(dJ_dy, *, seed=None):
    """dJ_dy(y, y_prime) -> dJ/dy_i for J = -sum_i y'_i log y_i."""
    rng, seed = _rng(seed)
    with _checking("dJ_dy", seed):
        for _ in range(3):
            c = int(rng.integers(2, 7))
            y = rng.uniform(0.05, 1.0, size=c)
            y_prime = np.zeros(c)
            y_prime[rng.integers(0, c)] = 1.0

            def J(v, y_prime=y_prime):
                return -(y_prime * np.log(v)).sum()

            _assert_close(
                _call("dJ_dy", dJ_dy, y.copy(), y_prime.copy()),
                _numeric_gradient(J, y),
                "dJ/dy",
                rtol=1e-6,
                atol=1e-8,
                where=(
                    f" at y = {np.round(y, 3).tolist()}, y' = "
                    f"{y_prime.tolist()} (compared with central differences)"
                ),
            )
    _passed("dJ_dy", "agrees with central differences of J(y)")


def check_dy_du(dy_du, *, seed=None):
    """dy_du(u) -> Jacobian (c, c), entry [i, j] = dy_i/du_j."""
    from hwlib import softmax as sm

    rng, seed = _rng(seed)
    with _checking("dy_du", seed):
        for _ in range(3):
            u = rng.normal(0.0, 2.0, size=int(rng.integers(2, 7)))
            y = sm.softmax(u)
            numeric = _numeric_gradient(sm.softmax, u)
            _assert_close(
                _call("dy_du", dy_du, u.copy()),
                numeric,
                "the Jacobian dy/du",
                rtol=1e-6,
                atol=1e-8,
                where=(
                    f" at u = {np.round(u, 3).tolist()} (compared with "
                    "central differences of hwlib.softmax.softmax)"
                ),
                hints=[
                    (
                        np.diag(y * (1 - y)),
                        "it is diagonal, but y_i also depends on u_j for "
                        "j != i, through the normalising sum",
                    ),
                    (
                        np.diag(y) + np.outer(y, y) - 2 * np.diag(y * y),
                        "the entries off the diagonal have the wrong sign",
                    ),
                ],
            )
    _passed(
        "dy_du",
        "agrees with central differences of hwlib.softmax.softmax",
    )


def check_dJ_du(dJ_du, *, seed=None):
    """dJ_du(u, y_prime) -> dJ/du (c,), with y = S(u)."""
    from hwlib import softmax as sm

    rng, seed = _rng(seed)
    with _checking("dJ_du", seed):
        for _ in range(3):
            c = int(rng.integers(2, 7))
            u = rng.normal(0.0, 2.0, size=c)
            label = int(rng.integers(0, c))
            y_prime = sm.one_hot([label], num_classes=c)[0]
            eye, zeros = np.eye(c), np.zeros(c)

            def J(v, eye=eye, zeros=zeros, label=label):
                return sm.loss(eye, zeros, v, label)

            numeric = _numeric_gradient(J, u)
            where = (
                f" at u = {np.round(u, 3).tolist()}, y' = {y_prime.tolist()}"
            )
            got = _call("dJ_du", dJ_du, u.copy(), y_prime.copy())
            _assert_close(
                got,
                numeric,
                "dJ/du",
                rtol=1e-6,
                atol=1e-8,
                where=where + " (compared with central differences)",
                hints=[(sm.softmax(u), "it is y; subtract the target y'")],
            )
            _assert_close(
                got,
                sm.loss_grad(eye, zeros, u, label)[1],
                "dJ/du",
                rtol=1e-9,
                where=where + " (compared with hwlib.softmax.loss_grad)",
            )
    _passed(
        "dJ_du",
        "agrees with central differences of hwlib.softmax.loss and with "
        "hwlib.softmax.loss_grad",
    )


def check_dJ_dy_expr(dJ_dy_expr, *, seed=None):
    """dJ_dy_expr(y, y_prime, i) -> sympy expression of dJ/dy_i."""
    from hwlib import derivations as d

    s = d.symbols()
    with _checking("dJ_dy_expr", None):
        expr = _call("dJ_dy_expr", dJ_dy_expr, s["y"], s["y_prime"], s["i"])
        _assert_same_expression(
            expr,
            d.dJ_dy()[0],
            lambda e: e.subs(s["y_prime"], s["t"]),
            "dJ/dy_i",
            seed,
        )
    _passed(
        "dJ_dy_expr",
        "equals sympy's derivative of J = -sum_l y'_l log y_l "
        "(hwlib.derivations.dJ_dy), for any number of classes",
    )


def check_dy_du_expr(dy_du_expr, *, seed=None):
    """dy_du_expr(y, i, j, delta) -> sympy expression of dy_i/du_j."""
    from hwlib import derivations as d

    s = d.symbols()
    with _checking("dy_du_expr", None):
        expr = _call(
            "dy_du_expr", dy_du_expr, s["y"], s["i"], s["j"], s["delta"]
        )
        _assert_same_expression(
            expr, d.dy_du()[0], d.to_softmax, "dy_i/du_j", seed
        )
    _passed(
        "dy_du_expr",
        "equals sympy's derivative of the softmax (hwlib.derivations.dy_du),"
        " for any number of classes",
    )


def check_dJ_dW_expr(dJ_dW_expr, *, seed=None):
    """dJ_dW_expr(y, y_prime, x, j, k) -> sympy expression of dJ/dW_jk."""
    from hwlib import derivations as d

    s = d.symbols()
    with _checking("dJ_dW_expr", None):
        expr = _call(
            "dJ_dW_expr",
            dJ_dW_expr,
            s["y"],
            s["y_prime"],
            s["x"],
            s["j"],
            s["k"],
        )
        _assert_same_expression(
            expr, d.dJ_dW()[0], d.to_softmax, "dJ/dW_jk", seed
        )
    _passed(
        "dJ_dW_expr",
        "equals sympy's chain rule through u = Wx + b "
        "(hwlib.derivations.dJ_dW), for any number of classes and features",
    )


def check_dJ_db_expr(dJ_db_expr, *, seed=None):
    """dJ_db_expr(y, y_prime, j) -> sympy expression of dJ/db_j."""
    from hwlib import derivations as d

    s = d.symbols()
    with _checking("dJ_db_expr", None):
        expr = _call("dJ_db_expr", dJ_db_expr, s["y"], s["y_prime"], s["j"])
        _assert_same_expression(
            expr, d.dJ_db()[0], d.to_softmax, "dJ/db_j", seed
        )
    _passed(
        "dJ_db_expr",
        "equals sympy's chain rule through u = Wx + b "
        "(hwlib.derivations.dJ_db), for any number of classes",
    )


def _sgd_reference(W, b, X, labels, lr, *, sign=1.0, answer_key=False):
    """One epoch of per-sample SGD with hwlib.softmax.loss_grad.

    ``sign=-1`` climbs the loss; ``answer_key=True`` makes the 2019 answer
    key's update of b, ``b = lr * db``.
    """
    from hwlib import softmax as sm

    W, b = W.copy(), b.copy()
    for i in range(len(X)):
        dW, db = sm.loss_grad(W, b, X[i], labels[i])
        W -= sign * lr * dW
        b = lr * db if answer_key else b - sign * lr * db
    return W, b


def check_sgd_epoch(sgd_epoch, *, seed=None):
    """sgd_epoch(W, b, X, Y, lr) -> (W, b) after one per-sample pass."""
    from hwlib import softmax as sm

    rng, seed = _rng(seed)
    with _checking("sgd_epoch", seed):
        for _ in range(2):
            n, c, d = int(rng.integers(8, 20)), 3, int(rng.integers(2, 6))
            X = rng.normal(size=(n, d))
            labels = rng.integers(0, c, size=n)
            Y = sm.one_hot(labels, num_classes=c)
            W0 = rng.random((c, d)) - 0.5
            b0 = rng.random(c) - 0.5
            lr = float(rng.choice([0.05, 0.1, 0.2]))

            problem = (W0, b0, X, labels, lr)
            W_expected, b_expected = _sgd_reference(*problem)
            W_answer_key, b_answer_key = _sgd_reference(
                *problem, answer_key=True
            )
            W_ascent, _ = _sgd_reference(*problem, sign=-1.0)
            dW_all, db_all = sm.loss_grad(W0, b0, X, labels)
            where = f" for n={n} points, lr={lr}"
            W, b = _unpack(
                _call(
                    "sgd_epoch",
                    sgd_epoch,
                    W0.copy(),
                    b0.copy(),
                    X.copy(),
                    Y.copy(),
                    lr,
                ),
                ("W", "b"),
                "sgd_epoch",
            )
            hints = [
                (
                    W_answer_key,
                    "b is set to lr * db instead of being decreased by it "
                    "(the 2019 answer key's `b = lr * db`): b -= lr * db",
                ),
                (
                    W0 - lr * dW_all,
                    "that is one step with the gradient summed over all "
                    "points (gradient descent); SGD updates W and b after "
                    "every single point, in order",
                ),
                (
                    W_ascent,
                    "it climbs the loss: subtract the gradient, W -= lr * dW",
                ),
            ]
            _assert_close(
                W,
                W_expected,
                "W after one epoch",
                rtol=1e-9,
                where=where,
                hints=hints,
            )
            _assert_close(
                b,
                b_expected,
                "b after one epoch",
                rtol=1e-9,
                where=where,
                hints=[(b_answer_key, hints[0][1])],
            )
    _passed(
        "sgd_epoch",
        "same W and b as per-sample updates with hwlib.softmax.loss_grad, "
        "point by point in order",
    )


def check_predict(predict, *, seed=None):
    """predict(W, b, X) -> most probable class of every row of X."""
    from hwlib import softmax as sm

    rng, seed = _rng(seed)
    with _checking("predict", seed):
        for _ in range(3):
            c, d = int(rng.integers(2, 11)), int(rng.integers(2, 6))
            n = int(rng.integers(1, 20))
            W, b = rng.normal(size=(c, d)), rng.normal(size=c)
            X = rng.normal(size=(n, d))
            _assert_close(
                _call("predict", predict, W.copy(), b.copy(), X.copy()),
                sm.predict(W, b, X),
                "the predicted labels",
                where=f" for W {W.shape}, X {X.shape}",
            )
    _passed("predict", "same as hwlib.softmax.predict on 3 random inputs")


# --------------------------------------------------- questions 3, 3.x


def _logits(model, name, x, hint):
    """The model's output for x as a numpy array, checked to be a tensor."""
    import torch

    with torch.no_grad():
        out = _call(f"{name}.forward", model, x, hint=hint)
    if not isinstance(out, torch.Tensor):
        _fail(f"forward must return a tensor, got {_describe(out)}")
    if tuple(out.shape) != (x.shape[0], 10):
        _fail(
            f"{name}()(x) has shape {tuple(out.shape)} for x of shape "
            f"{tuple(x.shape)}, expected ({x.shape[0]}, 10)"
        )
    return out.detach().cpu().double().numpy()


def _layers(model, kind, expected, name):
    """The model's layers of one kind, checked against expected shapes."""
    layers = [m for m in model.modules() if isinstance(m, kind)]
    shapes = [tuple(m.weight.shape) for m in layers]
    if shapes != expected:
        _fail(
            f"{name} should have {len(expected)} {kind.__name__} layers, "
            f"with weights of shapes {expected} in this order; found "
            f"{shapes}"
        )
    return layers


def _images(rng, n):
    import torch

    return torch.from_numpy(rng.random((n, 1, 28, 28), dtype=np.float32))


def check_MLP(MLP, *, seed=None):
    """MLP(): 784 -> 1024 (ReLU) -> 10 logits, 814,090 parameters."""
    import torch
    from torch import nn

    from hwlib import nets

    rng, seed = _rng(seed)
    with _checking("MLP", seed):
        model = _call("MLP", MLP)
        if not isinstance(model, nn.Module):
            _fail(f"MLP() must be a torch.nn.Module, got {_describe(model)}")
        count = nets.count_parameters(model)
        if count != 814_090:
            layers = [(n, p.numel()) for n, p in model.named_parameters()]
            _fail(
                f"MLP() has {count:,} trainable parameters; 784 inputs -> "
                "1,024 hidden units -> 10 outputs, with biases, have "
                f"814,090. Yours: {layers}"
            )
        x = _images(rng, int(rng.integers(2, 6)))
        out = _logits(
            model,
            "MLP",
            x,
            "forward gets images of shape (N, 1, 28, 28): flatten them to "
            "(N, 784) first. torch.flatten returns a new tensor, so assign "
            "it: x = torch.flatten(x, 1)",
        )
        fc1, fc2 = _layers(
            model, nn.Linear, [(1024, 784), (10, 1024)], "MLP()"
        )
        book = nets.MLP()
        book.fc1.load_state_dict(fc1.state_dict())
        book.fc2.load_state_dict(fc2.state_dict())
        with torch.no_grad():
            expected = book(x)
            linear = book.fc2(book.fc1(x.flatten(1)))
        _assert_close(
            out,
            expected.double().numpy(),
            "MLP()(x)",
            rtol=1e-5,
            where=" (compared with hwlib.nets.MLP holding your weights)",
            hints=[
                (
                    linear.double().numpy(),
                    "there is no ReLU between the two linear layers",
                ),
                (
                    torch.softmax(expected, 1).double().numpy(),
                    "it returns probabilities; return the logits "
                    "(nn.CrossEntropyLoss applies the softmax itself)",
                ),
                (
                    torch.relu(expected).double().numpy(),
                    "there is a ReLU after the output layer; the logits "
                    "must be able to go negative",
                ),
            ],
        )
    _passed(
        "MLP",
        "814,090 parameters, logits (N, 10) from images (N, 1, 28, 28), the "
        "same as hwlib.nets.MLP with your weights",
    )


def check_train_step(train_step, *, seed=None):
    """train_step(model, optimizer, images, labels) -> loss as a float."""
    import copy

    import torch
    from torch import nn

    from hwlib import nets

    rng, seed = _rng(seed)
    with _checking("train_step", seed):
        torch.manual_seed(seed)
        model = nets.MLP(num_hiddens=int(rng.integers(4, 12)))
        n = int(rng.integers(4, 17))
        images = _images(rng, n)
        labels = torch.from_numpy(rng.integers(0, 10, size=n))
        optimizers = {
            "SGD(lr=0.1)": lambda p: torch.optim.SGD(p, lr=0.1),
            "Adam(lr=5e-4)": lambda p: torch.optim.Adam(p, lr=5e-4),
        }
        for name, make in optimizers.items():
            mine, book, stale = (copy.deepcopy(model) for _ in range(3))
            # Gradients left over from an earlier batch.
            for net in (mine, book, stale):
                for p in net.parameters():
                    p.grad = torch.full_like(p, 0.5)
            returned = _call(
                "train_step",
                train_step,
                mine,
                make(mine.parameters()),
                images.clone(),
                labels.clone(),
            )
            optimizer = make(book.parameters())
            loss = nn.functional.cross_entropy(book(images), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            optimizer = make(stale.parameters())
            nn.functional.cross_entropy(stale(images), labels).backward()
            optimizer.step()
            if isinstance(returned, torch.Tensor):
                _fail(
                    "it returns a tensor; return loss.item(), a Python "
                    "float (a tensor keeps the whole graph in memory)"
                )
            _assert_close(
                returned,
                loss.item(),
                "the returned loss",
                rtol=1e-5,
                where=f" with {name}",
            )

            def flat(net):
                return torch.cat(
                    [p.detach().flatten() for p in net.parameters()]
                ).double()

            if torch.equal(flat(mine), flat(model)):
                _fail(
                    f"the parameters did not change with {name}: call "
                    "optimizer.step() after loss.backward()"
                )
            _assert_close(
                flat(mine).numpy(),
                flat(book).numpy(),
                "the parameters after the step",
                rtol=1e-5,
                where=f" with {name}",
                hints=[
                    (
                        flat(stale).numpy(),
                        "the gradients already stored in the parameters "
                        "were added to this batch's: call "
                        "optimizer.zero_grad() before loss.backward()",
                    )
                ],
            )
    _passed(
        "train_step",
        "one step of SGD and of Adam gives the parameters and the loss of "
        "zero_grad, cross-entropy, backward, step",
    )


def check_CNN(CNN, *, seed=None):
    """CNN(): the network of question 3.1, 1,111,946 parameters."""
    import torch
    from torch import nn

    from hwlib import nets

    rng, seed = _rng(seed)
    with _checking("CNN", seed):
        model = _call("CNN", CNN)
        if not isinstance(model, nn.Module):
            _fail(f"CNN() must be a torch.nn.Module, got {_describe(model)}")
        count = nets.count_parameters(model)
        if count != 1_111_946:
            layers = [(n, p.numel()) for n, p in model.named_parameters()]
            known = {
                62_346: " It looks like one linear layer 1024 -> 10 after "
                "flatten (the 2019 answer key's): '(linear 1024) -> "
                "(output 10)' is two linear layers, 1024 -> 1024 and "
                "1024 -> 10.",
            }
            _fail(
                f"CNN() has {count:,} trainable parameters; the network of "
                "question 3.1 has 1,111,946 (conv1 832, conv2 51,264, "
                "linear 1,049,600, output 10,250)."
                + known.get(count, "")
                + f" Yours: {layers}"
            )
        x = _images(rng, int(rng.integers(2, 6)))
        out = _logits(
            model,
            "CNN",
            x,
            "the convolutions take no padding: 28 -> 24 -> 12 -> 8 -> 4, "
            "so 64 * 4 * 4 = 1024 features reach the linear layer; flatten "
            "with torch.flatten(x, 1) and assign the result",
        )
        convs = _layers(
            model, nn.Conv2d, [(32, 1, 5, 5), (64, 32, 5, 5)], "CNN()"
        )
        linears = _layers(
            model, nn.Linear, [(1024, 1024), (10, 1024)], "CNN()"
        )
        book = nets.CNN()
        for mine, theirs in zip(
            convs + linears, [book.conv1, book.conv2, book.fc1, book.fc2]
        ):
            theirs.load_state_dict(mine.state_dict())

        def forward(
            conv_relu=True, fc_relu=True, pool=nn.functional.max_pool2d
        ):
            relu = torch.relu
            h = book.conv1(x)
            h = pool(relu(h) if conv_relu else h, 2)
            h = book.conv2(h)
            h = pool(relu(h) if conv_relu else h, 2)
            h = book.fc1(h.flatten(1))
            return book.fc2(relu(h) if fc_relu else h).double().numpy()

        with torch.no_grad():
            expected = book(x)
            hints = [
                (
                    forward(fc_relu=False),
                    "there is no ReLU between the two linear layers",
                ),
                (
                    forward(conv_relu=False),
                    "there is no ReLU after the convolutions",
                ),
                (
                    forward(pool=nn.functional.avg_pool2d),
                    "it pools by averaging; the question asks for max "
                    "pooling (nn.MaxPool2d(2))",
                ),
                (
                    torch.softmax(expected, 1).double().numpy(),
                    "it returns probabilities; return the logits "
                    "(nn.CrossEntropyLoss applies the softmax itself)",
                ),
            ]
        _assert_close(
            out,
            expected.double().numpy(),
            "CNN()(x)",
            rtol=1e-5,
            where=" (compared with hwlib.nets.CNN holding your weights)",
            hints=hints,
        )
    _passed(
        "CNN",
        "1,111,946 parameters, logits (N, 10) from images (N, 1, 28, 28), "
        "the same as hwlib.nets.CNN with your weights",
    )


def check_first_layer_kernels(first_layer_kernels, *, seed=None):
    """first_layer_kernels(model) -> ndarray (32, 5, 5) of conv1's weights."""
    import torch

    from hwlib import nets

    rng, seed = _rng(seed)
    with _checking("first_layer_kernels", seed):
        torch.manual_seed(seed)
        model = nets.CNN()
        weights = model.conv1.weight.detach().double().numpy()
        before = {k: v.clone() for k, v in model.state_dict().items()}
        kernels = _call("first_layer_kernels", first_layer_kernels, model)
        _assert_close(
            kernels,
            weights[:, 0],
            "kernels",
            rtol=1e-7,
            where=" for a hwlib.nets.CNN with random weights",
            hints=[
                (
                    model.conv2.weight.detach().double().numpy(),
                    "those are conv2's kernels; the first layer is conv1",
                ),
                (
                    model.conv1.bias.detach().double().numpy(),
                    "those are conv1's biases; the kernels are its weight",
                ),
                (
                    weights,
                    "drop the input-channel axis: (32, 1, 5, 5) -> "
                    "(32, 5, 5), e.g. weights[:, 0]",
                ),
            ],
        )
        after = model.state_dict()
        if any(not torch.equal(before[k], after[k]) for k in before):
            _fail("it changed the model's weights; only read them")
    _passed(
        "first_layer_kernels",
        "the 32 kernels (32, 5, 5) of conv1, as a numpy array",
    )


HELPERS = [
    _NotImplementedYet,
    _rng,
    _checking,
    _describe,
    _call,
    _fail,
    _as_array,
    _unpack,
    _assert_close,
    _numeric_gradient,
    _window,
    _symbolic_counterexample,
    _assert_same_expression,
    _passed,
    _softmax_problem,
    _sgd_reference,
    _logits,
    _layers,
    _images,
]
"""Helpers every notebook's checking cell starts with, in this order."""
