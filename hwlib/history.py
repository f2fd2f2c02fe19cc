"""The training record shared by every trainer in hwlib.

Used on the pages `softmax-sgd`, `mlp` and `cnn`. :func:`hwlib.softmax.sgd`
and :func:`hwlib.nets.train` both return a :class:`History`, and
:func:`hwlib.plots.plot_training_curves` draws any of them, so softmax
regression, the MLP and the CNN are read the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["History"]


@dataclass
class History:
    """Per-epoch record of a training run; every list has one entry per epoch.

    Attributes
    ----------
    train_loss : list of float
        Mean cross-entropy over the epoch, in nats per example (natural
        logarithm), each example's (or minibatch's) loss taken just before
        its own update: the *running* loss. It comes free with the updates;
        a separate pass over the training set after each epoch would cost
        about as much as the epoch again.
    val_loss, val_accuracy : list of float
        Mean cross-entropy (nats per example) and accuracy on the
        validation data after each epoch; empty when the trainer was given
        no validation data.
    seconds : list of float
        Wall time of each epoch's updates (evaluation excluded).

    Examples
    --------
    >>> h = History()
    >>> h.append(train_loss=0.5, val_loss=0.4, val_accuracy=0.9, seconds=1.0)
    >>> h.num_epochs, h.val_accuracy
    (1, [0.9])
    >>> print(h)
    epoch    train loss      val loss  val accuracy       seconds
        1        0.5000        0.4000        0.9000        1.0000
    """

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    def __str__(self) -> str:
        """One line per epoch, the columns that were recorded."""
        columns = [("train loss", self.train_loss)]
        if self.val_loss:
            columns.append(("val loss", self.val_loss))
        if self.val_accuracy:
            columns.append(("val accuracy", self.val_accuracy))
        columns.append(("seconds", self.seconds))
        header = "epoch  " + "  ".join(f"{name:>12}" for name, _ in columns)
        rows = [
            f"{epoch:5d}  "
            + "  ".join(f"{values[epoch - 1]:12.4f}" for _, values in columns)
            for epoch in range(1, self.num_epochs + 1)
        ]
        return "\n".join([header, *rows])

    @property
    def num_epochs(self) -> int:
        """Number of epochs recorded."""
        return len(self.train_loss)

    def append(
        self,
        *,
        train_loss: float,
        seconds: float,
        val_loss: float | None = None,
        val_accuracy: float | None = None,
    ) -> None:
        """Record one epoch (validation values only when there are some)."""
        self.train_loss.append(float(train_loss))
        self.seconds.append(float(seconds))
        if val_loss is not None:
            self.val_loss.append(float(val_loss))
        if val_accuracy is not None:
            self.val_accuracy.append(float(val_accuracy))
