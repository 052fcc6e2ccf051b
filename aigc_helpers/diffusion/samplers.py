"""Turning noise into data: ODE integrators for a learned field, DDIM, and classifier-free guidance.

A trained diffusion or flow model gives, at every time t, a direction in which to move a noisy point.
Sampling starts from pure noise at t = 1 and follows that direction down to t = 0 in ``steps`` steps on
the uniform grid t = 1, 1 - 1/steps, ..., 0 (:func:`time_grid`):

- :func:`euler` -- x <- x - h v(x, t): one network evaluation per step;
- :func:`heun` -- Euler, then a correction with the velocity at the step's end (the trapezoid rule):
  second-order accurate, two evaluations per step except the last, which is a plain Euler step as in
  Karras et al. (2022) -- it lands on the denoised estimate x - t v, the best guess of the data;
- :func:`ddim` -- the deterministic DDIM update of Song, Meng & Ermon (2020) for a noise-prediction
  network: estimate x0, then re-noise it to the next, lower noise level with the same predicted noise.
  DDIM is the Euler method of the probability-flow ODE written in the variables x / a and b / a.

:func:`nfe` says how many network evaluations each costs, the honest measure of sampling speed.
:func:`classifier_free_guidance` combines a conditional and an unconditional prediction.

The functions take a field ``fn(x, t)`` -- a network, or an exact field from :mod:`.exact` -- and a
starting point x (NumPy, or TensorFlow tensors: only arithmetic is used).

Example:
    >>> x = euler(lambda x, t: -x, np.array([1.0]), steps=4)  # dx/dt = -x, from t = 1 to t = 0
    >>> round(float(x[0]), 4), round(float(np.e), 4)  # Euler's estimate of e = exp(1)
    (2.4414, 2.7183)

Taught in: notebooks/16_diffusion_math.ipynb, notebooks/17_diffusion_mnist.ipynb, notebooks/18_latent_diffusion.ipynb
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from aigc_helpers.checks import check_choice, check_number, check_positive_int
from aigc_helpers.diffusion.schedules import SCHEDULES, path_coefficients

SAMPLERS: tuple[str, ...] = ("euler", "heun", "ddim")

Field = Callable[
    [Any, float], Any
]  # fn(x, t) -> a velocity (euler, heun) or a noise prediction (ddim)

__all__ = [
    "SAMPLERS",
    "classifier_free_guidance",
    "ddim",
    "euler",
    "heun",
    "nfe",
    "time_grid",
]


def _steps(steps: int) -> int:
    return check_positive_int("steps", steps, fix="use steps=20 or so (1 is a single jump).")


def time_grid(steps: int, t_start: float = 1.0, t_end: float = 0.0) -> np.ndarray:
    """The ``steps + 1`` times a sampler visits, evenly spaced from ``t_start`` down to ``t_end``.

    Example:
        >>> time_grid(4).tolist()
        [1.0, 0.75, 0.5, 0.25, 0.0]

    Taught in: notebooks/16_diffusion_math.ipynb
    """
    steps = _steps(steps)
    t_start = check_number("t_start", t_start, minimum=0, maximum=1, fix="use 1.0 (pure noise).")
    t_end = check_number("t_end", t_end, minimum=0, maximum=1, fix="use 0.0 (the data).")
    if not t_end < t_start:
        raise ValueError(
            f"t_end ({t_end}) must be below t_start ({t_start}): samplers run from noise (t = 1) "
            "to data (t = 0). Fix: e.g. t_start=1.0, t_end=0.0."
        )
    return np.linspace(t_start, t_end, steps + 1)


def _finish(states: list, return_trajectory: bool):
    return np.stack([np.asarray(s) for s in states]) if return_trajectory else states[-1]


def euler(
    velocity: Field,
    x: Any,
    steps: int,
    *,
    t_start: float = 1.0,
    t_end: float = 0.0,
    return_trajectory: bool = False,
) -> Any:
    """Integrate dx/dt = velocity(x, t) from ``t_start`` down to ``t_end`` with ``steps`` Euler steps:
    x <- x + (t_next - t) velocity(x, t). Costs ``steps`` evaluations.

    With ``return_trajectory`` returns every state, shape (steps + 1, *x.shape) (NumPy), else the end.

    Example:
        >>> euler(lambda x, t: np.ones_like(x), np.zeros(1), steps=3).tolist()  # moves by -1 in t
        [-1.0]

    Taught in: notebooks/16_diffusion_math.ipynb, notebooks/17_diffusion_mnist.ipynb, notebooks/18_latent_diffusion.ipynb
    """
    times = time_grid(steps, t_start, t_end)
    states = [x]
    for t, t_next in zip(times[:-1].tolist(), times[1:].tolist(), strict=True):
        x = x + (t_next - t) * velocity(x, t)
        states.append(x)
    return _finish(states, return_trajectory)


def heun(
    velocity: Field,
    x: Any,
    steps: int,
    *,
    t_start: float = 1.0,
    t_end: float = 0.0,
    return_trajectory: bool = False,
) -> Any:
    """Heun's method (the trapezoid rule) for dx/dt = velocity(x, t) from ``t_start`` to ``t_end``:
    an Euler step to x', then x <- x + h (v(x, t) + v(x', t_next)) / 2.

    Second-order: halving the step size divides its error by about 4 (Euler's: by 2). When the grid ends
    at t = 0 the last step is a plain Euler step (Karras et al., 2022), so it costs 2 · steps - 1
    evaluations (:func:`nfe`); ending elsewhere, 2 · steps.

    Example:
        >>> def f(x, t): return -x  # dx/dt = -x: from t = 1 to 0.25, x grows by exp(0.75)
        >>> h = heun(f, np.array([1.0]), steps=4, t_end=0.25)
        >>> e = euler(f, np.array([1.0]), steps=4, t_end=0.25)
        >>> round(float(h[0]), 4), round(float(e[0]), 4), round(float(np.exp(0.75)), 4)
        (2.1089, 1.9885, 2.117)

    Taught in: notebooks/16_diffusion_math.ipynb, notebooks/17_diffusion_mnist.ipynb, notebooks/18_latent_diffusion.ipynb
    """
    times = time_grid(steps, t_start, t_end)
    states = [x]
    for t, t_next in zip(times[:-1].tolist(), times[1:].tolist(), strict=True):
        h = t_next - t  # negative: time runs from noise to data
        v = velocity(x, t)
        x_euler = x + h * v
        if t_next > 0:
            x = x + h * 0.5 * (v + velocity(x_euler, t_next))
        else:
            x = x_euler
        states.append(x)
    return _finish(states, return_trajectory)


def ddim(
    eps_fn: Field,
    x: Any,
    steps: int,
    *,
    schedule: str = "cosine",
    clip_x0: float | None = None,
    t_start: float = 1.0,
    t_end: float = 0.0,
    return_trajectory: bool = False,
) -> Any:
    """Deterministic DDIM sampling (eta = 0) for a noise-prediction network ``eps_fn(x, t)``:

        x0_hat = (x - b_t eps_hat) / a_t,    x <- a_next x0_hat + b_next eps_hat,

    with (a, b) = (sqrt(alpha_bar), sqrt(1 - alpha_bar)) of ``schedule``. Costs ``steps`` evaluations.
    ``clip_x0``: clip x0_hat to [-clip_x0, clip_x0] (1.0 for images scaled to [-1, 1]) and use the noise
    consistent with the clipped estimate -- it keeps the first, noisiest steps from overshooting.

    Example:
        >>> x = ddim(lambda x, t: np.zeros_like(x), np.array([0.5]), steps=5)  # "there is no noise"
        >>> round(float(x[0]), 1)  # so x0 = x / a_1: the whole signal is scaled up
        158.1

    Taught in: notebooks/16_diffusion_math.ipynb, notebooks/17_diffusion_mnist.ipynb
    """
    check_choice("schedule", schedule, SCHEDULES, fix="use 'cosine' or 'linear' (DDPM schedules).")
    if clip_x0 is not None:
        clip_x0 = check_number("clip_x0", clip_x0, minimum=0, strict=True, fix="use 1.0 or None.")
    times = time_grid(steps, t_start, t_end)
    states = [x]
    for t, t_next in zip(times[:-1].tolist(), times[1:].tolist(), strict=True):
        a, b = (float(c) for c in path_coefficients(t, schedule))
        a_next, b_next = (float(c) for c in path_coefficients(t_next, schedule))
        eps = eps_fn(x, t)
        x0 = (x - b * eps) / a
        if clip_x0 is not None:
            x0 = _clip(x0, clip_x0)
            eps = (x - a * x0) / b
        x = a_next * x0 + b_next * eps
        states.append(x)
    return _finish(states, return_trajectory)


def _clip(x: Any, bound: float) -> Any:
    if isinstance(x, np.ndarray | float | int):
        return np.clip(x, -bound, bound)
    import tensorflow as tf

    return tf.clip_by_value(x, -bound, bound)


def nfe(sampler: str, steps: int) -> int:
    """Network evaluations (NFE) that ``sampler`` spends in ``steps`` steps ending at t = 0: Euler and
    DDIM one per step, Heun two per step except the last (2 · steps - 1). Classifier-free guidance
    with a scale other than 0 or 1 evaluates the network on a doubled batch at each of them.

    Example:
        >>> nfe("euler", 20), nfe("heun", 20), nfe("ddim", 20)
        (20, 39, 20)

    Taught in: notebooks/16_diffusion_math.ipynb, notebooks/17_diffusion_mnist.ipynb, notebooks/18_latent_diffusion.ipynb
    """
    check_choice("sampler", sampler, SAMPLERS)
    steps = _steps(steps)
    return 2 * steps - 1 if sampler == "heun" else steps


def classifier_free_guidance(uncond: Any, cond: Any, scale: float) -> Any:
    """Classifier-free guidance (Ho & Salimans, 2022): guided = uncond + scale · (cond - uncond).

    ``uncond`` and ``cond`` are one network's predictions (noise or velocity) without the label (the
    "null" label) and with it. ``scale`` = 0 gives the unconditional prediction, 1 the conditional one,
    and values above 1 extrapolate past the conditional prediction, away from the unconditional one:
    samples look more like their class and less varied.

    Example:
        >>> classifier_free_guidance(np.array([1.0]), np.array([3.0]), 2.0).tolist()
        [5.0]

    Taught in: notebooks/16_diffusion_math.ipynb, notebooks/17_diffusion_mnist.ipynb, notebooks/18_latent_diffusion.ipynb
    """
    scale = check_number("scale", scale, fix="use 1.0 (the conditional model) or e.g. 2.0.")
    return uncond + scale * (cond - uncond)
