"""The book's solution of every stub, with the stub's signature.

Mostly hwlib wrapped; where hwlib has no function of that shape, the line
the book's page writes (named in the docstring). Every solution imports
what it needs in its own body, so that ``homework/build.py --solutions``
can copy it into a notebook with ``inspect.getsource``. The tests run every
check on its solution and expect it to pass.
"""

# ------------------------------------------------------- question 1.1


def pick_digit_images(images, labels):
    """The first image of each class, as page `pca` picks them."""
    import numpy as np

    labels = np.asarray(labels)
    first = [int(np.flatnonzero(labels == k)[0]) for k in range(10)]
    return np.asarray(images)[first]


# ------------------------------------------------------- question 1.2


def center(X):
    """hwlib.pca.center."""
    from hwlib import pca

    return pca.center(X)


def covariance(X_centered):
    """hwlib.pca.covariance."""
    from hwlib import pca

    return pca.covariance(X_centered)


def eig_descending(C):
    """hwlib.pca.eig_descending."""
    from hwlib import pca

    return pca.eig_descending(C)


def project(X_centered, eigenvectors, num_components):
    """hwlib.pca.project."""
    from hwlib import pca

    return pca.project(X_centered, eigenvectors, num_components)


def reconstruct(Z, eigenvectors, mean):
    """hwlib.pca.reconstruct."""
    from hwlib import pca

    return pca.reconstruct(Z, eigenvectors, mean)


# ------------------------------------------------------- question 1.3


def gradient_points(image, row, col, window_size=3):
    """The points of hwlib.harris.gradient_pca."""
    from hwlib import harris

    return harris.gradient_pca(image, row, col, window_size=window_size).points


def structure_matrix(P):
    """Eq. `harris-scatter`: M = P^T P, as hwlib.harris.gradient_pca."""
    import numpy as np

    P = np.asarray(P, dtype=float)
    return P.T @ P


def harris_eigenvalues(M):
    """hwlib.pca.eig_descending's eigenvalues of M (eq. `harris-eig`)."""
    import numpy as np

    from hwlib import pca

    lambda1, lambda2 = pca.eig_descending(M)[0]
    return float(lambda1), float(np.maximum(lambda2, 0.0))


def harris_response(M, kappa=0.05):
    """Eq. `harris-R`, as hwlib.harris.harris_response computes it."""
    import numpy as np

    M = np.asarray(M, dtype=float)
    trace = M[0, 0] + M[1, 1]
    return float(M[0, 0] * M[1, 1] - M[0, 1] * M[1, 0] - kappa * trace**2)


# ------------------------------------------------------- question 2.1


def KNNClassifier(num_neighbors):
    """hwlib.knn.KNNClassifier (scipy's KDTree and mode)."""
    from hwlib.knn import KNNClassifier as BookKNN

    return BookKNN(num_neighbors)


# ----------------------------------------------------- question 2.2.1


def dJ_dy(y, y_prime):
    """Eq. `grad-dJdy`: -y'_i / y_i."""
    import numpy as np

    return -np.asarray(y_prime, dtype=float) / np.asarray(y, dtype=float)


def dy_du(u):
    """Eq. `grad-dydu`: y_i (delta_ij - y_j), with hwlib.softmax.softmax."""
    import numpy as np

    from hwlib import softmax as sm

    y = sm.softmax(u)
    return np.diag(y) - np.outer(y, y)


def dJ_du(u, y_prime):
    """hwlib.softmax.loss_grad's db at W = I, b = 0 (eq. `grad-dJdu`)."""
    import numpy as np

    from hwlib import softmax as sm

    c = len(y_prime)
    label = int(np.argmax(y_prime))
    return sm.loss_grad(np.eye(c), np.zeros(c), u, label)[1]


def dJ_dy_expr(y, y_prime, i):
    """Eq. `grad-dJdy`."""
    return -y_prime[i] / y[i]


def dy_du_expr(y, i, j, delta):
    """Eq. `grad-dydu`."""
    return y[i] * (delta(i, j) - y[j])


def dJ_dW_expr(y, y_prime, x, j, k):
    """Eq. `grad-dJdW`."""
    return (y[j] - y_prime[j]) * x[k]


def dJ_db_expr(y, y_prime, j):
    """Eq. `grad-dJdb`."""
    return y[j] - y_prime[j]


# ------------------------------------------- questions 2.2.1 and 2.2.2


def loss_grad(W, b, x, y_prime):
    """hwlib.softmax.loss_grad, the target given one-hot."""
    import numpy as np

    from hwlib import softmax as sm

    return sm.loss_grad(W, b, x, int(np.argmax(y_prime)))


# ----------------------------------------------------- question 2.2.2


def softmax(u):
    """hwlib.softmax.softmax."""
    from hwlib import softmax as sm

    return sm.softmax(u)


def loss(W, b, x, y_prime):
    """hwlib.softmax.loss, the target given one-hot."""
    import numpy as np

    from hwlib import softmax as sm

    return sm.loss(W, b, x, int(np.argmax(y_prime)))


def sgd_epoch(W, b, X, Y, lr):
    """The loop of hwlib.softmax._per_sample_epoch (page `softmax-sgd`)."""
    import numpy as np

    from hwlib import softmax as sm

    W = np.array(W, dtype=float)
    b = np.array(b, dtype=float)
    labels = np.argmax(Y, axis=1)
    for x, label in zip(np.asarray(X, dtype=float), labels):
        dW, db = sm.loss_grad(W, b, x, label)
        W -= lr * dW
        b -= lr * db
    return W, b


def predict(W, b, X):
    """hwlib.softmax.predict."""
    from hwlib import softmax as sm

    return sm.predict(W, b, X)


# ------------------------------------------------------- question 3


def MLP(num_inputs=784, num_hiddens=1024, num_classes=10):
    """hwlib.nets.MLP."""
    from hwlib import nets

    return nets.MLP(
        num_inputs=num_inputs, num_hiddens=num_hiddens, num_classes=num_classes
    )


def train_step(model, optimizer, images, labels):
    """The body of hwlib.nets.train's loop (page `mlp`)."""
    from torch import nn

    loss = nn.functional.cross_entropy(model(images), labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


# ----------------------------------------------------- question 3.1


def CNN(num_classes=10):
    """hwlib.nets.CNN."""
    from hwlib import nets

    return nets.CNN(num_classes=num_classes)


# ----------------------------------------------------- question 3.2


def first_layer_kernels(model):
    """As page `cnn` takes them: conv1's weights without the channel axis."""
    return model.conv1.weight.detach().cpu().numpy()[:, 0]
