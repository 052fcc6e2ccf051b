"""A real-or-generated detector: a small CNN trained to tell generated digits from real ones.

Its held-out accuracy is a *classifier two-sample test*: near 50% means it cannot tell the sets apart.

Example:
    >>> det = train_detector(data.load_mnist().x_test, fakes)  # doctest: +SKIP
    >>> detector_accuracy(det["model"], fake=other_fakes)  # doctest: +SKIP

Taught in: notebooks/14_challenges_and_outlook.ipynb
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from aigc_helpers import config
from aigc_helpers.checks import check_number, check_positive_int

from .evaluator import MIN_SAMPLES, as_unit_images

if TYPE_CHECKING:
    import keras


def build_detector(name: str = "detector") -> keras.Model:
    """A small CNN that outputs one logit: > 0 means "generated", < 0 means "real" (about 22k parameters).

    Two stride-2 convolutions (32 and 64 filters, 28 -> 14 -> 7) and a linear read-out of the 7x7x64 map.

    Example:
        >>> build_detector().output_shape  # doctest: +SKIP
        (None, 1)

    Taught in: notebooks/14_challenges_and_outlook.ipynb
    """
    config.quiet_tensorflow()
    import keras
    from keras import layers

    inputs = keras.Input((28, 28, 1), name="image")
    x = layers.Conv2D(32, 3, strides=2, padding="same", activation="relu", name="conv1")(inputs)
    x = layers.Conv2D(64, 3, strides=2, padding="same", activation="relu", name="conv2")(x)
    x = layers.Flatten(name="flatten")(x)
    return keras.Model(inputs, layers.Dense(1, name="logit")(x), name=name)


def train_detector(
    real,
    fake,
    *,
    test_fraction: float = 0.25,
    epochs: int = 3,
    batch_size: int = 128,
    seed: int = 0,
    verbose: int = 0,
) -> dict:
    """Train :func:`build_detector` to tell ``fake`` (generated) from ``real`` images; score it on held-out data.

    Both sets are cut to the same size (so chance is 50%), shuffled, and split into training and held-out
    parts (``test_fraction``). This is also a *classifier two-sample test*: a held-out accuracy near 50%
    means the detector cannot tell the two sets apart. Returns a dict with ``model``, ``accuracy`` (held-out),
    ``real_accuracy`` and ``fake_accuracy`` (per class), ``n_train`` and ``n_test``.

    Example:
        >>> det = train_detector(data.load_mnist().x_test, model.generate(10_000))  # doctest: +SKIP
        >>> det["accuracy"]  # doctest: +SKIP

    Taught in: notebooks/14_challenges_and_outlook.ipynb
    """
    real = as_unit_images(real, name="real", min_samples=MIN_SAMPLES)
    fake = as_unit_images(fake, name="fake", min_samples=MIN_SAMPLES)
    check_number("test_fraction", test_fraction, minimum=0, maximum=1, strict=True)
    epochs = check_positive_int("epochs", epochs)
    batch_size = check_positive_int("batch_size", batch_size)
    import keras

    rng = np.random.default_rng(seed)
    n = min(len(real), len(fake))
    real = real[rng.permutation(len(real))[:n]]
    fake = fake[rng.permutation(len(fake))[:n]]
    n_test = max(1, int(round(n * test_fraction)))
    x_tr = np.concatenate([real[n_test:], fake[n_test:]])
    y_tr = np.concatenate([np.zeros(n - n_test), np.ones(n - n_test)]).astype(np.float32)
    x_te = np.concatenate([real[:n_test], fake[:n_test]])
    y_te = np.concatenate([np.zeros(n_test), np.ones(n_test)]).astype(np.float32)
    order = rng.permutation(len(x_tr))
    keras.utils.set_random_seed(seed)
    model = build_detector()
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.BinaryCrossentropy(from_logits=True),
    )
    model.fit(
        x_tr[order],
        y_tr[order],
        batch_size=batch_size,
        epochs=epochs,
        shuffle=True,
        verbose=verbose,
    )
    pred = (np.asarray(model.predict(x_te, batch_size=1000, verbose=0))[:, 0] > 0).astype(
        np.float32
    )
    return {
        "model": model,
        "accuracy": float(np.mean(pred == y_te)),
        "real_accuracy": float(np.mean(pred[y_te == 0] == 0)),
        "fake_accuracy": float(np.mean(pred[y_te == 1] == 1)),
        "n_train": int(len(x_tr)),
        "n_test": int(len(x_te)),
    }


def detector_accuracy(model: keras.Model, real=None, fake=None) -> dict:
    """Accuracy of a trained detector on new ``real`` and/or ``fake`` images (e.g. from another generator).

    Returns ``real_accuracy`` (share of real images called real) and/or ``fake_accuracy`` (share of
    generated images caught), and ``accuracy`` (their mean when both are given).

    Example:
        >>> detector_accuracy(det["model"], fake=vae_samples)  # doctest: +SKIP
        {'fake_accuracy': 0.12, 'accuracy': 0.12}

    Taught in: notebooks/14_challenges_and_outlook.ipynb
    """
    if real is None and fake is None:
        raise ValueError("Pass real=, fake= or both.")
    out = {}
    for key, images, label in (("real_accuracy", real, 0), ("fake_accuracy", fake, 1)):
        if images is not None:
            x = as_unit_images(images)
            logit = np.asarray(model.predict(x, batch_size=1000, verbose=0))[:, 0]
            out[key] = float(np.mean((logit > 0) == bool(label)))
    out["accuracy"] = float(np.mean(list(out.values())))
    return out
