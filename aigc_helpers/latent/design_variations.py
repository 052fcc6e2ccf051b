"""Variations of one design: codes scattered around it (:func:`variation_codes`) and their images
(:func:`variations`).

Taught in: notebooks/12_art_and_design.ipynb
"""

from __future__ import annotations

import numpy as np

from aigc_helpers.checks import check_number, check_positive_int
from aigc_helpers.latent import _inputs
from aigc_helpers.latent.codec import LatentModel, decode_images


def variation_codes(z, n: int = 16, scale: float = 0.5, seed: int | None = 0) -> np.ndarray:
    """``n`` codes scattered around ``z``: z + scale · ε, ε ~ N(0, I); the same codes for the same seed.

    Example:
        >>> variation_codes(np.zeros(3), n=2, scale=0.0).tolist()
        [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]

    Taught in: machinery behind latent.variations
    """
    z = _inputs.vector(z, "z")
    n = check_positive_int("n", n)
    scale = check_number("scale", scale, minimum=0)
    eps = np.random.default_rng(seed).standard_normal((n, z.size))
    return (z[None] + scale * eps).astype(np.float32)


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
