"""Measurements of drawn digits, to check what a latent edit did: :func:`slant`, :func:`stroke_width`,
:func:`pixel_entropy` (blur), and all of them in one table (:func:`measure`).

Each takes grey images as uint8 0..255 or floats in [0, 1], (N, H, W), (N, H, W, 1) or one (H, W).

Taught in: notebooks/12_art_and_design.ipynb
"""

from __future__ import annotations

import numpy as np

from aigc_helpers.latent._inputs import unit_images


def slant(images) -> np.ndarray:
    """Slant of each digit in degrees from upright, from its intensity moments (positive = leaning right).

    The shear cov(x, y) / var(y) of the ink: how far the strokes move right per pixel upwards.

    Example:
        >>> img = np.zeros((9, 9)); img[np.arange(9), np.arange(9)[::-1]] = 1   # "/" diagonal
        >>> round(float(slant(img)[0]), 1)
        45.0

    Taught in: notebooks/12_art_and_design.ipynb
    """
    x = unit_images(images)
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
    b = np.pad((unit_images(images) > threshold).astype(np.int8), ((0, 0), (1, 1), (1, 1)))
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

    Taught in: machinery behind latent.measure (its "entropy" column) and latent.compare_paths
    """
    p = np.clip(unit_images(images), 1e-7, 1 - 1e-7)
    h = -(p * np.log2(p) + (1 - p) * np.log2(1 - p))
    return h.mean(axis=(1, 2))


def measure(images):
    """Slant (degrees), stroke width (pixels), ink (mean intensity) and pixel entropy, one row per image.

    Example:
        >>> measure(np.zeros((2, 28, 28))).columns.tolist()
        ['slant', 'width', 'ink', 'entropy']

    Taught in: notebooks/12_art_and_design.ipynb
    """
    import pandas as pd

    x = unit_images(images)
    return pd.DataFrame(
        {
            "slant": slant(x),
            "width": stroke_width(x),
            "ink": x.mean(axis=(1, 2)),
            "entropy": pixel_entropy(x),
        }
    )
