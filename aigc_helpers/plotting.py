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


def loss_curves(
    history, keys: Sequence[str] | None = None, *, title: str = "Training curves"
) -> Figure:
    """Plot the per-epoch values a Keras ``History`` (or its ``.history`` dict) recorded.

    Training and ``val_`` curves of the same quantity share a panel.

    Example:
        >>> fig = loss_curves(model.fit(ds, epochs=5))  # doctest: +SKIP
    """
    hist = getattr(history, "history", history)
    keys = list(keys or [k for k in hist if not k.startswith("val_")])
    if not keys:
        raise ValueError("The history is empty: train for at least one epoch first.")
    fig, axes = plt.subplots(1, len(keys), figsize=(3.6 * len(keys), 2.8), squeeze=False)
    for ax, key in zip(axes[0], keys, strict=True):
        epochs = np.arange(1, len(hist[key]) + 1)
        ax.plot(epochs, hist[key], "o-", label="train")
        if f"val_{key}" in hist:
            ax.plot(epochs, hist[f"val_{key}"], "s--", label="validation")
            ax.legend(fontsize=8)
        ax.set_xlabel("epoch")
        ax.set_title(key)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def latent_scatter(
    z: np.ndarray, labels: np.ndarray, *, ax=None, title: str = "Latent space"
) -> Figure:
    """Scatter 2-D latent codes coloured by digit, with a legend.

    Example:
        >>> fig = latent_scatter(mean, y_test)  # doctest: +SKIP
    """
    z = np.asarray(z)
    if z.ndim != 2 or z.shape[1] != 2:
        raise ValueError(f"latent_scatter needs codes of shape (N, 2), got {z.shape}.")
    if ax is None:
        fig, ax = plt.subplots(figsize=(5.5, 5))
    else:
        fig = ax.figure
    labels = np.asarray(labels).astype(int)
    cmap = plt.get_cmap("tab10")
    for d in np.unique(labels):
        sel = labels == d
        ax.scatter(z[sel, 0], z[sel, 1], s=4, alpha=0.6, color=cmap(d % 10), label=str(d))
    ax.set_xlabel("$z_1$")
    ax.set_ylabel("$z_2$")
    ax.set_title(title)
    ax.legend(
        markerscale=3, fontsize=8, title="digit", loc="center left", bbox_to_anchor=(1.0, 0.5)
    )
    fig.tight_layout()
    return fig


__all__ = ["class_histogram", "image_grid", "latent_scatter", "loss_curves"]
