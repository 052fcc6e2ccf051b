"""The forward process: how data is turned into noise, step by step, and what a network can predict.

Every path in the course mixes a data point x0 with Gaussian noise eps ~ N(0, I) in closed form,

    x_t = a(t) x0 + b(t) eps,      t in [0, 1],  t = 0: data,  t = 1: noise,

and the three paths differ only in the coefficients a(t), b(t) (:func:`path_coefficients`):

- ``"cosine"`` and ``"linear"`` -- the DDPM forward process (Ho et al., 2020):
  a = sqrt(alpha_bar(t)), b = sqrt(1 - alpha_bar(t)) (:func:`q_sample`), with the cosine schedule of
  Nichol & Dhariwal (2021) or the continuous-time limit of Ho et al.'s linear betas;
- ``"flow"`` -- the straight path of flow matching / rectified flow (Lipman et al., 2022; Liu et al.,
  2022): a = 1 - t, b = t (:func:`flow_path`). Its network learns the velocity dx_t/dt = eps - x0
  (:func:`flow_velocity`).

The course uses one time axis for both families: **t = 0 is the data and t = 1 is the noise** (x1 in
the flow-matching papers is our eps), so every sampler runs from t = 1 down to t = 0.

Because x_t, x0 and eps are tied by one linear equation, a network that predicts one of them predicts
them all; the conversions are :func:`x0_from_eps`, :func:`eps_from_x0`, :func:`score_from_eps`,
:func:`eps_from_score` and, on the flow path, :func:`velocity_from_eps`, :func:`eps_from_velocity`,
:func:`x0_from_velocity`. Tweedie's formula is one of them: E[x0 | x_t] = (x_t + b² score) / a.

Every function takes NumPy arrays (or Python numbers) and returns NumPy, or takes TensorFlow tensors
(inside a ``train_step``) and returns tensors. Importing the module does not load TensorFlow.

Example:
    >>> round(float(alpha_bar(0.5, "cosine")), 4)
    0.4938
    >>> float(flow_path(1.0, 3.0, 0.25)), float(flow_velocity(1.0, 3.0))
    (1.5, 2.0)

Taught in: notebooks/16_diffusion_math.ipynb
"""

from __future__ import annotations

import math
import sys
from typing import Any

import numpy as np

from aigc_helpers.checks import check_choice, check_positive_int

SCHEDULES: tuple[str, ...] = ("cosine", "linear")  # DDPM variance schedules
PATHS: tuple[str, ...] = ("flow", *SCHEDULES)  # every forward path x_t = a(t) x0 + b(t) eps
ALPHA_BAR_MIN = (
    1e-5  # alpha_bar never goes below this, so x0 = (x_t - b eps) / a stays finite at t = 1
)
COSINE_OFFSET = 0.008  # the small offset s of Nichol & Dhariwal's cosine schedule
LINEAR_BETAS = (0.1, 20.0)  # beta(t) from 0.1 to 20: Ho et al.'s 1e-4 .. 0.02 over 1000 steps

__all__ = [
    "ALPHA_BAR_MIN",
    "PATHS",
    "SCHEDULES",
    "alpha_bar",
    "cosine_alpha_bar",
    "discrete_betas",
    "eps_from_score",
    "eps_from_velocity",
    "eps_from_x0",
    "flow_path",
    "flow_velocity",
    "linear_alpha_bar",
    "path_coefficients",
    "q_sample",
    "score_from_eps",
    "velocity_from_eps",
    "x0_from_eps",
    "x0_from_velocity",
]


# --------------------------------------------------------------------------- NumPy or TensorFlow


def _is_tf(*values: Any) -> bool:
    """Whether any value is a TensorFlow tensor (TensorFlow is never imported here to find out)."""
    tf = sys.modules.get("tensorflow")
    return tf is not None and any(tf.is_tensor(v) for v in values)


def _xp(*values: Any):
    """The array module for ``values``: ``tensorflow`` for tensors, ``numpy`` otherwise."""
    return sys.modules["tensorflow"] if _is_tf(*values) else np


def _as_array(value: Any, like: Any = None):
    """``value`` as a float array: a float tensor when ``value`` or ``like`` is one, else float NumPy."""
    if _is_tf(value, like):
        tf = sys.modules["tensorflow"]
        dtype = like.dtype if tf.is_tensor(like) and like.dtype.is_floating else tf.float32
        return tf.cast(value, dtype)
    arr = np.asarray(value)
    return arr if np.issubdtype(arr.dtype, np.floating) else arr.astype(np.float64)


