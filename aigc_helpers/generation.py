"""One generation interface for every generator the course ships (GANs, VAEs, ...).

A learner who can call ``generate`` on one model can call it on any other:

- ``model.latent_dim`` -- the size of a latent code z;
- ``model.conditional`` -- whether generation takes ``labels`` (and ``model.num_classes`` how many);
- ``model.generate(n, labels=None, seed=None)`` -- ``n`` new images, z ~ N(0, I);
- ``model.decode(z, labels=None)`` -- the images for given codes;
- ``model.interpolate(a, b, steps=8, labels=None)`` -- the images along the straight line from code a to
  code b.

Images are float32 arrays of shape (n, 28, 28) with values in [0, 1], whatever the family (a GAN's tanh
outputs are mapped from [-1, 1]); a model of 2-D toy points returns (n, 2) points instead. A conditional
model cycles through its labels 0, 1, 2, ... when ``labels`` is None; an unconditional one refuses labels
with an error. The same ``seed`` gives the same codes, so the same images.

A model family implements one method, ``_decode_batch(z, labels, seed)``, and inherits the rest from
:class:`Generative`. Tools that take "a generator" (the latent explorer, comparison tables, the command
line, the training callbacks) rely on this interface and never ask which family they hold.

Example:
    >>> from aigc_helpers import gan, vae  # doctest: +SKIP
    >>> for model in (gan.load_pretrained("gan"), vae.load_pretrained("vae")):  # doctest: +SKIP
    ...     print(model.generate(4, seed=0).shape)
    (4, 28, 28)
    (4, 28, 28)

Taught in: machinery behind every model's generate, decode and interpolate (notebook 02 samples a GAN and a
VAE by the same call)
"""

from __future__ import annotations

import numpy as np

from aigc_helpers.checks import check_int, check_positive_int, is_int

MAX_BATCH = 500  # codes decoded per network call


def split_batch(data, needs_labels: bool, model: str):
    """(images, labels or None) from a training batch, whatever structure the dataset yields;
    a model that ``needs_labels`` refuses batches without them."""
    if isinstance(data, (tuple, list)):
        x = data[0]
        y = data[1] if len(data) > 1 else None
    else:
        x, y = data, None
    if needs_labels and y is None:
        raise ValueError(
            f"A {model} needs (images, labels) batches. Fix: build the dataset with labels, e.g. "
            "data.gan_dataset(x, y) or data.vae_dataset(x, y)."
        )
    return x, y


