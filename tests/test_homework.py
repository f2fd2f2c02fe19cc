"""The homework notebooks (issue #16, section 4).

Both directions for every function a notebook asks for: its stub fails its
check (saying it is not implemented), the book's solution passes it on
several seeds. Known mistakes (several from the 2019 answer key) are named
by the checks. The generated notebooks are valid, hold the chapters' install
cell, one stub and one check per function, and import nothing from this
repository but hwlib; one of them runs end to end in a fresh Jupyter kernel
with the solutions in place of the stubs.
"""

import ast
import contextlib
import importlib
import io
import re
import sys
from pathlib import Path

import jupytext
import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def _homework(module):
    """homework.<module>, wherever pytest is started from."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return importlib.import_module(f"homework.{module}")


build = _homework("build")
checks = _homework("checks")
solutions = _homework("solutions")
stubs = _homework("stubs")

NAMES = list(dict.fromkeys(n for hw in build.HOMEWORK for n in hw.stubs))


def check_of(name):
    return getattr(checks, f"check_{name}")


def test_every_stub_has_a_check_a_solution_and_a_notebook():
    defined = {
        name
        for name, value in vars(stubs).items()
        if callable(value)
        and getattr(value, "__module__", "") == stubs.__name__
    }
    assert set(NAMES) == defined
    assert {
        n.removeprefix("check_") for n in dir(checks) if n.startswith("check_")
    } == defined
    assert all(hasattr(solutions, name) for name in NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_stub_and_solution_have_the_same_signature(name):
    import inspect

    stub, solution = getattr(stubs, name), getattr(solutions, name)
    assert inspect.signature(stub) == inspect.signature(solution)


@pytest.mark.parametrize("name", NAMES)
def test_stub_fails_its_check(name):
    with pytest.raises(AssertionError, match="not implemented yet"):
        check_of(name)(getattr(stubs, name), seed=0)


@pytest.mark.parametrize("name", NAMES)
def test_solution_passes_its_check(name, capsys):
    # Symbolic checks have no random inputs: one run is enough.
    seeds = (0,) if name.endswith("_expr") else (0, 1, 2)
    for seed in seeds:
        check_of(name)(getattr(solutions, name), seed=seed)
    lines = capsys.readouterr().out.splitlines()
    assert lines == [lines[0]] * len(seeds)
    assert lines[0].startswith(f"✓ {name}: ")


def test_checks_draw_fresh_inputs_by_default(capsys):
    seeds = {checks._rng(None)[1] for _ in range(5)}
    assert len(seeds) > 1
    checks.check_center(solutions.center)  # seed=None, as in the notebooks
    assert capsys.readouterr().out.startswith("✓ center: ")


def test_a_failure_says_how_to_repeat_it():
    with pytest.raises(AssertionError) as failure:
        checks.check_covariance(lambda Xc: Xc.T @ Xc / len(Xc), seed=7)
    assert "check_covariance(covariance, seed=7) repeats them" in str(
        failure.value
    )


# ---------------------------------------------------------- known mistakes


def _center_uint8(X):
    rows = X.reshape(len(X), -1)
    mean = rows.mean(axis=0)
    return rows - mean.astype(rows.dtype), mean


def _eig_ascending(C):
    return np.linalg.eigh(C)


def _eig_half_reversed(C):
    values, vectors = np.linalg.eigh(C)
    return values[::-1], vectors


def _eig_rows(C):
    values, vectors = np.linalg.eigh(C)
    return values[::-1], vectors[:, ::-1].T


def _gradient_points_np_gradient(image, row, col, window_size=3):
    Iy, Ix = np.gradient(np.asarray(image, dtype=float))
    r = window_size // 2
    window = np.s_[row - r : row + r + 1, col - r : col + r + 1]
    return np.column_stack([Ix[window].ravel(), Iy[window].ravel()])


class _KNNNoSelf:
    def __init__(self, num_neighbors):
        self.num_neighbors = num_neighbors

    def fit(self, X, y):
        self.X, self.y = X, y

    def predict(self, X):
        return np.zeros(len(X))


class _KNNAnswerKey(_KNNNoSelf):
    """The 2019 answer key: breaks for k = 1 (1-D query results)."""

    def fit(self, X, y):
        from scipy.spatial import KDTree

        self.tree, self.y = KDTree(X), y
        return self

    def predict(self, X):
        from scipy.stats import mode

        _, ind = self.tree.query(X, k=self.num_neighbors)
        return mode(self.y[ind], axis=1).mode


class _KNNUint8Distances(_KNNNoSelf):
    def fit(self, X, y):
        self.X, self.y = X, y
        return self

    def predict(self, X):
        D = ((X[:, None, :] - self.X[None]) ** 2).sum(-1)  # wraps for uint8
        nearest = np.argsort(D, axis=1)[:, : self.num_neighbors]
        return np.array([np.bincount(self.y[n]).argmax() for n in nearest])


def _softmax_in_place(u):
    u -= np.max(u)  # the 2019 answer key's
    e = np.exp(u)
    return e / e.sum()


def _softmax_unstable(u):
    e = np.exp(u)
    return e / e.sum()


def _loss_without_log(W, b, x, y_prime):
    return -np.sum(y_prime * solutions.softmax(W @ x + b))  # answer key


def _loss_grad_transposed(W, b, x, y_prime):
    error = solutions.softmax(W @ x + b) - y_prime
    return np.outer(x, error), error


def _sgd_answer_key(W, b, X, Y, lr):
    for x, y_prime in zip(X, Y):
        dW, db = solutions.loss_grad(W, b, x, y_prime)
        W -= lr * dW
        b = lr * db  # the 2019 answer key's
    return W, b


def _gradient_descent(W, b, X, Y, lr):
    from hwlib import softmax as sm

    dW, db = sm.loss_grad(W, b, X, Y.argmax(axis=1))
    return W - lr * dW, b - lr * db


def _mlp_answer_key():
    import torch
    from torch import nn

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.layer1 = nn.Linear(784, 1024)
            self.relu = nn.ReLU()
            self.layer2 = nn.Linear(1024, 10)

        def forward(self, x):
            torch.flatten(x, 1)  # the 2019 answer key drops the result
            return self.layer2(self.relu(self.layer1(x)))

    return MLP()


def _cnn_answer_key():
    import torch
    from torch import nn

    class CNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 32, 5)
            self.conv2 = nn.Conv2d(32, 64, 5)
            self.dense = nn.Linear(1024, 10)

        def forward(self, x):
            x = nn.functional.max_pool2d(torch.relu(self.conv1(x)), 2)
            x = nn.functional.max_pool2d(torch.relu(self.conv2(x)), 2)
            return self.dense(torch.flatten(x, 1))

    return CNN()


def _train_step_without_zero_grad(model, optimizer, images, labels):
    from torch import nn

    loss = nn.functional.cross_entropy(model(images), labels)
    loss.backward()
    optimizer.step()
    return loss.item()


MISTAKES = [
    ("center", _center_uint8, "uint8 arithmetic wraps around"),
    (
        "covariance",
        lambda Xc: np.cov(Xc.T),
        "np.cov, which question 1.2.2 rules out",
    ),
    ("covariance", lambda Xc: Xc.T @ Xc / len(Xc), "divides by n - 1"),
    ("eig_descending", _eig_ascending, "ascending order"),
    ("eig_descending", _eig_half_reversed, "not the columns of eigenvectors"),
    ("eig_descending", _eig_rows, "as rows"),
    ("project", lambda Xc, V, k: Xc @ V[:k].T, "first k rows of eigenvectors"),
    (
        "reconstruct",
        lambda Z, V, mean: Z @ V[:, : Z.shape[1]].T,
        "the mean is missing",
    ),
    (
        "gradient_points",
        _gradient_points_np_gradient,
        "np.gradient divides by 2",
    ),
    (
        "structure_matrix",
        lambda P: np.cov(P.T) * (len(P) - 1),
        "subtracted the mean gradient",
    ),
    (
        "harris_response",
        lambda M, kappa=0.05: np.linalg.det(M) - kappa * np.trace(M),
        "must be squared",
    ),
    ("KNNClassifier", _KNNNoSelf, "fit must return self"),
    ("KNNClassifier", _KNNAnswerKey, "KDTree.query returns 1-D arrays"),
    ("KNNClassifier", _KNNUint8Distances, "uint8 arrays wrap around"),
    (
        "dy_du",
        lambda u: np.diag(solutions.softmax(u) * (1 - solutions.softmax(u))),
        "it is diagonal",
    ),
    ("dJ_du", lambda u, y_prime: solutions.softmax(u), "subtract the target"),
    ("dJ_dy_expr", lambda y, y_prime, i: y_prime[i] / y[i], "wrong sign"),
    (
        "dy_du_expr",
        lambda y, i, j, delta: y[i] * (1 - y[j]),
        "is not the derivative: with c = 3 classes",
    ),
    (
        "dJ_db_expr",
        lambda y, y_prime, j: "y[j] - y'[j]",
        "must be a sympy expression",
    ),
    ("loss_grad", _loss_grad_transposed, "transposed"),
    (
        "loss_grad",
        lambda W, b, x, y_prime: solutions.loss_grad(W, b, x, y_prime)[::-1],
        "returned (db, dW)",
    ),
    ("softmax", _softmax_in_place, "changed its argument in place"),
    ("softmax", _softmax_unstable, "subtract max(u) first"),
    ("loss", _loss_without_log, "the log is missing"),
    ("sgd_epoch", _sgd_answer_key, "b -= lr * db"),
    ("sgd_epoch", _gradient_descent, "gradient descent"),
    ("MLP", _mlp_answer_key, "torch.flatten returns a new tensor"),
    ("train_step", _train_step_without_zero_grad, "optimizer.zero_grad()"),
    ("CNN", _cnn_answer_key, "two linear layers"),
    (
        "first_layer_kernels",
        lambda model: model.conv1.weight[:, 0],
        "return a numpy array",
    ),
    (
        "first_layer_kernels",
        lambda model: model.conv1.weight.detach().numpy(),
        "drop the input-channel axis",
    ),
    (
        "pick_digit_images",
        lambda images, labels: images[:10],
        "must be an image of the digit k",
    ),
]


@pytest.mark.parametrize(
    ("name", "mistake", "message"),
    MISTAKES,
    ids=[f"{name}-{message[:20]}" for name, _, message in MISTAKES],
)
def test_check_names_a_known_mistake(name, mistake, message):
    with (
        pytest.raises(AssertionError, match=re.escape(message)) as failure,
        np.errstate(all="ignore"),
    ):
        check_of(name)(mistake, seed=3)
    assert str(failure.value).startswith(f"{name}: ")


# ---------------------------------------------------------------- notebooks


@pytest.fixture(scope="module")
def notebooks(tmp_path_factory):
    out = tmp_path_factory.mktemp("homework")
    paths = build.build(out)
    solved = build.build(out / "solutions", solutions=True)
    read = {p.name: nbformat.read(p, as_version=4) for p in paths}
    return read, {p.name: nbformat.read(p, as_version=4) for p in solved}


def _defined_stubs(source):
    """Top-level functions and classes whose body raises NotImplementedError."""
    names = set()
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            raises = [
                n
                for n in ast.walk(node)
                if isinstance(n, ast.Raise)
                and isinstance(n.exc, ast.Name)
                and n.exc.id == "NotImplementedError"
            ]
            if raises:
                names.add(node.name)
    return names


def _imported_modules(source):
    modules = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            modules.add(node.module.split(".")[0])
    return modules


def test_notebooks_are_valid_and_complete(notebooks):
    student, solved = notebooks
    assert set(student) == {hw.filename for hw in build.HOMEWORK}
    assert set(solved) == set(student)
    chapter = jupytext.read(ROOT / "chapters" / "01-mnist.md")
    install = next(c for c in chapter.cells if c.cell_type == "code").source
    for hw in build.HOMEWORK:
        nb = student[hw.filename]
        nbformat.validate(nb)
        assert nb.metadata.kernelspec.name == "python3"
        code = [c.source for c in nb.cells if c.cell_type == "code"]
        assert code[0] == install.strip(), "not the chapters' install cell"
        stub_cells = [i for i, s in enumerate(code) if _defined_stubs(s)]
        assert [
            n for i in stub_cells for n in _defined_stubs(code[i])
        ] == hw.stubs
        for i, name in zip(stub_cells, hw.stubs):
            assert code[i + 1] == f"check_{name}({name})", (
                "a check follows each stub"
            )
        defined = {
            node.name
            for s in code
            for node in ast.parse(s).body
            if isinstance(node, ast.FunctionDef)
        }
        assert {f"check_{name}" for name in hw.stubs} <= defined
        # Self-contained: only hwlib and what Colab has, nothing of this repo.
        modules = set().union(*map(_imported_modules, code))
        assert modules <= {
            "contextlib",
            "copy",
            "hwlib",
            "importlib",
            "numpy",
            "pathlib",
            "scipy",
            "subprocess",
            "sympy",
            "sys",
            "torch",
        }, f"{hw.filename} imports {sorted(modules)}"
        # The solutions notebook differs only in the stubs' cells.
        solved_code = [
            c.source
            for c in solved[hw.filename].cells
            if c.cell_type == "code"
        ]
        assert len(solved_code) == len(code)
        assert not any(_defined_stubs(s) for s in solved_code)


def _run_in_process(nb):
    """Execute a notebook's code cells in one namespace; (cell, error) pairs."""
    namespace, outcomes = {}, []
    output = io.StringIO()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            with contextlib.redirect_stdout(output):
                exec(compile(cell.source, "<cell>", "exec"), namespace)
        except AssertionError as err:
            outcomes.append((cell.source, err))
        else:
            outcomes.append((cell.source, None))
    return outcomes, output.getvalue()