def _per_example(t: Any, x: Any):
    """``t`` shaped to broadcast against ``x``: a scalar stays a scalar; a vector of one time per
    example, shape (n,), becomes (n, 1, ..., 1) with as many axes as ``x``."""
    t = _as_array(t, x)
    rank_t = len(t.shape)
    rank_x = len(x.shape)
    if rank_t == 0 or rank_t == rank_x:
        return t
    if rank_t != 1:
        raise ValueError(
            f"t must be one number or one time per example (shape ({x.shape[0]},)), got shape "
            f"{tuple(t.shape)}. Fix: pass t of shape (n,) for n examples."
        )
    shape = (-1,) + (1,) * (rank_x - 1)
    return sys.modules["tensorflow"].reshape(t, shape) if _is_tf(t) else t.reshape(shape)


# --------------------------------------------------------------------------- the variance schedules


def cosine_alpha_bar(t: Any, s: float = COSINE_OFFSET) -> Any:
    """The cosine schedule of Nichol & Dhariwal (2021): alpha_bar(t) = f(t) / f(0), f(t) = cos²(π/2 ·
    (t + s) / (1 + s)), for t in [0, 1] (not clipped: alpha_bar(1) is 0 up to rounding).

    alpha_bar is the share of the signal's variance left at time t: 1 at t = 0, 0 at t = 1, and it falls
    slowly at both ends, so fewer steps are wasted on almost-clean or almost-pure-noise images than with
    the linear schedule.

    Example:
        >>> [round(float(v), 4) for v in cosine_alpha_bar(np.array([0.0, 0.5, 1.0]))]
        [1.0, 0.4938, 0.0]

    Taught in: machinery behind the diffusion lessons (notebooks 16 to 18)
    """
    xp = _xp(t)
    t = _as_array(t)
    f = xp.cos((t + s) / (1.0 + s) * (math.pi / 2.0)) ** 2
    return f / math.cos(s / (1.0 + s) * (math.pi / 2.0)) ** 2


def linear_alpha_bar(
    t: Any, beta_min: float = LINEAR_BETAS[0], beta_max: float = LINEAR_BETAS[1]
) -> Any:
    """alpha_bar(t) = exp(-(beta_min t + (beta_max - beta_min) t² / 2)): the continuous-time limit of
    Ho et al.'s (2020) betas, which rise linearly from 1e-4 to 0.02 over 1000 steps (beta(t) = 1000 ×
    that beta, from 0.1 to 20).

    Example:
        >>> bool(np.isclose(linear_alpha_bar(1.0), np.exp(-10.05)))
        True

    Taught in: machinery behind the diffusion lessons (notebooks 16 to 18)
    """
    xp = _xp(t)
    t = _as_array(t)
    return xp.exp(-(beta_min * t + 0.5 * (beta_max - beta_min) * t * t))


def alpha_bar(t: Any, schedule: str = "cosine") -> Any:
    """alpha_bar(t) of the DDPM forward process q(x_t | x0) = N(sqrt(alpha_bar) x0, (1 - alpha_bar) I)
    for ``schedule`` ``"cosine"`` or ``"linear"``, clipped to [ALPHA_BAR_MIN, 1] (1e-5), so that a
    little signal is left at t = 1 and dividing by sqrt(alpha_bar) stays finite.

    Example:
        >>> float(alpha_bar(0.0)), float(alpha_bar(1.0))
        (1.0, 1e-05)

    Taught in: notebooks/16_diffusion_math.ipynb
    """
    check_choice("schedule", schedule, SCHEDULES)
    xp = _xp(t)
    value = cosine_alpha_bar(t) if schedule == "cosine" else linear_alpha_bar(t)
    if xp is np:
        return np.clip(value, ALPHA_BAR_MIN, 1.0)
    return xp.clip_by_value(value, ALPHA_BAR_MIN, 1.0)


