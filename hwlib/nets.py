"""The MLP and CNN of question 3, and one training loop for both.

Written for the pages `mlp` and `cnn`. Images go in as uint8 arrays (N, 28, 28)
and are turned into one float32 tensor (N, 1, 28, 28) in [0, 1] once, up front;
batches are slices of that tensor, on the GPU when there is one. No per-image
PIL conversion, no DataLoader workers.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ._checks import (
    as_float_array,
    check_int_in_range,
    check_labels,
    finite_result,
)
from .history import History

__all__ = [
    "MLP",
    "CNN",
    "to_tensor",
    "train",
    "train_step",
    "trained",
    "evaluate",
    "predict_proba",
    "misclassified",
    "count_parameters",
    "save",
    "load",
]


class MLP(nn.Module):
    """784 -> hidden (ReLU) -> classes, eq. `mlp-forward` (page `mlp`).

    >>> MLP()(torch.zeros(2, 1, 28, 28)).shape
    torch.Size([2, 10])
    """

    def __init__(
        self,
        *,
        num_inputs: int = 784,
        num_hiddens: int = 1024,
        num_classes: int = 10,
    ) -> None:
        super().__init__()
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(num_inputs, num_hiddens)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(num_hiddens, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.flatten(x)  # (N, 1, 28, 28) -> (N, 784)
        return self.fc2(self.relu(self.fc1(x)))  # logits: no softmax


class CNN(nn.Module):
    """Question 3.1's network, eq. `cnn-shapes` (page `cnn`).

    >>> CNN()(torch.zeros(2, 1, 28, 28)).shape
    torch.Size([2, 10])
    """

    def __init__(self, *, num_classes: int = 10) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, kernel_size=5)
        self.relu1 = nn.ReLU()
        self.pool1 = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(32, 64, kernel_size=5)
        self.relu2 = nn.ReLU()
        self.pool2 = nn.MaxPool2d(2)
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(64 * 4 * 4, 1024)
        self.relu3 = nn.ReLU()
        self.fc2 = nn.Linear(1024, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.children():  # in the order registered above
            x = layer(x)
        return x  # logits (N, 10)


def count_parameters(model: nn.Module) -> int:
    """Number of trainable scalars in ``model``."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def _device(device: str | torch.device) -> torch.device:
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def to_tensor(
    X: np.ndarray, *, device: str | torch.device = "cpu"
) -> torch.Tensor:
    """Images (N, 28, 28) as float32 (N, 1, 28, 28) in [0, 1].

    uint8 input (0..255) is divided by 255, as torchvision's ``ToTensor``
    does; float input is taken as already scaled.

    Examples
    --------
    >>> to_tensor(np.full((1, 28, 28), 255, dtype=np.uint8)).max().item()
    1.0
    """
    is_uint8 = np.asarray(X).dtype == np.uint8
    X = as_float_array(X, "X", ndim=3)
    if X.shape[1:] != (28, 28):
        raise ValueError(
            f"X must be MNIST-sized images (N, 28, 28), got shape {X.shape}"
        )
    if is_uint8:
        X = X / 255.0
    with np.errstate(over="ignore"):
        X32 = finite_result(
            X.astype(np.float32),
            "X values exceed the float32 range the networks compute in",
        )
    return torch.from_numpy(X32).unsqueeze(1).to(_device(device))


def _prepare(
    X: object, y: object, name: str, device: torch.device
) -> tuple[torch.Tensor, torch.Tensor]:
    """Images and labels as tensors on ``device``.

    ``name`` names them in errors.
    """
    X_t = to_tensor(X, device=device)
    y_t = torch.from_numpy(check_labels(y, name, X_t.shape[0]))
    return X_t, y_t.to(device)


def _quiet(progress: bool | None) -> bool:
    if progress is None:  # the book build sets HWLIB_QUIET=1
        return os.environ.get("HWLIB_QUIET", "") not in ("", "0")
    return not progress


