"""Feeding MNIST to models: class-balanced subsets, the GAN's pixel range, binarization, and the two
``tf.data`` pipelines -- :func:`gan_dataset` (pixels scaled to [-1, 1]) and :func:`vae_dataset` (dynamic
binarization: a fresh Bernoulli draw every epoch).

Pixel ranges follow :mod:`aigc_helpers.images`: uint8 0..255 or floats in [0, 1] in, and the tanh range
[-1, 1] only at the GAN networks' boundary.

Example:
    >>> to_gan_range(np.zeros((1, 2, 2), np.uint8)).shape
    (1, 2, 2, 1)

Taught in: notebooks/00_index.ipynb, notebooks/05_dcgan_mnist.ipynb, notebooks/08_vae_mnist.ipynb
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from aigc_helpers.checks import check_positive_int
from aigc_helpers.images import from_tanh, to_tanh, to_uint8, to_unit

if TYPE_CHECKING:  # pragma: no cover
    import tensorflow as tf


def take_subset(
    x: np.ndarray, y: np.ndarray, n: int | None, *, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """A class-balanced random subset of ``n`` examples (``None`` or ``n >= len(x)`` keeps all).

    Example:
        >>> x = np.zeros((100, 2)); y = np.repeat(np.arange(10), 10)
        >>> xs, ys = take_subset(x, y, 20)
        >>> np.bincount(ys).tolist()
        [2, 2, 2, 2, 2, 2, 2, 2, 2, 2]

    Taught in: notebooks/00_index.ipynb
    """
    if len(x) != len(y):
        raise ValueError(f"x and y differ in length ({len(x)} vs {len(y)}).")
    if n is None:
        return x, y
    n = check_positive_int("n", n, fix="pass the subset size, or None to keep every example.")
    if n >= len(x):
        return x, y
    rng = np.random.default_rng(seed)
    classes = np.unique(y)
    per_class = [rng.permutation(np.flatnonzero(y == c)) for c in classes]
    # Round-robin over classes keeps the subset balanced for any n.
    order = [idx[i] for i in range(max(map(len, per_class))) for idx in per_class if i < len(idx)]
    chosen = np.sort(np.asarray(order[:n]))
    return x[chosen], y[chosen]


def to_gan_range(images) -> np.ndarray:
    """Pixels (uint8 0..255 or floats in [0, 1]) -> float32 in [-1, 1] with a channel axis, (N, H, W, 1):
    the input range of the GAN's discriminator. The same as :func:`aigc_helpers.images.to_tanh`.

    Example:
        >>> to_gan_range(np.array([[[0, 255]]], dtype=np.uint8)).ravel().tolist()
        [-1.0, 1.0]

    Taught in: notebooks/02_core_concepts.ipynb
    """
    return to_tanh(images)


def from_gan_range(images) -> np.ndarray:
    """Network outputs in [-1, 1] (a tanh layer, or a :func:`gan_dataset` batch; any trailing channel
    axis of size 1) -> uint8 0..255, shape (N, H, W). For the images of ``model.generate``, which are in
    [0, 1] already, use :func:`aigc_helpers.images.to_uint8` instead.

    Example:
        >>> from_gan_range(np.array([[[-1.0, 0.0, 1.0]]])).tolist()
        [[[0, 128, 255]]]

    Taught in: notebooks/05_dcgan_mnist.ipynb
    """
    return to_uint8(from_tanh(images))


def binarize(images, *, seed: int = 0) -> np.ndarray:
    """One fixed Bernoulli draw: each pixel (uint8 0..255 or a float in [0, 1]) is on with probability
    intensity -> float32 {0, 1}, shape (N, H, W, 1).

    Use it for a *fixed* test set (so likelihoods are comparable); training uses :func:`vae_dataset`,
    which draws afresh every epoch.

    Example:
        >>> binarize(np.array([[[0, 255]]], np.uint8)).ravel().tolist()
        [0.0, 1.0]

    Taught in: notebooks/00_index.ipynb, notebooks/08_vae_mnist.ipynb
    """
    p = to_unit(images)
    x = (np.random.default_rng(seed).random(p.shape, dtype=np.float32) < p).astype(np.float32)
    return x[..., None]


# --------------------------------------------------------------------------- tf.data pipelines


def _base_dataset(
    tensors, n: int, batch_size: int, seed: int, shuffle: bool, drop_remainder: bool
) -> tf.data.Dataset:
    """Batches gathered from in-memory arrays by index.

    Each epoch draws one permutation of 0..n-1 (a fresh, seeded draw per iteration of the dataset),
    cuts it into rows of ``batch_size`` indices and gathers each batch with a single ``tf.gather``.
    This avoids the per-image work of ``from_tensor_slices(images).shuffle(n).batch(b)``, and the
    images stay uint8 in memory (47 MB for MNIST instead of 188 MB as float32).
    """
    import tensorflow as tf

    held = tf.nest.map_structure(
        tf.convert_to_tensor, tensors
    )  # captured once, not copied per batch
    full = n // batch_size

    def cut(perm):
        ds = tf.data.Dataset.from_tensor_slices(
            tf.reshape(perm[: full * batch_size], (full, batch_size))
        )
        if not drop_remainder and n % batch_size:
            ds = ds.concatenate(tf.data.Dataset.from_tensors(perm[full * batch_size :]))
        return ds

    if shuffle:
        seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).batch(2).take(1)
        idx = seeds.flat_map(
            lambda s: cut(tf.argsort(tf.random.stateless_uniform([n], seed=s), stable=True))
        )
    else:
        idx = cut(tf.range(n))
    n_batches = full + (1 if not drop_remainder and n % batch_size else 0)
    # flat_map hides the length; state it so Keras shows progress bars and does not warn.
    idx = idx.apply(tf.data.experimental.assert_cardinality(n_batches))
    return idx.map(
        lambda i: tf.nest.map_structure(lambda t: tf.gather(t, i), held),
        num_parallel_calls=tf.data.AUTOTUNE,
    )


def _pipeline(
    images, labels, transform, batch_size: int, seed: int, shuffle: bool, drop_remainder: bool
) -> tf.data.Dataset:
    """Batches of ``transform(uint8 images, s)`` -- and the labels as int32 when given -- where ``s`` is
    a stateless-RNG seed pair drawn afresh every time the dataset is iterated (every epoch)."""
    import tensorflow as tf

    images = np.asarray(images)
    batch_size = check_positive_int("batch_size", batch_size)
    if len(images) < batch_size:
        raise ValueError(
            f"Only {len(images)} images for batch_size={batch_size}: every batch would be dropped. "
            "Fix: use a smaller batch_size or a larger subset."
        )
    tensors = images
    if labels is not None:
        labels = np.asarray(labels)
        if len(labels) != len(images):
            raise ValueError(f"{len(images)} images but {len(labels)} labels.")
        tensors = (images, labels)
    batches = _base_dataset(tensors, len(images), batch_size, seed, shuffle, drop_remainder)
    seeds = tf.data.Dataset.random(seed=seed + 7919, rerandomize_each_iteration=True).batch(2)

    def step(batch, s):
        if labels is None:
            return transform(batch, s)
        return transform(batch[0], s), tf.cast(batch[1], tf.int32)

    ds = tf.data.Dataset.zip((batches, seeds)).map(step, num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)


def gan_dataset(
    images: np.ndarray,
    labels: np.ndarray | None = None,
    *,
    batch_size: int = 128,
    seed: int = 0,
    shuffle: bool = True,
    drop_remainder: bool = True,
) -> tf.data.Dataset:
    """Batches of images scaled to [-1, 1], shape (B, 28, 28, 1) float32 -- with labels when given.

    Shuffled afresh every epoch (seeded), batched, prefetched. ``drop_remainder`` keeps every batch the
    same size, which GAN training steps assume. The scaling is :func:`aigc_helpers.images.to_tanh`'s.

    Example:
        >>> ds = gan_dataset(np.zeros((256, 28, 28), np.uint8), batch_size=64)  # doctest: +SKIP
        >>> next(iter(ds)).shape  # doctest: +SKIP
        TensorShape([64, 28, 28, 1])

    Taught in: notebooks/05_dcgan_mnist.ipynb
    """
    import tensorflow as tf

    def scale(x, _):
        x = tf.cast(x, tf.float32) / 127.5 - 1.0  # uint8 0..255 -> [-1, 1]
        return x[..., None] if x.shape.rank == 3 else x

    return _pipeline(images, labels, scale, batch_size, seed, shuffle, drop_remainder)


def vae_dataset(
    images: np.ndarray,
    labels: np.ndarray | None = None,
    *,
    batch_size: int = 128,
    seed: int = 0,
    shuffle: bool = True,
    drop_remainder: bool = False,
) -> tf.data.Dataset:
    """Batches of *dynamically binarized* images: {0, 1} float32, shape (B, 28, 28, 1).

    Each pixel is switched on with probability intensity/255, with a fresh draw every time the dataset
    is iterated (every epoch), so the model never sees the same binary image twice -- the standard set-up
    for likelihoods on binarized MNIST. The draws are reproducible for a given ``seed``.

    Example:
        >>> xb, yb = next(iter(vae_dataset(x_train, y_train, batch_size=64)))  # doctest: +SKIP
        >>> sorted(set(xb.numpy().ravel())), yb.dtype.name  # doctest: +SKIP
        ([0.0, 1.0], 'int32')

    Taught in: notebooks/08_vae_mnist.ipynb
    """
    import tensorflow as tf

    def draw(x, s):
        p = tf.cast(x, tf.float32) / 255.0
        return tf.cast(tf.random.stateless_uniform(tf.shape(p), seed=s) < p, tf.float32)[..., None]

    return _pipeline(images, labels, draw, batch_size, seed, shuffle, drop_remainder)


__all__ = [
    "binarize",
    "from_gan_range",
    "gan_dataset",
    "take_subset",
    "to_gan_range",
    "vae_dataset",
]
