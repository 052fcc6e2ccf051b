"""MNIST, offline first: find it, verify it by content, and feed it to models with ``tf.data``.

``load_mnist()`` looks for ``mnist.npz`` in this order and uses the first file it finds:

1. ``$AIGC_DATA_DIR/mnist.npz``
2. the course repository's ``data/mnist.npz``
3. the Keras cache, ``$KERAS_HOME/datasets/mnist.npz`` (default ``~/.keras/datasets/mnist.npz``)
4. a Keras download, when the machine is online.

Whatever it reads is checked by *content* (a sha256 over the four arrays and the class counts), read
with ``allow_pickle=False``, and never overwritten or deleted: a bad file stops with an error that names
the file and the fix. Two pipelines turn the arrays into batches: :func:`gan_dataset` (pixels scaled to
[-1, 1]) and :func:`vae_dataset` (dynamic binarization: a fresh Bernoulli draw every epoch).

Taught in: notebooks/00_index.ipynb (loading and checking), and every MNIST notebook after it.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import tensorflow as tf

MNIST_FILENAME = "mnist.npz"
MNIST_KEYS: tuple[str, ...] = ("x_train", "y_train", "x_test", "y_test")
MNIST_SHAPES: dict[str, tuple[int, ...]] = {
    "x_train": (60000, 28, 28),
    "y_train": (60000,),
    "x_test": (10000, 28, 28),
    "y_test": (10000,),
}
#: sha256 over x_train, y_train, x_test, y_test (C-contiguous bytes, in that order).
MNIST_SHA256 = "06b0d1f124c4e5fa796686ade41a9b778edacc8622f2195a352ef479ad44fc16"
MNIST_CLASS_COUNTS: dict[str, tuple[int, ...]] = {
    "train": (5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949),
    "test": (980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009),
}
DATA_DIR_ENV = "AIGC_DATA_DIR"
#: The repository's own data folder (git-ignored for ``*.npz``); ``.ci/run`` copies MNIST here.
REPO_DATA_DIR = Path(__file__).resolve().parent.parent / "data"


class MnistError(RuntimeError):
    """Base class of the MNIST errors; each message names the file (if any) and the fix."""


class MnistFileError(MnistError, ValueError):
    """A ``mnist.npz`` was found but is unreadable, truncated, or not MNIST."""


class MnistNotFoundError(MnistError, FileNotFoundError):
    """No ``mnist.npz`` in any look-up place, and no download was possible."""


@dataclass(frozen=True)
class Mnist:
    """The four MNIST arrays (uint8 images 28x28, uint8 labels) and the file they came from.

    Unpacks like Keras' ``load_data()``: ``(x_train, y_train), (x_test, y_test) = load_mnist()``.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    path: Path

    @property
    def train(self) -> tuple[np.ndarray, np.ndarray]:
        return self.x_train, self.y_train

    @property
    def test(self) -> tuple[np.ndarray, np.ndarray]:
        return self.x_test, self.y_test

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        return iter((self.train, self.test))


def keras_cache_path() -> Path:
    """Where Keras keeps its MNIST download: ``$KERAS_HOME/datasets/mnist.npz`` (default ``~/.keras``)."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "datasets" / MNIST_FILENAME


def mnist_search_paths() -> list[tuple[str, Path | None]]:
    """The look-up places in order, as ``(label, path)``; ``path`` is ``None`` when unset.

    Example:
        >>> [label for label, _ in mnist_search_paths()]
        ['$AIGC_DATA_DIR', 'course data/ folder', 'Keras cache']
    """
    env_dir = os.environ.get(DATA_DIR_ENV, "").strip()
    return [
        (f"${DATA_DIR_ENV}", Path(env_dir).expanduser() / MNIST_FILENAME if env_dir else None),
        ("course data/ folder", REPO_DATA_DIR / MNIST_FILENAME),
        ("Keras cache", keras_cache_path()),
    ]


def mnist_content_sha256(arrays: dict[str, np.ndarray]) -> str:
    """sha256 over the four arrays' bytes, in the order x_train, y_train, x_test, y_test."""
    h = hashlib.sha256()
    for key in MNIST_KEYS:
        h.update(np.ascontiguousarray(arrays[key]).tobytes())
    return h.hexdigest()