def test_student_notebooks_fail_every_check_until_answered(notebooks):
    student, _ = notebooks
    for hw in build.HOMEWORK:
        outcomes, _ = _run_in_process(student[hw.filename])
        failed = {src for src, err in outcomes if err is not None}
        assert failed == {f"check_{name}({name})" for name in hw.stubs}
        assert all(
            "not implemented yet" in str(err) for _, err in outcomes if err
        )


def test_solution_notebooks_pass_every_check_on_fresh_inputs(notebooks):
    _, solved = notebooks
    for hw in build.HOMEWORK:
        outcomes, printed = _run_in_process(solved[hw.filename])
        assert [err for _, err in outcomes if err] == [], hw.filename
        assert printed.count("✓") == len(hw.stubs), printed


def test_a_notebook_runs_in_a_fresh_kernel(notebooks, tmp_path):
    # hw1.2: the quickest kernel run (a few seconds); the in-process runs
    # above cover the other notebooks' code.
    _, solved = notebooks
    nb = solved["hw1.2-pca.ipynb"]
    client = NotebookClient(
        nb,
        timeout=60,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},  # not the repo
    )
    client.execute()
    printed = "".join(
        output.get("text", "")
        for cell in nb.cells
        for output in cell.get("outputs", [])
        if output.get("name") == "stdout"
    )
    assert printed.count("✓") == 5, printed
