"""Watching a GAN while it trains: :class:`TrainingMonitor` and the warnings it raises.

Taught in: notebooks/05_dcgan_mnist.ipynb
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable

import keras
import numpy as np

from aigc_helpers.checks import check_number, check_positive_int, check_positive_number

from .snapshots import _check_value_range, _is_grey_batch, _unit_samples, make_sampler


class TrainingWarning(UserWarning):
    """A problem the :class:`TrainingMonitor` saw while a model trained.

    Example:
        >>> issubclass(ModeCollapseWarning, TrainingWarning)
        True

    Taught in: machinery behind TrainingMonitor (filter all its warnings with this class)
    """


class ModeCollapseWarning(TrainingWarning):
    """Samples concentrate on few classes (class coverage KL rising above the threshold).

    Example:
        >>> warnings.simplefilter("error", ModeCollapseWarning)  # doctest: +SKIP

    Taught in: machinery behind callbacks.TrainingMonitor (notebook 05)
    """


class InstabilityWarning(TrainingWarning):
    """The discriminator loss went to 0 (D wins, G gets no signal) or to NaN/inf (training diverged).

    Example:
        >>> issubclass(InstabilityWarning, UserWarning)
        True

    Taught in: machinery behind TrainingMonitor
    """


# Shown every time (not just once per code line), so they appear in every notebook cell that trains.
warnings.simplefilter("always", TrainingWarning)

COLLAPSE_REMEDIES = (
    "Try: self-conditioning on k-means clusters of the data, which needs no labels (gan.SelfConditionedGAN "
    "with gan.cluster_labels; notebook 05, section 2: the course's biggest measured gain), label "
    "conditioning, an EMA of the generator weights (GAN(ema_decay=0.999)), a lower learning rate, or a "
    "stronger or differently regularized discriminator (R1 penalty, spectral norm)."
)
D_WINS_REMEDIES = (
    "Try: a lower discriminator learning rate (e.g. half the generator's), one-sided label smoothing "
    "(real label 0.9), instance noise or augmentation of D's inputs, or an R1 gradient penalty."
)
NAN_REMEDIES = (
    "Try: a lower learning rate (1e-4 to 2e-4 with Adam beta_1=0.5), gradient clipping (clipnorm=1.0), "
    "an R1 penalty, and restart from the last checkpoint (backup_and_restore)."
)


class TrainingMonitor(keras.callbacks.Callback):
    """Watch a GAN while it trains; warn on mode collapse and on an unstable discriminator.

    After every ``every``-th epoch it

    - reads the discriminator loss (``logs[d_loss_key]``): NaN/inf -> :class:`InstabilityWarning`
      (and stops training when ``stop_on_nan``); below ``d_loss_floor`` -> :class:`InstabilityWarning`
      (the discriminator wins outright, the generator's gradients vanish);
    - samples ``n`` images from a fixed noise batch (:func:`make_sampler`, or ``sample_fn``),
      classifies them with the course evaluator (:func:`aigc_helpers.metrics.class_coverage_kl`) and warns
      with :class:`ModeCollapseWarning` when the class coverage KL is above ``collapse_kl`` and rising
      (0 = all ten digits equally often, log 10 = 2.30 = a single digit). MNIST-shaped outputs only
      ((n, 28, 28) or (n, 28, 28, 1)): for other samples (or a model it cannot sample) only the loss
      checks run.

    Samples must be uint8 0..255 or floats in [0, 1] (what ``generate`` returns); ``value_range=(lo, hi)``
    maps other outputs of a ``sample_fn`` first, e.g. (-1, 1) for raw tanh outputs.

    Each warning names what to try, is shown with ``warnings.warn`` (visible in notebooks) and is recorded
    in ``events`` (dicts with ``epoch``, ``kind``, ``value``, ``message``). ``history`` keeps the per-epoch
    ``coverage_kl`` and ``d_loss``. :meth:`check_logs` and :meth:`check_samples` run the same checks by hand.

    Example:
        >>> monitor = TrainingMonitor(n=500)  # doctest: +SKIP
        >>> gan.fit(ds, epochs=10, callbacks=[monitor])  # doctest: +SKIP
        >>> monitor.events  # doctest: +SKIP

    Taught in: notebooks/05_dcgan_mnist.ipynb
    """

    def __init__(
        self,
        *,
        n: int = 500,
        seed: int = 0,
        every: int = 1,
        collapse_kl: float = 0.5,
        d_loss_key: str = "d_loss",
        d_loss_floor: float = 0.01,
        stop_on_nan: bool = True,
        check_coverage: bool = True,
        sample_fn: Callable[[], np.ndarray] | None = None,
        value_range: tuple[float, float] | None = None,
        verbose: bool = True,
    ):
        super().__init__()
        self.n = check_positive_int("n", n)
        self.every = check_positive_int("every", every)
        self.seed = seed
        self.collapse_kl = check_positive_number(
            "collapse_kl", collapse_kl, fix="e.g. 0.5 (log 10 = 2.30 is total collapse)."
        )
        self.d_loss_key = d_loss_key
        self.d_loss_floor = check_number("d_loss_floor", d_loss_floor, minimum=0)
        self.stop_on_nan = stop_on_nan
        self.check_coverage = check_coverage
        self.sample_fn = sample_fn
        self.value_range = _check_value_range(value_range)
        self.verbose = verbose
        self.events: list[dict] = []
        self.history: dict[str, list] = {"epoch": [], "coverage_kl": [], "d_loss": []}
        self._sample: Callable[[], np.ndarray] | None = None
        self._last_kl: float | None = None

    # ---- the checks, usable by hand
    def _warn(
        self, kind: str, category: type[TrainingWarning], epoch: int | None, value, message: str
    ):
        self.events.append({"epoch": epoch, "kind": kind, "value": value, "message": message})
        if self.verbose:
            warnings.warn(message, category, stacklevel=3)

    def check_logs(self, logs: dict | None, epoch: int | None = None) -> list[dict]:
        """Check a Keras ``logs`` dict for a NaN/inf or vanishing discriminator loss; return new events."""
        before = len(self.events)
        value = (logs or {}).get(self.d_loss_key)
        if value is None:
            return []
        value = float(value)
        where = f"epoch {epoch}" if epoch is not None else "this check"
        if not math.isfinite(value):
            self._warn(
                "d_loss_nan",
                InstabilityWarning,
                epoch,
                value,
                f"Discriminator loss is {value} at {where}: training diverged. {NAN_REMEDIES}",
            )
            if self.stop_on_nan and self.model is not None:
                self.model.stop_training = True
        elif value < self.d_loss_floor:
            self._warn(
                "d_loss_zero",
                InstabilityWarning,
                epoch,
                value,
                f"Discriminator loss fell to {value:.2g} at {where} (below {self.d_loss_floor:g}): D "
                f"separates real from fake perfectly and G's gradients vanish. {D_WINS_REMEDIES}",
            )
        return self.events[before:]

    def check_samples(self, images, epoch: int | None = None) -> float:
        """Class coverage KL of ``images`` (uint8 0..255 or floats in [0, 1], or the monitor's
        ``value_range``); warns if collapsed. Returns the KL in nats."""
        from aigc_helpers import metrics

        unit = _unit_samples(images, self.value_range)
        kl = metrics.class_coverage_kl(unit)
        where = f"epoch {epoch}" if epoch is not None else "this check"
        rising = (
            self._last_kl is None or kl > self._last_kl + 1e-9 or self._last_kl <= self.collapse_kl
        )
        if kl > self.collapse_kl and rising:
            hist = metrics.class_histogram(unit)
            top = np.argsort(hist)[::-1][:3]
            shares = ", ".join(f"{d}: {hist[d]:.0%}" for d in top)
            self._warn(
                "mode_collapse",
                ModeCollapseWarning,
                epoch,
                kl,
                f"Possible mode collapse at {where}: class coverage KL = {kl:.2f} nats (0 = all ten "
                f"digits equally often, 2.30 = one digit; threshold {self.collapse_kl:g}); most frequent "
                f"digits {shares}. {COLLAPSE_REMEDIES}",
            )
        self._last_kl = kl
        return kl

    # ---- Keras hooks
    def on_train_begin(self, logs=None):
        # Sample from the model of *this* fit (after a resume it is a new object); the last coverage KL is
        # kept, so "rising" compares with the epoch before the interruption.
        self._sample = None

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every:
            return
        logs = logs or {}
        self.history["epoch"].append(epoch + 1)
        d = logs.get(self.d_loss_key)
        self.history["d_loss"].append(None if d is None else float(d))
        self.check_logs(logs, epoch + 1)
        kl = None
        if self.check_coverage and not self.model.stop_training:
            if self._sample is None:
                try:
                    self._sample = self.sample_fn or make_sampler(self.model, self.n, self.seed)
                except ValueError:
                    self.check_coverage = False  # a model we cannot sample: only the loss checks
            if self._sample is not None:
                x = np.asarray(self._sample())
                if not _is_grey_batch(x) or x.shape[1:3] != (28, 28):
                    self.check_coverage = False  # not MNIST digits: the evaluator cannot judge them
                elif np.all(np.isfinite(x)):  # NaN samples: the loss check has already warned
                    kl = self.check_samples(x, epoch + 1)
        self.history["coverage_kl"].append(kl)


__all__ = [
    "InstabilityWarning",
    "ModeCollapseWarning",
    "TrainingMonitor",
    "TrainingWarning",
]
