"""What the student starts from: each function to write, as a stub.

Every stub has the docstring the student works from (shapes included) and
raises ``NotImplementedError``. ``homework/build.py`` copies each one into
its notebook with ``inspect.getsource``; the tests run every check on its
stub and expect a failure. The names of the notebooks' imports (``np``,
``KDTree``, ``mode``, ``torch``, ``nn``) are imported here too, so that the
stubs are valid code as they stand.
"""

import numpy as np  # noqa: F401 (the students' code uses it)
import torch  # noqa: F401
from torch import nn

# ------------------------------------------------------- question 1.1


def pick_digit_images(images, labels):
    """One image of each digit class (question 1.1).

    Parameters
    ----------
    images : ndarray of uint8, shape (n, H, W)
        Grey levels 0..255; MNIST's are 28 x 28.
    labels : ndarray of int, shape (n,)
        The digit 0..9 shown by each image; every class occurs.

    Returns
    -------
    digit_images : ndarray, shape (10, H, W)
        ``digit_images[k]`` is one of the images labelled ``k`` (any one).
    """
    raise NotImplementedError


# ------------------------------------------------------- question 1.2


def center(X):
    """Subtract the mean of every feature (question 1.2.1).

    Parameters
    ----------
    X : ndarray, shape (n, d), or images of shape (n, H, W)
        One data point per row. Flatten images to rows of d = H * W pixels
        first. May be uint8: compute in floating point.

    Returns
    -------
    X_centered : ndarray of float, shape (n, d)
        ``X`` (flattened) minus ``mean``; every column averages to 0.
    mean : ndarray of float, shape (d,)
        The mean of every feature over the n data points.
    """
    raise NotImplementedError


def covariance(X_centered):
    """Sample covariance matrix of centred data, without np.cov (1.2.2).

    Parameters
    ----------
    X_centered : ndarray, shape (n, d), n >= 2
        Rows with zero mean, as returned by ``center``.

    Returns
    -------
    C : ndarray, shape (d, d)
        ``C[k, l]`` is the sample covariance of features k and l (divide
        by n - 1).
    """
    raise NotImplementedError


def eig_descending(C):
    """Eigenvalues and eigenvectors of C, largest first (question 1.2.3).

    Parameters
    ----------
    C : ndarray, shape (d, d)
        A symmetric matrix (a covariance).

    Returns
    -------
    eigenvalues : ndarray, shape (d,)
        In descending order.
    eigenvectors : ndarray, shape (d, d)
        Column ``eigenvectors[:, i]`` is a unit eigenvector for
        ``eigenvalues[i]`` (its sign does not matter).
    """
    raise NotImplementedError


def project(X_centered, eigenvectors, num_components):
    """Coordinates on the first principal axes (question 1.2.4).

    Parameters
    ----------
    X_centered : ndarray, shape (n, d)
    eigenvectors : ndarray, shape (d, d)
        Columns sorted by descending eigenvalue, as from ``eig_descending``.
    num_components : int
        The number k of principal axes kept, 1 <= k <= d.

    Returns
    -------
    Z : ndarray, shape (n, k)
        Row i holds the coordinates of data point i on the first k axes.
    """
    raise NotImplementedError


def reconstruct(Z, eigenvectors, mean):
    """Map k-dimensional codes back to the data space (question 1.2.5).

    Parameters
    ----------
    Z : ndarray, shape (n, k)
        Coordinates on the first k principal axes, as from ``project``.
    eigenvectors : ndarray, shape (d, d)
        Columns sorted by descending eigenvalue.
    mean : ndarray, shape (d,)
        The mean that ``center`` subtracted.

    Returns
    -------
    X_hat : ndarray, shape (n, d)
        The reconstructed data points; equal to the data when k = d.
    """
    raise NotImplementedError


# ------------------------------------------------------- question 1.3


def gradient_points(image, row, col, window_size=3):
    """The data points of Harris-as-PCA: a window's gradient vectors (1.3).

    Use central differences, not halved: ``Ix = I(x+1) - I(x-1)`` along a
    row (x is the column index) and ``Iy = I(y+1) - I(y-1)`` along a
    column (y is the row index). The window lies away from the image border.

    Parameters
    ----------
    image : ndarray, shape (H, W)
        Grey levels, float or uint8 (compute in floating point).
    row, col : int
        Centre of the window.
    window_size : odd int
        Side of the square window.

    Returns
    -------
    P : ndarray, shape (window_size ** 2, 2)
        One row ``(Ix, Iy)`` per pixel of the window, in any order.
    """
    raise NotImplementedError


def structure_matrix(P):
    """Harris's matrix M of a window, from its gradient vectors (1.3).

    Parameters
    ----------
    P : ndarray, shape (n, 2)
        One gradient vector ``g = (Ix, Iy)`` per pixel of the window, as
        from ``gradient_points`` (a box window: every weight is 1).

    Returns
    -------
    M : ndarray, shape (2, 2)
        ``[[sum Ix^2, sum Ix Iy], [sum Ix Iy, sum Iy^2]]`` over the window.
    """
    raise NotImplementedError


