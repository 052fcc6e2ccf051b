"""The shipped latent diffusion model, trained by ``benchmarks/diffusion.py --ship``.

Taught in: notebooks/18_latent_diffusion.ipynb
"""

from __future__ import annotations

from aigc_helpers.assets import load_shipped
from aigc_helpers.diffusion.model import Diffusion

PRETRAINED = {"latent": "latent_mnist.keras"}


def load_pretrained(kind: str = "latent") -> Diffusion:
    """The shipped digit-conditioned latent flow model (``"latent"``): a ConditionalLatentDiffusion over
    the shipped VAE's codes, with the guidance scale chosen on validation images; its measured figures are
    in ``diffusion_results.json``.

    Example:
        >>> model = load_pretrained("latent")  # doctest: +SKIP
        >>> sevens = model.generate(8, labels=7, seed=0)  # doctest: +SKIP

    Taught in: notebooks/18_latent_diffusion.ipynb
    """
    return load_shipped(kind, PRETRAINED, Diffusion, "an aigc_helpers Diffusion model", "diffusion")


__all__ = ["PRETRAINED", "load_pretrained"]
