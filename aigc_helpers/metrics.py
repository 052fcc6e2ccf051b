"""Measuring generated MNIST digits: a small evaluator network and the scores built on its features.

Image generators are judged by comparing *sets* of images, not single ones. The usual scores (FID, Inception
Score) rest on an ImageNet Inception network, which knows nothing about handwritten digits; for MNIST the
course ships its own small classifier, trained by the project's own script::

    python -m aigc_helpers.metrics train-evaluator     # a few minutes on a 2-core CPU, seeded

Its 128-unit penultimate layer is the feature space, its softmax the class probabilities. On them:

- :func:`cfid` -- Fréchet distance between the Gaussians fitted to sample features and to real features
  (lower is better; :func:`cfid_floor` is the value for *real* training digits, the best one can hope for);
- :func:`inception_score` -- exp E[KL(p(y|x) || p(y))]: 10 = confident *and* all ten classes, 1 = useless;
- :func:`class_coverage_kl` -- KL of the predicted-class histogram from uniform (0 = all digits equally often,
  log 10 = 2.30 = a single digit: mode collapse);
- :func:`precision_recall` -- k-NN precision (samples look real) and recall (real variety is covered),
  Kynkäänniemi et al., 2019;
- :func:`memorization` -- distance of each sample to its nearest *training* image, against the same distance
  for *test* images (which the model never saw): a ratio well below 1 means copies.

:func:`evaluate` returns all of them in one dict. Images may be float in [0, 1] or uint8 0..255, shape
(n, 28, 28) or (n, 28, 28, 1); GAN outputs in [-1, 1] first go through ``data.from_gan_range``.

Example:
    >>> from aigc_helpers import data, metrics  # doctest: +SKIP
    >>> scores = metrics.evaluate(data.from_gan_range(gan.generate(10_000, seed=0)))  # doctest: +SKIP
    >>> scores["cfid"], metrics.cfid_floor()  # doctest: +SKIP

Taught in: notebooks/05_dcgan_mnist.ipynb, notebooks/14_challenges_and_outlook.ipynb
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from aigc_helpers import config

if TYPE_CHECKING:
    import keras

ASSET = Path(__file__).resolve().parent / "assets" / "mnist_evaluator.keras"
FEATURE_LAYER = "features"
FEATURE_DIM = 128
NUM_CLASSES = 10
MIN_SAMPLES = 10
Reference = Literal["test", "train"]

_STATE: dict = {}  # the loaded evaluator and cached reference features (in memory, per process)


# --------------------------------------------------------------------------- the evaluator network


def build_evaluator() -> keras.Model:
    """The evaluator architecture (untrained): 3 conv layers, a 128-unit dense feature layer, 10 logits.

    About 0.26 M parameters (1 MB): small enough to ship, quick enough to train on a laptop CPU.

    Example:
        >>> build_evaluator().get_layer("features").units
        128

    Taught in: notebooks/05_dcgan_mnist.ipynb
    """
    config.quiet_tensorflow()
    import keras
    from keras import layers

    inputs = keras.Input((28, 28, 1), name="image")
    x = layers.Conv2D(32, 3, padding="same", activation="relu", name="conv1")(inputs)
    x = layers.MaxPooling2D(name="pool1")(x)  # 14 x 14
    x = layers.Conv2D(64, 3, padding="same", activation="relu", name="conv2")(x)
    x = layers.MaxPooling2D(name="pool2")(x)  # 7 x 7
    x = layers.Conv2D(64, 3, activation="relu", name="conv3")(x)  # 5 x 5
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dropout(0.25, name="dropout1")(x)
    x = layers.Dense(FEATURE_DIM, activation="relu", name=FEATURE_LAYER)(x)
    x = layers.Dropout(0.4, name="dropout2")(x)
    logits = layers.Dense(NUM_CLASSES, name="logits")(x)
    return keras.Model(inputs, logits, name="mnist_evaluator")


def train_evaluator(
    out: Path | str = ASSET,
    *,
    epochs: int = 5,
    batch_size: int = 128,
    seed: int = 0,
    verbose: int = 2,
) -> dict:
    """Train the evaluator on the 60,000 MNIST training digits and save it (without optimizer state).

    Seeded (same seed, same CPU, same weights); light augmentation (random shifts of up to 2 pixels) and
    a cosine learning-rate decay. The test set is used only to report the accuracy at the end.
    Returns ``{"test_accuracy", "train_seconds", "params", "size_bytes", "path"}``.

    Example:
        >>> train_evaluator("/tmp/evaluator.keras", epochs=1)  # doctest: +SKIP

    Taught in: notebooks/05_dcgan_mnist.ipynb
    """
    from aigc_helpers import data

    config.set_seed(seed)
    import keras

    mnist = data.load_mnist()
    x_train = mnist.x_train[..., None].astype(np.float32) / 255.0
    x_test = mnist.x_test[..., None].astype(np.float32) / 255.0
    model = build_evaluator()
    shift = keras.layers.RandomTranslation(
        2 / 28, 2 / 28, fill_mode="constant", seed=seed, name="shift"
    )
    trainer = keras.Sequential([keras.Input((28, 28, 1)), shift, model], name="trainer")
    steps = epochs * int(np.ceil(len(x_train) / batch_size))
    schedule = keras.optimizers.schedules.CosineDecay(2e-3, decay_steps=steps, alpha=0.01)
    trainer.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    t0 = time.perf_counter()
    trainer.fit(
        x_train, mnist.y_train, batch_size=batch_size, epochs=epochs, shuffle=True, verbose=verbose
    )
    seconds = time.perf_counter() - t0
    logits = model.predict(x_test, batch_size=1000, verbose=0)
    accuracy = float(np.mean(np.argmax(logits, axis=1) == mnist.y_test))
    # Save a fresh, uncompiled copy: weights only, no optimizer slots (a third of the size).
    clean = build_evaluator()
    clean.set_weights(model.get_weights())
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    clean.save(out)
    return {
        "test_accuracy": round(accuracy, 4),
        "train_seconds": round(seconds, 1),
        "epochs": epochs,
        "seed": seed,
        "params": int(clean.count_params()),
        "size_bytes": out.stat().st_size,
        "path": str(out),
    }


def load_evaluator() -> keras.Model:
    """The shipped evaluator (``assets/mnist_evaluator.keras``), loaded once per process.

    It maps images (n, 28, 28, 1) in [0, 1] to 10 class logits; its layer ``"features"`` is the
    128-dimensional feature space of :func:`features`.

    Example:
        >>> net = load_evaluator()  # doctest: +SKIP
        >>> net.get_layer("features").units  # doctest: +SKIP
        128

    Taught in: notebooks/05_dcgan_mnist.ipynb
    """
    if "model" not in _STATE:
        config.quiet_tensorflow()
        import keras

        if not ASSET.is_file():
            raise FileNotFoundError(
                f"{ASSET} is missing. Fix: reinstall aigc_helpers, or recreate it with "
                "`python -m aigc_helpers.metrics train-evaluator` (a few minutes on a 2-core CPU)."
            )
        model = keras.saving.load_model(ASSET, safe_mode=True, compile=False)
        both = keras.Model(model.input, [model.get_layer(FEATURE_LAYER).output, model.output])
        _STATE["model"] = model
        _STATE["both"] = both
    return _STATE["model"]


# --------------------------------------------------------------------------- input checks


def as_unit_images(images, *, name: str = "images", min_samples: int = 1) -> np.ndarray:
    """Validate images and return them as float32 (n, 28, 28, 1) in [0, 1].

    Accepts uint8 0..255 (or other integers in that range), bool, or floats in [0, 1]; shape (n, 28, 28)
    or (n, 28, 28, 1). Anything else raises a ValueError that says how to fix it.

    Example:
        >>> as_unit_images(np.full((2, 28, 28), 255, np.uint8)).max()
        np.float32(1.0)
    """
    x = np.asarray(images)
    if x.ndim == 4 and x.shape[-1] == 1:
        x = x[..., 0]
    if x.ndim != 3 or x.shape[1:] != (28, 28):
        raise ValueError(
            f"{name} must have shape (n, 28, 28) or (n, 28, 28, 1), got {np.shape(images)}. "
            "Fix: pass a batch of MNIST-sized images (add a batch axis for a single image: x[None])."
        )
    if len(x) < min_samples:
        raise ValueError(
            f"{name}: {len(x)} images are too few; this score needs at least {min_samples}. "
            "Fix: generate more samples (1,000 or more give stable numbers)."
        )
    if x.dtype == bool:
        x = x.astype(np.float32)
    elif np.issubdtype(x.dtype, np.integer):
        if x.size and (x.min() < 0 or x.max() > 255):
            raise ValueError(
                f"{name} are integers outside 0..255 (min {x.min()}, max {x.max()}). "
                "Fix: pass uint8 pixels 0..255 or floats in [0, 1]."
            )
        return (x.astype(np.float32) / 255.0)[..., None]
    elif not np.issubdtype(x.dtype, np.floating):
        raise ValueError(
            f"{name} have dtype {x.dtype}. Fix: pass uint8 0..255 or floats in [0, 1]."
        )
    x = x.astype(np.float32)
    if not np.all(np.isfinite(x)):
        raise ValueError(
            f"{name} contain NaN or inf. Fix: check the generator (a diverged GAN outputs NaN)."
        )
    lo, hi = (float(x.min()), float(x.max())) if x.size else (0.0, 0.0)
    if lo < -1e-4 or hi > 1 + 1e-4:
        hint = (
            " They look like GAN outputs in [-1, 1]: convert with data.from_gan_range(images)."
            if lo >= -1 - 1e-4 and hi <= 1 + 1e-4
            else " Pixels 0..255 must be uint8 (images.astype(np.uint8)), or divide by 255."
        )
        raise ValueError(
            f"float {name} must lie in [0, 1], got values in [{lo:.3g}, {hi:.3g}].{hint}"
        )
    return np.clip(x, 0.0, 1.0)[..., None]


def _check_features(f, name: str, min_samples: int = 2) -> np.ndarray:
    f = np.asarray(f, dtype=np.float64)
    if f.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D array (n_samples, n_features), got shape {f.shape}. "
            "Fix: pass metrics.features(images), not the images."
        )
    if len(f) < min_samples:
        raise ValueError(
            f"{name} has {len(f)} rows; at least {min_samples} are needed. Fix: use more samples."
        )
    if not np.all(np.isfinite(f)):
        raise ValueError(f"{name} contains NaN or inf. Fix: check the images or model outputs.")
    return f


def _check_int(name: str, value, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}.")
    return int(value)


# --------------------------------------------------------------------------- features and references


def _run(x: np.ndarray, batch_size: int = 2000) -> tuple[np.ndarray, np.ndarray]:
    load_evaluator()
    both = _STATE["both"]
    feats, probs = [], []
    for i in range(0, len(x), batch_size):
        f, logits = both(x[i : i + batch_size], training=False)
        feats.append(np.asarray(f, dtype=np.float32))
        logits = np.asarray(logits, dtype=np.float64)
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        probs.append(p / p.sum(axis=1, keepdims=True))
    if not feats:
        return np.zeros((0, FEATURE_DIM), np.float32), np.zeros((0, NUM_CLASSES))
    return np.concatenate(feats), np.concatenate(probs)


def features(images) -> np.ndarray:
    """The evaluator's 128-dimensional features of ``images``: float32 array (n, 128).

    Example:
        >>> features(np.zeros((3, 28, 28), np.uint8)).shape  # doctest: +SKIP
        (3, 128)

    Taught in: notebooks/05_dcgan_mnist.ipynb
    """
    return _run(as_unit_images(images))[0]


def predict_proba(images) -> np.ndarray:
    """The evaluator's class probabilities p(y|x) of ``images``: array (n, 10), rows sum to 1.

    Example:
        >>> predict_proba(data.load_mnist().x_test[:5]).argmax(1)  # doctest: +SKIP
        array([7, 2, 1, 0, 4])

    Taught in: notebooks/05_dcgan_mnist.ipynb
    """
    return _run(as_unit_images(images))[1]


def _check_reference(reference) -> str:
    if reference not in ("test", "train"):
        raise ValueError(f"reference must be 'test' or 'train', got {reference!r}.")
    return reference


def _reference(reference: str) -> dict:
    """Cached features, probabilities and Gaussian statistics of the real MNIST ``reference`` split."""
    _check_reference(reference)
    key = f"ref_{reference}"
    if key not in _STATE:
        from aigc_helpers import data

        mnist = data.load_mnist()
        x = mnist.x_test if reference == "test" else mnist.x_train
        f, p = _run(as_unit_images(x))
        f64 = f.astype(np.float64)
        _STATE[key] = {
            "features": f,
            "probs": p,
            "mu": f64.mean(axis=0),
            "sigma": np.cov(f64, rowvar=False),
        }
    return _STATE[key]


# --------------------------------------------------------------------------- Fréchet distance


def _frechet_from_stats(mu1, sigma1, mu2, sigma2) -> float:
    # tr(sqrtm(S1 S2)) = sum of the square roots of the eigenvalues of S1 S2 (real and >= 0 for PSD S1, S2).
    eig = np.linalg.eigvals(sigma1 @ sigma2)
    tr_sqrt = float(np.sum(np.sqrt(np.clip(eig.real, 0.0, None))))
    diff = mu1 - mu2
    d = float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * tr_sqrt)
    return max(d, 0.0)


def frechet_distance(f1, f2) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets (rows = samples).

    d² = |μ1 − μ2|² + tr(Σ1 + Σ2 − 2 (Σ1 Σ2)^½), with unbiased covariances. 0 for identical sets.

    Example:
        >>> a = np.array([[1.0, 0], [-1, 0], [0, 1], [0, -1]])
        >>> round(frechet_distance(a, a + [3.0, 4.0]), 6)
        25.0

    Taught in: notebooks/05_dcgan_mnist.ipynb
    """
    f1 = _check_features(f1, "f1")
    f2 = _check_features(f2, "f2")
    if f1.shape[1] != f2.shape[1]:
        raise ValueError(
            f"f1 and f2 differ in feature size ({f1.shape[1]} vs {f2.shape[1]}). "
            "Fix: compute both with the same feature extractor."
        )
    s1 = np.atleast_2d(np.cov(f1, rowvar=False))
    s2 = np.atleast_2d(np.cov(f2, rowvar=False))
    return _frechet_from_stats(f1.mean(axis=0), s1, f2.mean(axis=0), s2)