@torch.no_grad()
def _evaluate_tensors(
    model: nn.Module, X: torch.Tensor, y: torch.Tensor, batch_size: int
) -> tuple[float, float]:
    model.eval()
    total_loss, correct = 0.0, 0
    for start in range(0, X.shape[0], batch_size):
        logits = model(X[start : start + batch_size])
        target = y[start : start + batch_size]
        total_loss += nn.functional.cross_entropy(
            logits, target, reduction="sum"
        ).item()
        correct += (logits.argmax(1) == target).sum().item()
    return total_loss / X.shape[0], correct / X.shape[0]


def evaluate(
    model: nn.Module, X: np.ndarray, y: np.ndarray, *, batch_size: int = 1000
) -> tuple[float, float]:
    """Mean cross-entropy and accuracy of ``model`` on labelled images.

    Parameters
    ----------
    model : torch.nn.Module
    X : array_like, shape (N, 28, 28)
        uint8 0..255 or float in [0, 1].
    y : array_like of int, shape (N,)
    batch_size : int >= 1, default 1000
        Images per forward pass (memory only; results do not depend on it).

    Returns
    -------
    loss : float
    accuracy : float
        Correct predictions over all N images.
    """
    batch_size = check_int_in_range(batch_size, "batch_size", 1)
    X_t, y_t = _prepare(X, y, "y", _model_device(model))
    return _evaluate_tensors(model, X_t, y_t, batch_size)


def _model_device(model: nn.Module) -> torch.device:
    return next(model.parameters()).device


_SCHEDULES = ("constant", "cosine")