def harris_eigenvalues(M):
    """The spreads along the principal components of the gradients (1.3).

    Parameters
    ----------
    M : ndarray, shape (2, 2)
        Symmetric positive semi-definite, as from ``structure_matrix``.

    Returns
    -------
    lambda1, lambda2 : float
        The eigenvalues of M, ``lambda1 >= lambda2 >= 0``. A closed form
        for 2 x 2 matrices is enough; no np.linalg needed.
    """
    raise NotImplementedError


def harris_response(M, kappa=0.05):
    """Harris's corner response of a window (question 1.3).

    Parameters
    ----------
    M : ndarray, shape (2, 2)
    kappa : float
        Sensitivity, about 0.04 to 0.06.

    Returns
    -------
    R : float
        ``det M - kappa (trace M)^2``: large and positive at a corner.
    """
    raise NotImplementedError


# ------------------------------------------------------- question 2.1


class KNNClassifier:
    """k-nearest-neighbour classifier (question 2.1).

    Find neighbours with ``scipy.spatial.KDTree`` and count votes with
    ``scipy.stats.mode``; no library k-NN classifier.

    Parameters
    ----------
    num_neighbors : int
        The number k >= 1 of neighbours that vote.
    """

    def __init__(self, num_neighbors):
        self.num_neighbors = num_neighbors

    def fit(self, X, y):
        """Store the training set.

        Parameters
        ----------
        X : ndarray, shape (N, d)
            Training points; may be uint8 (compute in floating point).
        y : ndarray of int, shape (N,)
            Their labels.

        Returns
        -------
        self
        """
        raise NotImplementedError

    def predict(self, X):
        """Majority label of the k nearest training points of each row.

        Parameters
        ----------
        X : ndarray, shape (M, d)

        Returns
        -------
        ndarray of int, shape (M,)
            Ties between labels may go either way.
        """
        raise NotImplementedError


# ----------------------------------------------------- question 2.2.1


def dJ_dy(y, y_prime):
    """The gradient of ``J = -sum_i y'_i log y_i`` in y (2.2.1, step 1).

    Parameters
    ----------
    y : ndarray, shape (c,)
        Predicted probabilities (each > 0).
    y_prime : ndarray, shape (c,)
        The one-hot target y'.

    Returns
    -------
    ndarray, shape (c,)
        Entry i is dJ/dy_i.
    """
    raise NotImplementedError


def dy_du(u):
    """The Jacobian of the softmax y = S(u) (2.2.1, step 2).

    Parameters
    ----------
    u : ndarray, shape (c,)
        Logits.

    Returns
    -------
    ndarray, shape (c, c)
        Entry [i, j] is dy_i/du_j.
    """
    raise NotImplementedError


def dJ_du(u, y_prime):
    """The gradient of the loss in the logits, y = S(u) (2.2.1, step 3).

    Parameters
    ----------
    u : ndarray, shape (c,)
        Logits u = Wx + b.
    y_prime : ndarray, shape (c,)
        The one-hot target y'.

    Returns
    -------
    ndarray, shape (c,)
        Entry j is dJ/du_j.
    """
    raise NotImplementedError


def dJ_dy_expr(y, y_prime, i):
    """dJ/dy_i as a sympy expression (2.2.1, step 1).

    Parameters
    ----------
    y, y_prime : sympy.IndexedBase
        ``y[i]`` is the predicted probability y_i, ``y_prime[i]`` the
        target y'_i.
    i : sympy.Symbol
        The index.

    Returns
    -------
    sympy.Expr
        For instance ``y[i] * y_prime[i]`` (not the answer).
    """
    raise NotImplementedError


def dy_du_expr(y, i, j, delta):
    """dy_i/du_j of the softmax as a sympy expression (2.2.1, step 2).

    Parameters
    ----------
    y : sympy.IndexedBase
        ``y[i]`` is the softmax output y_i = S_i(u).
    i, j : sympy.Symbol
    delta : sympy.KroneckerDelta
        ``delta(i, j)`` is 1 when i = j, else 0.

    Returns
    -------
    sympy.Expr
        In terms of ``y[i]``, ``y[j]`` and ``delta(i, j)``.
    """
    raise NotImplementedError


def dJ_dW_expr(y, y_prime, x, j, k):
    """dJ/dW_jk as a sympy expression (2.2.1, step 3).

    Parameters
    ----------
    y, y_prime, x : sympy.IndexedBase
        ``y[j]``, ``y_prime[j]`` and the input feature ``x[k]``.
    j, k : sympy.Symbol

    Returns
    -------
    sympy.Expr
        In terms of ``y[j]``, ``y_prime[j]`` and ``x[k]``.
    """
    raise NotImplementedError


def dJ_db_expr(y, y_prime, j):
    """dJ/db_j as a sympy expression (2.2.1, step 3).

    Parameters
    ----------
    y, y_prime : sympy.IndexedBase
    j : sympy.Symbol

    Returns
    -------
    sympy.Expr
        In terms of ``y[j]`` and ``y_prime[j]``.
    """
    raise NotImplementedError


# ------------------------------------------- questions 2.2.1 and 2.2.2


