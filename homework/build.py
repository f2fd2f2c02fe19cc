"""Write the homework notebooks (issue #16, section 4).

    python homework/build.py OUTDIR               # student notebooks
    python homework/build.py OUTDIR --solutions   # the same, solved

One notebook per question group the book answers (1.1 to 3.2). Each holds
the question in words, the install cell of the chapters (copied from
``chapters/01-mnist.md`` at build time, so the two cannot drift), an imports
cell, one "checks" cell (hidden in Jupyter and Colab) and then, for every
function to write, its stub (``homework/stubs.py``) followed by a check cell
``check_<name>(<name>)``.

The checks cell holds the source of ``homework/checks.py``'s helpers and of
the checks the notebook calls, copied with ``inspect.getsource``: the
notebooks import nothing from this repository except hwlib, which the
install cell provides on Colab. ``--solutions`` puts the book's solutions
(``homework/solutions.py``) in place of the stubs: an answer key, and what
the tests execute.
"""

import argparse
import inspect
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"

HOW_TO = """\
**How this notebook works.** Run the first three cells: the first installs
the book's library `hwlib` when it is missing (from the wheel `hwlib-*.whl`
beside this notebook, as in the book's release, else from GitHub, as on
Colab), the second imports what your code may use, the third defines the
checks. Then, for each
function: write your code in place of `raise NotImplementedError`, run that
cell, and run the check cell below it. A check calls your function on fresh
random inputs (new ones on every run), compares the results with the book's
solution (`hwlib`) and with identities the answer must satisfy, and says what
is wrong; when your function is right it prints a line starting with ✓. A
failing check prints the seed of its inputs: `check_name(name, seed=...)`
repeats exactly those inputs.

After trying, read the book's chapter *{title}* (`chapters/{page}.md`), \
which derives and explains the solution."""

CHECKS_TITLE = """\
# @title Checks: run this cell (you need not read it)
# Each check_<name> calls your function on fresh random inputs, compares
# the results with the book's solution in hwlib and explains any
# difference. Copied from homework/checks.py by homework/build.py.
"""


@dataclass(frozen=True)
class Part:
    """A piece of the question and the functions that answer it."""

    markdown: str
    stubs: tuple[str, ...]


@dataclass(frozen=True)
class Homework:
    """One notebook."""

    filename: str
    title: str
    page: str
    question: str
    imports: str
    parts: tuple[Part, ...]
    closing: str = ""

    @property
    def stubs(self) -> list[str]:
        return [name for part in self.parts for name in part.stubs]


