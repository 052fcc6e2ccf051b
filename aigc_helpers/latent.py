"""Exploring a generative model's latent space: paths, arithmetic, variations and directions.

A trained VAE decoder (or GAN generator) turns every point z of its latent space into an image, so
design tools built on it are tools for *moving through z*: interpolate between two drawings, add an
"attribute vector" that makes strokes slanted or bold, scatter variations around a favourite sample,
slide along the main axes of variation. This module does each of those, and -- because the course
measures instead of claiming -- also the measurements that check them: the pixel change per step of a
path, the slant and stroke width of a digit, the per-pixel entropy (blur) of a decoded image.

Any model with ``latent_dim`` and ``decode(z, labels=None)`` works: :class:`aigc_helpers.vae.VAE`,
:class:`aigc_helpers.vae.ConditionalVAE`, :class:`aigc_helpers.gan.GAN`. Functions that need an
encoder (:func:`principal_directions`, :func:`transfer_style`) need a VAE.

Example:
    >>> from aigc_helpers import latent, vae  # doctest: +SKIP
    >>> model = vae.load_pretrained("vae")  # doctest: +SKIP
    >>> z, _ = model.encode(x_test[:2, ..., None] / 255.0)  # doctest: +SKIP
    >>> codes = latent.path(z[0], z[1], steps=9, method="slerp")  # doctest: +SKIP
    >>> frames = latent.decode_images(model, codes)  # doctest: +SKIP
    >>> latent.smoothness(frames)["max/mean"]  # 1.0 = even steps  # doctest: +SKIP

Taught in: notebooks/12_art_and_design.ipynb
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import numpy as np

Method = Literal["lerp", "slerp"]
METHODS: tuple[str, ...] = ("lerp", "slerp")


class LatentModel(Protocol):
    """What this module needs from a generative model: a latent size and a decoder."""

    latent_dim: int

    def decode(self, z, labels=None) -> np.ndarray: ...


# --------------------------------------------------------------------------- input checks


def _vector(a, name: str) -> np.ndarray:
    v = np.asarray(a, dtype=np.float64)
    if v.ndim != 1 or v.size == 0:
        raise ValueError(
            f"{name} must be one latent vector of shape (latent_dim,), got shape {v.shape}. "
            "Fix: pass a single code, e.g. z[0], not a batch."
        )
    if not np.all(np.isfinite(v)):
        raise ValueError(f"{name} contains NaN or inf. Fix: check the encoder or the sampler.")
    return v


def _pair(a, b) -> tuple[np.ndarray, np.ndarray]:
    a, b = _vector(a, "a"), _vector(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a and b differ in length ({a.size} vs {b.size}).")
    return a, b


def _times(t) -> tuple[np.ndarray, bool]:
    arr = np.asarray(t, dtype=np.float64)
    if arr.ndim > 1:
        raise ValueError(f"t must be a number or a 1-D array of numbers, got shape {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        raise ValueError("t contains NaN or inf.")
    return np.atleast_1d(arr), arr.ndim == 0


def _codes(z, latent_dim: int | None = None, name: str = "z") -> np.ndarray:
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


def _images(images, name: str = "images") -> np.ndarray:
    """(N, H, W) float64 in [0, 1] from (N, H, W), (N, H, W, 1), uint8 or [0, 1] floats."""
    x = np.asarray(images)
    if x.ndim == 4 and x.shape[-1] == 1:
        x = x[..., 0]
    if x.ndim == 2:
        x = x[None]
    if x.ndim != 3:
        raise ValueError(
            f"{name} must have shape (N, H, W) or (N, H, W, 1), got {np.shape(images)}."
        )
    if np.issubdtype(x.dtype, np.integer):
        return x.astype(np.float64) / 255.0
    x = x.astype(np.float64)
    if x.size and (x.min() < -1e-6 or x.max() > 1 + 1e-6):
        raise ValueError(
            f"float {name} must lie in [0, 1], got [{x.min():.3g}, {x.max():.3g}]. "
            "Fix: use latent.decode_images(model, z), which maps GAN outputs from [-1, 1] to [0, 1]."
        )
    return x


# --------------------------------------------------------------------------- paths


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
    a, b = _pair(a, b)
    ts, scalar = _times(t)
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
    a, b = _pair(a, b)
    ts, scalar = _times(t)
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
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 2:
        raise ValueError(f"steps must be an integer >= 2, got {steps!r}.")
    if method not in METHODS:
        raise ValueError(f"Unknown method {method!r}; choose from {', '.join(METHODS)}.")
    t = np.linspace(0.0, 1.0, int(steps))
    return lerp(a, b, t) if method == "lerp" else slerp(a, b, t)


# --------------------------------------------------------------------------- decoding


def is_gan(model: Any) -> bool:
    """True for a GAN (a model with a generator and a discriminator), whose images lie in [-1, 1]."""
    return hasattr(model, "generator") and hasattr(model, "discriminator")


def decode_images(model: LatentModel, z, labels=None, *, batch_size: int = 500) -> np.ndarray:
    """Decode latent codes into grey images (N, H, W), float32 in [0, 1], for VAEs and GANs alike.

    A VAE gives its decoder's Bernoulli means; a GAN's [-1, 1] output is mapped to [0, 1]. ``labels``
    (one int, or one per code) are for conditional models.

    Example:
        >>> imgs = decode_images(vae_model, np.zeros((4, vae_model.latent_dim)))  # doctest: +SKIP
        >>> imgs.shape  # doctest: +SKIP
        (4, 28, 28)

    Taught in: notebooks/12_art_and_design.ipynb
    """
    z = _codes(z, getattr(model, "latent_dim", None))
    if labels is not None:
        labels = np.broadcast_to(np.asarray(labels, dtype=np.int32), (len(z),))
    out = []
    for i in range(0, len(z), batch_size):
        lab = None if labels is None else labels[i : i + batch_size]
        x = np.asarray(model.decode(z[i : i + batch_size], lab), dtype=np.float32)
        if x.ndim == 4 and x.shape[-1] == 1:
            x = x[..., 0]
        out.append((x + 1.0) / 2.0 if is_gan(model) else x)
    return np.clip(np.concatenate(out), 0.0, 1.0)


# --------------------------------------------------------------------------- measurements


def step_changes(frames) -> np.ndarray:
    """Mean absolute pixel change between consecutive frames of a path: shape (T - 1,), in [0, 1].

    Example:
        >>> step_changes(np.stack([np.zeros((2, 2)), np.full((2, 2), 0.5), np.ones((2, 2))])).tolist()
        [0.5, 0.5]

    Taught in: notebooks/12_art_and_design.ipynb
    """
    x = _images(frames, "frames")
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

    starts = _codes(starts, getattr(model, "latent_dim", None), "starts").astype(np.float64)
    ends = _codes(ends, getattr(model, "latent_dim", None), "ends").astype(np.float64)
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


def slant(images) -> np.ndarray:
    """Slant of each digit in degrees from upright, from its intensity moments (positive = leaning right).

    The shear cov(x, y) / var(y) of the ink: how far the strokes move right per pixel upwards.

    Example:
        >>> img = np.zeros((9, 9)); img[np.arange(9), np.arange(9)[::-1]] = 1   # "/" diagonal
        >>> round(float(slant(img)[0]), 1)
        45.0

    Taught in: notebooks/12_art_and_design.ipynb
    """
    x = _images(images)
    h, w = x.shape[1:]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    yy = (h - 1) - yy  # y grows upwards
    mass = x.sum(axis=(1, 2))
    mass = np.where(mass > 0, mass, np.nan)
    cx = (x * xx).sum(axis=(1, 2)) / mass
    cy = (x * yy).sum(axis=(1, 2)) / mass
    dx = xx[None] - cx[:, None, None]
    dy = yy[None] - cy[:, None, None]
    cov = (x * dx * dy).sum(axis=(1, 2)) / mass
    var_y = (x * dy * dy).sum(axis=(1, 2)) / mass
    return np.degrees(np.arctan(cov / var_y))


def stroke_width(images, threshold: float = 0.5) -> np.ndarray:
    """Mean stroke width of each digit in pixels: 2 × inked area / perimeter of the inked region.

    A stroke of width w and length L has area ≈ w·L and perimeter ≈ 2·L, so the ratio is ≈ w. The
    perimeter is estimated with the Crofton formula -- ink/background transitions counted along rows,
    columns and both diagonals, (π/8)·(N₀ + N₉₀ + (N₄₅ + N₁₃₅)/√2) -- so that slanted strokes are not
    measured thinner than upright ones (counting pixel edges would: a staircase edge is longer than the
    line it draws).

    Example:
        >>> img = np.zeros((40, 40)); img[5:35, 10:13] = 1   # a bar 3 pixels wide, 30 long
        >>> round(float(stroke_width(img)[0]), 2)
        2.93

    Taught in: notebooks/12_art_and_design.ipynb
    """
    b = np.pad((_images(images) > threshold).astype(np.int8), ((0, 0), (1, 1), (1, 1)))
    area = b.sum(axis=(1, 2))
    n0 = np.abs(np.diff(b, axis=2)).sum(axis=(1, 2))
    n90 = np.abs(np.diff(b, axis=1)).sum(axis=(1, 2))
    n45 = np.abs(b[:, 1:, 1:] - b[:, :-1, :-1]).sum(axis=(1, 2))
    n135 = np.abs(b[:, 1:, :-1] - b[:, :-1, 1:]).sum(axis=(1, 2))
    perimeter = (np.pi / 8) * (n0 + n90 + (n45 + n135) / np.sqrt(2))
    return np.where(perimeter > 0, 2.0 * area / np.where(perimeter > 0, perimeter, 1.0), np.nan)


def pixel_entropy(images) -> np.ndarray:
    """Mean binary entropy per pixel (bits) of decoded Bernoulli means: 0 = crisp black/white, 1 = all grey.

    A blur meter for VAE outputs: a decoder that is unsure where a stroke goes paints it grey.

    Example:
        >>> pixel_entropy(np.full((1, 2, 2), 0.5)).tolist()
        [1.0]

    Taught in: notebooks/12_art_and_design.ipynb
    """
    p = np.clip(_images(images), 1e-7, 1 - 1e-7)
    h = -(p * np.log2(p) + (1 - p) * np.log2(1 - p))
    return h.mean(axis=(1, 2))


def measure(images):
    """Slant (degrees), stroke width (pixels), ink (mean intensity) and pixel entropy, one row per image.

    Example:
        >>> measure(np.zeros((2, 28, 28))).columns.tolist()  # doctest: +SKIP
        ['slant', 'width', 'ink', 'entropy']

    Taught in: notebooks/12_art_and_design.ipynb
    """
    import pandas as pd

    x = _images(images)
    return pd.DataFrame(
        {
            "slant": slant(x),
            "width": stroke_width(x),
            "ink": x.mean(axis=(1, 2)),
            "entropy": pixel_entropy(x),
        }
    )


# --------------------------------------------------------------------------- arithmetic


def attribute_vector(z, positive, negative) -> np.ndarray:
    """mean(z[positive]) − mean(z[negative]): the latent direction from one group of images to another.

    ``positive`` and ``negative`` are boolean masks (or index arrays) over the rows of ``z``, e.g.
    "slanted" and "upright" digits picked by measuring them.

    Example:
        >>> z = np.array([[1.0, 0.0], [3.0, 0.0], [0.0, 1.0]])
        >>> attribute_vector(z, [True, True, False], [False, False, True]).tolist()
        [2.0, -1.0]

    Taught in: notebooks/12_art_and_design.ipynb
    """
    z = _codes(z).astype(np.float64)
    groups = []
    for name, sel in (("positive", positive), ("negative", negative)):
        sel = np.asarray(sel)
        if sel.dtype == bool:
            if sel.shape != (len(z),):
                raise ValueError(
                    f"{name} must be a mask of length {len(z)}, got shape {sel.shape}."
                )
            sel = np.flatnonzero(sel)
        if sel.size == 0:
            raise ValueError(f"The {name} group is empty. Fix: loosen the threshold that picks it.")
        groups.append(z[sel].mean(axis=0))
    return groups[0] - groups[1]


def traverse(model: LatentModel, z0, direction, alphas: Sequence[float], labels=None) -> np.ndarray:
    """Images decoded at z0 + α · direction for each α: shape (len(alphas), H, W).

    Example:
        >>> frames = traverse(model, z[0], v, [-1, 0, 1])  # doctest: +SKIP

    Taught in: notebooks/12_art_and_design.ipynb
    """
    z0, v = _pair(z0, direction)
    alphas = np.asarray(alphas, dtype=np.float64).ravel()
    return decode_images(model, z0[None] + alphas[:, None] * v[None], labels)


def dose_response(
    model: LatentModel,
    z,
    direction,
    alphas: Sequence[float],
    measure_fn: Callable[[np.ndarray], np.ndarray],
    labels=None,
):
    """How much a measured attribute changes when ``α · direction`` is added to every code in ``z``.

    For each α: the mean and standard deviation, over the codes, of measure(decode(z + α v)) minus
    measure(decode(z)). A direction that controls the attribute gives a change that grows with α; a
    random direction gives changes near zero. Returns a DataFrame (alpha, mean change, sd change).

    Example:
        >>> dose_response(model, z[:300], v_slant, [-1, 0, 1], latent.slant)  # doctest: +SKIP

    Taught in: notebooks/12_art_and_design.ipynb
    """
    import pandas as pd

    z = _codes(z, getattr(model, "latent_dim", None)).astype(np.float64)
    v = _vector(direction, "direction")
    if v.size != z.shape[1]:
        raise ValueError(f"direction has {v.size} dimensions, the codes {z.shape[1]}.")
    base = np.asarray(measure_fn(decode_images(model, z, labels)), dtype=np.float64)
    rows = []
    for a in np.asarray(alphas, dtype=np.float64).ravel():
        m = np.asarray(measure_fn(decode_images(model, z + a * v, labels)), dtype=np.float64)
        d = m - base
        rows.append({"alpha": float(a), "mean change": np.nanmean(d), "sd change": np.nanstd(d)})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- variations


def variation_codes(z, n: int = 16, scale: float = 0.5, seed: int | None = 0) -> np.ndarray:
    """``n`` codes scattered around ``z``: z + scale · ε, ε ~ N(0, I); the same codes for the same seed.

    Example:
        >>> variation_codes(np.zeros(3), n=2, scale=0.0).tolist()
        [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]

    Taught in: notebooks/12_art_and_design.ipynb
    """
    z = _vector(z, "z")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}.")
    if not np.isfinite(scale) or scale < 0:
        raise ValueError(f"scale must be a number >= 0, got {scale!r}.")
    eps = np.random.default_rng(seed).standard_normal((int(n), z.size))
    return (z[None] + float(scale) * eps).astype(np.float32)


def variations(
    model: LatentModel,
    z,
    n: int = 16,
    scale: float = 0.5,
    seed: int | None = 0,
    labels=None,
) -> np.ndarray:
    """``n`` decoded variations of the design at ``z`` (see :func:`variation_codes`): (n, H, W) in [0, 1].

    ``scale`` is in prior standard deviations: 0 repeats the design, 1 is as spread as the prior itself.

    Example:
        >>> grid = variations(model, z[0], n=16, scale=0.5, seed=1)  # doctest: +SKIP

    Taught in: notebooks/12_art_and_design.ipynb
    """
    return decode_images(model, variation_codes(z, n, scale, seed), labels)


# --------------------------------------------------------------------------- directions


@dataclass(frozen=True)
class Directions:
    """Principal directions of a cloud of latent codes.

    Attributes:
        mean: the centre of the codes, shape (D,).
        vectors: k orthonormal directions, one per row, shape (k, D), in order of decreasing variance.
        scales: standard deviation of the codes along each direction, shape (k,).
        explained: fraction of the codes' total variance along each direction, shape (k,).
    """

    mean: np.ndarray
    vectors: np.ndarray
    scales: np.ndarray
    explained: np.ndarray

    @property
    def k(self) -> int:
        return len(self.vectors)

    def point(self, coords: Sequence[float], center=None) -> np.ndarray:
        """The code at ``center`` (default: the mean) + Σ coords[i] · scales[i] · vectors[i]."""
        c = np.asarray(coords, dtype=np.float64).ravel()
        if c.size != self.k:
            raise ValueError(f"Expected {self.k} coordinates, got {c.size}.")
        base = self.mean if center is None else _vector(center, "center")
        return base + (c * self.scales) @ self.vectors


def pca_directions(codes, k: int = 4) -> Directions:
    """Principal component analysis of latent codes (rows): the k directions of largest variance.

    Each direction's sign is fixed so that its largest-magnitude entry is positive, so results do not
    flip between runs.

    Example:
        >>> d = pca_directions(np.array([[0.0, 0.0], [2.0, 0.0], [0.0, 0.5], [2.0, 0.5]]), k=1)
        >>> d.vectors.round(3).tolist(), d.explained.round(3).tolist()
        ([[1.0, 0.0]], [0.941])

    Taught in: notebooks/12_art_and_design.ipynb
    """
    z = _codes(codes, name="codes").astype(np.float64)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= z.shape[1]:
        raise ValueError(f"k must be an integer in 1..{z.shape[1]}, got {k!r}.")
    if len(z) < 2:
        raise ValueError("Need at least two codes to find directions of variation.")
    mean = z.mean(axis=0)
    _, s, vt = np.linalg.svd(z - mean, full_matrices=False)
    vt = vt[:k]
    flip = np.sign(vt[np.arange(k), np.abs(vt).argmax(axis=1)])
    vt = vt * flip[:, None]
    var = s**2 / (len(z) - 1)
    return Directions(
        mean=mean,
        vectors=vt,
        scales=np.sqrt(var[:k]),
        explained=var[:k] / var.sum(),
    )


def principal_directions(
    model: LatentModel, images, k: int = 4, labels=None, *, batch_size: int = 500
) -> Directions:
    """The k principal directions of a VAE's posterior means for ``images`` (N, 28, 28[, 1]).

    Encodes the images, then runs :func:`pca_directions` on the codes. A GAN has no encoder: pass
    codes to :func:`pca_directions` instead.

    Example:
        >>> dirs = principal_directions(model, x_test[:2000] / 255.0, k=4)  # doctest: +SKIP
        >>> np.allclose(dirs.vectors @ dirs.vectors.T, np.eye(4))  # doctest: +SKIP
        True

    Taught in: notebooks/12_art_and_design.ipynb
    """
    return pca_directions(encode_means(model, images, labels, batch_size=batch_size), k)


def direction_effects(
    model: LatentModel,
    codes,
    directions: Directions,
    *,
    step: float = 1.0,
    labels=None,
    judge=None,
    expected=None,
):
    """What moving along each direction does: the mean change of slant, width and ink, and (with a
    judge) how many images are still read as the ``expected`` digit.

    Every code is moved ``step`` standard deviations along each direction in turn. Returns one row per
    direction (PC1, PC2, ...). Directions found without labels can mean anything -- measure them before
    naming a slider.

    Example:
        >>> direction_effects(model, z[:200], dirs, judge=judge, expected=y[:200])  # doctest: +SKIP

    Taught in: notebooks/12_art_and_design.ipynb
    """
    import pandas as pd

    codes = _codes(codes, getattr(model, "latent_dim", None), "codes").astype(np.float64)
    if judge is not None and expected is None:
        raise ValueError("expected (the digit each code should stay) is needed with a judge.")
    base_imgs = decode_images(model, codes, labels)
    base = measure(base_imgs)
    rows = []
    for k in range(directions.k):
        moved_imgs = decode_images(
            model, codes + step * directions.scales[k] * directions.vectors[k], labels
        )
        moved = measure(moved_imgs)
        row = {
            "direction": f"PC{k + 1}",
            "slant (deg)": float(np.nanmean(moved["slant"] - base["slant"])),
            "width (px)": float(np.nanmean(moved["width"] - base["width"])),
            "ink": float(np.nanmean(moved["ink"] - base["ink"])),
        }
        if judge is not None:
            row["same digit (judge)"] = float(
                np.mean(judge_labels(judge, moved_imgs) == np.asarray(expected))
            )
        rows.append(row)
    return pd.DataFrame(rows)


def encode_means(model: LatentModel, images, labels=None, *, batch_size: int = 500) -> np.ndarray:
    """Posterior means of a VAE for ``images`` (uint8 or [0, 1]; (N, H, W) or (N, H, W, 1)), in batches.

    Taught in: notebooks/12_art_and_design.ipynb
    """
    if not hasattr(model, "encode"):
        raise TypeError(
            f"{type(model).__name__} has no encoder, so images cannot be mapped to codes. "
            "Fix: use a VAE, or pass latent codes to latent.pca_directions."
        )
    x = _images(images).astype(np.float32)[..., None]
    if labels is not None:
        labels = np.broadcast_to(np.asarray(labels, dtype=np.int32), (len(x),))
    out = []
    for i in range(0, len(x), batch_size):
        lab = None if labels is None else labels[i : i + batch_size]
        out.append(model.encode(x[i : i + batch_size], lab)[0])
    return np.concatenate(out)


def transfer_style(cvae: LatentModel, images, labels, targets: Sequence[int]) -> np.ndarray:
    """Write other digits "in the hand of" given images, with a conditional VAE.

    Each image is encoded *with its own label*, so its code holds what the label does not: the style
    (slant, width, size). Decoding that code with each target label draws the target digit in the
    same style. Returns (N, len(targets), H, W) in [0, 1].

    Example:
        >>> rows = transfer_style(cvae, x[:3] / 255.0, y[:3], targets=range(10))  # doctest: +SKIP

    Taught in: notebooks/12_art_and_design.ipynb
    """
    if not getattr(cvae, "conditional", False):
        raise ValueError(
            "transfer_style needs a conditional model (one that takes labels). "
            'Fix: vae.load_pretrained("cvae").'
        )
    z = encode_means(cvae, images, labels)
    targets = np.asarray(list(targets), dtype=np.int32)
    zz = np.repeat(z, len(targets), axis=0)
    tt = np.tile(targets, len(z))
    imgs = decode_images(cvae, zz, tt)
    return imgs.reshape(len(z), len(targets), *imgs.shape[1:])


# --------------------------------------------------------------------------- explorers


def explorer_static(
    model: LatentModel,
    directions: Directions,
    *,
    center=None,
    values: Sequence[float] = (-2.0, -1.0, 0.0, 1.0, 2.0),
    labels=None,
    cell_inches: float = 0.9,
):
    """The explorer as a static figure: one row per direction, one column per slider position.

    Positions are in standard deviations of the codes along each direction, starting from ``center``
    (default: the mean code). This is what readers without a live kernel (e.g. on GitHub) see.

    Example:
        >>> fig = explorer_static(model, dirs)  # doctest: +SKIP

    Taught in: notebooks/12_art_and_design.ipynb
    """
    import matplotlib.pyplot as plt

    values = [float(v) for v in values]
    base = directions.mean if center is None else _vector(center, "center")
    rows = []
    for i in range(directions.k):
        v = directions.vectors[i] * directions.scales[i]
        rows.append(traverse(model, base, v, values, labels))
    fig, axes = plt.subplots(
        directions.k,
        len(values),
        figsize=(len(values) * cell_inches + 1.4, directions.k * cell_inches + 0.5),
        squeeze=False,
    )
    for i, row in enumerate(rows):
        for j, img in enumerate(row):
            ax = axes[i, j]
            ax.imshow(img, cmap="gray", vmin=0.0, vmax=1.0)
            ax.set_xticks([])
            ax.set_yticks([])
            if i == 0:
                ax.set_title(f"{values[j]:+g} sd", fontsize=8)
        axes[i, 0].set_ylabel(
            f"PC{i + 1}\n{100 * directions.explained[i]:.0f}% var",
            fontsize=8,
            rotation=0,
            ha="right",
            va="center",
        )
    fig.tight_layout()
    return fig


def _png(image: np.ndarray, zoom: int) -> bytes:
    from PIL import Image

    arr = (np.clip(image, 0, 1) * 255).astype(np.uint8)
    img = Image.fromarray(arr).resize((arr.shape[1] * zoom, arr.shape[0] * zoom), Image.NEAREST)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def explorer(
    model: LatentModel,
    directions: Directions,
    *,
    center=None,
    labels=None,
    span: float = 3.0,
    step: float = 0.25,
    zoom: int = 6,
):
    """An interactive explorer: one slider per direction, the decoded image and its measurements.

    Returns an ipywidgets ``VBox`` (display it, or leave it as the last expression of a cell). Slider
    values are in standard deviations along each direction, from ``center`` (default: the mean code).
    For a conditional model, ``labels`` is the digit to start with and a drop-down changes it.
    When ipywidgets is not installed it warns and returns :func:`explorer_static`'s figure instead.

    Example:
        >>> explorer(model, dirs)  # doctest: +SKIP

    Taught in: notebooks/12_art_and_design.ipynb
    """
    try:
        import ipywidgets as widgets
    except ImportError:
        warnings.warn(
            "ipywidgets is not installed: showing a static figure. Fix: pip install ipywidgets.",
            stacklevel=2,
        )
        return explorer_static(model, directions, center=center, labels=labels)

    base = directions.mean if center is None else _vector(center, "center")
    conditional = bool(getattr(model, "conditional", False))
    if conditional and labels is None:
        raise ValueError("A conditional model needs labels=<the digit to start from>.")
    digit = None
    if conditional:
        n_classes = int(getattr(model, "num_classes", 10) or 10)
        digit = widgets.Dropdown(
            options=list(range(n_classes)),
            value=int(np.asarray(labels).ravel()[0]),
            description="digit",
            layout=widgets.Layout(width="160px"),
        )
    sliders = [
        widgets.FloatSlider(
            value=0.0,
            min=-span,
            max=span,
            step=step,
            description=f"PC{i + 1}",
            continuous_update=False,
            readout_format="+.2f",
        )
        for i in range(directions.k)
    ]
    image = widgets.Image(format="png", width=28 * zoom, height=28 * zoom)
    readout = widgets.HTML()
    reset = widgets.Button(description="reset", layout=widgets.Layout(width="80px"))

    def render(_change=None) -> None:
        coords = [s.value for s in sliders]
        z = directions.point(coords, center=base)
        img = decode_images(model, z[None], None if digit is None else digit.value)[0]
        m = measure(img[None]).iloc[0]
        image.value = _png(img, zoom)
        readout.value = (
            f"<code>slant {m['slant']:+.1f}°, stroke width {m['width']:.2f} px, "
            f"ink {m['ink']:.3f}, |z| {np.linalg.norm(z):.2f}</code>"
        )

    def on_reset(_button) -> None:
        for s in sliders:
            s.value = 0.0

    for s in sliders:
        s.observe(render, names="value")
    if digit is not None:
        digit.observe(render, names="value")
    reset.on_click(on_reset)
    render()
    controls = [*sliders, reset] if digit is None else [digit, *sliders, reset]
    box = widgets.VBox([widgets.HBox([widgets.VBox(controls), image]), readout])
    box.render = render  # for tests and for callers who change the model behind it
    box.sliders = sliders
    box.digit = digit
    return box


# --------------------------------------------------------------------------- an independent judge


def judge_proba(judge, images) -> np.ndarray:
    """Class probabilities (N, classes) that a classifier -- the *judge* -- gives edited images.

    The judge answers "is it still a 7?" after an edit in latent space. It must not be part of the
    generative model, so the generator cannot grade its own work; the course uses its MNIST evaluator
    (``metrics.load_evaluator()``, a small CNN with 99.5% test accuracy). Any Keras classifier that
    outputs logits works; images are uint8 or [0, 1] floats, (N, H, W), and get a channel axis when the
    judge's input has one.

    Example:
        >>> from aigc_helpers import metrics  # doctest: +SKIP
        >>> judge_proba(metrics.load_evaluator(), edited_images).argmax(axis=1)  # doctest: +SKIP

    Taught in: notebooks/12_art_and_design.ipynb
    """
    x = _images(images).astype(np.float32)
    inputs = getattr(judge, "inputs", None)
    if inputs and len(inputs[0].shape) == 4:
        x = x[..., None]
    logits = np.concatenate(
        [np.asarray(judge(x[i : i + 1000], training=False)) for i in range(0, len(x), 1000)]
    ).astype(np.float64)
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    return p / p.sum(axis=1, keepdims=True)


def judge_labels(judge, images) -> np.ndarray:
    """The judge's predicted digit for each image (uint8 or [0, 1] floats, (N, H, W)).

    Taught in: notebooks/12_art_and_design.ipynb
    """
    return judge_proba(judge, images).argmax(axis=1)


__all__ = [
    "METHODS",
    "Directions",
    "LatentModel",
    "attribute_vector",
    "compare_paths",
    "decode_images",
    "direction_effects",
    "dose_response",
    "encode_means",
    "explorer",
    "explorer_static",
    "is_gan",
    "judge_labels",
    "judge_proba",
    "lerp",
    "measure",
    "path",
    "pca_directions",
    "pixel_entropy",
    "principal_directions",
    "slant",
    "slerp",
    "smoothness",
    "step_changes",
    "stroke_width",
    "transfer_style",
    "traverse",
    "variation_codes",
    "variations",
]
