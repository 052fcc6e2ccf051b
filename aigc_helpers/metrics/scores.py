"""The scores of a sample set, on the evaluator's features and class probabilities.

- :func:`frechet_distance` / :func:`cfid` -- Fréchet distance between Gaussians fitted to two feature sets
  (lower is better; :func:`cfid_floor` is the value for *real* training digits, the best one can hope for);
  :func:`frechet_from_stats` is the one implementation of the formula, also used by
  ``data_scaling.pca_frechet``;
- :func:`inception_score` -- exp E[KL(p(y|x) || p(y))]: 10 = confident *and* all ten classes, 1 = useless;
- :func:`class_coverage_kl` -- KL of the predicted-class histogram from uniform (0 = all digits equally
  often, log 10 = 2.30 = a single digit: mode collapse);
- :func:`precision_recall` -- k-NN precision (samples look real) and recall (real variety is covered),
  Kynkäänniemi et al., 2019.

The functions on features or probabilities (``*_from_probs``, ``frechet_*``, ``precision_recall_features``)
are plain NumPy; those on images run the evaluator (TensorFlow, imported on first use).

Example:
    >>> round(frechet_from_stats(np.array([0.0]), np.array([[1.0]]), np.array([3.0]), np.array([[4.0]])), 6)
    10.0

Taught in: notebooks/05_dcgan_mnist.ipynb (all of them through metrics.evaluate),
notebooks/15_faq_and_references.ipynb (coverage_kl_from_probs)
"""

from __future__ import annotations

import numpy as np

from aigc_helpers.checks import check_int

from .evaluator import (
    _STATE,
    MIN_SAMPLES,
    NUM_CLASSES,
    Reference,
    _check_reference,
    _reference,
    _run,
    as_unit_images,
)
from .neighbours import _covered, knn_radii

# --------------------------------------------------------------------------- Fréchet distance


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


def frechet_from_stats(mu1, sigma1, mu2, sigma2) -> float:
    """Fréchet distance between the Gaussians N(mu1, sigma1) and N(mu2, sigma2).

    d² = |μ1 − μ2|² + tr(Σ1 + Σ2 − 2 (Σ1 Σ2)^½). The trace of (Σ1 Σ2)^½ is the sum of the square roots of
    the eigenvalues of Σ1 Σ2, which are real and >= 0 for covariance matrices; the tiny imaginary or
    negative parts that rounding leaves (singular covariances, dead features) are dropped, and the result
    is clipped at 0, so it is always a finite number. For 1-D Gaussians d² = (μ1 − μ2)² + (σ1 − σ2)².

    Example:
        >>> round(frechet_from_stats(np.zeros(2), np.eye(2), np.ones(2), 4 * np.eye(2)), 6)
        4.0

    Taught in: machinery behind frechet_distance, cfid and data_scaling.pca_frechet
    """
    mu1, mu2 = (
        np.atleast_1d(np.asarray(mu1, np.float64)),
        np.atleast_1d(np.asarray(mu2, np.float64)),
    )
    s1, s2 = (
        np.atleast_2d(np.asarray(sigma1, np.float64)),
        np.atleast_2d(np.asarray(sigma2, np.float64)),
    )
    if not (mu1.shape == mu2.shape and s1.shape == s2.shape == (len(mu1), len(mu1))):
        raise ValueError(
            f"Gaussian statistics differ in size: means {mu1.shape} and {mu2.shape}, covariances "
            f"{s1.shape} and {s2.shape}. Fix: fit both on features of the same size."
        )
    eig = np.linalg.eigvals(s1 @ s2)
    tr_sqrt = float(np.sum(np.sqrt(np.clip(eig.real, 0.0, None))))
    diff = mu1 - mu2
    d = float(diff @ diff + np.trace(s1) + np.trace(s2) - 2.0 * tr_sqrt)
    return max(d, 0.0)


