"""Exploring a generative model's latent space: paths, arithmetic, variations and directions.

A trained VAE decoder (or GAN generator) turns every point z of its latent space into an image, so
design tools built on it are tools for *moving through z*: interpolate between two drawings, add an
"attribute vector" that makes strokes slanted or bold, scatter variations around a favourite sample,
slide along the main axes of variation. Because the course measures instead of claiming, the package
also holds the measurements that check them: the pixel change per step of a path, the slant and stroke
width of a digit, the per-pixel entropy (blur) of a decoded image, and an independent judge.

Modules (each name is also available here, as ``latent.<name>``):

- :mod:`~aigc_helpers.latent.codec`              -- codes <-> images: decode_images, encode_means, LatentModel
- :mod:`~aigc_helpers.latent.paths`              -- lerp, slerp, path, METHODS; step_changes, smoothness,
  compare_paths
- :mod:`~aigc_helpers.latent.strokes`            -- slant, stroke_width, pixel_entropy, measure
- :mod:`~aigc_helpers.latent.attributes`         -- attribute_vector, traverse, dose_response
- :mod:`~aigc_helpers.latent.design_variations`  -- variation_codes, variations
- :mod:`~aigc_helpers.latent.directions`         -- Directions, pca_directions, principal_directions,
  direction_effects
- :mod:`~aigc_helpers.latent.style`              -- transfer_style (conditional VAE)
- :mod:`~aigc_helpers.latent.explorers`          -- explorer (ipywidgets), explorer_static
- :mod:`~aigc_helpers.latent.judge`              -- judge_proba, judge_labels

Any model with the course's generation interface works (:mod:`aigc_helpers.generation`: ``latent_dim``
and ``decode(z, labels=None)`` -> images in [0, 1]): :class:`aigc_helpers.vae.VAE`,
:class:`aigc_helpers.vae.ConditionalVAE`, :class:`aigc_helpers.gan.GAN`. Functions that need an encoder
(:func:`principal_directions`, :func:`transfer_style`) need a VAE.

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

from aigc_helpers.latent.attributes import attribute_vector, dose_response, traverse
from aigc_helpers.latent.codec import LatentModel, decode_images, encode_means
from aigc_helpers.latent.design_variations import variation_codes, variations
from aigc_helpers.latent.directions import (
    Directions,
    direction_effects,
    pca_directions,
    principal_directions,
)
from aigc_helpers.latent.explorers import explorer, explorer_static
from aigc_helpers.latent.judge import judge_labels, judge_proba
from aigc_helpers.latent.paths import (
    METHODS,
    Method,
    compare_paths,
    lerp,
    path,
    slerp,
    smoothness,
    step_changes,
)
from aigc_helpers.latent.strokes import measure, pixel_entropy, slant, stroke_width
from aigc_helpers.latent.style import transfer_style

__all__ = [
    "METHODS",
    "Directions",
    "LatentModel",
    "Method",
    "attribute_vector",
    "compare_paths",
    "decode_images",
    "direction_effects",
    "dose_response",
    "encode_means",
    "explorer",
    "explorer_static",
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
