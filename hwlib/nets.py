"""The MLP and CNN of question 3, and one training loop for both (chapters 7, `07-mlp`, and 8, `08-cnn`).

Images go in as uint8 arrays (N, 28, 28) and are turned into one float32
tensor (N, 1, 28, 28) in [0, 1] once, up front; batches are slices of that
tensor, on the GPU when there is one. No per-image PIL conversion, no
DataLoader workers.
"""

from __future__ import annotations

import os
from typing import NamedTuple

import numpy as np
import torch
from torch import nn

from ._checks import as_float_array, check_int_in_range, check_labels, finite_result

__all__ = [
    "MLP",
    "CNN",
    "History",
    "to_tensor",
    "train",
    "evaluate",
    "predict_proba",
    "misclassified",
    "count_parameters",
    "save",
    "load",
]


class MLP(nn.Module):
    """784 -> hidden (ReLU) -> classes. Flattens (N, 1, 28, 28) or (N, 28, 28) itself.

    Parameters
    ----------
    input_size : int, default 784
    hidden_size : int, default 1024
    num_classes : int, default 10
    """

    def __init__(self, input_size: int = 784, hidden_size: int = 1024, num_classes: int = 10) -> None:
        super().__init__()
        self.layer1 = nn.Linear(input_size, hidden_size)
        self.relu = nn.ReLU()
        self.layer2 = nn.Linear(hidden_size, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (N, num_classes); softmax lives in the loss."""
        x = torch.flatten(x, 1)
        return self.layer2(self.relu(self.layer1(x)))


class CNN(nn.Module):
    """The network prescribed by question 3.1, for 1 x 28 x 28 inputs.

    (conv 5x5, 32) -> ReLU -> (maxpool 2x2) -> (conv 5x5, 64) -> ReLU ->
    (maxpool 2x2) -> flatten -> (linear 1024) -> ReLU -> (linear num_classes).
    No padding: 28 -> 24 -> 12 -> 8 -> 4, so 64 * 4 * 4 = 1024 features
    reach the first linear layer.
    """

    def __init__(self, num_classes: int = 10) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, kernel_size=5),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, kernel_size=5),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(64 * 4 * 4, 1024),
            nn.ReLU(),
            nn.Linear(1024, num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (N, num_classes) from images (N, 1, 28, 28)."""
        return self.classifier(self.features(x))


class History(NamedTuple):
    """Per-epoch record of :func:`train`."""

    train_loss: list[float]
    test_loss: list[float]
    test_accuracy: list[float]
    seconds: list[float]
    """Wall time of each epoch's training (evaluation excluded)."""


def count_parameters(model: nn.Module) -> int:
    """Number of trainable scalars in ``model``."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def _device(device: str | torch.device) -> torch.device:
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def to_tensor(X: np.ndarray, device: str | torch.device = "cpu") -> torch.Tensor:
    """Images (N, 28, 28), uint8 0..255 or float, as float32 (N, 1, 28, 28) in [0, 1].

    uint8 input is divided by 255 (as torchvision's ``ToTensor`` does); float
    input is taken as already scaled.
    """
    is_uint8 = np.asarray(X).dtype == np.uint8
    X = as_float_array(X, "X", ndim=3)
    if X.shape[1:] != (28, 28):
        raise ValueError(f"X must be MNIST-sized images (N, 28, 28), got shape {X.shape}")
    if is_uint8:
        X = X / 255.0
    with np.errstate(over="ignore"):
        X32 = finite_result(X.astype(np.float32), "X values exceed the float32 range the networks compute in")
    return torch.from_numpy(X32).unsqueeze(1).to(_device(device))


def _prepare(data, name: str, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    if not (isinstance(data, (tuple, list)) and len(data) == 2):
        raise TypeError(f"{name} must be a pair (X, y) of images (N, 28, 28) and labels (N,)")
    X, y = data
    X_t = to_tensor(X, device)
    y_t = torch.from_numpy(check_labels(y, f"{name}[1]", X_t.shape[0])).to(device)
    return X_t, y_t


def _quiet(progress: bool | None) -> bool:
    if progress is None:  # the book build sets HWLIB_QUIET=1; interactive readers get a bar
        return os.environ.get("HWLIB_QUIET", "") not in ("", "0")
    return not progress


@torch.no_grad()
def evaluate(
    model: nn.Module, X: torch.Tensor, y: torch.Tensor, batch_size: int = 1000
) -> tuple[float, float]:
    """Mean cross-entropy and accuracy (total correct / total examples) on prepared tensors."""
    model.eval()
    total_loss, correct = 0.0, 0
    for start in range(0, X.shape[0], batch_size):
        logits = model(X[start : start + batch_size])
        target = y[start : start + batch_size]
        total_loss += nn.functional.cross_entropy(logits, target, reduction="sum").item()
        correct += (logits.argmax(1) == target).sum().item()
    return total_loss / X.shape[0], correct / X.shape[0]


def train(
    model: nn.Module,
    train_data: tuple[np.ndarray, np.ndarray],
    test_data: tuple[np.ndarray, np.ndarray],
    lr: float = 5e-4,
    num_epochs: int = 5,
    batch_size: int = 64,
    seed: int = 0,
    device: str | torch.device = "auto",
    progress: bool | None = None,
) -> History:
    """Train ``model`` in place with Adam and cross-entropy; evaluate after every epoch.

    Parameters
    ----------
    model : torch.nn.Module
        Maps (B, 1, 28, 28) to logits (B, classes). Moved to ``device``.
    train_data, test_data : (X, y)
        Images (N, 28, 28) (uint8 0..255 or float in [0, 1]) and int labels (N,).
    lr : float > 0
    num_epochs : int >= 1
    batch_size : int >= 1
    seed : int
        Seeds the shuffling; the same seed and initial weights give the same
        result on the CPU.
    device : "auto", "cpu", "cuda" or torch.device
        ``"auto"`` takes the GPU when there is one.
    progress : bool, optional
        tqdm bar over batches; on by default, off when ``HWLIB_QUIET=1``.

    Returns
    -------
    History
    """
    import time

    lr = float(lr)
    if not (np.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a positive number, got {lr}")
    num_epochs = check_int_in_range(num_epochs, "num_epochs", 1)
    batch_size = check_int_in_range(batch_size, "batch_size", 1)
    dev = _device(device)
    X_train, y_train = _prepare(train_data, "train_data", dev)
    X_test, y_test = _prepare(test_data, "test_data", dev)
    model.to(dev)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    generator = torch.Generator(device="cpu").manual_seed(seed)
    n = X_train.shape[0]
    history = History([], [], [], [])
    for epoch in range(num_epochs):
        model.train()
        order = torch.randperm(n, generator=generator).to(dev)
        starts = range(0, n, batch_size)
        if not _quiet(progress):
            from tqdm.auto import tqdm

            starts = tqdm(starts, desc=f"epoch {epoch + 1}/{num_epochs}", leave=False)
        t0 = time.perf_counter()
        running = torch.zeros((), device=dev)  # summed on the device: no sync per batch
        for start in starts:
            idx = order[start : start + batch_size]
            loss = nn.functional.cross_entropy(model(X_train[idx]), y_train[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            running += loss.detach() * len(idx)
        train_loss = running.item() / n
        history.seconds.append(time.perf_counter() - t0)
        test_loss, test_accuracy = evaluate(model, X_test, y_test)
        history.train_loss.append(train_loss)
        history.test_loss.append(test_loss)
        history.test_accuracy.append(test_accuracy)
    return history


@torch.no_grad()
def predict_proba(model: nn.Module, X: np.ndarray, batch_size: int = 1000) -> np.ndarray:
    """Class probabilities (N, classes) for images (N, 28, 28)."""
    model.eval()
    dev = next(model.parameters()).device
    X_t = to_tensor(X, dev)
    out = [torch.softmax(model(X_t[s : s + batch_size]), 1) for s in range(0, X_t.shape[0], batch_size)]
    return torch.cat(out).cpu().numpy().astype(np.float64)


def misclassified(model: nn.Module, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The test points ``model`` gets wrong.

    Returns
    -------
    indices : ndarray of int64, shape (n_wrong,)
        Rows of ``X``, most confident mistake first.
    predicted : ndarray of int64, shape (n_wrong,)
    confidence : ndarray of float64, shape (n_wrong,)
        Probability the model gave its (wrong) prediction.
    """
    proba = predict_proba(model, X)
    y = check_labels(y, "y", proba.shape[0])
    predicted = proba.argmax(1)
    wrong = np.flatnonzero(predicted != y)
    confidence = proba[wrong, predicted[wrong]]
    order = np.argsort(-confidence, kind="stable")
    return wrong[order].astype(np.int64), predicted[wrong][order].astype(np.int64), confidence[order]


def save(model: nn.Module, path: str | os.PathLike) -> None:
    """Write ``model``'s weights (its ``state_dict``) to ``path``."""
    torch.save(model.state_dict(), path)


def load(model: nn.Module, path: str | os.PathLike) -> nn.Module:
    """Load weights saved by :func:`save` into ``model`` (tensors only: ``weights_only=True``)."""
    model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    return model
