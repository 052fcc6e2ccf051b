"""Keras callbacks for watching, saving and budgeting training runs.

- :class:`TimeBudget` stops ``fit`` after a wall-clock budget (checked after every batch), so two models
  can be compared at the *same* training time, and a lesson never overruns its slot; ``anneal=0.2``
  also lowers the learning rate over the last fifth of the time, reaching 0 when the budget ends.
- :class:`SampleSnapshots` draws a grid of samples from one *fixed* noise batch after every epoch, so the
  frames show the same "imaginary digits" growing up; :func:`make_gif` turns them into an animation.
- :func:`backup_and_restore` (Keras' ``BackupAndRestore``) saves weights, optimizer state and the epoch
  after every epoch; a new ``fit`` with the same folder picks up where an interrupted one stopped.
  :class:`Interrupt` simulates the power cut for teaching.
- :class:`TrainingMonitor` watches a GAN while it trains and warns (:class:`ModeCollapseWarning`,
  :class:`InstabilityWarning`) when samples collapse onto few digits or the discriminator loss goes to 0
  or NaN, naming remedies to try; every warning is also kept in ``monitor.events``.

Example:
    >>> snaps = SampleSnapshots(n=16, seed=0)  # doctest: +SKIP
    >>> monitor = TrainingMonitor()  # doctest: +SKIP
    >>> gan.fit(ds, epochs=10, callbacks=[snaps, monitor, backup_and_restore("runs/ckpt")])  # doctest: +SKIP
    >>> make_gif(snaps.frames, "runs/training.gif")  # doctest: +SKIP

Taught in: notebooks/05_dcgan_mnist.ipynb, notebooks/08_vae_mnist.ipynb.
"""

from __future__ import annotations

import json
import math
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import keras
import numpy as np


class TimeBudget(keras.callbacks.Callback):
    """Stop training once ``minutes`` of wall-clock time have passed since ``fit`` began.

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
    """

    def __init__(self, minutes: float, *, anneal: float = 0.0):
        super().__init__()
        if not minutes > 0:
            raise ValueError(f"minutes must be > 0, got {minutes!r}.")
        if isinstance(anneal, bool) or not 0.0 <= anneal <= 1.0:
            raise ValueError(
                f"anneal is the fraction of the budget spent lowering the learning rate, in [0, 1]; got "
                f"{anneal!r}. Fix: e.g. anneal=0.2 (the last fifth), or 0 for a constant rate."
            )
        self.budget = 60.0 * float(minutes)
        self.anneal = float(anneal)
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
            raise ValueError("annealed_lr needs initial_lr: it is read from the optimizer when fit begins.")
        if not self.anneal:
            return self.initial_lr
        start = self.budget * (1.0 - self.anneal)
        progress = min(max((seconds - start) / (self.budget - start), 0.0), 1.0)
        return self.initial_lr * 0.5 * (1.0 + math.cos(math.pi * progress))

    def on_train_begin(self, logs=None):
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
                    "TimeBudget(anneal=...) needs a model compiled with an optimizer whose learning rate is a "
                    "number. Fix: compile with e.g. keras.optimizers.Adam(1e-3), or use anneal=0."
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

    def on_train_end(self, logs=None):
        self.seconds = time.perf_counter() - self._start
        if self.anneal and self.initial_lr is not None:
            self.model.optimizer.learning_rate = self.initial_lr


# --------------------------------------------------------------------------- sampling from any generator


