"""What a trained VAE tells about the data: its code length as a compressor (rate and distortion, in
bits, against PNG), and the decoded grid of a 2-D latent space.

Taught in: notebooks/08_vae_mnist.ipynb
"""

from __future__ import annotations

import math

import keras
import numpy as np
import tensorflow as tf

from aigc_helpers.vae.losses import gaussian_kl, reparameterize
from aigc_helpers.vae.model import VAE


def rate_distortion(model: VAE, x_bin, labels=None, *, seed: int = 0) -> dict[str, np.ndarray]:
    """Per-image rate and distortion of a VAE used as a compressor, in **bits**.

    rate = KL(q(z|x) || p(z)) / ln 2 -- what it costs to send the latent code (with bits-back coding);
    distortion = -log2 p(x | z), z ~ q(z|x) -- what it costs to send the pixels given the code.
    rate + distortion = -ELBO / ln 2, the VAE's code length for the image.
    """
    gen = keras.random.SeedGenerator(seed)
    rate, dist = [], []
    for xb, yb in model._batches(x_bin, labels, 500):
        mean, log_var = model._encode(xb, yb)
        z = reparameterize(mean, log_var, keras.random.normal(tf.shape(mean), seed=gen))
        rate.append((gaussian_kl(mean, log_var) / math.log(2.0)).numpy())
        dist.append((-model.log_px(xb, model._logits(xb, z, yb)) / math.log(2.0)).numpy())
    return {"rate_bits": np.concatenate(rate), "distortion_bits": np.concatenate(dist)}


def png_bits(x_bin) -> np.ndarray:
    """Size in bits of each binary image saved as a 1-bit PNG (Pillow, maximum compression).

    The fair classical baseline for the VAE's code length: lossless, and on exactly the same pixels.
    """
    import io

    from PIL import Image

    x = np.asarray(x_bin)
    if x.ndim == 4:
        x = x[..., 0]
    sizes = []
    for img in x:
        buf = io.BytesIO()
        Image.fromarray((img > 0.5).astype(np.uint8) * 255).convert("1").save(
            buf, format="PNG", optimize=True
        )
        sizes.append(8 * buf.tell())
    return np.asarray(sizes)


def latent_manifold(model: VAE, n: int = 15, span: float = 2.5) -> np.ndarray:
    """Decoded images on an n x n grid of a **2-D** latent space, from -span to +span (prior std units).

    Returns (n * n, 28, 28) Bernoulli means, row by row from top (z2 = +span) to bottom.
    """
    if model.latent_dim != 2:
        raise ValueError(
            f"latent_manifold needs a model with latent_dim=2, this one has {model.latent_dim}."
        )
    ticks = np.linspace(-span, span, n, dtype=np.float32)
    z = np.array([[z1, z2] for z2 in ticks[::-1] for z1 in ticks], dtype=np.float32)
    return model.decode(z)


__all__ = ["latent_manifold", "png_bits", "rate_distortion"]