def _fix_hint() -> str:
    return (
        f"Fix: put a good copy of MNIST at {REPO_DATA_DIR / MNIST_FILENAME} (in this course's labs: "
        f"`cp ../shared/data/mnist.npz data/` from the repository root), or set {DATA_DIR_ENV} to a "
        "folder that holds one; online, move the bad file away yourself and call load_mnist() again "
        "to let Keras download a fresh copy."
    )


def _bad_file(path: Path, problem: str) -> MnistFileError:
    return MnistFileError(
        f"The MNIST file {path} cannot be used: {problem}. The file was left untouched. {_fix_hint()}"
    )


def verify_mnist(arrays: dict[str, np.ndarray], path: Path | str = "<arrays>") -> None:
    """Check that ``arrays`` are exactly MNIST; raise :class:`MnistFileError` naming what differs.

    Checks, in order: the four keys, shapes and dtypes, class counts (which tell e.g. Fashion-MNIST
    apart), then the sha256 over the content.
    """
    path = Path(path)
    missing = [k for k in MNIST_KEYS if k not in arrays]
    if missing:
        found = ", ".join(sorted(arrays)) or "nothing"
        raise _bad_file(path, f"it lacks the arrays {', '.join(missing)} (found: {found})")
    for key in MNIST_KEYS:
        a = arrays[key]
        if a.shape != MNIST_SHAPES[key] or a.dtype != np.uint8:
            raise _bad_file(
                path,
                f"array {key} has shape {a.shape} and dtype {a.dtype}, expected "
                f"{MNIST_SHAPES[key]} and uint8",
            )
    for split in ("train", "test"):
        counts = tuple(int(c) for c in np.bincount(arrays[f"y_{split}"], minlength=10)[:10])
        if counts != MNIST_CLASS_COUNTS[split]:
            raise _bad_file(
                path,
                f"its {split} class counts are {counts}, MNIST's are {MNIST_CLASS_COUNTS[split]} "
                "(is it another dataset, such as Fashion-MNIST?)",
            )
    digest = mnist_content_sha256(arrays)
    if digest != MNIST_SHA256:
        raise _bad_file(
            path, f"its content sha256 is {digest[:16]}..., MNIST's is {MNIST_SHA256[:16]}..."
        )


def read_mnist_file(path: Path | str) -> Mnist:
    """Read and verify one ``mnist.npz`` (``allow_pickle=False``); never modifies the file.

    Raises:
        MnistFileError: unreadable, truncated, pickled, or not MNIST -- the message names the fix.
    """
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError) as exc:
        problem = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if isinstance(exc, ValueError) and "pickle" in problem.lower():
            problem = "it stores pickled objects, which the course never loads"
        else:
            problem = f"it is not a readable .npz archive, perhaps truncated or corrupt ({problem})"
        raise _bad_file(path, problem) from exc
    verify_mnist(arrays, path)
    return Mnist(**{k: arrays[k] for k in MNIST_KEYS}, path=path)


def _download_with_keras() -> Path:
    """Download MNIST with Keras into its cache and return the file's path (needs the internet)."""
    import keras

    keras.datasets.mnist.load_data()
    return keras_cache_path()


