"""What a perfect network would predict: exact denoisers for data whose distribution we know.

For data from a mixture of round Gaussians N(c_k, std² I) with equal weights -- the course's 2-D toy
data (:mod:`aigc_helpers.toy`), or a single Gaussian -- the noisy point x_t = a x0 + b eps has a known
distribution, and so have the answers a diffusion network is trained to give:

- E[x0 | x_t] and E[eps | x_t] (:func:`mixture_denoiser`): within component k, x0 and x_t are jointly
  Gaussian, so E[x0 | x_t, k] = c_k + a std² (x_t - a c_k) / (a² std² + b²) and
  E[eps | x_t, k] = b (x_t - a c_k) / (a² std² + b²); the mixture's answer is the average over
  components, weighted by how likely each one makes x_t (its posterior weight);
- the flow-matching velocity E[eps - x0 | x_t] (:func:`exact_velocity`), a posterior-weighted
  average of the conditional velocities;
- the DDPM noise prediction E[eps | x_t] (:func:`exact_eps`).

Sampling with these fields in place of a network separates the error of the *sampler* (too few steps)
from the error of the *network* (too little training): with the exact field, every remaining error is
the sampler's. Plain NumPy, float64.

Example:
    >>> from aigc_helpers import toy
    >>> v = exact_velocity(np.zeros((1, 2)), 0.5, toy.ring_centers(8), 0.02)
    >>> v.shape
    (1, 2)

Taught in: notebooks/16_diffusion_math.ipynb
"""

from __future__ import annotations

import numpy as np
from scipy.special import softmax

from aigc_helpers.checks import check_number, check_positive_number
from aigc_helpers.diffusion.schedules import SCHEDULES, path_coefficients

__all__ = ["exact_eps", "exact_velocity", "mixture_denoiser"]


def _check(x, centers, std) -> tuple[np.ndarray, np.ndarray, float]:
    c = np.asarray(centers, dtype=np.float64)
    if c.ndim != 2 or len(c) == 0:
        raise ValueError(
            f"centers must have shape (components, dim), got {c.shape}. "
            "Fix: e.g. toy.ring_centers(8), or [[mu]] for one 1-D Gaussian."
        )
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != c.shape[1]:
        raise ValueError(
            f"x must have shape (n, {c.shape[1]}) to match the centers, got {x.shape}. "
            "Fix: pass one row per point."
        )
    return x, c, check_positive_number("std", std)


def mixture_denoiser(
    x_t: np.ndarray, t: float, centers: np.ndarray, std: float, path: str = "flow"
) -> tuple[np.ndarray, np.ndarray]:
    """(E[x0 | x_t], E[eps | x_t]) at time ``t`` of ``path`` for data from the equal-weight mixture of
    N(centre, std² I): float64 arrays of x_t's shape (n, dim).

    Exact at every t in [0, 1], the ends included (at t = 0 the noise is unseen, E[eps | x0] = 0).

    Example:
        >>> x0_hat, eps_hat = mixture_denoiser(np.array([[1.0]]), 0.5, [[0.0]], 1.0)
        >>> float(x0_hat[0, 0]), float(eps_hat[0, 0])  # x_t = (x0 + eps) / 2, both N(0, 1)
        (1.0, 1.0)

    Taught in: notebooks/16_diffusion_math.ipynb
    """
    x, c, std = _check(x_t, centers, std)
    t = check_number("t", t, minimum=0, maximum=1, fix="use a time from 0 (data) to 1 (noise).")
    a, b = (float(v) for v in path_coefficients(t, path))
    var = a * a * std * std + b * b  # variance of x_t within one component, per coordinate
    diff = x[:, None, :] - a * c[None, :, :]  # (n, k, dim)
    weights = softmax(-0.5 * (diff**2).sum(axis=-1) / var, axis=1)[..., None]  # (n, k, 1)
    x0_hat = (weights * (c[None] + (a * std * std / var) * diff)).sum(axis=1)
    eps_hat = (weights * ((b / var) * diff)).sum(axis=1)
    return x0_hat, eps_hat


def exact_velocity(x: np.ndarray, t: float, centers: np.ndarray, std: float) -> np.ndarray:
    """The flow-matching velocity field v(x, t) = E[eps - x0 | x_t = x] on the straight path for data
    from the equal-weight mixture of N(centre, std² I): float64 (n, dim).

    Integrating dx/dt = v from t = 1 (x ~ N(0, I)) down to t = 0 carries the noise to the mixture.

    Example:
        >>> exact_velocity(np.array([[0.5]]), 0.5, [[1.0]], 1.0).round(6).tolist()
        [[-1.0]]

    Taught in: notebooks/16_diffusion_math.ipynb
    """
    x0_hat, eps_hat = mixture_denoiser(x, t, centers, std, "flow")
    return eps_hat - x0_hat


def exact_eps(
    x: np.ndarray, t: float, centers: np.ndarray, std: float, schedule: str = "cosine"
) -> np.ndarray:
    """The ideal DDPM noise prediction E[eps | x_t = x] under ``schedule`` for data from the
    equal-weight mixture of N(centre, std² I): float64 (n, dim).

    Example:
        >>> exact_eps(np.zeros((1, 2)), 0.5, [[0.0, 0.0]], 1.0).tolist()  # x_t at the mean: no clue
        [[0.0, 0.0]]

    Taught in: notebooks/16_diffusion_math.ipynb
    """
    if schedule not in SCHEDULES:
        raise ValueError(
            f"unknown schedule {schedule!r}. Fix: use one of 'cosine', 'linear' "
            "(for the flow path use exact_velocity)."
        )
    return mixture_denoiser(x, t, centers, std, schedule)[1]
