"""The data-driven idea, measured: one small generative model, fitted to more and more data.

"AIGC is data-driven" is easy to say. This module makes it a measurement, with the simplest generative
model of binary images that has an *exact* likelihood: a **mixture of Bernoulli distributions**.
Each of its K components is a "prototype" image of pixel probabilities; to generate, pick a component
(with probability π_k) and switch every pixel on with its own probability. The model is fitted by
expectation–maximization (EM) in NumPy, in seconds, to nested subsets of MNIST (100, 1,000, 10,000
images), and for each size we measure

- the **held-out negative log-likelihood** −log p(x) in nats per image, exact, on test images the model
  never saw (lower is better), beside the same figure on its own training images -- the difference is
  the *generalization gap*, large when a model memorizes a small data set;
- a **sample distance**: the Fréchet distance between samples and real held-out images in the space of
  the first principal components of real images (lower is better; real-vs-real gives the floor);
- a **copying ratio** of its prototypes: distance to the nearest training image divided by the distance
  to the nearest of an equally large set of held-out images (below 1 = closer to what it was shown than
  to new data, i.e. memorized).

Taught in: notebooks/01_what_is_aigc.ipynb
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from aigc_helpers.checks import check_int_sequence, check_positive_int, check_positive_number
from aigc_helpers.metrics.neighbours import nearest_neighbours
from aigc_helpers.metrics.scores import frechet_distance

# --------------------------------------------------------------------------- the model


def _binary_rows(x, name: str = "x") -> np.ndarray:
    arr = np.asarray(x)
    if arr.ndim < 2:
        raise ValueError(f"{name} must be a batch of images or vectors, got shape {arr.shape}.")
    arr = arr.reshape(len(arr), -1)
    if arr.size and not np.isin(arr, (0, 1)).all():
        raise ValueError(
            f"{name} must be binary (0/1). Fix: binarize first, e.g. data.binarize(images, seed=0)."
        )
    return arr.astype(np.float32)


class BernoulliMixture:
    """A mixture of K products of Bernoulli distributions over binary images, fitted by EM.

        p(x) = Σ_k π_k Π_d μ_kd^x_d (1 − μ_kd)^(1 − x_d)

    The fit is a maximum *a posteriori* estimate: ``pseudo_count`` imaginary "on" and "off" pixels per
    component and pixel (a Beta prior) keep every μ strictly between 0 and 1 -- without it, one pixel
    that was always off in the training data would give a new image with that pixel on probability 0
    and an infinite −log p(x).

    Args:
        n_components: K, the number of prototypes.
        pseudo_count: the Beta prior's pseudo-counts (> 0).
        max_iter: EM iterations at most.
        tol: stop when the fit's objective (log-likelihood + log prior, per image) improves by less
            than this many nats.
        seed: initialization (K random training images blended with the mean image).

    Example:
        >>> x = (np.random.default_rng(0).random((200, 16)) < 0.3).astype(np.float32)
        >>> m = BernoulliMixture(2, seed=0).fit(x)
        >>> m.means.shape, bool(np.isclose(m.weights.sum(), 1.0))
        ((2, 16), True)

    Taught in: notebooks/01_what_is_aigc.ipynb
    """

    def __init__(
        self,
        n_components: int = 32,
        *,
        pseudo_count: float = 0.1,
        max_iter: int = 100,
        tol: float = 1e-3,
        seed: int = 0,
    ):
        n_components = check_positive_int("n_components", n_components)
        check_positive_number(
            "pseudo_count",
            pseudo_count,
            fix="use a small count such as 0.1 (0 allows log 0 = -inf).",
        )
        self.n_components = int(n_components)
        self.pseudo_count = float(pseudo_count)
        self.max_iter = int(max_iter)
        self.tol = float(tol)
        self.seed = seed
        self.means: np.ndarray | None = None
        self.weights: np.ndarray | None = None
        self.history: list[float] = []

    # ---- EM
    def _log_joint(self, x: np.ndarray) -> np.ndarray:
        """log π_k + log p(x | k) for every row and component: (N, K)."""
        log_mu = np.log(self.means)
        log_1mu = np.log1p(-self.means)
        return x @ (log_mu - log_1mu).T + log_1mu.sum(axis=1)[None] + np.log(self.weights)[None]

    def fit(self, x) -> BernoulliMixture:
        """Fit to binary images ``x`` (any shape (N, ...)); returns self. ``history`` holds the mean
        training log-likelihood (nats per image) after each iteration."""
        from scipy.special import logsumexp

        x = _binary_rows(x)
        n, d = x.shape
        k = min(self.n_components, n)
        rng = np.random.default_rng(self.seed)
        centre = x.mean(axis=0)
        start = x[rng.choice(n, size=k, replace=False)]
        a = self.pseudo_count
        self.means = np.clip(0.5 * start + 0.5 * centre, 0.05, 0.95).astype(np.float32)
        self.weights = np.full(k, 1.0 / k, dtype=np.float32)
        self.history = []
        objective = -np.inf
        for _ in range(self.max_iter):
            lj = self._log_joint(x)
            ll = logsumexp(lj, axis=1)
            self.history.append(float(ll.mean()))
            # EM never decreases the MAP objective: log-likelihood + log prior, per image.
            log_prior = a * (
                np.log(self.means).sum() + np.log1p(-self.means).sum() + np.log(self.weights).sum()
            )
            new_objective = float(ll.sum() + log_prior) / n
            if new_objective - objective < self.tol:
                break
            objective = new_objective
            r = np.exp(lj - ll[:, None]).astype(np.float32)  # responsibilities (N, K)
            nk = r.sum(axis=0)
            self.means = ((r.T @ x + a) / (nk[:, None] + 2 * a)).astype(np.float32)
            self.weights = ((nk + a) / (n + k * a)).astype(np.float32)
        return self

    def _check_fitted(self) -> None:
        if self.means is None:
            raise RuntimeError(
                "The mixture is not fitted yet. Fix: call .fit(binary_images) first."
            )

    # ---- what learners call
    def log_prob(self, x) -> np.ndarray:
        """Exact log p(x) of each binary image, in nats (one number per image)."""
        from scipy.special import logsumexp

        self._check_fitted()
        x = _binary_rows(x)
        if x.shape[1] != self.means.shape[1]:
            raise ValueError(f"Images have {x.shape[1]} pixels, the model {self.means.shape[1]}.")
        out = [logsumexp(self._log_joint(x[i : i + 5000]), axis=1) for i in range(0, len(x), 5000)]
        return np.concatenate(out).astype(np.float64)

    def sample(self, n: int, *, seed: int | None = 0) -> np.ndarray:
        """``n`` new binary images (flat rows, reshape to 28x28): pick a component, then every pixel."""
        self._check_fitted()
        n = check_positive_int("n", n)
        rng = np.random.default_rng(seed)
        comp = rng.choice(len(self.weights), size=n, p=self.weights / self.weights.sum())
        return (rng.random((n, self.means.shape[1])) < self.means[comp]).astype(np.float32)

    def n_parameters(self) -> int:
        """Free parameters: K·D pixel probabilities and K − 1 weights."""
        self._check_fitted()
        k, d = self.means.shape
        return k * d + k - 1


# --------------------------------------------------------------------------- experiment pieces


def nested_subsets(n_pool: int, sizes: Sequence[int], *, seed: int = 0) -> dict[int, np.ndarray]:
    """Indices of nested random subsets of a pool: the 100 images are among the 1,000, and so on.

    Nesting means each larger training set *adds* data to the smaller one, so the comparison is
    "the same model with more data", not "a different draw of data".

    Example:
        >>> s = nested_subsets(50, [5, 20], seed=0)
        >>> set(s[5]) <= set(s[20]), len(s[20])
        (True, 20)

    Taught in: notebooks/01_what_is_aigc.ipynb
    """
    sizes = sorted(check_int_sequence("sizes", sizes, minimum=1))
    if sizes[-1] > n_pool:
        raise ValueError(
            f"The largest subset ({sizes[-1]}) exceeds the pool ({n_pool} images). "
            "Fix: drop that size or use a larger pool."
        )
    order = np.random.default_rng(seed).permutation(n_pool)
    return {n: np.sort(order[:n]) for n in sizes}


def pca_frechet(samples, reference, basis) -> float:
    """Fréchet distance between two image sets in the space of a fitted PCA ``basis``.

    d² = |μ1 − μ2|² + tr(Σ1 + Σ2 − 2 (Σ1 Σ2)^½) of Gaussians fitted to the projected images
    (the FID formula, with principal components of real images as the features; computed by
    :func:`aigc_helpers.metrics.frechet_distance`). 0 = same statistics.

    Example:
        >>> from sklearn.decomposition import PCA
        >>> a = np.random.default_rng(0).random((200, 4, 4))
        >>> basis = PCA(3).fit(a.reshape(200, -1))
        >>> round(pca_frechet(a, a, basis), 6)
        0.0

    Taught in: machinery behind scaling_experiment (its "sample distance" column)
    """

    def project(x):
        return basis.transform(np.asarray(x, np.float64).reshape(len(x), -1))

    return frechet_distance(project(samples), project(reference))


def nearest_distance(queries, pool, *, chunk: int = 2000) -> np.ndarray:
    """Euclidean distance from each query image to its nearest image in ``pool`` (flattened pixels,
    float64; ``chunk`` pool images at a time; computed by :func:`aigc_helpers.metrics.nearest_neighbours`).

    Example:
        >>> nearest_distance(np.zeros((1, 2)), np.array([[3.0, 4.0], [0.0, 1.0]])).tolist()
        [1.0]

    Taught in: notebooks/01_what_is_aigc.ipynb
    """
    q = np.asarray(queries, np.float64)
    p = np.asarray(pool, np.float64)
    return nearest_neighbours(q, p, pool_chunk=chunk)[0]


@dataclass
class ScalingResult:
    """What :func:`scaling_experiment` measured.

    Attributes:
        table: one row per training-set size (a pandas DataFrame).
        models: the fitted mixtures, by size.
        samples: binary samples (n, 28, 28) of each model, by size.
        floor: the sample distance of real held-out images to other real held-out images.
    """

    table: object
    models: dict[int, BernoulliMixture] = field(default_factory=dict)
    samples: dict[int, np.ndarray] = field(default_factory=dict)
    floor: float = float("nan")


def scaling_experiment(
    x_train: np.ndarray,
    x_test: np.ndarray,
    sizes: Sequence[int],
    *,
    n_components: int = 32,
    n_samples: int = 2000,
    pca_components: int = 20,
    max_iter: int = 100,
    seed: int = 0,
) -> ScalingResult:
    """Fit the same mixture to nested subsets of ``x_train`` and measure each fit on ``x_test``.

    Args:
        x_train: the pool of training images, uint8 (N, 28, 28); subsets are drawn from it.
        x_test: held-out images, uint8. The first ``n_samples`` are the reference for the sample
            distance, the next ``n_samples`` give the real-vs-real floor, all of them the likelihood.
        sizes: training-set sizes, e.g. (100, 1000, 10000).
        n_components: K of every mixture.
        n_samples: samples drawn from each model for the sample distance.
        pca_components: principal components (of binarized real training images) used as features.
        max_iter: EM iterations at most.
        seed: one seed for subsets, binarization, initialization and sampling.

    Images are binarized once (``data.binarize``); the test images with ``seed=0``, exactly as
    ``benchmarks/vae.py`` does, so the likelihoods are comparable with the course's VAE.

    Example:
        >>> res = scaling_experiment(x_train, x_test, (100, 1000))  # doctest: +SKIP
        >>> res.table  # doctest: +SKIP

    Taught in: notebooks/01_what_is_aigc.ipynb
    """
    import pandas as pd
    from sklearn.decomposition import PCA

    from . import data

    if len(x_test) < 2 * n_samples:
        raise ValueError(
            f"x_test has {len(x_test)} images; the sample distance needs 2 × n_samples = "
            f"{2 * n_samples}. Fix: pass more test images or lower n_samples."
        )
    subsets = nested_subsets(len(x_train), sizes, seed=seed)
    train_bin = data.binarize(x_train, seed=seed + 1)[..., 0]
    test_bin = data.binarize(x_test, seed=0)[..., 0]
    pool_for_pca = train_bin[np.random.default_rng(seed + 2).permutation(len(train_bin))[:5000]]
    basis = PCA(pca_components, random_state=seed).fit(pool_for_pca.reshape(len(pool_for_pca), -1))
    reference = test_bin[:n_samples]
    floor = pca_frechet(test_bin[n_samples : 2 * n_samples], reference, basis)

    result = ScalingResult(table=None, floor=floor)
    rows = []
    for n, idx in subsets.items():
        model = BernoulliMixture(n_components, max_iter=max_iter, seed=seed).fit(train_bin[idx])
        ll_train = model.log_prob(train_bin[idx])
        ll_test = model.log_prob(test_bin)
        samples = model.sample(n_samples, seed=seed).reshape(-1, 28, 28)
        same_size = test_bin[np.random.default_rng(seed + 3).permutation(len(test_bin))[:n]]
        d_train = nearest_distance(model.means, train_bin[idx])
        d_test = nearest_distance(model.means, same_size)
        result.models[n] = model
        result.samples[n] = samples
        rows.append(
            {
                "training images": n,
                "EM iterations": len(model.history),
                "train NLL (nats)": float(-ll_train.mean()),
                "held-out NLL (nats)": float(-ll_test.mean()),
                "± (s.e.)": float(ll_test.std(ddof=1) / np.sqrt(len(ll_test))),
                "gap (nats)": float(ll_train.mean() - ll_test.mean()),
                "sample distance": pca_frechet(samples, reference, basis),
                "copying ratio": float(np.median(d_train / d_test)),
            }
        )
    result.table = pd.DataFrame(rows)
    return result


def capacity_table(
    x_train: np.ndarray,
    x_test: np.ndarray,
    sizes: Sequence[int],
    components: Sequence[int] = (2, 8),
    *,
    max_iter: int = 100,
    seed: int = 0,
):
    """Held-out NLL of mixtures with different numbers of components K, for each training-set size.

    The same subsets, binarization and seeds as :func:`scaling_experiment`, so its K rows can be put
    side by side with this table. Returns a long DataFrame: components, training images, held-out NLL.

    Example:
        >>> capacity_table(x_train, x_test, (100, 1000), components=(2, 8))  # doctest: +SKIP

    Taught in: notebooks/01_what_is_aigc.ipynb
    """
    import pandas as pd

    from . import data

    subsets = nested_subsets(len(x_train), sizes, seed=seed)
    train_bin = data.binarize(x_train, seed=seed + 1)[..., 0]
    test_bin = data.binarize(x_test, seed=0)[..., 0]
    rows = []
    for k in components:
        for n, idx in subsets.items():
            model = BernoulliMixture(k, max_iter=max_iter, seed=seed).fit(train_bin[idx])
            rows.append(
                {
                    "components": int(k),
                    "training images": n,
                    "held-out NLL (nats)": float(-model.log_prob(test_bin).mean()),
                }
            )
    return pd.DataFrame(rows)


def plot_scaling(result: ScalingResult):
    """Three panels against training-set size: likelihoods (train and held-out), the sample
    distance, and the prototypes' copying ratio.

    Example:
        >>> fig = plot_scaling(result)  # doctest: +SKIP

    Taught in: notebooks/01_what_is_aigc.ipynb
    """
    import matplotlib.pyplot as plt

    t = result.table
    n = t["training images"].to_numpy()
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.4))
    ax = axes[0]
    ax.errorbar(n, t["held-out NLL (nats)"], yerr=t["± (s.e.)"], fmt="o-", label="held-out images")
    ax.plot(n, t["train NLL (nats)"], "s--", label="its own training images")
    ax.set_ylabel("−log p(x), nats per image")
    ax.set_title("Likelihood (lower is better)", fontsize=10)
    ax.legend(fontsize=8)
    ax = axes[1]
    ax.plot(n, t["sample distance"], "o-", color="tab:green", label="model samples")
    ax.axhline(result.floor, color="gray", ls=":", label="real vs real (floor)")
    ax.set_ylabel("Fréchet distance (PCA features)")
    ax.set_title("Samples vs held-out images (lower is better)", fontsize=10)
    ax.legend(fontsize=8)
    ax = axes[2]
    ax.plot(n, t["copying ratio"], "o-", color="tab:red")
    ax.axhline(1.0, color="gray", ls=":")
    ax.set_ylabel("nearest train / nearest held-out")
    ax.set_title("Prototypes copy training images (< 1)", fontsize=10)
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel("training images")
    fig.tight_layout()
    return fig


__all__ = [
    "BernoulliMixture",
    "ScalingResult",
    "capacity_table",
    "nearest_distance",
    "nested_subsets",
    "pca_frechet",
    "plot_scaling",
    "scaling_experiment",
]