def make_sampler(model, n: int = 16, seed: int = 0) -> Callable[[], np.ndarray]:
    """A function of no arguments that returns ``n`` samples of ``model`` from one *fixed* noise batch.

    Works with a model that has ``generate(n, seed)`` (the course's GAN; the same seed means the same
    noise), ``decode(z)`` + ``latent_dim`` (the course's VAE), or ``generator`` + ``latent_dim`` (any
    Keras GAN); the noise is drawn once, here, so every call shows the same points of latent space.

    Example:
        >>> sample = make_sampler(gan, n=16, seed=0)  # doctest: +SKIP
        >>> np.array_equal(sample(), sample())  # same noise, same (unchanged) generator  # doctest: +SKIP
        True

    Taught in: notebooks/05_dcgan_mnist.ipynb
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}.")
    n = int(n)
    if callable(getattr(model, "generate", None)):
        return lambda: np.asarray(model.generate(n, seed=seed))
    latent_dim = getattr(model, "latent_dim", None)
    if latent_dim:
        z = np.random.default_rng(seed).standard_normal((n, int(latent_dim))).astype(np.float32)
        if callable(getattr(model, "decode", None)):
            return lambda: np.asarray(model.decode(z))
        generator = getattr(model, "generator", None)
        if generator is not None:
            return lambda: np.asarray(generator(z, training=False))
    raise ValueError(
        f"Cannot sample from a {type(model).__name__}: it has no generate(n, seed), and no "
        "generator/decode with a latent_dim. Fix: pass sample_fn=lambda: <an array of samples>."
    )


def to_unit_range(images, value_range: tuple[float, float] | None = None) -> np.ndarray:
    """Images as float32 in [0, 1]: from ``value_range`` (lo, hi), or guessed: any value < 0 means the
    GAN range [-1, 1], any value > 1 means 0..255. The channel axis of grey images is dropped.

    Example:
        >>> to_unit_range(np.array([[-1.0, 0.0, 1.0]])).tolist()
        [[0.0, 0.5, 1.0]]
    """
    x = np.asarray(images, dtype=np.float32)
    if x.ndim == 4 and x.shape[-1] == 1:
        x = x[..., 0]
    if value_range is None:
        value_range = guess_range(x)
    lo, hi = value_range
    return np.clip((x - lo) / (hi - lo), 0.0, 1.0)


def guess_range(images) -> tuple[float, float]:
    """(-1, 1) if any value is negative, (0, 255) if any exceeds 1, else (0, 1)."""
    x = np.asarray(images)
    if x.size and float(np.nanmin(x)) < 0:
        return (-1.0, 1.0)
    if x.size and float(np.nanmax(x)) > 1.0:
        return (0.0, 255.0)
    return (0.0, 1.0)


def tile(images, ncols: int | None = None, *, pad: int = 2, scale: int = 1) -> np.ndarray:
    """Grey images in [0, 1], shape (n, H, W), as one uint8 grid image with ``pad`` black pixels between
    cells, each pixel repeated ``scale`` times.

    Example:
        >>> tile(np.ones((4, 2, 2)), pad=1).shape
        (7, 7)
    """
    x = np.asarray(images, dtype=np.float32)
    if x.ndim != 3:
        raise ValueError(f"tile needs images of shape (n, H, W), got {x.shape}.")
    n, h, w = x.shape
    ncols = ncols or math.ceil(math.sqrt(n))
    nrows = math.ceil(n / ncols)
    grid = np.zeros((nrows * (h + pad) + pad, ncols * (w + pad) + pad), np.float32)
    for i in range(n):
        r, c = divmod(i, ncols)
        grid[
            pad + r * (h + pad) : pad + r * (h + pad) + h,
            pad + c * (w + pad) : pad + c * (w + pad) + w,
        ] = x[i]
    grid = np.rint(np.clip(grid, 0.0, 1.0) * 255).astype(np.uint8)
    if scale > 1:
        grid = np.kron(grid, np.ones((scale, scale), np.uint8))
    return grid


# --------------------------------------------------------------------------- snapshots and GIFs


class SampleSnapshots(keras.callbacks.Callback):
    """After every ``every``-th epoch, sample ``n`` images from one fixed noise batch and keep the grid.

    After ``fit``: ``frames`` (uint8 grid images, one per snapshot), ``samples`` (the raw outputs),
    ``epochs`` (1-based epoch of each snapshot; 0 = before training when ``at_start=True``).
    With ``folder``, each grid is also written as ``folder/epoch_003.png``.

    Args:
        n: samples per snapshot (a square number makes a square grid).
        seed: seed of the fixed noise batch.
        every: snapshot every this many epochs.
        folder: where to save PNGs (None: keep in memory only).
        at_start: also take a snapshot before the first epoch (the untrained generator's noise).
        sample_fn: a function of no arguments that returns samples (default: :func:`make_sampler`).
        value_range: (lo, hi) of the model's outputs; None guesses it once, at the first snapshot.
        scale: pixel repetition of the saved frames (2 makes 28-pixel digits easier to see).

    Example:
        >>> snaps = SampleSnapshots(n=16, folder="runs/frames")  # doctest: +SKIP
        >>> gan.fit(ds, epochs=5, callbacks=[snaps])  # doctest: +SKIP
        >>> snaps.save_gif("runs/training.gif")  # doctest: +SKIP

    Taught in: notebooks/05_dcgan_mnist.ipynb
    """

    def __init__(
        self,
        n: int = 16,
        seed: int = 0,
        *,
        every: int = 1,
        folder: str | Path | None = None,
        at_start: bool = False,
        sample_fn: Callable[[], np.ndarray] | None = None,
        value_range: tuple[float, float] | None = None,
        scale: int = 2,
    ):
        super().__init__()
        if isinstance(every, bool) or not isinstance(every, (int, np.integer)) or every < 1:
            raise ValueError(f"every must be a positive integer, got {every!r}.")
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"n must be a positive integer, got {n!r}.")
        self.n, self.seed, self.every = int(n), seed, int(every)
        self.folder = Path(folder) if folder is not None else None
        self.at_start = at_start
        self.sample_fn = sample_fn
        self.value_range = value_range
        self.scale = int(scale)
        self.frames: list[np.ndarray] = []
        self.samples: list[np.ndarray] = []
        self.epochs: list[int] = []
        self.paths: list[Path] = []
        self._sample: Callable[[], np.ndarray] | None = None

    def on_train_begin(self, logs=None):
        self._sample = self.sample_fn or make_sampler(self.model, self.n, self.seed)
        if self.at_start and not self.epochs:
            self.snapshot(0)

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every == 0:
            self.snapshot(epoch + 1)

    def snapshot(self, epoch: int) -> np.ndarray:
        """Sample now, store the frame under ``epoch`` (and save it when a folder is set); return it."""
        if self._sample is None:
            self._sample = self.sample_fn or make_sampler(self.model, self.n, self.seed)
        x = np.asarray(self._sample(), dtype=np.float32)
        self.samples.append(x)
        self.epochs.append(int(epoch))
        images = x[..., 0] if x.ndim == 4 and x.shape[-1] == 1 else x
        if (
            images.ndim != 3
        ):  # not grey images (e.g. 2-D points of a toy GAN): keep the raw samples only
            return x
        if self.value_range is None:
            self.value_range = guess_range(images)
        frame = tile(to_unit_range(images, self.value_range), scale=self.scale)
        self.frames.append(frame)
        if self.folder is not None:
            import imageio.v2 as imageio

            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / f"epoch_{int(epoch):03d}.png"
            imageio.imwrite(path, frame)
            self.paths.append(path)
        return frame

    def save_gif(self, path: str | Path, *, fps: float = 2.0, hold_last: int = 3) -> Path:
        """Write the frames as an animated GIF (see :func:`make_gif`)."""
        return make_gif(self.frames, path, fps=fps, hold_last=hold_last)


def make_gif(
    frames, path: str | Path, *, fps: float = 2.0, hold_last: int = 3, loop: int = 0
) -> Path:
    """Write grey uint8 frames (a list of (H, W) arrays) as an animated GIF; return the path.

    Each frame shows for 1/``fps`` seconds; the last one ``hold_last`` frames longer, so the final result
    stays on screen a moment. ``loop=0`` loops forever.

    Example:
        >>> make_gif(snaps.frames, "runs/training.gif")  # doctest: +SKIP

    Taught in: notebooks/05_dcgan_mnist.ipynb
    """
    import imageio.v2 as imageio

    frames = [np.asarray(f) for f in frames]
    if not frames:
        raise ValueError(
            "No frames to write. Fix: train with SampleSnapshots first (snaps.frames)."
        )
    if not fps > 0:
        raise ValueError(f"fps must be > 0, got {fps!r}.")
    shapes = {f.shape for f in frames}
    if len(shapes) != 1:
        raise ValueError(f"All frames must have the same shape, got {sorted(shapes)}.")
    frames = [
        f if f.dtype == np.uint8 else np.rint(np.clip(f, 0, 1) * 255).astype(np.uint8)
        for f in frames
    ]
    # Identical frames would be merged by the GIF writer, so the last frame is held by its duration.
    ms = 1000.0 / fps
    durations = [ms] * (len(frames) - 1) + [ms * (1 + max(int(hold_last), 0))]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    imageio.mimsave(path, frames, duration=durations, loop=loop)
    return path


# --------------------------------------------------------------------------- checkpoints and resuming


class TrainingInterrupted(RuntimeError):
    """Raised by :class:`Interrupt`: a simulated crash / power cut in the middle of ``fit``."""


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
        if (
            isinstance(after_epochs, bool)
            or not isinstance(after_epochs, (int, np.integer))
            or after_epochs < 1
        ):
            raise ValueError(f"after_epochs must be a positive integer, got {after_epochs!r}.")
        self.after_epochs = int(after_epochs)
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
    if save_freq != "epoch" and (
        isinstance(save_freq, bool) or not isinstance(save_freq, (int, np.integer)) or save_freq < 1
    ):
        raise ValueError(
            f"save_freq must be 'epoch' or a positive number of batches, got {save_freq!r}."
        )
    return keras.callbacks.BackupAndRestore(
        backup_dir=str(folder), save_freq=save_freq, delete_checkpoint=delete_checkpoint
    )


def checkpoint_epoch(folder: str | Path) -> int | None:
    """The number of finished epochs recorded in a ``BackupAndRestore`` folder (None: no checkpoint).

    Example:
        >>> checkpoint_epoch("runs/ckpt")  # doctest: +SKIP
        2
    """
    meta = Path(folder) / "training_metadata.json"
    if not meta.is_file():
        return None
    return int(json.loads(meta.read_text())["epoch"])


# --------------------------------------------------------------------------- the training monitor


class TrainingWarning(UserWarning):
    """A problem the :class:`TrainingMonitor` saw while a model trained."""


class ModeCollapseWarning(TrainingWarning):
    """Samples concentrate on few classes (class coverage KL rising above the threshold)."""


class InstabilityWarning(TrainingWarning):
    """The discriminator loss went to 0 (D wins, G gets no signal) or to NaN/inf (training diverged)."""


# Shown every time (not just once per code line), so they appear in every notebook cell that trains.
warnings.simplefilter("always", TrainingWarning)

COLLAPSE_REMEDIES = (
    "Try: self-conditioning on k-means clusters of the data, which needs no labels (gan.SelfConditionedGAN "
    "with gan.cluster_labels; notebook 05, section 9: the course's biggest measured gain), label "
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
    - samples ``n`` images from a fixed noise batch (:func:`make_sampler`; MNIST-shaped outputs only),
      classifies them with the course evaluator (:func:`aigc_helpers.metrics.class_coverage_kl`) and warns
      with :class:`ModeCollapseWarning` when the class coverage KL is above ``collapse_kl`` and rising
      (0 = all ten digits equally often, log 10 = 2.30 = a single digit).

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
        if isinstance(every, bool) or not isinstance(every, (int, np.integer)) or every < 1:
            raise ValueError(f"every must be a positive integer, got {every!r}.")
        if not collapse_kl > 0:
            raise ValueError(
                f"collapse_kl must be > 0 (log 10 = 2.30 is total collapse), got {collapse_kl!r}."
            )
        self.n, self.seed, self.every = int(n), seed, int(every)
        self.collapse_kl = float(collapse_kl)
        self.d_loss_key = d_loss_key
        self.d_loss_floor = float(d_loss_floor)
        self.stop_on_nan = stop_on_nan
        self.check_coverage = check_coverage
        self.sample_fn = sample_fn
        self.value_range = value_range
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
        """Class coverage KL of ``images`` (any range: [-1, 1], [0, 1] or 0..255); warns if collapsed."""
        from aigc_helpers import metrics

        unit = to_unit_range(images, self.value_range or guess_range(images))
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
                x = np.asarray(self._sample(), dtype=np.float32)
                images = x[..., 0] if x.ndim == 4 and x.shape[-1] == 1 else x
                if (
                    images.ndim == 3
                    and images.shape[1:] == (28, 28)
                    and np.all(np.isfinite(images))
                ):
                    kl = self.check_samples(images, epoch + 1)
                elif images.ndim != 3 or images.shape[1:] != (28, 28):
                    self.check_coverage = False  # not MNIST digits: the evaluator cannot judge them
        self.history["coverage_kl"].append(kl)


__all__ = [
    "InstabilityWarning",
    "Interrupt",
    "ModeCollapseWarning",
    "SampleSnapshots",
    "TimeBudget",
    "TrainingInterrupted",
    "TrainingMonitor",
    "TrainingWarning",
    "backup_and_restore",
    "checkpoint_epoch",
    "guess_range",
    "make_gif",
    "make_sampler",
    "tile",
    "to_unit_range",
]
