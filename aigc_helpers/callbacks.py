"""Keras callbacks for training on a budget.

- :class:`TimeBudget` stops ``fit`` after a wall-clock budget (checked after every batch), so two models
  can be compared at the *same* training time, and a lesson never overruns its slot.

Resuming an interrupted ``fit`` needs no code of ours: ``keras.callbacks.BackupAndRestore(folder)`` saves the
weights, the optimizer state and the epoch after every epoch, and a new ``fit`` with the same folder picks
up where the last one stopped (tests/test_vae.py checks the epoch and the optimizer's iteration count).

Taught in: notebooks/08_vae_mnist.ipynb.
"""

from __future__ import annotations

import time

import keras


class TimeBudget(keras.callbacks.Callback):
    """Stop training once ``minutes`` of wall-clock time have passed since ``fit`` began.

    After training, ``seconds`` holds the time actually spent and ``batches`` the number of training
    steps taken, so ``batches * batch_size / seconds`` is the training throughput in images/s.

    Example:
        >>> budget = TimeBudget(minutes=15)  # doctest: +SKIP
        >>> model.fit(ds, epochs=1000, callbacks=[budget])
        >>> budget.batches * 128 / budget.seconds   # images per second at batch size 128
    """

    def __init__(self, minutes: float):
        super().__init__()
        if not minutes > 0:
            raise ValueError(f"minutes must be > 0, got {minutes!r}.")
        self.budget = 60.0 * float(minutes)
        self.seconds = 0.0
        self.batches = 0
        self.stopped_early = False
        self._start = 0.0

    def on_train_begin(self, logs=None):
        self._start = time.perf_counter()
        self.batches = 0
        self.stopped_early = False

    def on_train_batch_end(self, batch, logs=None):
        self.batches += 1
        self.seconds = time.perf_counter() - self._start
        if self.seconds >= self.budget:
            self.model.stop_training = True
            self.stopped_early = True

    def on_train_end(self, logs=None):
        self.seconds = time.perf_counter() - self._start


__all__ = ["TimeBudget"]
