"""The DCGANs shipped in ``aigc_helpers/assets/`` by ``benchmarks/dcgan.py --ship``, and loading any
saved GAN.

Taught in: notebooks/05_dcgan_mnist.ipynb
"""

from __future__ import annotations

from aigc_helpers.assets import load_model, load_shipped
from aigc_helpers.gan.model import GAN

PRETRAINED = {"gan": "gan_mnist.keras", "cgan": "cgan_mnist.keras"}


def load_gan(path) -> GAN:
    """Load a GAN, ConditionalGAN or SelfConditionedGAN saved with ``model.save("name.keras")``.

    Example:
        >>> gan = load_gan("runs/dcgan/final.keras")  # doctest: +SKIP

    Taught in: notebooks/05_dcgan_mnist.ipynb
    """
    from aigc_helpers.gan import conditional  # noqa: F401 - registers the classes a file may name

    return load_model(path, GAN, "an aigc_helpers GAN")


def load_pretrained(kind: str = "gan") -> GAN:
    """The self-conditioned DCGAN (``"gan"``) or the conditional DCGAN (``"cgan"``) trained by
    ``benchmarks/dcgan.py --ship``; their measured figures are in ``gan_results.json``.

    Example:
        >>> cgan = load_pretrained("cgan")  # doctest: +SKIP
        >>> sevens = cgan.generate(8, labels=7)  # doctest: +SKIP

    Taught in: notebooks/05_dcgan_mnist.ipynb
    """
    from aigc_helpers.gan import conditional  # noqa: F401 - registers the classes a file may name

    return load_shipped(kind, PRETRAINED, GAN, "an aigc_helpers GAN", "dcgan")


__all__ = ["PRETRAINED", "load_gan", "load_pretrained"]
