"""Figures the course draws again and again: grids of images, class histograms, training curves,
latent codes, and the 2-D toy figures (points, log-densities, snapshots of a toy GAN).

Images are read by the one pixel-range rule of :mod:`aigc_helpers.images`: uint8 0..255 or floats in
[0, 1], with or without a channel axis of size 1. Anything else (e.g. a raw tanh output in [-1, 1]) is
refused with an error that names the conversion (``images.from_tanh``), never guessed.

Taught in: notebooks/00_index.ipynb (the grid of real digits); the model notebooks reuse it for samples.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from aigc_helpers import images as _img
from aigc_helpers.checks import check_int, check_positive_number


def _figure(ax, figsize: tuple[float, float]):
    """(figure, axes): a new figure of ``figsize`` when ``ax`` is None, else ``ax`` and its figure."""
    if ax is None:
        return plt.subplots(figsize=figsize)
    return ax.figure, ax


def image_grid(
    images: np.ndarray,
    *,
    ncols: int | None = None,
    titles: Sequence[object] | None = None,
    suptitle: str | None = None,
    cell_inches: float = 0.9,
) -> Figure:
    """Show a batch of grey-scale images in a grid and return the figure.

    Accepts uint8 pixels 0..255 or floats in [0, 1] (what every course generator returns), shape
    (N, H, W) or (N, H, W, 1); both show the same picture. Floats outside [0, 1] raise a ValueError that
    names the fix: for the tanh range [-1, 1], ``images.from_tanh(x)``.

    Args:
        images: shape (N, H, W) or (N, H, W, 1).
        ncols: columns (default: a near-square grid).
        titles: one short title per image (e.g. labels).
        suptitle: a title above the grid.
        cell_inches: size of one image in inches.

    Example:
        >>> fig = image_grid(np.zeros((16, 28, 28)), titles=range(16))  # doctest: +SKIP

    Taught in: notebooks/00_index.ipynb, notebooks/05_dcgan_mnist.ipynb, notebooks/08_vae_mnist.ipynb
    """
    x = _img.to_unit(images)
    n = len(x)
    if n == 0:
        raise ValueError("No images to show. Fix: pass at least one image.")
    if titles is not None and len(titles) != n:
        raise ValueError(f"{n} images but {len(titles)} titles.")
    cell_inches = check_positive_number("cell_inches", cell_inches)
    nrows, ncols = _img.grid_shape(n, ncols)
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

    Taught in: notebooks/00_index.ipynb
    """
    labels = np.asarray(labels).astype(int)
    counts = np.bincount(labels, minlength=10)
    fig, ax = _figure(ax, (6, 2.5))
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

    Taught in: notebooks/05_dcgan_mnist.ipynb, notebooks/08_vae_mnist.ipynb
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

    Taught in: notebooks/02_core_concepts.ipynb, notebooks/08_vae_mnist.ipynb
    """
    z = _as_points(z, "z")
    fig, ax = _figure(ax, (5.5, 5))
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


# --------------------------------------------------------------------------- 2-D toy data
# Taught in: notebooks/03_gan_toy.ipynb (points generated by a GAN over the data they imitate).


def _as_points(points: np.ndarray, name: str = "points") -> np.ndarray:
    p = np.asarray(points)
    if p.ndim != 2 or p.shape[1] != 2:
        raise ValueError(
            f"{name} must have shape (N, 2) (one row per 2-D point), got {p.shape}. "
            "Fix: pass an array of 2-D points."
        )
    return p


def _plane(
    ax, title: str | None, lim: float | tuple[float, float, float, float] | None = None
) -> None:
    """Finish an axes of the 2-D plane: equal scales, labels x1 and x2, the view ``lim`` (half-width of a
    square centred on 0, or (xmin, xmax, ymin, ymax); None keeps matplotlib's) and the ``title``."""
    ax.set_aspect("equal")
    if lim is not None:
        x0, x1, y0, y1 = (-lim, lim, -lim, lim) if np.isscalar(lim) else lim
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title:
        ax.set_title(title)


def scatter_2d(
    points: np.ndarray,
    *,
    reference: np.ndarray | None = None,
    centers: np.ndarray | None = None,
    ax=None,
    title: str | None = None,
    label: str = "generated",
    reference_label: str = "data",
    color: str = "C3",
    size: float = 3.0,
    lim: float | tuple[float, float, float, float] | None = None,
) -> Figure:
    """Scatter 2-D points, optionally over reference points (grey) and mode centres (black ``x``).

    Args:
        points: shape (N, 2), e.g. samples of a generator.
        reference: shape (M, 2), e.g. the training data, drawn underneath in light grey.
        centers: shape (K, 2), the centres of the data's modes.
        ax: draw into this axes (default: a new figure).
        lim: half-width of a square view centred on 0, or (xmin, xmax, ymin, ymax).

    Example:
        >>> fig = scatter_2d(gan.generate(2000, seed=0), reference=x_train, lim=3)  # doctest: +SKIP

    Taught in: notebooks/03_gan_toy.ipynb
    """
    p = _as_points(points)
    fig, ax = _figure(ax, (4.2, 4.2))
    if reference is not None:
        r = _as_points(reference, "reference")
        ax.scatter(r[:, 0], r[:, 1], s=size, color="0.75", label=reference_label, rasterized=True)
    ax.scatter(p[:, 0], p[:, 1], s=size, color=color, alpha=0.6, label=label, rasterized=True)
    if centers is not None:
        c = _as_points(centers, "centers")
        ax.scatter(
            c[:, 0], c[:, 1], marker="x", s=25, color="k", linewidths=1, label="mode centres"
        )
    _plane(ax, title, lim)
    return fig


def density_2d(
    log_density,
    *,
    extent: tuple[float, float, float, float] = (-3.0, 3.0, -3.0, 3.0),
    resolution: int = 300,
    ax=None,
    title: str | None = None,
    levels: int = 12,
    log_range: float = 12.0,
    cmap: str = "Blues",
    colorbar: bool = False,
) -> Figure:
    """Filled contours of a 2-D log-density, evaluated on a ``resolution x resolution`` grid.

    Narrow peaks (such as Gaussians with std 0.02) vanish in a plot of the density itself, so the levels
    are drawn on the **log**-density, from its maximum down to ``log_range`` nats below it.

    Args:
        log_density: a function mapping points of shape (N, 2) to log-densities of shape (N,),
            e.g. ``lambda p: toy.mixture_log_density(p, centers, std)``.
        extent: (xmin, xmax, ymin, ymax) of the grid.

    Example:
        >>> c = toy.ring_centers(8)  # doctest: +SKIP
        >>> fig = density_2d(lambda p: toy.mixture_log_density(p, c, 0.02))  # doctest: +SKIP

    Taught in: notebooks/03_gan_toy.ipynb
    """
    if not callable(log_density):
        raise ValueError(
            "log_density must be a function of points (N, 2) -> (N,). "
            "Fix: e.g. lambda p: toy.mixture_log_density(p, centers, std)."
        )
    resolution = check_int("resolution", resolution, minimum=2)
    levels = check_int("levels", levels, minimum=1)
    log_range = check_positive_number("log_range", log_range)
    x0, x1, y0, y1 = extent
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1)
    logp = np.asarray(log_density(grid), dtype=np.float64)
    if logp.shape != (len(grid),):
        raise ValueError(
            f"log_density returned shape {logp.shape}; expected ({len(grid)},), one value per point."
        )
    logp = logp.reshape(gx.shape)
    top = float(np.nanmax(logp))
    fig, ax = _figure(ax, (4.2, 4.2))
    cs = ax.contourf(
        gx,
        gy,
        np.clip(logp, top - log_range, top),
        levels=np.linspace(top - log_range, top, levels + 1),
        cmap=cmap,
    )
    if colorbar:
        fig.colorbar(cs, ax=ax, label="log density (nats)")
    _plane(ax, title)
    return fig