def cfid(images, reference: Reference = "test") -> float:
    """Classifier FID: Fréchet distance of the evaluator features of ``images`` vs. real MNIST.

    ``reference="test"`` compares with the 10,000 test digits (default), ``"train"`` with the 60,000
    training digits. Lower is better; compare with :func:`cfid_floor`. Like FID, it is biased upward for
    small sample sets: compare models at the same number of samples (10,000 is the course's standard).

    Example:
        >>> cfid(data.from_gan_range(gan.generate(10_000, seed=0)))  # doctest: +SKIP

    Taught in: notebooks/05_dcgan_mnist.ipynb
    """
    _check_reference(reference)
    x = as_unit_images(images, min_samples=MIN_SAMPLES)
    return _cfid_of_features(_run(x)[0], reference)


def _cfid_of_features(f: np.ndarray, reference: str) -> float:
    ref = _reference(reference)
    f64 = f.astype(np.float64)
    return _frechet_from_stats(f64.mean(axis=0), np.cov(f64, rowvar=False), ref["mu"], ref["sigma"])


def cfid_floor(n: int | None = 10_000, seed: int = 0) -> float:
    """cFID of *real* training digits against the test set: the best score a generator can expect.

    ``n`` random training images (default 10,000, the same count as a standard sample evaluation; the
    finite-sample bias of FID makes fewer images score worse even when they are real). ``None`` = all
    60,000. Cached per (n, seed).

    Example:
        >>> round(cfid_floor(), 2)  # doctest: +SKIP
        0.58

    Taught in: notebooks/05_dcgan_mnist.ipynb
    """
    key = ("floor", n, seed)
    if key not in _STATE:
        if n is not None:
            n = _check_int("n", n, MIN_SAMPLES)
        if n is None or n >= 60_000 or "ref_train" in _STATE:
            train = _reference("train")["features"]
            if n is not None and n < len(train):
                train = train[np.sort(np.random.default_rng(seed).choice(len(train), n, False))]
        else:  # only the chosen images go through the evaluator (the same ones as above)
            from aigc_helpers import data

            x_train = data.load_mnist().x_train
            idx = np.sort(np.random.default_rng(seed).choice(len(x_train), n, replace=False))
            train = _run(as_unit_images(x_train[idx]))[0]
        _STATE[key] = _cfid_of_features(train, "test")
    return _STATE[key]


