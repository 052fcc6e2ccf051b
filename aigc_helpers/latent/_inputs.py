"""Argument checks shared by the latent-space modules: one latent vector, a batch of codes, path times,
a batch of images.

Taught in: machinery behind every function of :mod:`aigc_helpers.latent`
"""

from __future__ import annotations

import numpy as np

from aigc_helpers import images as _img


def vector(a, name: str) -> np.ndarray:
    """One finite latent vector (D,) as float64, or a ValueError that says to pass a single code."""
    v = np.asarray(a, dtype=np.float64)
    if v.ndim != 1 or v.size == 0:
        raise ValueError(
            f"{name} must be one latent vector of shape (latent_dim,), got shape {v.shape}. "
            "Fix: pass a single code, e.g. z[0], not a batch."
        )
    if not np.all(np.isfinite(v)):
        raise ValueError(f"{name} contains NaN or inf. Fix: check the encoder or the sampler.")
    return v


def pair(a, b) -> tuple[np.ndarray, np.ndarray]:
    """Two latent vectors of the same length."""
    a, b = vector(a, "a"), vector(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a and b differ in length ({a.size} vs {b.size}).")
    return a, b


def times(t) -> tuple[np.ndarray, bool]:
    """Path times as a 1-D float64 array, and whether ``t`` was a single number."""
    arr = np.asarray(t, dtype=np.float64)
    if arr.ndim > 1:
        raise ValueError(f"t must be a number or a 1-D array of numbers, got shape {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        raise ValueError("t contains NaN or inf.")
    return np.atleast_1d(arr), arr.ndim == 0


def codes(z, latent_dim: int | None = None, name: str = "z") -> np.ndarray:
    """Latent codes as float32 (n, latent_dim); one vector becomes a batch of one."""
    arr = np.asarray(z, dtype=np.float32)
    if arr.ndim == 1:
        arr = arr[None]
    if arr.ndim != 2:
        raise ValueError(f"{name} must have shape (n, latent_dim), got {np.shape(z)}.")
    if latent_dim is not None and arr.shape[1] != latent_dim:
        raise ValueError(
            f"{name} has {arr.shape[1]} dimensions but the model's latent space has {latent_dim}."
        )
    return arr


def unit_images(images, name: str = "images") -> np.ndarray:
    """Images as float64 (N, H, W) in [0, 1], by the rule of :func:`aigc_helpers.images.to_unit`;
    a single (H, W) image becomes a batch of one."""
    x = np.asarray(images)
    return _img.to_unit(x[None] if x.ndim == 2 else x, name=name).astype(np.float64)
