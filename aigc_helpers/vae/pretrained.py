"""The VAEs shipped in ``aigc_helpers/assets/`` by ``benchmarks/vae.py --ship``, and loading any saved VAE.

Taught in: notebooks/08_vae_mnist.ipynb
"""

from __future__ import annotations

from aigc_helpers.assets import load_model, load_shipped
from aigc_helpers.vae.model import VAE

PRETRAINED = {"vae": "vae_mnist.keras", "cvae": "cvae_mnist.keras"}


def load_vae(path) -> VAE:
    """Load a VAE or ConditionalVAE saved with ``model.save("name.keras")`` (``safe_mode=True``).

    Example:
        >>> model = load_vae("runs/vae/final.keras")  # doctest: +SKIP

    Taught in: notebooks/08_vae_mnist.ipynb
    """
    return load_model(path, VAE, "an aigc_helpers VAE")


def load_pretrained(kind: str = "vae") -> VAE:
    """The VAE (``"vae"``) or conditional VAE (``"cvae"``) trained by ``benchmarks/vae.py --ship``; their
    measured figures are in ``vae_results.json``.

    Example:
        >>> cvae = load_pretrained("cvae")  # doctest: +SKIP
        >>> sevens = cvae.generate(8, labels=7)  # doctest: +SKIP

    Taught in: notebooks/08_vae_mnist.ipynb
    """
    return load_shipped(kind, PRETRAINED, VAE, "an aigc_helpers VAE", "vae")


__all__ = ["PRETRAINED", "load_pretrained", "load_vae"]
