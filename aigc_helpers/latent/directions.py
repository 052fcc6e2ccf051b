"""Main directions of variation in a latent space: principal components of codes (:class:`Directions`,
:func:`pca_directions`, :func:`principal_directions`) and what moving along each one does to the images
(:func:`direction_effects`).

Taught in: notebooks/12_art_and_design.ipynb
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from aigc_helpers.checks import check_int
from aigc_helpers.latent import _inputs
from aigc_helpers.latent.codec import LatentModel, decode_images, encode_means
from aigc_helpers.latent.judge import judge_labels
from aigc_helpers.latent.strokes import measure


@dataclass(frozen=True)
class Directions:
    """Principal directions of a cloud of latent codes.

    Attributes:
        mean: the centre of the codes, shape (D,).
        vectors: k orthonormal directions, one per row, shape (k, D), in order of decreasing variance.
        scales: standard deviation of the codes along each direction, shape (k,).
        explained: fraction of the codes' total variance along each direction, shape (k,).

    Example:
        >>> d = Directions(np.zeros(2), np.eye(2), np.array([2.0, 1.0]), np.array([0.8, 0.2]))
        >>> d.k, d.point([1.0, -1.0]).tolist()
        (2, [2.0, -1.0])

    Taught in: machinery behind latent.principal_directions (notebook 12)
    """

    mean: np.ndarray
    vectors: np.ndarray
    scales: np.ndarray
    explained: np.ndarray

    @property
    def k(self) -> int:
        """How many directions."""
        return len(self.vectors)

    def origin(self, center=None) -> np.ndarray:
        """The code that coordinates are measured from: ``center``, or the mean code when None."""
        return self.mean if center is None else _inputs.vector(center, "center")

    def point(self, coords: Sequence[float], center=None) -> np.ndarray:
        """The code at ``center`` (default: the mean) + Σ coords[i] · scales[i] · vectors[i]."""
        c = np.asarray(coords, dtype=np.float64).ravel()
        if c.size != self.k:
            raise ValueError(f"Expected {self.k} coordinates, got {c.size}.")
        return self.origin(center) + (c * self.scales) @ self.vectors


def pca_directions(codes, k: int = 4) -> Directions:
    """Principal component analysis of latent codes (rows): the k directions of largest variance.

    Each direction's sign is fixed so that its largest-magnitude entry is positive, so results do not
    flip between runs.

    Example:
        >>> d = pca_directions(np.array([[0.0, 0.0], [2.0, 0.0], [0.0, 0.5], [2.0, 0.5]]), k=1)
        >>> d.vectors.round(3).tolist(), d.explained.round(3).tolist()
        ([[1.0, 0.0]], [0.941])

    Taught in: machinery behind latent.principal_directions
    """
    z = _inputs.codes(codes, name="codes").astype(np.float64)
    k = check_int("k", k, minimum=1, maximum=z.shape[1])
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

    codes = _inputs.codes(codes, model.latent_dim, "codes").astype(np.float64)
    if judge is not None and expected is None:
        raise ValueError("expected (the digit each code should stay) is needed with a judge.")
    base = measure(decode_images(model, codes, labels))
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