def _check_nonnegative(value: object, name: str) -> float:
    value = float(value)
    if not (np.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be a number >= 0, got {value}")
    return value


def _random_affine(
    images: torch.Tensor,
    max_shift: float,
    max_rotation: float,
    generator: torch.Generator,
) -> torch.Tensor:
    """Each image (B, 1, H, W) moved and rotated by its own random amount.

    ``affine_grid`` works in coordinates where the image spans [-1, 1], so a
    shift of ``s`` pixels is ``2 s / W`` there. Rotation is about the centre.
    """
    B, _, H, W = images.shape
    u = torch.rand(B, 3, generator=generator) * 2 - 1  # uniform in [-1, 1)
    angle = torch.deg2rad(u[:, 0] * max_rotation)
    cos, sin = torch.cos(angle), torch.sin(angle)
    theta = torch.zeros(B, 2, 3)
    theta[:, 0, 0], theta[:, 0, 1] = cos, -sin
    theta[:, 1, 0], theta[:, 1, 1] = sin, cos
    theta[:, 0, 2] = u[:, 1] * max_shift * 2 / W
    theta[:, 1, 2] = u[:, 2] * max_shift * 2 / H
    grid = nn.functional.affine_grid(
        theta.to(images.device), list(images.shape), align_corners=False
    )
    return nn.functional.grid_sample(images, grid, align_corners=False)


def train_step(model, optimizer, images, labels):
    """One training step on one batch (page `mlp`)."""
    logits = model(images)  # forward pass
    loss = nn.functional.cross_entropy(logits, labels)  # batch-mean J
    optimizer.zero_grad()  # clear the previous batch's gradients
    loss.backward()  # backpropagation: the gradient of loss
    optimizer.step()  # Adam's update of every parameter
    return loss.detach()


def train(
    model: nn.Module,
    X: np.ndarray,
    y: np.ndarray,
    *,
    val_data: tuple[np.ndarray, np.ndarray] | None = None,
    lr: float = 5e-4,
    num_epochs: int = 5,
    batch_size: int = 64,
    weight_decay: float = 0.0,
    lr_schedule: str = "constant",
    max_shift: float = 0.0,
    max_rotation: float = 0.0,
    seed: int = 0,
    device: str | torch.device = "auto",
    progress: bool | None = None,
) -> History:
    """Train ``model`` in place with Adam and cross-entropy.

    The options after ``batch_size`` are the "training options" of
    question 3.1; all are off by default.

    Parameters
    ----------
    model : torch.nn.Module
        Maps (B, 1, 28, 28) to logits (B, classes). Moved to ``device``.
    X : array_like, shape (N, 28, 28)
        Training images, uint8 0..255 or float in [0, 1].
    y : array_like of int, shape (N,)
    val_data : (X_val, y_val), optional
        Validation images and labels, evaluated after every epoch.
    lr : float > 0
    num_epochs : int >= 1
    batch_size : int >= 1
    weight_decay : float >= 0, default 0
        L2 penalty coefficient, as ``torch.optim.Adam`` applies it (added
        to the gradient).
    lr_schedule : {"constant", "cosine"}, default "constant"
        ``"cosine"`` decays the learning rate from ``lr`` to 0 along half a
        cosine over all batches of all epochs.
    max_shift : float >= 0, default 0
        Augmentation: each training image, each time it is used, is moved
        by a random translation of up to ``max_shift`` pixels along each
        axis (uniform, bilinear resampling, zero fill).
    max_rotation : float >= 0, default 0
        Augmentation: and rotated by a random angle of up to this many
        degrees either way.
    seed : int
        Seeds the shuffling and the augmentation; the same seed and initial
        weights give the same result on the CPU.
    device : "auto", "cpu", "cuda" or torch.device
        ``"auto"`` takes the GPU when there is one.
    progress : bool, optional
        tqdm bar over batches; on by default, off when ``HWLIB_QUIET=1``.

    Returns
    -------
    History
        Running training loss per epoch, and the validation loss and
        accuracy when ``val_data`` is given.
    """
    lr = float(lr)
    if not (np.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a positive number, got {lr}")
    num_epochs = check_int_in_range(num_epochs, "num_epochs", 1)
    batch_size = check_int_in_range(batch_size, "batch_size", 1)
    weight_decay = _check_nonnegative(weight_decay, "weight_decay")
    max_shift = _check_nonnegative(max_shift, "max_shift")
    max_rotation = _check_nonnegative(max_rotation, "max_rotation")
    if lr_schedule not in _SCHEDULES:
        raise ValueError(
            f"lr_schedule must be one of {_SCHEDULES}, got {lr_schedule!r}"
        )
    dev = _device(device)
    X_train, y_train = _prepare(X, y, "y", dev)
    if val_data is not None:
        if not (isinstance(val_data, (tuple, list)) and len(val_data) == 2):
            raise TypeError(
                "val_data must be a pair (X_val, y_val) of images and labels"
            )
        X_val, y_val = _prepare(*val_data, "val_data[1]", dev)
    model.to(dev)
    optimizer = torch.optim.Adam(
        model.parameters(), lr=lr, weight_decay=weight_decay
    )
    generator = torch.Generator(device="cpu").manual_seed(seed)
    n = X_train.shape[0]
    num_steps = num_epochs * -(-n // batch_size)
    scheduler = None
    if lr_schedule == "cosine":
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(
            optimizer, T_max=num_steps
        )
    augment = max_shift > 0 or max_rotation > 0
    history = History()
    for epoch in range(num_epochs):
        model.train()
        order = torch.randperm(n, generator=generator).to(dev)
        starts = range(0, n, batch_size)
        if not _quiet(progress):
            from tqdm.auto import tqdm

            desc = f"epoch {epoch + 1}/{num_epochs}"
            starts = tqdm(starts, desc=desc, leave=False)
        t0 = time.perf_counter()
        running = torch.zeros((), device=dev)  # summed on the device: no sync
        for start in starts:
            idx = order[start : start + batch_size]
            images = X_train[idx]
            if augment:
                images = _random_affine(
                    images, max_shift, max_rotation, generator
                )
            loss = train_step(model, optimizer, images, y_train[idx])
            if scheduler is not None:
                scheduler.step()
            running += loss.detach() * len(idx)
        train_loss = running.item() / n
        seconds = time.perf_counter() - t0
        val = {}
        if val_data is not None:
            val_loss, val_accuracy = _evaluate_tensors(
                model, X_val, y_val, 1000
            )
            val = {"val_loss": val_loss, "val_accuracy": val_accuracy}
        history.append(train_loss=train_loss, seconds=seconds, **val)
    return history


def _cache_dir() -> Path | None:
    """Where :func:`trained` keeps weights; None: do not cache.

    ``HWLIB_NETS_CACHE`` names a folder (empty: no cache); by default, in a
    checkout of the book, ``_build/nets`` beside ``_toc.yml``.
    """
    if "HWLIB_NETS_CACHE" in os.environ:
        folder = os.environ["HWLIB_NETS_CACHE"]
        return Path(folder) if folder else None
    root = Path(__file__).resolve().parents[1]
    return root / "_build" / "nets" if (root / "_toc.yml").exists() else None


# Any change to this file (a layer, the training loop) is a new cache key.
_SOURCE_DIGEST = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def _digest(*arrays: object) -> str:
    h = hashlib.sha256()
    for a in arrays:
        a = np.ascontiguousarray(a)
        h.update(f"{a.dtype}{a.shape}".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def trained(
    model_cls: type[nn.Module],
    X: np.ndarray,
    y: np.ndarray,
    *,
    val_data: tuple[np.ndarray, np.ndarray] | None = None,
    seed: int = 0,
    device: str | torch.device = "auto",
    **options: object,
) -> tuple[nn.Module, History]:
    """Train-or-load: ``model_cls()`` trained by :func:`train`, cached.

    The model is built right after ``torch.manual_seed(seed)``, so its
    initial weights depend on ``seed`` alone, then trained with
    ``train(model, X, y, val_data=val_data, seed=seed, **options)``. The
    weights and the history are kept under a key made of the architecture,
    the data, the options, the seed, the device type, the torch version and
    the source of this module; a second call with the same key loads them
    instead of training again (the pages `cnn` and `cnn-further` share their
    networks this way).
    Training on the CPU is deterministic for a given number of threads,
    so a loaded network is the one a new run would train. The thread count
    (``torch.get_num_threads()``) is part of the key: with another count
    torch may split the gradients' sums differently, and the weights then
    differ (the CNN's do, between one and two threads).
    ``HWLIB_NETS_CACHE=""`` turns the cache off.

    Returns
    -------
    model : torch.nn.Module
        On ``device``, in evaluation mode.
    history : History
        As recorded when the network was trained (``seconds`` included).
    """
    torch.manual_seed(seed)
    model = model_cls()
    dev = _device(device)
    parts = [repr(model), _digest(X, y), repr(sorted(options.items()))]
    if val_data is not None:
        parts.append(_digest(*val_data))
    parts += [str(seed), dev.type, str(torch.get_num_threads())]
    parts += [torch.__version__, _SOURCE_DIGEST]
    key = hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]
    folder = _cache_dir()
    if folder is not None and (folder / f"{key}.json").exists():
        model.load_state_dict(
            torch.load(
                folder / f"{key}.pt", map_location="cpu", weights_only=True
            )
        )
        record = json.loads((folder / f"{key}.json").read_text())
        return model.to(dev).eval(), History(**record)
    history = train(
        model, X, y, val_data=val_data, seed=seed, device=dev, **options
    )
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        torch.save(model.state_dict(), folder / f"{key}.pt")
        (folder / f"{key}.json").write_text(json.dumps(vars(history)))
    return model.eval(), history


@torch.no_grad()
def predict_proba(
    model: nn.Module, X: np.ndarray, *, batch_size: int = 1000
) -> np.ndarray:
    """Class probabilities (N, classes) of float64 for images (N, 28, 28)."""
    batch_size = check_int_in_range(batch_size, "batch_size", 1)
    model.eval()
    X_t = to_tensor(X, device=_model_device(model))
    out = [
        torch.softmax(model(X_t[s : s + batch_size]), 1)
        for s in range(0, X_t.shape[0], batch_size)
    ]
    return torch.cat(out).cpu().numpy().astype(np.float64)


def misclassified(
    model: nn.Module, X: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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
    return (
        wrong[order].astype(np.int64),
        predicted[wrong][order].astype(np.int64),
        confidence[order],
    )


def save(model: nn.Module, path: str | os.PathLike) -> None:
    """Write ``model``'s weights (its ``state_dict``) to ``path``."""
    torch.save(model.state_dict(), path)


def load(model: nn.Module, path: str | os.PathLike) -> nn.Module:
    """Load weights saved by :func:`save` into ``model``.

    Tensors only: ``weights_only=True``.
    """
    model.load_state_dict(
        torch.load(path, map_location="cpu", weights_only=True)
    )
    return model
