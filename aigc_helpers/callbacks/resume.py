"""Surviving an interrupted ``fit``: :func:`backup_and_restore`, :func:`checkpoint_epoch`, and
:class:`Interrupt`, which simulates the power cut for teaching.

Taught in: notebooks/05_dcgan_mnist.ipynb
"""

from __future__ import annotations

import json
from pathlib import Path

import keras

from aigc_helpers.checks import check_positive_int


class TrainingInterrupted(RuntimeError):
    """Raised by :class:`Interrupt`: a simulated crash / power cut in the middle of ``fit``.

    Example:
        >>> isinstance(TrainingInterrupted("power cut"), RuntimeError)
        True

    Taught in: notebooks/05_dcgan_mnist.ipynb
    """


class Interrupt(keras.callbacks.Callback):
    """Simulate an interruption: raise :class:`TrainingInterrupted` once ``after_epochs`` epochs of this
    ``fit`` have finished (at the start of the next one, after every callback -- including
    ``BackupAndRestore`` -- has handled the last finished epoch).

    Example:
        >>> backup = backup_and_restore("runs/ckpt")  # doctest: +SKIP
        >>> try:  # doctest: +SKIP
        ...     model.fit(ds, epochs=5, callbacks=[backup, Interrupt(after_epochs=2)])
        ... except TrainingInterrupted:
        ...     print("power cut!")
        >>> model.fit(ds, epochs=5, callbacks=[backup])   # runs epochs 3..5 only  # doctest: +SKIP

    Taught in: notebooks/05_dcgan_mnist.ipynb
    """

    def __init__(self, after_epochs: int = 1):
        super().__init__()
        self.after_epochs = check_positive_int("after_epochs", after_epochs)
        self._finished = 0

    def on_train_begin(self, logs=None):
        self._finished = 0

    def on_epoch_end(self, epoch, logs=None):
        self._finished += 1

    def on_epoch_begin(self, epoch, logs=None):
        if self._finished >= self.after_epochs:
            raise TrainingInterrupted(
                f"Simulated interruption after {self._finished} epoch(s) (epoch {epoch} of this fit "
                "never started). Call fit again with the same BackupAndRestore folder to resume."
            )


def backup_and_restore(
    folder: str | Path, *, save_freq: str | int = "epoch", delete_checkpoint: bool = True
) -> keras.callbacks.BackupAndRestore:
    """Keras' ``BackupAndRestore`` for ``folder``: an interrupted ``fit`` resumes where it stopped.

    After every epoch (or every ``save_freq`` batches) it writes the model's weights *with* the optimizer
    state (step count, Adam moments) and the epoch number; a later ``fit`` with the same folder and the same
    ``epochs`` loads them and runs only the remaining epochs. The folder is deleted when a ``fit`` finishes
    (``delete_checkpoint=False`` keeps it). The model must be built (and compiled) before ``fit``.

    Example:
        >>> model.fit(ds, epochs=10, callbacks=[backup_and_restore("runs/ckpt")])  # doctest: +SKIP

    Taught in: notebooks/05_dcgan_mnist.ipynb
    """
    if save_freq != "epoch":
        save_freq = check_positive_int(
            "save_freq", save_freq, fix="use 'epoch' or a positive number of batches."
        )
    return keras.callbacks.BackupAndRestore(
        backup_dir=str(folder), save_freq=save_freq, delete_checkpoint=delete_checkpoint
    )


def checkpoint_epoch(folder: str | Path) -> int | None:
    """The number of finished epochs recorded in a ``BackupAndRestore`` folder (None: no checkpoint).

    Example:
        >>> checkpoint_epoch("runs/no-such-folder") is None
        True

    Taught in: notebooks/05_dcgan_mnist.ipynb
    """
    meta = Path(folder) / "training_metadata.json"
    if not meta.is_file():
        return None
    return int(json.loads(meta.read_text())["epoch"])


__all__ = ["Interrupt", "TrainingInterrupted", "backup_and_restore", "checkpoint_epoch"]