def load_mnist(path: Path | str | None = None, *, download: bool = True) -> Mnist:
    """Load MNIST from the first look-up place that has it (see the module docs), verified by content.

    Args:
        path: read exactly this file instead of searching.
        download: when no file is found, let Keras download one (needs the internet).

    Raises:
        MnistFileError: a file was found but is unreadable or not MNIST (it is left untouched).
        MnistNotFoundError: no file anywhere and no download; the message says where to put one.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load_mnist()  # doctest: +SKIP
        >>> x_train.shape, x_train.dtype  # doctest: +SKIP
        ((60000, 28, 28), dtype('uint8'))
    """
    if path is not None:
        path = Path(path).expanduser()
        if not path.is_file():
            raise MnistNotFoundError(
                f"No MNIST file at {path}. Fix: pass the path of an existing mnist.npz, or call "
                "load_mnist() without a path to search the usual places."
            )
        return read_mnist_file(path)

    places = mnist_search_paths()
    for _, candidate in places:
        if candidate is not None and candidate.is_file():
            return read_mnist_file(candidate)

    looked = "; ".join(
        f"{label}: {cand if cand is not None else 'not set'}" for label, cand in places
    )
    if download:
        try:
            downloaded = _download_with_keras()
        except Exception as exc:  # no network, proxy, DNS, HTTP error ... all end the same way
            reason = f"the Keras download failed ({type(exc).__name__}: {exc})"
        else:
            return read_mnist_file(downloaded)
    else:
        reason = "downloading was switched off (download=False)"
    raise MnistNotFoundError(
        f"MNIST (mnist.npz) was not found and {reason}. Looked in: {looked}. "
        f"Fix: copy mnist.npz into {REPO_DATA_DIR} (in this course's labs: "
        f"`cp ../shared/data/mnist.npz data/` from the repository root), or set {DATA_DIR_ENV} to the "
        "folder that holds it, or connect to the internet and call load_mnist() again."
    )


# --------------------------------------------------------------------------- subsets and scaling


