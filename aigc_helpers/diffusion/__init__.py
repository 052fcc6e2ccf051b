"""Diffusion models and flow matching, one concept per module:

- :mod:`~aigc_helpers.diffusion.schedules` -- the forward process: variance schedules (cosine, linear),
  q_sample, the flow-matching path and velocity, and the conversions between noise, score, clean data
  and velocity (t = 0 is the data, t = 1 the noise, on every path);
- :mod:`~aigc_helpers.diffusion.exact` -- the exact denoiser, noise and velocity for Gaussian-mixture
  data: what a perfect network would predict;
- :mod:`~aigc_helpers.diffusion.networks` -- the time-conditioned U-Net for 28x28 images (optional class
  label with a null label for guidance) and a dense network for 2-D toy points;
- :mod:`~aigc_helpers.diffusion.samplers` -- Euler, Heun and DDIM, the network evaluations each costs,
  classifier-free guidance;
- :mod:`~aigc_helpers.diffusion.model` -- :class:`Diffusion` and :class:`ConditionalDiffusion`, the Keras
  models trained by ``fit`` (objective ``"flow"`` or ``"eps"``) that answer the course's generation
  interface, and :func:`load_diffusion`;
- :mod:`~aigc_helpers.diffusion.latent` -- :class:`LatentDiffusion` and
  :class:`ConditionalLatentDiffusion`: the same models over a VAE's codes, decoded to images, and
  :func:`latent_codes`;
- :mod:`~aigc_helpers.diffusion.pretrained` -- :func:`load_pretrained`, the shipped latent model.

Every name is also available here: ``from aigc_helpers import diffusion; diffusion.Diffusion``.

Example:
    >>> from aigc_helpers import diffusion  # doctest: +SKIP
    >>> model = diffusion.Diffusion(objective="flow", seed=0)  # doctest: +SKIP
    >>> model.compile(optimizer="adam")  # doctest: +SKIP
    >>> model.fit(data.gan_dataset(x_train), epochs=5)  # pixels in [-1, 1]  # doctest: +SKIP
    >>> model.generate(16, seed=0).shape  # doctest: +SKIP
    (16, 28, 28)

Taught in: notebooks/16_diffusion_math.ipynb, notebooks/17_diffusion_mnist.ipynb, notebooks/18_latent_diffusion.ipynb
"""

from aigc_helpers.diffusion.exact import exact_eps, exact_velocity, mixture_denoiser
from aigc_helpers.diffusion.latent import (
    AUTOENCODERS,
    ConditionalLatentDiffusion,
    LatentDiffusion,
    latent_codes,
)
from aigc_helpers.diffusion.model import (
    OBJECTIVES,
    ConditionalDiffusion,
    Diffusion,
    load_diffusion,
)
from aigc_helpers.diffusion.networks import SinusoidalEmbedding, build_toy_network, build_unet
from aigc_helpers.diffusion.pretrained import PRETRAINED, load_pretrained
from aigc_helpers.diffusion.samplers import (
    SAMPLERS,
    classifier_free_guidance,
    ddim,
    euler,
    heun,
    nfe,
    time_grid,
)
from aigc_helpers.diffusion.schedules import (
    ALPHA_BAR_MIN,
    PATHS,
    SCHEDULES,
    alpha_bar,
    cosine_alpha_bar,
    discrete_betas,
    eps_from_score,
    eps_from_velocity,
    eps_from_x0,
    flow_path,
    flow_velocity,
    linear_alpha_bar,
    path_coefficients,
    q_sample,
    score_from_eps,
    velocity_from_eps,
    x0_from_eps,
    x0_from_velocity,
)

__all__ = [
    "ALPHA_BAR_MIN",
    "AUTOENCODERS",
    "ConditionalLatentDiffusion",
    "LatentDiffusion",
    "PRETRAINED",
    "latent_codes",
    "load_pretrained",
    "OBJECTIVES",
    "PATHS",
    "SAMPLERS",
    "SCHEDULES",
    "ConditionalDiffusion",
    "Diffusion",
    "SinusoidalEmbedding",
    "alpha_bar",
    "build_toy_network",
    "build_unet",
    "classifier_free_guidance",
    "cosine_alpha_bar",
    "ddim",
    "discrete_betas",
    "eps_from_score",
    "eps_from_velocity",
    "eps_from_x0",
    "euler",
    "exact_eps",
    "exact_velocity",
    "flow_path",
    "flow_velocity",
    "heun",
    "linear_alpha_bar",
    "load_diffusion",
    "mixture_denoiser",
    "nfe",
    "path_coefficients",
    "q_sample",
    "score_from_eps",
    "time_grid",
    "velocity_from_eps",
    "x0_from_eps",
    "x0_from_velocity",
]