def loss_grad(W, b, x, y_prime):
    """The gradient of the loss J(y', S(Wx + b)) in matrix form.

    Question 2.2.1, step 4, and the ``dJ`` of question 2.2.2.

    Parameters
    ----------
    W : ndarray, shape (c, d)
    b : ndarray, shape (c,)
    x : ndarray, shape (d,)
        One data point.
    y_prime : ndarray, shape (c,)
        Its one-hot target y'.

    Returns
    -------
    dW : ndarray, shape (c, d)
        Entry [j, k] is dJ/dW_jk.
    db : ndarray, shape (c,)
        Entry j is dJ/db_j.
    """
    raise NotImplementedError


# ----------------------------------------------------- question 2.2.2


def softmax(u):
    """Numerically stable softmax (question 2.2.2).

    Parameters
    ----------
    u : ndarray, shape (c,)
        Logits; they may be huge (1000) or hugely negative. Do not modify
        the caller's array.

    Returns
    -------
    ndarray of float, shape (c,)
        Probabilities: non-negative, summing to 1.
    """
    raise NotImplementedError


def loss(W, b, x, y_prime):
    """The cross-entropy loss J(y', S(Wx + b)) of one data point (2.2.2).

    Parameters
    ----------
    W : ndarray, shape (c, d)
    b : ndarray, shape (c,)
    x : ndarray, shape (d,)
    y_prime : ndarray, shape (c,)
        One-hot target y'.

    Returns
    -------
    float
        ``-sum_i y'_i log y_i`` with ``y = S(Wx + b)``.
    """
    raise NotImplementedError


def sgd_epoch(W, b, X, Y, lr):
    """One epoch of stochastic gradient descent (question 2.2.2).

    Visit the data points in order, 0 to n - 1, and after each one update
    ``W`` and ``b`` with the gradient of that point's loss alone.

    Parameters
    ----------
    W : ndarray, shape (c, d)
    b : ndarray, shape (c,)
        The starting parameters (you may update them in place).
    X : ndarray, shape (n, d)
    Y : ndarray, shape (n, c)
        One-hot targets, one row per data point.
    lr : float
        Learning rate.

    Returns
    -------
    W : ndarray, shape (c, d)
    b : ndarray, shape (c,)
        The parameters after the epoch.
    """
    raise NotImplementedError


def predict(W, b, X):
    """The most probable class of every data point (question 2.2.2).

    Parameters
    ----------
    W : ndarray, shape (c, d)
    b : ndarray, shape (c,)
    X : ndarray, shape (n, d)

    Returns
    -------
    ndarray of int, shape (n,)
    """
    raise NotImplementedError


# ------------------------------------------------------- question 3


class MLP(nn.Module):
    """784 inputs -> 1,024 hidden units with ReLU -> 10 logits (question 3).

    ``forward`` takes images of shape (N, 1, 28, 28), flattens them to
    (N, 784), and returns logits of shape (N, 10): no softmax, as
    ``nn.CrossEntropyLoss`` applies it.
    """

    def __init__(self, num_inputs=784, num_hiddens=1024, num_classes=10):
        super().__init__()
        # Create the layers here, as attributes (self.fc1 = nn.Linear(...)).
        raise NotImplementedError

    def forward(self, x):
        """Logits (N, num_classes) of images x (N, 1, 28, 28)."""
        raise NotImplementedError


def train_step(model, optimizer, images, labels):
    """One step of training on one batch (question 3).

    Parameters
    ----------
    model : torch.nn.Module
        Maps images (B, 1, 28, 28) to logits (B, 10).
    optimizer : torch.optim.Optimizer
        Over ``model.parameters()``; its parameters may still hold the
        gradients of an earlier batch.
    images : torch.Tensor, shape (B, 1, 28, 28)
    labels : torch.Tensor of int64, shape (B,)

    Returns
    -------
    float
        The batch's mean cross-entropy before the step.
    """
    raise NotImplementedError


# ----------------------------------------------------- question 3.1


class CNN(nn.Module):
    """The convolutional network of question 3.1.

    (conv 5x5, 32) -> ReLU -> (maxpool 2x2) -> (conv 5x5, 64) -> ReLU ->
    (maxpool 2x2) -> flatten -> (linear 1024) -> ReLU -> (linear 10).
    No padding, so 28 -> 24 -> 12 -> 8 -> 4. ``forward`` takes images
    (N, 1, 28, 28) and returns logits (N, 10).
    """

    def __init__(self, num_classes=10):
        super().__init__()
        # Create the layers here, as attributes.
        raise NotImplementedError

    def forward(self, x):
        """Logits (N, num_classes) of images x (N, 1, 28, 28)."""
        raise NotImplementedError


# ----------------------------------------------------- question 3.2


def first_layer_kernels(model):
    """The weights of the first convolution as images (question 3.2).

    Parameters
    ----------
    model : torch.nn.Module
        A CNN whose first convolution is ``model.conv1`` (32 kernels of
        5 x 5 on one input channel), like ``hwlib.nets.CNN``.

    Returns
    -------
    ndarray, shape (32, 5, 5)
        Kernel i as a 5 x 5 image, a numpy array (not a tensor).
    """
    raise NotImplementedError