def _gaussian(f: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and unbiased covariance (always 2-D) of the rows of ``f``."""
    f = np.asarray(f, np.float64)
    return f.mean(axis=0), np.atleast_2d(np.cov(f, rowvar=False))


def frechet_distance(f1, f2) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets (rows = samples).

    d² = |μ1 − μ2|² + tr(Σ1 + Σ2 − 2 (Σ1 Σ2)^½), with unbiased covariances. 0 for identical sets.

    Example:
        >>> a = np.array([[1.0, 0], [-1, 0], [0, 1], [0, -1]])
        >>> round(frechet_distance(a, a + [3.0, 4.0]), 6)
        25.0

    Taught in: machinery behind cfid and data_scaling.pca_frechet (the same formula on any features)
    """
    f1 = _check_features(f1, "f1")
    f2 = _check_features(f2, "f2")
    if f1.shape[1] != f2.shape[1]:
        raise ValueError(
            f"f1 and f2 differ in feature size ({f1.shape[1]} vs {f2.shape[1]}). "
            "Fix: compute both with the same feature extractor."
        )
    return frechet_from_stats(*_gaussian(f1), *_gaussian(f2))


def cfid(images, reference: Reference = "test") -> float:
    """Classifier FID: Fréchet distance of the evaluator features of ``images`` vs. real MNIST.

    ``reference="test"`` compares with the 10,000 test digits (default), ``"train"`` with the 60,000
    training digits. Lower is better; compare with :func:`cfid_floor`. Like FID, it is biased upward for
    small sample sets: compare models at the same number of samples (10,000 is the course's standard).

    Example:
        >>> cfid(model.generate(10_000, seed=0))  # doctest: +SKIP

    Taught in: machinery behind metrics.evaluate (its "cfid")
    """
    _check_reference(reference)
    x = as_unit_images(images, min_samples=MIN_SAMPLES)
    return _cfid_of_features(_run(x)[0], reference)


def _cfid_of_features(f: np.ndarray, reference: str) -> float:
    ref = _reference(reference)
    return frechet_from_stats(*_gaussian(f), ref["mu"], ref["sigma"])


def cfid_floor(n: int | None = 10_000, seed: int = 0) -> float:
    """cFID of *real* training digits against the test set: the best score a generator can expect.

    ``n`` random training images (default 10,000, the same count as a standard sample evaluation; the
    finite-sample bias of FID makes fewer images score worse even when they are real). ``None`` = all
    60,000. Cached per (n, seed).

    Example:
        >>> round(cfid_floor(), 2)  # doctest: +SKIP
        0.58

    Taught in: machinery behind benchmarks/dcgan.py (the floor printed beside every cFID)
    """
    key = ("floor", n, seed)
    if key not in _STATE:
        if n is not None:
            n = check_int("n", n, minimum=MIN_SAMPLES)
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

    Taught in: machinery behind inception_score and metrics.evaluate (its "inception_score")
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

    Taught in: notebooks/15_faq_and_references.ipynb
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

    Taught in: machinery behind metrics.evaluate (its "inception_score")
    """
    return inception_score_from_probs(_run(as_unit_images(images, min_samples=MIN_SAMPLES))[1])


def class_coverage_kl(images) -> float:
    """KL divergence (nats) of the evaluator's predicted-class histogram from uniform.

    0 when every digit appears equally often; log 10 ≈ 2.303 when all samples are one digit (mode collapse).

    Example:
        >>> class_coverage_kl(data.load_mnist().x_test)  # doctest: +SKIP
        0.001

    Taught in: machinery behind callbacks.TrainingMonitor (its mode-collapse check)
    """
    return coverage_kl_from_probs(_run(as_unit_images(images, min_samples=MIN_SAMPLES))[1])


def class_histogram(images) -> np.ndarray:
    """Fraction of ``images`` the evaluator assigns to each digit 0..9 (sums to 1).

    Example:
        >>> class_histogram(data.load_mnist().x_test).round(2)  # doctest: +SKIP

    Taught in: machinery behind callbacks.TrainingMonitor's mode-collapse warning
    """
    p = _run(as_unit_images(images))[1]
    return np.bincount(p.argmax(axis=1), minlength=NUM_CLASSES) / max(len(p), 1)


# --------------------------------------------------------------------------- precision and recall


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

    Taught in: machinery behind precision_recall and metrics.evaluate (its "precision", "recall")
    """
    k = check_int("k", k, minimum=1)
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
        >>> precision_recall(model.generate(10_000))  # doctest: +SKIP
        (0.85, 0.6)

    Taught in: machinery behind metrics.evaluate (its "precision" and "recall")
    """
    k = check_int("k", k, minimum=1)
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
