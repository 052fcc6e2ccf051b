"""Paths between two latent codes -- straight (:func:`lerp`) or along a great circle (:func:`slerp`) --
and how evenly the images change along them (:func:`step_changes`, :func:`smoothness`,
:func:`compare_paths`).

Taught in: notebooks/12_art_and_design.ipynb
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

from aigc_helpers.checks import check_choice, check_int
from aigc_helpers.latent import _inputs
from aigc_helpers.latent.codec import LatentModel, decode_images
from aigc_helpers.latent.strokes import pixel_entropy

Method = Literal["lerp", "slerp"]
METHODS: tuple[str, ...] = ("lerp", "slerp")


def lerp(a, b, t) -> np.ndarray:
    """Linear interpolation (1 - t) a + t b between two latent vectors.

    ``t`` is a number (returns one vector) or a 1-D array (returns one row per t). Values outside
    [0, 1] extrapolate along the line.

    Example:
        >>> lerp([0.0, 2.0], [2.0, 0.0], 0.5).tolist()
        [1.0, 1.0]
        >>> lerp([0.0], [1.0], [0.0, 0.25, 1.0]).ravel().tolist()
        [0.0, 0.25, 1.0]

    Taught in: notebooks/12_art_and_design.ipynb
    """
    a, b = _inputs.pair(a, b)
    ts, scalar = _inputs.times(t)
    out = (1.0 - ts)[:, None] * a + ts[:, None] * b
    return out[0] if scalar else out


def slerp(a, b, t, *, eps: float = 1e-7) -> np.ndarray:
    """Spherical linear interpolation: along the great circle from a to b (Shoemake's formula).

        slerp(a, b, t) = sin((1 - t) Ω) / sin Ω · a + sin(t Ω) / sin Ω · b,   cos Ω = a·b / (|a| |b|)

    For vectors of equal length every point keeps that length -- which is why it is used for Gaussian
    latent spaces, where samples of N(0, I_d) lie near the shell |z| ≈ √d and a straight line between
    two of them cuts through the less typical inside (its midpoint has length about √(d/2)). Nearly
    parallel vectors fall back to :func:`lerp`; exactly opposite ones have no unique great circle and
    raise ValueError.

    Example:
        >>> np.round(slerp([1.0, 0.0], [0.0, 1.0], 0.5), 4).tolist()   # length stays 1
        [0.7071, 0.7071]
        >>> np.round(lerp([1.0, 0.0], [0.0, 1.0], 0.5), 4).tolist()    # length 0.7071
        [0.5, 0.5]

    Taught in: notebooks/12_art_and_design.ipynb
    """
    a, b = _inputs.pair(a, b)
    ts, scalar = _inputs.times(t)
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    if na < eps or nb < eps:
        raise ValueError(
            "slerp needs two non-zero vectors (the angle to the zero vector is undefined). "
            "Fix: use lerp for paths that start or end at the origin."
        )
    cos = float(np.clip(a @ b / (na * nb), -1.0, 1.0))
    omega = float(np.arccos(cos))
    sin = float(np.sin(omega))
    if sin < 1e-6:
        if cos > 0:  # same direction: the great circle is the line itself
            return lerp(a, b, ts[0] if scalar else ts)
        raise ValueError(
            "a and b point in exactly opposite directions: every great circle joins them. "
            "Fix: nudge one of them, or go through a third point."
        )
    wa = np.sin((1.0 - ts) * omega) / sin
    wb = np.sin(ts * omega) / sin
    out = wa[:, None] * a + wb[:, None] * b
    return out[0] if scalar else out


def path(a, b, steps: int = 8, method: Method = "slerp") -> np.ndarray:
    """``steps`` evenly spaced points (t = 0 … 1) from a to b, by ``"lerp"`` or ``"slerp"``.

    Example:
        >>> path([0.0, 1.0], [1.0, 0.0], steps=3, method="lerp").tolist()
        [[0.0, 1.0], [0.5, 0.5], [1.0, 0.0]]

    Taught in: notebooks/12_art_and_design.ipynb
    """
    steps = check_int("steps", steps, minimum=2)
    method = check_choice("method", method, METHODS)
    t = np.linspace(0.0, 1.0, steps)
    return lerp(a, b, t) if method == "lerp" else slerp(a, b, t)


def step_changes(frames) -> np.ndarray:
    """Mean absolute pixel change between consecutive frames of a path: shape (T - 1,), in [0, 1].

    Example:
        >>> step_changes(np.stack([np.zeros((2, 2)), np.full((2, 2), 0.5), np.ones((2, 2))])).tolist()
        [0.5, 0.5]

    Taught in: notebooks/12_art_and_design.ipynb
    """
    x = _inputs.unit_images(frames, "frames")
    if len(x) < 2:
        raise ValueError("A path needs at least two frames.")
    return np.abs(np.diff(x, axis=0)).mean(axis=(1, 2))


def smoothness(frames) -> dict[str, float]:
    """How evenly a path of frames changes: mean and largest step, and their ratio (1 = even).

    A path whose ``max/mean`` is large jumps somewhere: most of the change happens in one step.

    Example:
        >>> smoothness(np.stack([np.zeros((2, 2)), np.zeros((2, 2)), np.ones((2, 2))]))["max/mean"]
        2.0

    Taught in: notebooks/12_art_and_design.ipynb
    """
    s = step_changes(frames)
    mean = float(s.mean())
    return {
        "mean step": mean,
        "max step": float(s.max()),
        "max/mean": float(s.max() / mean) if mean > 0 else float("nan"),
        "total": float(s.sum()),
    }


def compare_paths(
    model: LatentModel,
    starts,
    ends,
    *,
    steps: int = 9,
    methods: Sequence[str] = METHODS,
    labels=None,
):
    """Decode many paths start[i] → end[i] with each method and measure them.

    Returns ``(per_t, summary)``, two DataFrames. ``per_t``: for every method and t, the mean over
    paths of |z| and of the decoded images' :func:`pixel_entropy`. ``summary``: one row per method with
    |z| and entropy at the ends and in the middle of the paths, and the mean of each path's
    :func:`smoothness` ratio max/mean step (1 = even).

    Example:
        >>> per_t, summary = compare_paths(model, z[:50], z[50:100])  # doctest: +SKIP

    Taught in: notebooks/12_art_and_design.ipynb
    """
    import pandas as pd

    steps = check_int("steps", steps, minimum=2)
    methods = [check_choice("method", m, METHODS) for m in methods]
    starts = _inputs.codes(starts, model.latent_dim, "starts").astype(np.float64)
    ends = _inputs.codes(ends, model.latent_dim, "ends").astype(np.float64)
    if starts.shape != ends.shape:
        raise ValueError(f"starts {starts.shape} and ends {ends.shape} must have the same shape.")
    n, d = starts.shape
    ts = np.linspace(0.0, 1.0, steps)
    mid = steps // 2
    per_t, summary = [], []
    for method in methods:
        codes = np.stack([path(a, b, steps, method) for a, b in zip(starts, ends, strict=True)])
        images = decode_images(model, codes.reshape(-1, d), labels)
        frames = images.reshape(n, steps, *images.shape[1:])
        norms = np.linalg.norm(codes, axis=-1)
        blur = pixel_entropy(images).reshape(n, steps)
        even = np.array([smoothness(f)["max/mean"] for f in frames])
        for j, t in enumerate(ts):
            per_t.append(
                {"method": method, "t": t, "|z|": norms[:, j].mean(), "entropy": blur[:, j].mean()}
            )
        summary.append(
            {
                "method": method,
                "|z| at the ends": norms[:, [0, -1]].mean(),
                "|z| in the middle": norms[:, mid].mean(),
                "entropy at the ends": blur[:, [0, -1]].mean(),
                "entropy in the middle": blur[:, mid].mean(),
                "max/mean step": float(np.nanmean(even)),
            }
        )
    return pd.DataFrame(per_t), pd.DataFrame(summary)