def discrete_betas(steps: int = 1000, schedule: str = "linear") -> np.ndarray:
    """The betas of a ``steps``-step DDPM, float64 (steps,): step n multiplies the signal's variance by
    1 - beta_n, so alpha_bar after n steps is the product of (1 - beta_i) up to n.

    ``"linear"``: betas evenly from 1e-4 to 0.02 × 1000 / steps (Ho et al., 2020, for 1000 steps), at
    most 0.999 (with fewer than 21 steps the line would pass 1);
    ``"cosine"``: beta_n = 1 - alpha_bar(n/steps) / alpha_bar((n-1)/steps), at most 0.999 (Nichol &
    Dhariwal, 2021). Either way ``np.cumprod(1 - betas)[n - 1]`` is close to ``alpha_bar(n / steps)``.

    Example:
        >>> b = discrete_betas(1000)
        >>> float(b[0]), float(b[-1])
        (0.0001, 0.02)

    Taught in: notebooks/16_diffusion_math.ipynb
    """
    steps = check_positive_int("steps", steps, fix="use e.g. steps=1000.")
    check_choice("schedule", schedule, SCHEDULES)
    if schedule == "linear":
        scale = 1000.0 / steps
        betas = np.linspace(LINEAR_BETAS[0] / 1000 * scale, LINEAR_BETAS[1] / 1000 * scale, steps)
        return np.minimum(betas, 0.999)  # fewer than 21 steps would reach beta >= 1: no signal left
    ab = cosine_alpha_bar(np.arange(steps + 1, dtype=np.float64) / steps)
    return np.minimum(1.0 - ab[1:] / ab[:-1], 0.999)


# --------------------------------------------------------------------------- the paths


def path_coefficients(t: Any, path: str = "cosine") -> tuple[Any, Any]:
    """(a, b) of x_t = a x0 + b eps at time ``t`` on ``path``: ``"flow"`` gives (1 - t, t); a DDPM
    schedule (``"cosine"``, ``"linear"``) gives (sqrt(alpha_bar), sqrt(1 - alpha_bar)).

    Example:
        >>> [float(c) for c in path_coefficients(0.25, "flow")]
        [0.75, 0.25]
        >>> a, b = path_coefficients(0.5, "cosine"); round(float(a**2 + b**2), 12)
        1.0

    Taught in: notebooks/16_diffusion_math.ipynb
    """
    check_choice("path", path, PATHS)
    t = _as_array(t)
    if path == "flow":
        return 1.0 - t, t
    ab = alpha_bar(t, path)
    xp = _xp(ab)
    return xp.sqrt(ab), xp.sqrt(1.0 - ab)


def q_sample(x0: Any, t: Any, eps: Any, schedule: str = "cosine") -> Any:
    """A draw from q(x_t | x0) in closed form: sqrt(alpha_bar(t)) x0 + sqrt(1 - alpha_bar(t)) eps.

    ``t`` is one number or one time per example (shape (n,) for x0 of shape (n, ...)); ``eps`` is
    standard normal noise of x0's shape. No step-by-step simulation is needed: that is what makes
    diffusion training cheap (one random t per image per step).

    Example:
        >>> float(q_sample(2.0, 0.0, 5.0)), round(float(q_sample(2.0, 1.0, 5.0)), 2)
        (2.0, 5.01)

    Taught in: notebooks/16_diffusion_math.ipynb, notebooks/17_diffusion_mnist.ipynb
    """
    x0 = _as_array(x0, eps)
    a, b = path_coefficients(_per_example(t, x0), schedule)
    return a * x0 + b * _as_array(eps, x0)


def flow_path(x0: Any, x1: Any, t: Any) -> Any:
    """The straight path of flow matching: x_t = (1 - t) x0 + t x1, from the data x0 (t = 0) to the
    noise x1 ~ N(0, I) (t = 1). ``t``: one number or one time per example.

    Example:
        >>> flow_path(np.zeros(2), np.ones(2), 0.25).tolist()
        [0.25, 0.25]

    Taught in: notebooks/16_diffusion_math.ipynb, notebooks/17_diffusion_mnist.ipynb
    """
    x0 = _as_array(x0, x1)
    t = _per_example(t, x0)
    return (1.0 - t) * x0 + t * _as_array(x1, x0)


def flow_velocity(x0: Any, x1: Any) -> Any:
    """The conditional velocity of the straight path, d x_t / dt = x1 - x0: the target a flow-matching
    network learns (it then predicts the average of x1 - x0 over all pairs that pass through x_t).

    Example:
        >>> flow_velocity(np.array([1.0, 2.0]), np.array([0.0, 0.0])).tolist()
        [-1.0, -2.0]

    Taught in: notebooks/16_diffusion_math.ipynb
    """
    return _as_array(x1, x0) - _as_array(x0, x1)