class Generative:
    """Mix-in that gives a model the course's generation interface from one ``_decode_batch``.

    Subclasses set ``latent_dim``, ``conditional`` and ``num_classes`` and implement
    ``_decode_batch(z, labels, seed) -> np.ndarray`` for one batch of at most :data:`MAX_BATCH` codes
    (float32 NumPy in, images in [0, 1] of shape (b, 28, 28) out; ``labels`` is an int32 array or None).

    Taught in: machinery behind gan.GAN and vae.VAE (notebooks 02, 05, 08)
    """

    conditional: bool = False
    latent_dim: int
    num_classes: int | None = None

    def _decode_batch(self, z: np.ndarray, labels: np.ndarray | None, seed: int | None):
        raise NotImplementedError

    # ---- checks shared by every family
    def check_labels(self, labels, n: int) -> np.ndarray | None:
        """``labels`` for ``n`` samples as int32 (n,): one label for all, one per sample, or -- for a
        conditional model -- 0, 1, 2, ... cycling when None. Unconditional models refuse labels."""
        name = type(self).__name__
        if not self.conditional:
            if labels is not None:
                raise ValueError(
                    f"this {name} is unconditional, so it takes no labels. Fix: drop labels=, or use "
                    "a conditional model (ConditionalGAN, ConditionalVAE: load_pretrained('cgan') or "
                    "load_pretrained('cvae'))."
                )
            return None
        k = int(self.num_classes)
        if labels is None:
            return (np.arange(n) % k).astype(np.int32)
        y = np.asarray(labels)
        if (
            y.ndim > 1
            or (y.ndim == 1 and len(y) != n)
            or not (np.issubdtype(y.dtype, np.integer) or (y.ndim == 0 and is_int(labels)))
        ):
            raise ValueError(
                f"labels must be one integer or {n} integers (one per sample), got {labels!r}. "
                "Fix: e.g. labels=3 or labels=np.arange(n) % 10."
            )
        y = np.broadcast_to(y.astype(np.int32), (n,)).copy()
        if y.size and (y.min() < 0 or y.max() >= k):
            raise ValueError(
                f"labels must be in 0..{k - 1}, got {sorted(set(y.tolist()))}. "
                f"Fix: use class numbers from 0 to {k - 1}."
            )
        return y

    def check_codes(self, z) -> np.ndarray:
        """``z`` as float32 (n, latent_dim), or an error that shows the expected shape."""
        codes = np.asarray(z, dtype=np.float32)
        if codes.ndim == 1 and codes.shape[0] == self.latent_dim:
            codes = codes[None]
        if codes.ndim != 2 or codes.shape[1] != self.latent_dim or len(codes) == 0:
            raise ValueError(
                f"z must have shape (n, {self.latent_dim}), got {np.shape(z)}. "
                "Fix: draw codes with model.sample_z(n)."
            )
        if not np.all(np.isfinite(codes)):
            raise ValueError("z contains NaN or infinity. Fix: draw codes with model.sample_z(n).")
        return codes

    # ---- the interface
    def sample_z(self, n: int, seed: int | None = None) -> np.ndarray:
        """``n`` latent codes z ~ N(0, I) as float32 (n, latent_dim); the same ``seed``, the same codes."""
        n = check_positive_int("n", n)
        return np.random.default_rng(seed).standard_normal((n, self.latent_dim)).astype(np.float32)

    def decode(self, z, labels=None, *, seed: int | None = 0) -> np.ndarray:
        """The images for latent codes ``z`` (n, latent_dim): float32 (n, 28, 28) in [0, 1].

        ``seed`` matters only to models whose decoding draws random numbers (a pixel-context VAE).
        """
        codes = self.check_codes(z)
        y = self.check_labels(labels, len(codes))
        out = [
            self._decode_batch(
                codes[i : i + MAX_BATCH], None if y is None else y[i : i + MAX_BATCH], seed
            )
            for i in range(0, len(codes), MAX_BATCH)
        ]
        return np.concatenate(out)

    def generate(self, n: int, labels=None, seed: int | None = None) -> np.ndarray:
        """``n`` new images, z ~ N(0, I) (seeded by ``seed``): float32 (n, 28, 28) in [0, 1].

        A conditional model draws the given ``labels`` (one for all, or one per image), or cycles
        0, 1, 2, ... when they are None.
        """
        return self.decode(self.sample_z(n, seed), labels, seed=seed)

    def interpolate(self, a, b, steps: int = 8, labels=None) -> np.ndarray:
        """``steps`` images decoded along the straight line from code ``a`` to code ``b`` (both ends
        included): float32 (steps, 28, 28) in [0, 1]. ``labels`` (one label) holds for the whole path."""
        steps = check_int("steps", steps, minimum=2, fix="use steps=8 or more.")
        ends = self.check_codes(np.stack([np.asarray(a, np.float32), np.asarray(b, np.float32)]))
        if labels is not None and np.ndim(labels) != 0:
            raise ValueError(
                f"an interpolation takes one label for the whole path, got {labels!r}. Fix: e.g. labels=3."
            )
        t = np.linspace(0.0, 1.0, steps, dtype=np.float32)[:, None]
        return self.decode((1.0 - t) * ends[0] + t * ends[1], labels)


__all__ = ["MAX_BATCH", "Generative", "split_batch"]
