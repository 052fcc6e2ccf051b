"""Variational autoencoders for binary images, one concept per module:

- :mod:`~aigc_helpers.vae.losses` -- the ELBO's pieces: closed-form KL, reparameterization,
  Gaussian and Bernoulli log-densities in nats;
- :mod:`~aigc_helpers.vae.networks` -- convolutional encoder/decoder, dense ones for toy data;
- :mod:`~aigc_helpers.vae.pixel` -- the pixel-context decoder head (causal convolution);
- :mod:`~aigc_helpers.vae.model` -- :class:`VAE` and :class:`ConditionalVAE`, trained by ``fit``;
- :mod:`~aigc_helpers.vae.analysis` -- rate and distortion in bits, PNG sizes, the 2-D latent grid;
- :mod:`~aigc_helpers.vae.pretrained` -- the shipped models.

Every name is also available here: ``from aigc_helpers import vae; vae.VAE``.

Taught in: notebooks/06_vae_toy.ipynb, notebooks/07_vae_math.ipynb, notebooks/08_vae_mnist.ipynb
"""

from aigc_helpers.vae.analysis import latent_manifold, png_bits, rate_distortion
from aigc_helpers.vae.losses import (
    LOG_2PI,
    bernoulli_log_likelihood,
    gaussian_kl,
    log_normal,
    reparameterize,
)
from aigc_helpers.vae.model import VAE, ConditionalVAE
from aigc_helpers.vae.networks import (
    LIKELIHOODS,
    build_decoder,
    build_dense_decoder,
    build_dense_encoder,
    build_encoder,
)
from aigc_helpers.vae.pixel import CausalConv2D, build_pixel_head, causal_mask, sample_pixel_head
from aigc_helpers.vae.pretrained import PRETRAINED, load_pretrained, load_vae

__all__ = [
    "LIKELIHOODS",
    "LOG_2PI",
    "PRETRAINED",
    "VAE",
    "CausalConv2D",
    "ConditionalVAE",
    "bernoulli_log_likelihood",
    "build_decoder",
    "build_dense_decoder",
    "build_dense_encoder",
    "build_encoder",
    "build_pixel_head",
    "causal_mask",
    "gaussian_kl",
    "latent_manifold",
    "load_pretrained",
    "load_vae",
    "log_normal",
    "png_bits",
    "rate_distortion",
    "reparameterize",
    "sample_pixel_head",
]
