"""Between latent codes and images: :func:`decode_images` (codes -> images, any course generator) and
:func:`encode_means` (images -> codes, a VAE's encoder), both in batches.

Taught in: notebooks/12_art_and_design.ipynb
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np

from aigc_helpers import images as _img
from aigc_helpers.checks import check_positive_int
from aigc_helpers.latent import _inputs


class LatentModel(Protocol):
    """What the latent tools need from a generative model: the course's generation interface
    (:mod:`aigc_helpers.generation`), of which they use ``latent_dim``, ``conditional``,
    ``num_classes``, ``decode(z, labels=None)`` -> float (n, 28, 28) in [0, 1] and, for a VAE,
    ``encode(x, labels=None)`` -> (mean, log_var).

    Example:
        >>> from aigc_helpers import vae  # doctest: +SKIP
        >>> model: LatentModel = vae.load_pretrained("vae")  # doctest: +SKIP

    Taught in: machinery behind every function of aigc_helpers.latent that takes a model
    """

    latent_dim: int
    conditional: bool

    def decode(self, z, labels=None) -> np.ndarray: ...


def _in_batches(
    call: Callable[[np.ndarray, np.ndarray | None], np.ndarray],
    x: np.ndarray,
    labels,
    batch_size: int,
) -> list[np.ndarray]:
    """``call(x[i:j], labels[i:j])`` for consecutive batches; ``labels`` (one int or one per row) or None."""
    batch_size = check_positive_int("batch_size", batch_size)
    if labels is not None:
        labels = np.broadcast_to(np.asarray(labels, dtype=np.int32), (len(x),))
    return [
        call(x[i : i + batch_size], None if labels is None else labels[i : i + batch_size])
        for i in range(0, len(x), batch_size)
    ]


def decode_images(model: LatentModel, z, labels=None, *, batch_size: int = 500) -> np.ndarray:
    """Decode latent codes into grey images (N, H, W), float32 in [0, 1], in batches of ``batch_size``.

    Calls ``model.decode(z, labels)``, which every course generator (VAE, GAN, ...) answers with images
    in [0, 1]. A model whose outputs break that rule (e.g. a raw tanh network in [-1, 1]) gets an error
    that names the conversion. ``labels`` (one int, or one per code) are for conditional models.

    Example:
        >>> imgs = decode_images(vae_model, np.zeros((4, vae_model.latent_dim)))  # doctest: +SKIP
        >>> imgs.shape  # doctest: +SKIP
        (4, 28, 28)

    Taught in: notebooks/12_art_and_design.ipynb
    """
    z = _inputs.codes(z, model.latent_dim)
    name = f"images from {type(model).__name__}.decode"

    def decode(chunk: np.ndarray, lab: np.ndarray | None) -> np.ndarray:
        x = _img.to_unit(model.decode(chunk, lab), name=name)
        if len(x) != len(chunk):
            raise ValueError(f"{name}: {len(x)} images for {len(chunk)} codes.")
        return x

    return np.concatenate(_in_batches(decode, z, labels, batch_size))


def encode_means(model: LatentModel, images, labels=None, *, batch_size: int = 500) -> np.ndarray:
    """Posterior means of a VAE for ``images`` (uint8 or [0, 1]; (N, H, W) or (N, H, W, 1)), in batches.

    Example:
        >>> z = encode_means(vae_model, x_test[:100])  # doctest: +SKIP
        >>> z.shape == (100, vae_model.latent_dim)  # doctest: +SKIP
        True

    Taught in: notebooks/12_art_and_design.ipynb
    """
    if not hasattr(model, "encode"):
        raise TypeError(
            f"{type(model).__name__} has no encoder, so images cannot be mapped to codes. "
            "Fix: use a VAE, or pass latent codes to latent.pca_directions."
        )
    x = _inputs.unit_images(images).astype(np.float32)[..., None]
    means = _in_batches(lambda xb, lab: np.asarray(model.encode(xb, lab)[0]), x, labels, batch_size)
    return np.concatenate(means)
