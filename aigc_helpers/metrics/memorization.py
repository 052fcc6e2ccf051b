"""Are generated samples copies of training digits? Nearest-training-image distances in pixel space.

A sample's distance to its nearest *training* image is compared with the same distance for *test* images,
which the model never saw: that is what "new but realistic" looks like. A ratio well below 1 means copies.

Example:
    >>> memorization(data.load_mnist().x_train[:100])["ratio"] < 0.1  # doctest: +SKIP
    True

Taught in: notebooks/14_challenges_and_outlook.ipynb
"""

from __future__ import annotations

import numpy as np

from aigc_helpers.checks import check_int

from .evaluator import _STATE, MIN_SAMPLES, as_unit_images
from .neighbours import _sq_norms, nearest_neighbours


def _train_pixels(n_train: int | None) -> tuple[np.ndarray, np.ndarray]:
    """The first ``n_train`` MNIST training images (all when None) as float32 rows in [0, 1] and their
    squared norms. Cached, and only as many rows as were asked for: a notebook that trained on a
    subset does not hold all 60,000 images as floats (188 MB) in memory."""
    from aigc_helpers import data

    if n_train is not None:
        n_train = check_int("n_train", n_train, minimum=1)
    cached = _STATE.get("train_pixels")
    if cached is None or (len(cached[0]) < (n_train or np.inf) and not cached[2]):
        x = data.load_mnist().x_train
        t = x[:n_train].reshape(-1, 784).astype(np.float32) / 255.0
        cached = _STATE["train_pixels"] = (t, _sq_norms(t), len(t) == len(x))  # (rows, norms, all?)
    t, t2, _ = cached
    return (t, t2) if n_train is None else (t[:n_train], t2[:n_train])


def nearest_train(
    images, *, n_train: int | None = None, chunk: int = 200
) -> tuple[np.ndarray, np.ndarray]:
    """Pixel-space Euclidean distance of each image to its nearest MNIST *training* image, and its index.

    Pixels scaled to [0, 1]; ``n_train`` limits the search to the first ``n_train`` training images;
    ``chunk`` images are compared at a time.

    Example:
        >>> d, idx = nearest_train(data.load_mnist().x_train[:3])  # doctest: +SKIP
        >>> d.tolist(), idx.tolist()  # doctest: +SKIP
        ([0.0, 0.0, 0.0], [0, 1, 2])

    Taught in: machinery behind memorization (its "distances" and "nearest")
    """
    x = as_unit_images(images).reshape(-1, 784)
    train, t2 = _train_pixels(n_train)
    return nearest_neighbours(x, train, chunk=chunk, pool_sq_norms=t2)


def memorization(
    images, n_train: int | None = None, *, max_samples: int | None = 2000, seed: int = 0
) -> dict:
    """Are the samples copies of training digits? Nearest-training-image distances, samples vs. test images.

    Test images were never trained on, so their distance to the nearest training image is what "new but
    realistic" looks like. Returns a dict:

    - ``sample_median``, ``test_median``: median nearest-training-image distance (pixels in [0, 1]);
    - ``ratio`` = sample_median / test_median: about 1 or more is healthy, well below 1 means copying;
    - ``copy_fraction``: fraction of samples closer to a training image than 99% of test images are
      (about 0.01 for a generator that does not copy; near 1 for one that replays its training set);
    - ``distances`` (per sample) and ``nearest`` (index into the training set), for showing the pairs;
      ``sample_index``: which of ``images`` were searched (all, or the seeded subset), in that order;
    - ``test_distances``: the test images' nearest-training-image distances, and ``copy_threshold``.

    ``n_train`` searches only the first ``n_train`` training images (faster; use it when the model was
    trained on that subset). At most ``max_samples`` samples and test images are used (seeded subset).

    Example:
        >>> memorization(data.load_mnist().x_train[:100])["ratio"] < 0.1  # doctest: +SKIP
        True

    Taught in: notebooks/14_challenges_and_outlook.ipynb, notebooks/17_diffusion_mnist.ipynb
    """
    from aigc_helpers import data

    x = as_unit_images(images, min_samples=MIN_SAMPLES)
    rng = np.random.default_rng(seed)
    used = np.arange(len(x))
    if max_samples is not None:
        max_samples = check_int("max_samples", max_samples, minimum=MIN_SAMPLES)
        if len(x) > max_samples:
            used = np.sort(rng.choice(len(x), max_samples, replace=False))
            x = x[used]
    key = ("test_nn", n_train, max_samples, seed)
    if key not in _STATE:
        test = data.load_mnist().x_test
        m = len(test) if max_samples is None else min(max_samples, len(test))
        chosen = np.sort(np.random.default_rng(seed + 1).choice(len(test), m, replace=False))
        _STATE[key] = nearest_train(test[chosen], n_train=n_train)[0]
    test_d = _STATE[key]
    dist, nearest = nearest_train(x, n_train=n_train)
    s_med, t_med = float(np.median(dist)), float(np.median(test_d))
    threshold = float(np.quantile(test_d, 0.01))
    return {
        "sample_median": s_med,
        "test_median": t_med,
        "ratio": s_med / t_med if t_med > 0 else float("inf"),
        "copy_threshold": threshold,
        "copy_fraction": float(np.mean(dist < threshold)),
        "distances": dist,
        "nearest": nearest,
        "sample_index": used,
        "test_distances": test_d,
    }