HOMEWORK = (
    Homework(
        "hw1.1-mnist.ipynb",
        "Homework 1.1: meet the data",
        "01-mnist",
        """\
MNIST holds 70,000 handwritten digits: each is a 28 × 28 image of grey
levels (uint8, from 0 for the black background to 255 for white ink) with a
label from 0 to 9. Before any algorithm, look at the data.

**Question 1.1.** Plot one image of each digit class 0–9 and store the ten
images in an array `digit_images`.""",
        "import numpy as np",
        (
            Part(
                """\
Write `pick_digit_images(images, labels)`: it returns `digit_images`, of
shape (10, 28, 28), whose entry k is an image of the digit k. Which image of
each class you take is up to you.""",
                ("pick_digit_images",),
            ),
        ),
        """\
With MNIST loaded (`X_train, y_train, X_test, y_test =
hwlib.data.load_mnist()`), `hwlib.plots.plot_image_grid(
pick_digit_images(X_train, y_train))` draws your ten digits.""",
    ),
    Homework(
        "hw1.2-pca.ipynb",
        "Homework 1.2: principal component analysis",
        "02-pca",
        """\
A 28 × 28 image is a point in 784 dimensions, but handwritten digits vary
along far fewer directions. Principal component analysis finds them: centre
the data, compute its covariance matrix, and sort its eigenvectors by
eigenvalue; the coordinates on the first few eigenvectors are a compressed
code from which the images can be approximately rebuilt.

**Question 1.2** takes these steps one at a time.""",
        "import numpy as np",
        (
            Part(
                """\
**Question 1.2.1: centring.** Flatten every image into a vector, then move
the data so that every dimension has mean 0. Return the centred data and the
mean of every dimension.""",
                ("center",),
            ),
            Part(
                """\
**Question 1.2.2: the covariance matrix** of the data, without `np.cov`
(the check makes `np.cov` fail).""",
                ("covariance",),
            ),
            Part(
                """\
**Question 1.2.3: the eigenvalues** of the covariance matrix, in
descending order, with their eigenvectors. Any numpy function is allowed.
(Plotting the eigenvalues, as the question also asks, shows how quickly the
variance falls off.)""",
                ("eig_descending",),
            ),
            Part(
                """\
**Question 1.2.4: projection** of the centred data onto the eigenvectors of
the largest eigenvalues. With two of them you get the coordinates of the
question's 2-D scatter plot, one colour per digit class.""",
                ("project",),
            ),
            Part(
                """\
**Question 1.2.5: back to the original space.** Map the codes back
("unproject" them). With two components the ten digits of question 1.1 come
back blurred; with all of them, exactly.""",
                ("reconstruct",),
            ),
        ),
        """\
**Question 1.2.6** asks how many dimensions represent the digits reasonably
well, and how that relates to the eigenvalues of question 1.2.3. It has no
check: reconstruct the digits with 3, 5, 10, 20, 50 and 100 components using
your functions, look at them, and compare with the plot of the
eigenvalues.""",
    ),
    Homework(
        "hw1.3-harris.ipynb",
        "Homework 1.3: Harris corners are PCA of gradients",
        "03-harris-pca",
        """\
Harris's corner detector computes the derivatives $I_x$, $I_y$ of an image
at every pixel, sums the products $I_x^2$, $I_x I_y$, $I_y^2$ over a window
around each pixel (here a box of ones) into a $2 \\times 2$ matrix $M$, and
scores the window with $R = \\det M - \\kappa (\\operatorname{tr} M)^2$.

**Question 1.3.** Show that the Harris detector is principal component
analysis in gradient space: what are the data points, what is the covariance
matrix and why, what are the principal components, and how do they imply
"cornerness"? Answer in words; the four functions below make each step
concrete, and their checks compare them with the book's detector,
`hwlib.harris`.""",
        "import numpy as np",
        (
            Part(
                """\
**1. The data points.** Every pixel of the window contributes one point, its
gradient vector $(I_x, I_y)$. Return the points of the window centred at
`(row, col)`.""",
                ("gradient_points",),
            ),
            Part(
                """\
**2. The covariance matrix.** Build Harris's $M$ from the window's gradient
vectors. The check compares it with the detector's $M$ at the window's
centre, then tests why $M$ matters: when the window moves by a small shift
$\\Delta$, it changes by
$E(\\Delta) = \\sum_p [I(p + \\Delta) - I(p)]^2$, which must equal
$\\Delta^\\top M \\Delta$ to first order. In what sense is $M$ a covariance
matrix: of which points, and with which mean?""",
                ("structure_matrix",),
            ),
            Part(
                """\
**3. The principal components** are the eigenvectors of $M$: the directions
along which the gradient vectors spread most and least. The eigenvalues
$\\lambda_1 \\ge \\lambda_2 \\ge 0$ measure the spread along them. Compute
them with the closed form for a symmetric $2 \\times 2$ matrix.""",
                ("harris_eigenvalues",),
            ),
            Part(
                """\
**4. Cornerness.** Compute Harris's response. Then explain, with
$\\det M = \\lambda_1 \\lambda_2$ and
$\\operatorname{tr} M = \\lambda_1 + \\lambda_2$, why $R$ is large only when
both eigenvalues are large, and what the gradient cloud looks like on a flat
patch, on an edge and at a corner.""",
                ("harris_response",),
            ),
        ),
    ),
    Homework(
        "hw2.1-knn.ipynb",
        "Homework 2.1: k-nearest neighbours",
        "04-knn",
        """\
**Question 2.1.** Implement a k-nearest-neighbour classifier: to label a
point, find the k training points closest to it and let their labels vote.
Find the neighbours with `scipy.spatial.KDTree` and count the votes with
`scipy.stats.mode` (a tie may go either way); do not use a library function
that classifies by nearest neighbours. The question then reports the test
accuracy of 3-NN on MNIST; the check uses small random data sets instead,
some of them uint8 like MNIST's pixels.""",
        "import numpy as np\n"
        "from scipy.spatial import KDTree  # noqa: F401 (for your code)\n"
        "from scipy.stats import mode  # noqa: F401",
        (
            Part(
                """\
`fit` stores the training set and returns the classifier itself, so that
`KNNClassifier(3).fit(X_train, y_train).predict(X_test)` works.""",
                ("KNNClassifier",),
            ),
        ),
    ),
    Homework(
        "hw2.2.1-gradients.ipynb",
        "Homework 2.2.1: the gradients of softmax regression",
        "05-softmax-gradients",
        """\
Softmax regression maps a data point $x$ to class probabilities
$y = S(u)$, $S_i(u) = e^{u_i} / \\sum_l e^{u_l}$, of the logits
$u = Wx + b$. It is trained on the cross-entropy
$J(y', y) = -\\sum_i y'_i \\log y_i$, where $y'$ is the one-hot target.

**Question 2.2.1.** Compute the gradients step by step. Derive each one on
paper first, then write it twice: as a sympy expression, checked
symbolically against sympy's own derivation (`hwlib.derivations`) for any
number of classes, and as numpy code, checked against central differences of
the loss.""",
        "import numpy as np\nimport sympy as sp  # noqa: F401 (for your code)",
        (
            Part(
                """\
**Step 1.** $\\partial J / \\partial y_i$, in terms of $y'_i$ and
$y_i$.""",
                ("dJ_dy_expr", "dJ_dy"),
            ),
            Part(
                """\
**Step 2.** $\\partial y_i / \\partial u_j$ with $y = S(u)$, in terms of
$y_i$, $y_j$ and $\\delta_{ij}$ (1 when $i = j$, 0 otherwise).""",
                ("dy_du_expr", "dy_du"),
            ),
            Part(
                """\
**Step 3.** $\\partial J / \\partial W_{jk}$ and
$\\partial J / \\partial b_j$, in terms of $y_j$, $y'_j$ and $x_k$, by the
chain rule through $u$. Their common factor is
$\\partial J / \\partial u_j$: write it as code too. Explain the results
intuitively: what happens when the prediction is right, and when it is
confidently wrong?""",
                ("dJ_dW_expr", "dJ_db_expr", "dJ_du"),
            ),
            Part(
                """\
**Step 4.** $\\partial J / \\partial W$ in matrix form (a matrix of the
shape of $W$ whose entry $jk$ is $\\partial J / \\partial W_{jk}$), and
$\\partial J / \\partial b$.""",
                ("loss_grad",),
            ),
        ),
    ),
    Homework(
        "hw2.2.2-sgd.ipynb",
        "Homework 2.2.2: softmax regression by stochastic gradient descent",
        "06-softmax-sgd",
        """\
Gradient descent on the loss summed over the whole training set needs the
whole set for every step. Stochastic gradient descent updates after every
single data point instead: $W \\leftarrow W - \\text{lr}\\,
\\partial J / \\partial W$, $b \\leftarrow b - \\text{lr}\\,
\\partial J / \\partial b$, with the gradient of that point's loss.

**Question 2.2.2.** Implement a numerically stable softmax, the loss $J$ and
its gradient, and SGD. The question then trains for 20 epochs with learning
rate $10^{-3}$ on MNIST and reports the test accuracy (above 90 %); the
checks here use small random problems.""",
        "import numpy as np",
        (
            Part(
                """\
**Softmax.** $e^{u}$ overflows for logits near 1000, but
$S(u) = S(u - m)$ for any constant $m$: subtract $\\max(u)$ first.""",
                ("softmax",),
            ),
            Part(
                """\
**The loss** $J = -\\sum_i y'_i \\log y_i$ with $y = S(Wx + b)$ (not needed
by SGD, but good for checking progress).""",
                ("loss",),
            ),
            Part(
                """\
**The gradient** $(\\partial J / \\partial W, \\partial J / \\partial b)$,
as in step 4 of question 2.2.1.""",
                ("loss_grad",),
            ),
            Part(
                """\
**One epoch of SGD**: one update per data point, in order. Training is
`num_epochs` calls, starting from `W = rng.random((10, 784)) - 0.5` and
`b = rng.random(10) - 0.5`.""",
                ("sgd_epoch",),
            ),
            Part(
                """\
**Prediction**: the class of largest probability (or logit), whose
agreement with the test labels is the accuracy.""",
                ("predict",),
            ),
        ),
    ),
    Homework(
        "hw3-mlp.ipynb",
        "Homework 3: a multi-layer perceptron",
        "07-mlp",
        """\
**Question 3.** A multi-layer perceptron with one hidden layer of 1,024
units maps the 784 pixels of an image to 10 logits: linear layer, ReLU,
linear layer. It is trained with PyTorch on cross-entropy, with Adam
(learning rate $5 \\times 10^{-4}$), 5 epochs and batches of 64. Write the
network and one training step; the checks compare them with the book's
(`hwlib.nets`) on random images, without training.""",
        "import torch  # noqa: F401 (for your code)\nfrom torch import nn",
        (
            Part(
                """\
**The network.** No softmax at the end: `nn.CrossEntropyLoss` (or
`nn.functional.cross_entropy`) applies it to the logits.""",
                ("MLP",),
            ),
            Part(
                """\
**One training step** on one batch: forward pass, cross-entropy, backward
pass, optimizer step. Training is this step over the shuffled batches of
every epoch.""",
                ("train_step",),
            ),
        ),
    ),
    Homework(
        "hw3.1-cnn.ipynb",
        "Homework 3.1 and 3.2: a convolutional network and its kernels",
        "08-cnn",
        """\
**Question 3.1.** Implement the convolutional network
(conv 5×5, 32) → ReLU → (maxpool 2×2) → (conv 5×5, 64) → ReLU →
(maxpool 2×2) → flatten → (linear 1024) → (output 10), where (conv M×M, N)
has M × M kernels and N output channels. The question then trains it to
99 % test accuracy and plots the digits it gets wrong.

**Question 3.2.** Visualise the 32 kernels of the first convolutional
layer.""",
        "import torch  # noqa: F401 (for your code)\nfrom torch import nn",
        (
            Part(
                """\
**The network of question 3.1.** Like the book, put a ReLU between the two
linear layers: without it they would collapse into a single linear map. The
convolutions have no padding.""",
                ("CNN",),
            ),
            Part(
                """\
**Question 3.2.** Return the weights of the first convolution as 32 images
of 5 × 5, ready for `plt.imshow`. The check uses the book's
`hwlib.nets.CNN`, so it does not depend on your answer to 3.1.""",
                ("first_layer_kernels",),
            ),
        ),
    ),
)