def take_subset(
    x: np.ndarray, y: np.ndarray, n: int | None, *, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """A class-balanced random subset of ``n`` examples (``None`` or ``n >= len(x)`` keeps all).

    Example:
        >>> x = np.zeros((100, 2)); y = np.repeat(np.arange(10), 10)
        >>> xs, ys = take_subset(x, y, 20)
        >>> np.bincount(ys).tolist()
        [2, 2, 2, 2, 2, 2, 2, 2, 2, 2]
    """
    if len(x) != len(y):
        raise ValueError(f"x and y differ in length ({len(x)} vs {len(y)}).")
    if n is None or n >= len(x):
        return x, y
    if n <= 0:
        raise ValueError(f"Subset size must be positive or None, got {n}.")
    rng = np.random.default_rng(seed)
    classes = np.unique(y)
    per_class = [rng.permutation(np.flatnonzero(y == c)) for c in classes]
    # Round-robin over classes keeps the subset balanced for any n.
    order = [idx[i] for i in range(max(map(len, per_class))) for idx in per_class if i < len(idx)]
    chosen = np.sort(np.asarray(order[:n]))
    return x[chosen], y[chosen]


def grey_batch(images) -> np.ndarray:
    """A batch of grey-scale images as an array of shape (N, H, W): a channel axis of size 1 is dropped,
    anything else that is not (N, H, W) is refused with the fix. Values and dtype are left as they are.

    Example:
        >>> grey_batch(np.zeros((2, 28, 28, 1))).shape
        (2, 28, 28)

    Taught in: machinery behind every image grid (``plotting``) and image export (``deploy``) from
    notebooks/05_dcgan_mnist.ipynb on.
    """
    x = np.asarray(images)
    if x.ndim == 4 and x.shape[-1] == 1:
        x = x[..., 0]
    if x.ndim != 3:
        raise ValueError(
            f"images must have shape (N, H, W) or (N, H, W, 1), got {x.shape}. "
            "Fix: pass a batch of grey-scale images, one per row of the first axis."
        )
    return x


def to_gan_range(images: np.ndarray) -> np.ndarray:
    """uint8 pixels 0..255 -> float32 in [-1, 1] with a channel axis: shape (N, 28, 28, 1).

    Example:
        >>> to_gan_range(np.array([[[0, 255]]], dtype=np.uint8)).ravel().tolist()
        [-1.0, 1.0]
    """
    x = np.asarray(images, dtype=np.float32) / 127.5 - 1.0
    return x[..., None] if x.ndim == 3 else x


def from_gan_range(images: np.ndarray) -> np.ndarray:
    """float pixels in [-1, 1] (any trailing channel axis of size 1) -> uint8 0..255, shape (N, H, W)."""
    x = np.asarray(images, dtype=np.float32)
    if x.ndim == 4 and x.shape[-1] == 1:
        x = x[..., 0]
    return np.clip(np.rint((x + 1.0) * 127.5), 0, 255).astype(np.uint8)


def binarize(images: np.ndarray, *, seed: int = 0) -> np.ndarray:
    """One fixed Bernoulli draw: pixel on with probability intensity/255 -> float32 {0, 1}, (N, 28, 28, 1).

    Use it for a *fixed* test set (so likelihoods are comparable); training uses :func:`vae_dataset`,
    which draws afresh every epoch.
    """
    p = np.asarray(images, dtype=np.float32) / 255.0
    x = (np.random.default_rng(seed).random(p.shape, dtype=np.float32) < p).astype(np.float32)
    return x[..., None] if x.ndim == 3 else x


# --------------------------------------------------------------------------- tf.data pipelines


def _check_batch(images: np.ndarray, batch_size: int) -> None:
    if not isinstance(batch_size, (int, np.integer)) or batch_size <= 0:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}.")
    if len(images) < batch_size:
        raise ValueError(
            f"Only {len(images)} images for batch_size={batch_size}: every batch would be dropped. "
            "Fix: use a smaller batch_size or a larger subset."
        )


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
    same size, which GAN training steps assume.

    Example:
        >>> ds = gan_dataset(np.zeros((256, 28, 28), np.uint8), batch_size=64)  # doctest: +SKIP
        >>> next(iter(ds)).shape  # doctest: +SKIP
        TensorShape([64, 28, 28, 1])
    """
    import tensorflow as tf

    images = np.asarray(images)
    _check_batch(images, batch_size)

    def scale(x):
        x = tf.cast(x, tf.float32) / 127.5 - 1.0
        return x[..., None] if x.shape.rank == 3 else x

    if labels is None:
        ds = _base_dataset(images, len(images), batch_size, seed, shuffle, drop_remainder)
        ds = ds.map(scale, num_parallel_calls=tf.data.AUTOTUNE)
    else:
        labels = np.asarray(labels)
        if len(labels) != len(images):
            raise ValueError(f"{len(images)} images but {len(labels)} labels.")
        ds = _base_dataset((images, labels), len(images), batch_size, seed, shuffle, drop_remainder)
        ds = ds.map(
            lambda x, y: (scale(x), tf.cast(y, tf.int32)), num_parallel_calls=tf.data.AUTOTUNE
        )
    return ds.prefetch(tf.data.AUTOTUNE)


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
    """
    import tensorflow as tf

    images = np.asarray(images)
    _check_batch(images, batch_size)
    tensors = images if labels is None else (images, np.asarray(labels))
    batches = _base_dataset(tensors, len(images), batch_size, seed, shuffle, drop_remainder)
    # A stream of stateless-RNG seeds that is drawn anew on every iteration of the dataset.
    seeds = tf.data.Dataset.random(seed=seed + 7919, rerandomize_each_iteration=True).batch(2)

    def draw(x, s):
        p = tf.cast(x, tf.float32) / 255.0
        u = tf.random.stateless_uniform(tf.shape(p), seed=s)
        return tf.cast(u < p, tf.float32)[..., None]

    if labels is None:
        ds = tf.data.Dataset.zip((batches, seeds)).map(draw, num_parallel_calls=tf.data.AUTOTUNE)
    else:
        ds = tf.data.Dataset.zip((batches, seeds)).map(
            lambda xy, s: (draw(xy[0], s), tf.cast(xy[1], tf.int32)),
            num_parallel_calls=tf.data.AUTOTUNE,
        )
    return ds.prefetch(tf.data.AUTOTUNE)


__all__ = [
    "MNIST_CLASS_COUNTS",
    "MNIST_SHA256",
    "Mnist",
    "MnistError",
    "MnistFileError",
    "MnistNotFoundError",
    "binarize",
    "from_gan_range",
    "gan_dataset",
    "keras_cache_path",
    "load_mnist",
    "mnist_search_paths",
    "read_mnist_file",
    "take_subset",
    "to_gan_range",
    "vae_dataset",
    "verify_mnist",
]