# --------------------------------------------------------------------------- class-based scores


def _check_probs(probs) -> np.ndarray:
    p = np.asarray(probs, dtype=np.float64)
    if p.ndim != 2 or len(p) < 1:
        raise ValueError(f"probs must have shape (n, classes), got {p.shape}.")
    if np.any(p < -1e-9) or not np.allclose(p.sum(axis=1), 1.0, atol=1e-4):
        raise ValueError(
            "probs rows must be probability vectors (>= 0, summing to 1). Fix: softmax."
        )
    return np.clip(p, 0.0, 1.0)


def inception_score_from_probs(probs) -> float:
    """exp(E_x KL(p(y|x) || p(y))) from class probabilities (n, classes).

    Example:
        >>> round(inception_score_from_probs(np.eye(10)), 6)
        10.0
    """
    p = _check_probs(probs)
    marginal = p.mean(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        kl = np.where(p > 0, p * (np.log(p) - np.log(marginal)), 0.0).sum(axis=1)
    return float(np.exp(kl.mean()))


def coverage_kl_from_probs(probs) -> float:
    """KL(histogram of predicted classes || uniform), in nats, from class probabilities.

    Example:
        >>> coverage_kl_from_probs(np.eye(10))
        0.0
    """
    p = _check_probs(probs)
    k = p.shape[1]
    hist = np.bincount(p.argmax(axis=1), minlength=k) / len(p)
    nz = hist > 0
    return float(np.sum(hist[nz] * np.log(hist[nz] * k)))


def inception_score(images) -> float:
    """Classifier Inception Score of ``images`` with the MNIST evaluator (1 = worst, 10 = best).

    High when each image is confidently one digit *and* all digits appear equally often.

    Example:
        >>> inception_score(data.load_mnist().x_test)  # doctest: +SKIP
        9.9

    Taught in: notebooks/05_dcgan_mnist.ipynb
    """
    return inception_score_from_probs(_run(as_unit_images(images, min_samples=MIN_SAMPLES))[1])


def class_coverage_kl(images) -> float:
    """KL divergence (nats) of the evaluator's predicted-class histogram from uniform.

    0 when every digit appears equally often; log 10 ≈ 2.303 when all samples are one digit (mode collapse).

    Example:
        >>> class_coverage_kl(data.load_mnist().x_test)  # doctest: +SKIP
        0.001

    Taught in: notebooks/05_dcgan_mnist.ipynb
    """
    return coverage_kl_from_probs(_run(as_unit_images(images, min_samples=MIN_SAMPLES))[1])


def class_histogram(images) -> np.ndarray:
    """Fraction of ``images`` the evaluator assigns to each digit 0..9 (sums to 1).

    Example:
        >>> class_histogram(data.load_mnist().x_test).round(2)  # doctest: +SKIP
    """
    p = _run(as_unit_images(images))[1]
    return np.bincount(p.argmax(axis=1), minlength=NUM_CLASSES) / max(len(p), 1)


# --------------------------------------------------------------------------- nearest neighbours


def _sq_norms(a: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", a, a)


def _pairwise_sq(a, b, a2=None, b2=None) -> np.ndarray:
    a2 = _sq_norms(a) if a2 is None else a2
    b2 = _sq_norms(b) if b2 is None else b2
    return np.maximum(a2[:, None] + b2[None, :] - 2.0 * (a @ b.T), 0.0)


def knn_radii(f, k: int = 3, *, chunk: int = 1000) -> np.ndarray:
    """Distance of each row of ``f`` to its k-th nearest *other* row (the k-NN ball's radius).

    Example:
        >>> knn_radii(np.array([[0.0], [1], [3], [7]]), k=1).tolist()
        [1.0, 1.0, 2.0, 4.0]
    """
    f = np.asarray(f, dtype=np.float32)
    k = _check_int("k", k, 1)
    if len(f) <= k:
        raise ValueError(f"k={k} needs more than {k} points, got {len(f)}. Fix: use more samples.")
    f2 = _sq_norms(f)
    out = np.empty(len(f), np.float64)
    for i in range(0, len(f), chunk):
        d = _pairwise_sq(f[i : i + chunk], f, f2[i : i + chunk], f2)
        # index 0 of the sorted row is the point itself (distance 0), so the k-th neighbour is index k
        out[i : i + chunk] = np.sqrt(np.partition(d, k, axis=1)[:, k])
    return out


def _covered(points, centres, radii, *, chunk: int = 1000) -> np.ndarray:
    """For each point: does it lie in at least one ball (centre, radius)?"""
    p2, c2 = _sq_norms(points), _sq_norms(centres)
    r2 = np.asarray(radii, np.float64) ** 2
    out = np.empty(len(points), bool)
    for i in range(0, len(points), chunk):
        d = _pairwise_sq(points[i : i + chunk], centres, p2[i : i + chunk], c2)
        out[i : i + chunk] = np.any(d <= r2[None, :] * (1 + 1e-6) + 1e-12, axis=1)
    return out


def precision_recall_features(
    fake, real, k: int = 3, *, max_points: int | None = 10_000, seed: int = 0
) -> tuple[float, float]:
    """k-NN precision and recall (Kynkäänniemi et al., 2019) of feature sets ``fake`` vs. ``real``.

    Each real point gets a ball reaching its k-th nearest real neighbour; precision is the fraction of
    fake points inside at least one real ball. Recall swaps the roles. Sets larger than ``max_points``
    are randomly subsampled (seeded) to bound the O(n²) cost.

    Example:
        >>> real = np.array([[0.0], [1], [2], [3]]); fake = np.array([[0.5], [1.5], [10], [11]])
        >>> precision_recall_features(fake, real, k=1)
        (0.5, 0.75)
    """
    fake = _check_features(fake, "fake", min_samples=k + 1).astype(np.float32)
    real = _check_features(real, "real", min_samples=k + 1).astype(np.float32)
    rng = np.random.default_rng(seed)
    if max_points is not None:
        if len(fake) > max_points:
            fake = fake[np.sort(rng.choice(len(fake), max_points, replace=False))]
        if len(real) > max_points:
            real = real[np.sort(rng.choice(len(real), max_points, replace=False))]
    precision = float(np.mean(_covered(fake, real, knn_radii(real, k))))
    recall = float(np.mean(_covered(real, fake, knn_radii(fake, k))))
    return precision, recall


def precision_recall(images, reference: Reference = "test", k: int = 3) -> tuple[float, float]:
    """Precision (samples fall on the real-data manifold) and recall (real variety is covered), in [0, 1].

    k-NN balls in the evaluator's feature space, k = 3 as in Kynkäänniemi et al. (2019). A mode-collapsed
    generator can have high precision but low recall; a blurry one the reverse.

    Example:
        >>> precision_recall(data.from_gan_range(gan.generate(10_000)))  # doctest: +SKIP
        (0.85, 0.6)

    Taught in: notebooks/05_dcgan_mnist.ipynb
    """
    k = _check_int("k", k, 1)
    _check_reference(reference)
    f = _run(as_unit_images(images, min_samples=max(MIN_SAMPLES, k + 1)))[0]
    return _precision_recall_cached(f, reference, k)


def _precision_recall_cached(f: np.ndarray, reference: str, k: int, max_points: int = 10_000):
    ref = _reference(reference)
    key = ("radii", reference, k, max_points)
    if key not in _STATE:
        real = ref["features"]
        if len(real) > max_points:
            real = real[np.sort(np.random.default_rng(0).choice(len(real), max_points, False))]
        _STATE[key] = (real, knn_radii(real, k))
    real, real_radii = _STATE[key]
    if len(f) > max_points:
        f = f[np.sort(np.random.default_rng(1).choice(len(f), max_points, replace=False))]
    precision = float(np.mean(_covered(f, real, real_radii)))
    recall = float(np.mean(_covered(real, f, knn_radii(f, k))))
    return precision, recall


# --------------------------------------------------------------------------- memorization


def nearest_train(
    images, *, n_train: int | None = None, chunk: int = 500
) -> tuple[np.ndarray, np.ndarray]:
    """Pixel-space Euclidean distance of each image to its nearest MNIST *training* image, and its index.

    Pixels scaled to [0, 1]; ``n_train`` limits the search to the first ``n_train`` training images.

    Example:
        >>> d, idx = nearest_train(data.load_mnist().x_train[:3])  # doctest: +SKIP
        >>> d.tolist(), idx.tolist()  # doctest: +SKIP
        ([0.0, 0.0, 0.0], [0, 1, 2])

    Taught in: notebooks/14_challenges_and_outlook.ipynb
    """
    x = as_unit_images(images).reshape(-1, 784)
    train, t2 = _train_pixels(n_train)
    dist = np.empty(len(x), np.float64)
    idx = np.empty(len(x), np.int64)
    for i in range(0, len(x), chunk):
        d = _pairwise_sq(x[i : i + chunk], train, None, t2)
        j = np.argmin(d, axis=1)
        idx[i : i + chunk] = j
        dist[i : i + chunk] = np.sqrt(d[np.arange(len(j)), j])
    return dist, idx


def _train_pixels(n_train: int | None):
    if "train_pixels" not in _STATE:
        from aigc_helpers import data

        t = data.load_mnist().x_train.reshape(-1, 784).astype(np.float32) / 255.0
        _STATE["train_pixels"] = (t, _sq_norms(t))
    t, t2 = _STATE["train_pixels"]
    if n_train is not None:
        n_train = _check_int("n_train", n_train, 1)
        t, t2 = t[:n_train], t2[:n_train]
    return t, t2


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

    Taught in: notebooks/14_challenges_and_outlook.ipynb
    """
    from aigc_helpers import data

    x = as_unit_images(images, min_samples=MIN_SAMPLES)
    rng = np.random.default_rng(seed)
    used = np.arange(len(x))
    if max_samples is not None:
        max_samples = _check_int("max_samples", max_samples, MIN_SAMPLES)
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


# --------------------------------------------------------------------------- real-or-generated detector


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
        >>> fakes = data.from_gan_range(gan.generate(10_000))  # doctest: +SKIP
        >>> det = train_detector(data.load_mnist().x_test, fakes)  # doctest: +SKIP
        >>> det["accuracy"]  # doctest: +SKIP

    Taught in: notebooks/14_challenges_and_outlook.ipynb
    """
    import keras

    real = as_unit_images(real, name="real", min_samples=MIN_SAMPLES)
    fake = as_unit_images(fake, name="fake", min_samples=MIN_SAMPLES)
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction!r}.")
    epochs = _check_int("epochs", epochs, 1)
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
    out["accuracy"] = float(np.mean([v for k, v in out.items()]))
    return out


# --------------------------------------------------------------------------- everything at once


def evaluate(
    images, *, reference: Reference = "test", k: int = 3, memorization_samples: int = 2000
) -> dict:
    """All scores of a sample set in one dict (floats), computed from one pass of the evaluator.

    Keys (all plain numbers, so a dict per model makes a table row): ``cfid``, ``inception_score``,
    ``coverage_kl``, ``precision``, ``recall``, ``memorization_ratio``, ``copy_fraction``, ``n_samples``.
    Memorization uses a seeded subset of ``memorization_samples`` samples (its cost grows with 60,000 x n).

    Example:
        >>> scores = evaluate(data.from_gan_range(gan.generate(10_000, seed=0)))  # doctest: +SKIP
        >>> sorted(scores)[:3]  # doctest: +SKIP
        ['cfid', 'copy_fraction', 'coverage_kl']

    Taught in: notebooks/05_dcgan_mnist.ipynb
    """
    k = _check_int("k", k, 1)
    _check_reference(reference)
    x = as_unit_images(images, min_samples=max(MIN_SAMPLES, k + 1))
    f, p = _run(x)
    precision, recall = _precision_recall_cached(f, reference, k)
    mem = memorization(x, max_samples=memorization_samples)
    return {
        "cfid": _cfid_of_features(f, reference),
        "inception_score": inception_score_from_probs(p),
        "coverage_kl": coverage_kl_from_probs(p),
        "precision": precision,
        "recall": recall,
        "memorization_ratio": mem["ratio"],
        "copy_fraction": mem["copy_fraction"],
        "n_samples": int(len(x)),
    }


# --------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> dict:
    """``python -m aigc_helpers.metrics train-evaluator [--epochs 5] [--seed 0] [--out PATH]``.

    Writes the model to ``--out`` (default: the shipped asset) and a report next to it
    (``mnist_evaluator_results.json``: accuracy, training time, size, and for the shipped asset the cFID floors).
    """
    parser = argparse.ArgumentParser(
        prog="python -m aigc_helpers.metrics", description=__doc__.split("\n")[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    tr = sub.add_parser("train-evaluator", help="train the MNIST evaluator and save it to assets/")
    tr.add_argument("--epochs", type=int, default=5)
    tr.add_argument("--seed", type=int, default=0)
    tr.add_argument("--batch-size", type=int, default=128)
    tr.add_argument("--out", type=Path, default=ASSET)
    tr.add_argument("--verbose", type=int, default=2)
    args = parser.parse_args(argv)
    if args.epochs < 1:
        parser.error("--epochs must be >= 1")
    result = train_evaluator(
        args.out,
        epochs=args.epochs,
        batch_size=args.batch_size,
        seed=args.seed,
        verbose=args.verbose,
    )
    result = {"env": config.env_report(), **result}
    if (
        Path(args.out).resolve() == ASSET.resolve()
    ):  # the shipped evaluator: also measure the cFID floors
        _STATE.clear()
        result["cfid_floor_10k"] = round(cfid_floor(), 4)
        result["cfid_floor_60k"] = round(cfid_floor(None), 4)
    report = Path(args.out).with_name(Path(args.out).stem + "_results.json")
    report.write_text(json.dumps(result, indent=1) + "\n")
    for key, value in result.items():
        print(f"{key}: {value}")
    print(f"report: {report}")
    return result


__all__ = [
    "ASSET",
    "FEATURE_DIM",
    "as_unit_images",
    "build_detector",
    "build_evaluator",
    "cfid",
    "cfid_floor",
    "class_coverage_kl",
    "class_histogram",
    "coverage_kl_from_probs",
    "detector_accuracy",
    "evaluate",
    "features",
    "frechet_distance",
    "inception_score",
    "inception_score_from_probs",
    "knn_radii",
    "load_evaluator",
    "memorization",
    "nearest_train",
    "precision_recall",
    "precision_recall_features",
    "predict_proba",
    "train_detector",
    "train_evaluator",
]


if __name__ == "__main__":
    main()