def snapshot_row(
    snapshots: Sequence[np.ndarray],
    titles: Sequence[str],
    *,
    reference: np.ndarray | None = None,
    centers: np.ndarray | None = None,
    lim: float | tuple[float, float, float, float] | None = 3.0,
    suptitle: str | None = None,
    panel_inches: float = 2.6,
    color: str = "C3",
    size: float = 2.0,
) -> Figure:
    """One panel per snapshot of generated 2-D points, side by side (e.g. a GAN during training).

    Every panel shares the same view, with the ``reference`` points underneath and ``centers`` on top.

    Example:
        >>> fig = snapshot_row([early, late], ["step 100", "step 5000"], reference=x)  # doctest: +SKIP

    Taught in: notebooks/03_gan_toy.ipynb
    """
    snapshots = list(snapshots)
    if not snapshots:
        raise ValueError("No snapshots to show. Fix: pass at least one array of points.")
    if len(titles) != len(snapshots):
        raise ValueError(f"{len(snapshots)} snapshots but {len(titles)} titles.")
    n = len(snapshots)
    fig, axes = plt.subplots(
        1,
        n,
        figsize=(panel_inches * n, panel_inches + (0.9 if suptitle else 0.6)),
        sharex=True,
        sharey=True,
        squeeze=False,
        layout="constrained",  # leaves room for two-line titles and the suptitle
    )
    for ax, pts, title in zip(axes[0], snapshots, titles, strict=True):
        scatter_2d(
            pts,
            reference=reference,
            centers=centers,
            ax=ax,
            title=str(title),
            lim=lim,
            color=color,
            size=size,
        )
        ax.set_title(str(title), fontsize=9)
    for ax in axes[0, 1:]:
        ax.set_ylabel("")
    if suptitle:
        fig.suptitle(suptitle)
    return fig


__all__ = [
    "class_histogram",
    "density_2d",
    "image_grid",
    "latent_scatter",
    "loss_curves",
    "scatter_2d",
    "snapshot_row",
]
