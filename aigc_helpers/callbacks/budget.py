"""A wall-clock budget for ``fit``: :class:`TimeBudget`.

Taught in: notebooks/02_core_concepts.ipynb, notebooks/08_vae_mnist.ipynb
"""

from __future__ import annotations

import math
import time

import keras

from aigc_helpers.checks import check_number


class TimeBudget(keras.callbacks.ProgbarLogger):
    """Stop training once ``minutes`` of wall-clock time have passed since ``fit`` began.

    It also draws ``fit``'s progress bar (it *is* Keras' ``ProgbarLogger``, so Keras adds no second one,
    and ``verbose`` works as usual): when the budget stops an epoch early, the bar ends at the steps really
    run (``1262/1875``) instead of being filled up to the epoch's length as Keras' own bar does.

    After training, ``seconds`` holds the time actually spent and ``batches`` the number of training
    steps taken, so ``batches * batch_size / seconds`` is the training throughput in images/s.

    With ``anneal=f`` (0 < f <= 1) the optimizer keeps its compiled rate ``lr0`` for the first 1 - f of
    the budget and then lowers it along a half cosine of the *time* spent, reaching 0 when the budget
    runs out (an epoch-based schedule cannot do this: nobody knows in advance how many epochs fit).
    Small steps at the end let the weights settle instead of jittering around a minimum; keeping the full
    rate until then keeps the fast progress of a short run. ``lr0`` is put back when ``fit`` returns, so a
    later ``fit`` starts from it.

    Example:
        >>> budget = TimeBudget(minutes=15, anneal=0.2)  # full rate for 12 min, then down to 0  # doctest: +SKIP
        >>> model.fit(ds, epochs=1000, callbacks=[budget])  # doctest: +SKIP
        >>> budget.batches * 128 / budget.seconds   # images per second at batch size 128  # doctest: +SKIP

    Taught in: notebooks/02_core_concepts.ipynb
    """

    def __init__(self, minutes: float, *, anneal: float = 0.0):
        super().__init__()
        if not minutes > 0:
            raise ValueError(
                f"minutes must be > 0, got {minutes!r}. Fix: e.g. TimeBudget(minutes=5)."
            )
        self.budget = 60.0 * float(minutes)
        self.anneal = check_number(
            "anneal",
            anneal,
            minimum=0.0,
            maximum=1.0,
            fix="anneal is the fraction of the budget spent lowering the learning rate: e.g. "
            "anneal=0.2 (the last fifth), or 0 for a constant rate.",
        )
        self.seconds = 0.0
        self.batches = 0
        self.stopped_early = False
        self.initial_lr: float | None = None
        self._start = 0.0

    def annealed_lr(self, seconds: float) -> float:
        """The learning rate after ``seconds`` of training: lr0 until the last ``anneal`` of the budget,
        then lr0 * (1 + cos(pi * p)) / 2 where p goes from 0 to 1 over that last part.

        >>> b = TimeBudget(minutes=1, anneal=0.5); b.initial_lr = 1e-3   # decay over the last 30 s
        >>> [round(b.annealed_lr(t), 6) for t in (0, 30, 45, 60, 90)]
        [0.001, 0.001, 0.0005, 0.0, 0.0]
        """
        if self.initial_lr is None:
            raise ValueError(
                "annealed_lr needs initial_lr: it is read from the optimizer when fit begins."
            )
        if not self.anneal:
            return self.initial_lr
        start = self.budget * (1.0 - self.anneal)
        progress = min(max((seconds - start) / (self.budget - start), 0.0), 1.0)
        return self.initial_lr * 0.5 * (1.0 + math.cos(math.pi * progress))

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        self._start = time.perf_counter()
        self.batches = 0
        self.stopped_early = False
        if self.anneal:
            optimizer = getattr(self.model, "optimizer", None)
            try:  # Keras refuses to set a rate that comes from a LearningRateSchedule
                self.initial_lr = float(keras.ops.convert_to_numpy(optimizer.learning_rate))
                optimizer.learning_rate = self.initial_lr
            except (AttributeError, TypeError) as err:
                raise ValueError(
                    "TimeBudget(anneal=...) needs a model compiled with an optimizer whose learning rate "
                    "is a number. Fix: compile with e.g. keras.optimizers.Adam(1e-3), or use anneal=0."
                ) from err

    def on_train_batch_begin(self, batch, logs=None):
        if self.anneal:
            self.model.optimizer.learning_rate = self.annealed_lr(time.perf_counter() - self._start)

    def on_train_batch_end(self, batch, logs=None):
        self.batches += 1
        self.seconds = time.perf_counter() - self._start
        if self.seconds >= self.budget:
            self.model.stop_training = True
            self.stopped_early = True
        super().on_train_batch_end(batch, logs)

    def _finalize_progbar(self, logs):
        # Keras fills the bar up to the epoch's length; after a budget stop, end it where training did.
        if self.stopped_early and self.progbar is not None and self.target is not None:
            self.progbar.update(self.seen, list((logs or {}).items()), finalize=True)
        else:
            super()._finalize_progbar(logs)

    def on_train_end(self, logs=None):
        self.seconds = time.perf_counter() - self._start
        if self.anneal and self.initial_lr is not None:
            self.model.optimizer.learning_rate = self.initial_lr


__all__ = ["TimeBudget"]