# --------------------------------------------------------------------------- what a network predicts


def x0_from_eps(x_t: Any, eps: Any, t: Any, path: str = "cosine") -> Any:
    """The clean data implied by a noise prediction: x0 = (x_t - b eps) / a (``path``'s a, b at ``t``).

    With the ideal prediction E[eps | x_t] this is the denoiser E[x0 | x_t].

    Example:
        >>> float(x0_from_eps(q_sample(0.7, 0.3, 0.2), 0.2, 0.3))
        0.7

    Taught in: machinery behind the diffusion lessons (notebooks 16 to 18)
    """
    x_t = _as_array(x_t, eps)
    a, b = path_coefficients(_per_example(t, x_t), path)
    return (x_t - b * _as_array(eps, x_t)) / a


def eps_from_x0(x_t: Any, x0: Any, t: Any, path: str = "cosine") -> Any:
    """The noise implied by a clean-data prediction: eps = (x_t - a x0) / b (``path``'s a, b at ``t``).

    Example:
        >>> round(float(eps_from_x0(q_sample(0.7, 0.3, 0.2), 0.7, 0.3)), 12)
        0.2

    Taught in: machinery behind the diffusion lessons (notebooks 16 to 18)
    """
    x_t = _as_array(x_t, x0)
    a, b = path_coefficients(_per_example(t, x_t), path)
    return (x_t - a * _as_array(x0, x_t)) / b


def score_from_eps(eps: Any, t: Any, path: str = "cosine") -> Any:
    """The score grad log p_t(x_t) from the ideal noise prediction: -E[eps | x_t] / b.

    Predicting the noise is estimating the score up to the factor -1/b (Vincent, 2011; Song & Ermon,
    2019): the noise points away from the data, the score towards it.

    Example:
        >>> float(score_from_eps(0.5, 0.25, "flow"))
        -2.0

    Taught in: machinery behind the diffusion lessons (notebooks 16 to 18)
    """
    eps = _as_array(eps)
    _, b = path_coefficients(_per_example(t, eps), path)
    return -eps / b


def eps_from_score(score: Any, t: Any, path: str = "cosine") -> Any:
    """The ideal noise prediction from the score: E[eps | x_t] = -b · score.

    Example:
        >>> float(eps_from_score(-2.0, 0.25, "flow"))
        0.5

    Taught in: notebooks/16_diffusion_math.ipynb
    """
    score = _as_array(score)
    _, b = path_coefficients(_per_example(t, score), path)
    return -b * score


def velocity_from_eps(x_t: Any, eps: Any, t: Any) -> Any:
    """On the flow path, the velocity implied by a noise prediction: v = eps - x0 = (eps - x_t) / (1 - t).

    Example:
        >>> x0, x1 = np.array([1.25]), np.array([-0.25])
        >>> velocity_from_eps(flow_path(x0, x1, 0.5), x1, 0.5).tolist()  # = x1 - x0
        [-1.5]

    Taught in: machinery behind the diffusion lessons (notebooks 16 to 18)
    """
    x_t = _as_array(x_t, eps)
    t = _per_example(t, x_t)
    return (_as_array(eps, x_t) - x_t) / (1.0 - t)


def eps_from_velocity(x_t: Any, v: Any, t: Any) -> Any:
    """On the flow path, the noise implied by a velocity prediction: eps = x_t + (1 - t) v.

    Example:
        >>> eps_from_velocity(np.array([0.5]), np.array([-1.5]), 0.5).tolist()
        [-0.25]

    Taught in: notebooks/16_diffusion_math.ipynb
    """
    x_t = _as_array(x_t, v)
    t = _per_example(t, x_t)
    return x_t + (1.0 - t) * _as_array(v, x_t)


def x0_from_velocity(x_t: Any, v: Any, t: Any) -> Any:
    """On the flow path, the clean data implied by a velocity prediction: x0 = x_t - t v (one Euler step
    of the remaining time t straight to the data).

    Example:
        >>> x0_from_velocity(np.array([0.5]), np.array([-1.5]), 0.5).tolist()
        [1.25]

    Taught in: notebooks/16_diffusion_math.ipynb
    """
    x_t = _as_array(x_t, v)
    t = _per_example(t, x_t)
    return x_t - t * _as_array(v, x_t)
