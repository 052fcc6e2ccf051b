"""Sampling a generator while it trains: :func:`make_sampler`, :class:`SampleSnapshots`, :func:`make_gif`.

Every course generator answers ``model.generate(n, seed=...)`` with images in [0, 1] (see
:mod:`aigc_helpers.generation`), so the callbacks sample any of them the same way; a model without that
interface is sampled through ``sample_fn=``.

Taught in: notebooks/05_dcgan_mnist.ipynb
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import keras
import numpy as np

from aigc_helpers import images as _img
from aigc_helpers.checks import check_number, check_positive_int, check_positive_number


def make_sampler(model, n: int = 16, seed: int = 0) -> Callable[[], np.ndarray]:
    """A function of no arguments that returns ``model.generate(n, seed=seed)``: the same ``seed``, so
    the same noise batch, at every call -- the frames show the same points of latent space.

    ``model`` must have the course's generation interface (a ``generate`` method); for anything else
    pass ``sample_fn=`` to the callback instead.

    Example:
        >>> class Flat:
        ...     def generate(self, n, labels=None, seed=None):
        ...         return np.full((n, 28, 28), 0.5, np.float32)
        >>> make_sampler(Flat(), n=4)().shape
        (4, 28, 28)

    Taught in: machinery behind SampleSnapshots and TrainingMonitor
    """
    n = check_positive_int("n", n)
    if not callable(getattr(model, "generate", None)):
        raise ValueError(
            f"Cannot sample from a {type(model).__name__}: it has no generate(n, seed=...) method (the "
            "course's generation interface). Fix: pass sample_fn=lambda: <an array of samples>, e.g. "
            "sample_fn=lambda: (generator(z, training=False) + 1) / 2 for a bare tanh generator."
        )
    return lambda: np.asarray(model.generate(n, seed=seed))


def _check_value_range(value_range) -> tuple[float, float] | None:
    """``value_range`` as (lo, hi) floats with lo < hi, or None (samples already in [0, 1] or uint8)."""
    if value_range is None:
        return None
    fix = "pass the (lo, hi) of the samples, e.g. value_range=(-1, 1) for tanh outputs, or None."
    if np.ndim(value_range) != 1 or len(value_range) != 2:
        raise ValueError(f"value_range must be a pair (lo, hi), got {value_range!r}. Fix: {fix}")
    lo = check_number("value_range[0]", value_range[0], fix=fix)
    hi = check_number("value_range[1]", value_range[1], fix=fix)
    if not lo < hi:
        raise ValueError(f"value_range must have lo < hi, got {value_range!r}. Fix: {fix}")
    return lo, hi


def _unit_samples(samples, value_range: tuple[float, float] | None = None) -> np.ndarray:
    """Samples as grey images in [0, 1]: mapped by (x - lo) / (hi - lo) when ``value_range`` is given,
    then by the one pixel-range rule of :func:`aigc_helpers.images.to_unit` (nothing is guessed).

    Example:
        >>> _unit_samples(np.array([[[-1.0, 1.0]]]), (-1, 1)).tolist()
        [[[0.0, 1.0]]]
    """
    if value_range is not None:
        lo, hi = value_range
        samples = (np.asarray(samples, np.float32) - lo) / (hi - lo)
    return _img.to_unit(samples, name="samples")


def _is_grey_batch(x: np.ndarray) -> bool:
    """Whether ``x`` is a batch of grey images, (n, H, W) or (n, H, W, 1) (not, e.g., 2-D points)."""
    return x.ndim == 3 or (x.ndim == 4 and x.shape[-1] == 1)


class SampleSnapshots(keras.callbacks.Callback):
    """After every ``every``-th epoch, sample ``n`` images from one fixed noise batch and keep the grid.

    After ``fit``: ``frames`` (uint8 grid images, one per snapshot), ``samples`` (the raw outputs),
    ``epochs`` (1-based epoch of each snapshot; 0 = before training when ``at_start=True``).
    With ``folder``, each grid is also written as ``folder/epoch_003.png``. Samples that are not grey
    images (e.g. the 2-D points of a toy GAN) are kept in ``samples`` without a frame.

    Args:
        n: samples per snapshot (a square number makes a square grid).
        seed: seed of the fixed noise batch.
        every: snapshot every this many epochs.
        folder: where to save PNGs (None: keep in memory only).
        at_start: also take a snapshot before the first epoch (the untrained generator's noise).
        sample_fn: a function of no arguments that returns samples (default: :func:`make_sampler`,
            which needs a model with ``generate``).
        value_range: (lo, hi) of what ``sample_fn`` returns when that is neither uint8 nor [0, 1]
            (e.g. (-1, 1) for raw tanh outputs); None: the samples must be uint8 or in [0, 1].
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
        self.n = check_positive_int("n", n)
        self.every = check_positive_int("every", every)
        self.scale = check_positive_int("scale", scale)
        self.seed = seed
        self.folder = Path(folder) if folder is not None else None
        self.at_start = at_start
        self.sample_fn = sample_fn
        self.value_range = _check_value_range(value_range)
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
        x = np.asarray(self._sample())
        self.samples.append(x)
        self.epochs.append(int(epoch))
        if not _is_grey_batch(x):
            return x
        frame = _img.tile(_unit_samples(x, self.value_range), scale=self.scale)
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
    """Write grey frames (a list of (H, W) arrays, uint8 or floats in [0, 1]) as an animated GIF; return
    the path.

    Each frame shows for 1/``fps`` seconds; the last one ``hold_last`` frames longer, so the final result
    stays on screen a moment. ``loop=0`` loops forever.

    Example:
        >>> make_gif(snaps.frames, "runs/training.gif")  # doctest: +SKIP

    Taught in: machinery behind SampleSnapshots.save_gif
    """
    import imageio.v2 as imageio

    frames = [np.asarray(f) for f in frames]
    if not frames:
        raise ValueError(
            "No frames to write. Fix: train with SampleSnapshots first (snaps.frames)."
        )
    fps = check_positive_number("fps", fps)
    shapes = {f.shape for f in frames}
    if len(shapes) != 1:
        raise ValueError(f"All frames must have the same shape, got {sorted(shapes)}.")
    frames = list(_img.to_uint8(np.stack(frames), name="frames"))
    # Identical frames would be merged by the GIF writer, so the last frame is held by its duration.
    ms = 1000.0 / fps
    durations = [ms] * (len(frames) - 1) + [ms * (1 + max(int(hold_last), 0))]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    imageio.mimsave(path, frames, duration=durations, loop=loop)
    return path


__all__ = ["SampleSnapshots", "make_gif", "make_sampler"]