def _modules():
    """homework.checks, homework.stubs, homework.solutions.

    Imported here so that ``python homework/build.py`` works from any
    directory, as well as ``python -m homework.build``.
    """
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from homework import checks, solutions, stubs

    return checks, stubs, solutions


def install_cell(chapter: Path = CHAPTERS / "01-mnist.md") -> str:
    """The chapters' first code cell (it installs hwlib when missing)."""
    text = chapter.read_text(encoding="utf-8")
    block = re.search(r"```\{code-cell\}[^\n]*\n(.*?)```", text, flags=re.S)
    lines = block.group(1).splitlines() if block else []
    while lines and lines[0].startswith(":"):  # cell options, e.g. :tags:
        lines.pop(0)
    source = "\n".join(lines).strip()
    if 'find_spec("hwlib")' not in source:
        raise SystemExit(
            f"{chapter}: its first code cell no longer installs hwlib "
            '(find_spec("hwlib")); update homework/build.py'
        )
    return source


def chapter_title(page: str) -> str:
    """The first heading of a chapter's Markdown, outside code cells."""
    path = CHAPTERS / f"{page}.md"
    text = re.sub(
        r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S
    )
    heading = re.search(r"^# (.+)$", text, flags=re.M)
    return heading.group(1).strip() if heading else page


