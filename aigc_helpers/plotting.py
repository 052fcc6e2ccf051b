"""Figures the course draws again and again: grids of images, class histograms.

Taught in: notebooks/00_index.ipynb (the grid of real digits); the model notebooks reuse it for samples.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure


def _as_display(images: np.ndarray) -> np.ndarray:
    """Images as (N, H, W) floats in [0, 1], whatever range they came in."""
    x = np.asarray(images)
    if x.ndim == 4 and x.shape[-1] == 1:
        x = x[..., 0]
    if x.ndim != 3:
        raise ValueError(
            f"Expected images of shape (N, H, W) or (N, H, W, 1), got {x.shape}. "
            "Fix: pass a batch of grey-scale images."
        )
    x = x.astype(np.float32)
    if x.size and x.min() < 0:  # GAN range [-1, 1]
        x = (x + 1.0) / 2.0
    elif x.size and x.max() > 1.0:  # uint8 range 0..255
        x = x / 255.0
    return np.clip(x, 0.0, 1.0)


def image_grid(
    images: np.ndarray,
    *,
    ncols: int | None = None,
    titles: Sequence[object] | None = None,
    suptitle: str | None = None,
    cell_inches: float = 0.9,
) -> Figure:
    """Show a batch of grey-scale images in a grid and return the figure.

    Accepts uint8 (0..255), [0, 1] or GAN-range [-1, 1] images, with or without a channel axis.

    Args:
        images: shape (N, H, W) or (N, H, W, 1).
        ncols: columns (default: a near-square grid).
        titles: one short title per image (e.g. labels).
        suptitle: a title above the grid.
        cell_inches: size of one image in inches.

    Example:
        >>> fig = image_grid(np.zeros((16, 28, 28)), titles=range(16))  # doctest: +SKIP
    """
    x = _as_display(images)
    n = len(x)
    if n == 0:
        raise ValueError("No images to show.")
    if titles is not None and len(titles) != n:
        raise ValueError(f"{n} images but {len(titles)} titles.")
    ncols = ncols or math.ceil(math.sqrt(n))
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(ncols * cell_inches, nrows * cell_inches * (1.25 if titles is not None else 1.0)),
        squeeze=False,
    )
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            ax.imshow(x[i], cmap="gray", vmin=0.0, vmax=1.0)
            if titles is not None:
                ax.set_title(str(titles[i]), fontsize=8, pad=2)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def class_histogram(labels: np.ndarray, *, ax=None, title: str = "Images per class") -> Figure:
    """Bar chart of how many examples each digit class has.

    Example:
        >>> fig = class_histogram(np.array([0, 1, 1, 9]))  # doctest: +SKIP
    """
    labels = np.asarray(labels).astype(int)
    counts = np.bincount(labels, minlength=10)
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 2.5))
    else:
        fig = ax.figure
    ax.bar(np.arange(len(counts)), counts, color="tab:blue")
    ax.set_xticks(np.arange(len(counts)))
    ax.set_xlabel("digit")
    ax.set_ylabel("count")
    ax.set_title(title)
    fig.tight_layout()
    return fig


__all__ = ["class_histogram", "image_grid"]
