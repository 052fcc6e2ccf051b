"""Latent arithmetic: an attribute vector from two groups of codes (:func:`attribute_vector`), the images
along it (:func:`traverse`), and how much a measured attribute really changes along it
(:func:`dose_response`).

Taught in: notebooks/12_art_and_design.ipynb
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from aigc_helpers.latent import _inputs
from aigc_helpers.latent.codec import LatentModel, decode_images


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
    z = _inputs.codes(z).astype(np.float64)
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
    z0, v = _inputs.pair(z0, direction)
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

    z = _inputs.codes(z, model.latent_dim).astype(np.float64)
    v = _inputs.vector(direction, "direction")
    if v.size != z.shape[1]:
        raise ValueError(f"direction has {v.size} dimensions, the codes {z.shape[1]}.")
    base = np.asarray(measure_fn(decode_images(model, z, labels)), dtype=np.float64)
    rows = []
    for a in np.asarray(alphas, dtype=np.float64).ravel():
        m = np.asarray(measure_fn(decode_images(model, z + a * v, labels)), dtype=np.float64)
        d = m - base
        rows.append({"alpha": float(a), "mean change": np.nanmean(d), "sd change": np.nanstd(d)})
    return pd.DataFrame(rows)
