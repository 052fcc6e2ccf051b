"""Style transfer with a conditional VAE: encode a drawing with its own label, decode with another
(:func:`transfer_style`).

Taught in: notebooks/12_art_and_design.ipynb
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from aigc_helpers.latent.codec import LatentModel, decode_images, encode_means


def transfer_style(cvae: LatentModel, images, labels, targets: Sequence[int]) -> np.ndarray:
    """Write other digits "in the hand of" given images, with a conditional VAE.

    Each image is encoded *with its own label*, so its code holds what the label does not: the style
    (slant, width, size). Decoding that code with each target label draws the target digit in the
    same style. Returns (N, len(targets), H, W) in [0, 1].

    Example:
        >>> rows = transfer_style(cvae, x[:3] / 255.0, y[:3], targets=range(10))  # doctest: +SKIP

    Taught in: notebooks/12_art_and_design.ipynb
    """
    if not cvae.conditional:
        raise ValueError(
            "transfer_style needs a conditional model (one that takes labels). "
            'Fix: vae.load_pretrained("cvae").'
        )
    z = encode_means(cvae, images, labels)
    targets = np.asarray(list(targets), dtype=np.int32)
    imgs = decode_images(cvae, np.repeat(z, len(targets), axis=0), np.tile(targets, len(z)))
    return imgs.reshape(len(z), len(targets), *imgs.shape[1:])
