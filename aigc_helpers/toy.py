"""Seeded 2-D toy data for generative models, and how to measure mode coverage on it.

Taught in: notebooks/03_gan_toy.ipynb

A *mixture of Gaussians* with well separated, equally likely components ("modes") is the classic test
bed for mode collapse: because every mode's centre and spread are known, we can say exactly which mode
a generated point belongs to and whether it is a good sample of it.

- :func:`ring_of_gaussians`: ``modes`` Gaussians on a circle (8 of them, radius 2, std 0.02 is the
  setup of Metz et al., 2016, *Unrolled Generative Adversarial Networks*);
- :func:`grid_of_gaussians`: ``side x side`` Gaussians on a square grid (a harder variant);
- :func:`mixture_log_density`: the exact log-density of such a mixture (for contour plots and scores);
- :func:`mode_coverage`: how many modes a set of samples covers and what fraction of the samples is
  "high quality" (within ``n_std`` standard deviations of a centre).

Everything here is plain NumPy: importing the module does not load TensorFlow.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp

from aigc_helpers.checks import check_positive_int, check_positive_number

__all__ = [
    "ModeCoverage",
    "grid_centers",
    "grid_of_gaussians",
    "mixture_log_density",
    "mode_coverage",
    "ring_centers",
    "ring_of_gaussians",
    "sample_mixture",
]


def _check_centers(centers: np.ndarray) -> np.ndarray:
    c = np.asarray(centers, dtype=np.float64)
    if c.ndim != 2 or len(c) == 0:
        raise ValueError(
            f"centers must have shape (modes, dim) with at least one mode, got {c.shape}. "
            "Fix: use ring_centers(8) or grid_centers(5)."
        )
    return c


def _check_points(points: np.ndarray, dim: int, name: str = "samples") -> np.ndarray:
    p = np.asarray(points, dtype=np.float64)
    if p.ndim != 2 or p.shape[1] != dim:
        raise ValueError(
            f"{name} must have shape (n, {dim}) to match the centers, got {p.shape}. "
            "Fix: pass one row per point."
        )
    return p


def ring_centers(modes: int = 8, radius: float = 2.0) -> np.ndarray:
    """The centres of ``modes`` Gaussians evenly spaced on a circle, the first on the positive x axis.

    Returns float64 of shape (modes, 2).

    Example:
        >>> ring_centers(4, radius=1.0).round(6).tolist()
        [[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [-0.0, -1.0]]

    Taught in: notebooks/03_gan_toy.ipynb
    """
    modes = check_positive_int("modes", modes)
    radius = check_positive_number("radius", radius)
    angles = 2.0 * np.pi * np.arange(modes) / modes
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def grid_centers(side: int = 5, spacing: float = 2.0) -> np.ndarray:
    """The centres of a ``side x side`` grid of Gaussians, centred on the origin, float64 (side**2, 2).

    Example:
        >>> grid_centers(2, spacing=2.0).tolist()
        [[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]]

    Taught in: notebooks/03_gan_toy.ipynb
    """
    side = check_positive_int("side", side)
    spacing = check_positive_number("spacing", spacing)
    ticks = spacing * (np.arange(side) - (side - 1) / 2.0)
    gx, gy = np.meshgrid(ticks, ticks, indexing="ij")
    return np.stack([gx.ravel(), gy.ravel()], axis=1)


def sample_mixture(
    n: int, centers: np.ndarray, std: float, *, seed: int | None = 0
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points from an equal-weight mixture of round Gaussians N(centre, std² I).

    Returns ``(points, modes)``: float32 points of shape (n, dim) and the int64 index of the mode each
    point was drawn from. The same ``seed`` gives the same points on every machine (NumPy's PCG64).

    Example:
        >>> x, k = sample_mixture(1000, ring_centers(8), 0.02, seed=0)
        >>> x.shape, x.dtype.name, k.min(), k.max()
        ((1000, 2), 'float32', np.int64(0), np.int64(7))

    Taught in: machinery behind toy.ring_of_gaussians and toy.grid_of_gaussians (notebook 03)
    """
    n = check_positive_int("n", n)
    c = _check_centers(centers)
    std = check_positive_number("std", std)
    rng = np.random.default_rng(seed)
    modes = rng.integers(0, len(c), n)
    points = c[modes] + std * rng.standard_normal((n, c.shape[1]))
    return points.astype(np.float32), modes


def ring_of_gaussians(
    n: int,
    modes: int = 8,
    radius: float = 2.0,
    std: float = 0.02,
    *,
    seed: int | None = 0,
    return_modes: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """``n`` points (float32, shape (n, 2)) from ``modes`` equally likely Gaussians on a circle.

    The defaults (8 modes, radius 2, std 0.02) are the ring of Metz et al. (2016): neighbouring centres
    are about 1.53 apart, 77 standard deviations, so every point belongs to one mode beyond doubt.
    With ``return_modes=True`` also returns the index of each point's mode.

    Example:
        >>> x = ring_of_gaussians(500, seed=1)
        >>> x.shape, bool(np.allclose(np.linalg.norm(x, axis=1), 2.0, atol=0.1))
        ((500, 2), True)

    Taught in: notebooks/03_gan_toy.ipynb
    """
    points, labels = sample_mixture(n, ring_centers(modes, radius), std, seed=seed)
    return (points, labels) if return_modes else points


def grid_of_gaussians(
    n: int,
    side: int = 5,
    spacing: float = 2.0,
    std: float = 0.05,
    *,
    seed: int | None = 0,
    return_modes: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """``n`` points (float32, shape (n, 2)) from ``side x side`` equally likely Gaussians on a grid.

    With the defaults: 25 modes at -4, -2, 0, 2, 4 in each coordinate, std 0.05.

    Example:
        >>> grid_of_gaussians(100, side=3).shape
        (100, 2)

    Taught in: notebooks/03_gan_toy.ipynb (exercises)
    """
    points, labels = sample_mixture(n, grid_centers(side, spacing), std, seed=seed)
    return (points, labels) if return_modes else points


def mixture_log_density(points: np.ndarray, centers: np.ndarray, std: float) -> np.ndarray:
    """Exact log-density (float64, shape (n,)) of the equal-weight mixture of N(centre, std² I).

    Example:
        >>> c = ring_centers(8)
        >>> round(float(np.exp(mixture_log_density(c[:1], c, 0.02))[0]), 1)  # 1/8 of the peak
        49.7

    Taught in: notebooks/03_gan_toy.ipynb
    """
    c = _check_centers(centers)
    p = _check_points(points, c.shape[1], "points")
    std = check_positive_number("std", std)
    dim = c.shape[1]
    sq = ((p[:, None, :] - c[None, :, :]) ** 2).sum(axis=-1)
    log_comp = -sq / (2.0 * std**2) - 0.5 * dim * np.log(2.0 * np.pi * std**2)
    return logsumexp(log_comp, axis=1) - np.log(len(c))


@dataclass(frozen=True)
class ModeCoverage:
    """What :func:`mode_coverage` measured.

    Attributes:
        modes_covered: modes that received at least ``min_count`` high-quality samples.
        n_modes: how many modes the data has.
        high_quality: fraction of all samples within ``n_std`` standard deviations of their nearest centre.
        counts: high-quality samples per mode (int64, shape (n_modes,)).
        min_count: the threshold a mode's count had to reach.
    """

    modes_covered: int
    n_modes: int
    high_quality: float
    counts: np.ndarray
    min_count: int

    @property
    def mode_kl(self) -> float:
        """KL divergence (nats) of the high-quality samples' mode histogram from the uniform one.

        0 when every mode gets the same share; log(n_modes) when all samples sit in one mode; ``nan``
        when there is no high-quality sample at all.
        """
        total = self.counts.sum()
        if total == 0:
            return float("nan")
        q = self.counts[self.counts > 0] / total
        return float(np.sum(q * np.log(q * self.n_modes)))

    def __str__(self) -> str:
        return (
            f"{self.modes_covered}/{self.n_modes} modes, "
            f"{100 * self.high_quality:.1f}% high-quality samples"
        )


def mode_coverage(
    samples: np.ndarray,
    centers: np.ndarray,
    std: float,
    *,
    n_std: float = 3.0,
    min_count: int | None = None,
) -> ModeCoverage:
    """Count the modes that ``samples`` cover and the fraction of samples that are high quality.

    A sample is **high quality** when it lies within ``n_std`` standard deviations of its nearest centre
    (for real 2-D data that holds for 1 - exp(-n_std²/2) ≈ 98.9% of the points at n_std = 3). A mode
    is **covered** when at least ``min_count`` high-quality samples fall on it; by default ``min_count``
    is 5% of the samples a uniform share would give it (``n / n_modes``), at least 1 -- 16 of 2,500
    samples for 8 modes.

    Example:
        >>> c = ring_centers(8)
        >>> cov = mode_coverage(np.repeat(c, 100, axis=0), c, std=0.02)
        >>> cov.modes_covered, cov.high_quality
        (8, 1.0)

    Taught in: notebooks/03_gan_toy.ipynb
    """
    c = _check_centers(centers)
    p = _check_points(samples, c.shape[1])
    std = check_positive_number("std", std)
    n_std = check_positive_number("n_std", n_std)
    if len(p) == 0:
        raise ValueError("No samples to measure. Fix: pass at least one sample.")
    if min_count is None:
        min_count = max(1, int(np.ceil(0.05 * len(p) / len(c))))
    min_count = check_positive_int("min_count", min_count)
    # squared distances, chunked so that 100k samples x 25 modes stays small in memory
    nearest = np.empty(len(p), dtype=np.int64)
    dist = np.empty(len(p))
    for i in range(0, len(p), 50_000):
        d2 = ((p[i : i + 50_000, None, :] - c[None, :, :]) ** 2).sum(axis=-1)
        nearest[i : i + 50_000] = d2.argmin(axis=1)
        dist[i : i + 50_000] = np.sqrt(d2.min(axis=1))
    good = dist <= n_std * std
    counts = np.bincount(nearest[good], minlength=len(c)).astype(np.int64)
    return ModeCoverage(
        modes_covered=int((counts >= min_count).sum()),
        n_modes=len(c),
        high_quality=float(good.mean()),
        counts=counts,
        min_count=min_count,
    )