def checks_source(names: list[str]) -> str:
    """The checks cell: helpers, then the checks of ``names``."""
    checks, _, _ = _modules()
    functions = list(checks.HELPERS)
    functions += [getattr(checks, f"check_{name}") for name in names]
    sources = [inspect.getsource(f).strip() for f in functions]
    return (
        CHECKS_TITLE + "\n" + checks.HEADER + "\n\n" + "\n\n\n".join(sources)
    )


def notebook(homework: Homework, *, solutions: bool = False):
    """The nbformat notebook of one homework."""
    import nbformat
    from nbformat import v4

    _, stubs, solved = _modules()
    source_of = solved if solutions else stubs
    stem = homework.filename.removesuffix(".ipynb").replace(".", "-")
    cells = []

    def add(cell):
        cell["id"] = f"{stem}-{len(cells):02d}"
        cells.append(cell)

    title = homework.title + (" (solutions)" if solutions else "")
    how_to = HOW_TO.format(
        title=chapter_title(homework.page), page=homework.page
    )
    add(v4.new_markdown_cell(f"# {title}\n\n{homework.question}\n\n{how_to}"))
    add(v4.new_code_cell(install_cell()))
    add(v4.new_code_cell(homework.imports))
    checks = v4.new_code_cell(checks_source(homework.stubs))
    checks.metadata["cellView"] = "form"  # Colab shows the title only
    checks.metadata["jupyter"] = {"source_hidden": True}
    add(checks)
    for part in homework.parts:
        add(v4.new_markdown_cell(part.markdown))
        for name in part.stubs:
            add(v4.new_code_cell(inspect.getsource(getattr(source_of, name))))
            add(v4.new_code_cell(f"check_{name}({name})"))
    if homework.closing:
        add(v4.new_markdown_cell(homework.closing))
    for cell in cells:
        cell.source = cell.source.strip()
    nb = v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "display_name": "Python 3",
        "language": "python",
        "name": "python3",
    }
    nb.metadata["language_info"] = {"name": "python"}
    nbformat.validate(nb)
    return nb


def build(outdir: Path, *, solutions: bool = False) -> list[Path]:
    """Write every homework notebook into ``outdir``; return their paths."""
    import nbformat

    outdir.mkdir(parents=True, exist_ok=True)
    paths = []
    for homework in HOMEWORK:
        path = outdir / homework.filename
        nbformat.write(notebook(homework, solutions=solutions), path)
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir", type=Path, help="folder for the notebooks")
    parser.add_argument(
        "--solutions",
        action="store_true",
        help="put the book's solutions in place of the stubs (answer key)",
    )
    args = parser.parse_args(argv)
    for path in build(args.outdir, solutions=args.solutions):
        print(path)


if __name__ == "__main__":
    main()
