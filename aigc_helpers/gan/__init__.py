"""Generative adversarial networks, one concept per module:

- :mod:`~aigc_helpers.gan.losses` -- the discriminator and generator losses (cross-entropy and hinge);
- :mod:`~aigc_helpers.gan.networks` -- the DCGAN generator/discriminator, dense ones for toy data,
  differentiable translation;
- :mod:`~aigc_helpers.gan.model` -- :class:`GAN`, the Keras model whose ``train_step`` plays the game;
- :mod:`~aigc_helpers.gan.conditional` -- :class:`ConditionalGAN`, :class:`SelfConditionedGAN`,
  :func:`build_dcgan`, :func:`build_recipe` (the course's recipe from its settings);
- :mod:`~aigc_helpers.gan.clusters` -- k-means pseudo-labels and the layer that reads a cluster off z;
- :mod:`~aigc_helpers.gan.pretrained` -- the shipped models.

Every name is also available here: ``from aigc_helpers import gan; gan.GAN``.

Taught in: notebooks/03_gan_toy.ipynb, notebooks/04_gan_math.ipynb, notebooks/05_dcgan_mnist.ipynb
"""

from aigc_helpers.gan.clusters import ClusterOfNoise, cluster_labels, place_in_cluster
from aigc_helpers.gan.conditional import (
    RECIPE_KEYS,
    ConditionalGAN,
    SelfConditionedGAN,
    build_dcgan,
    build_recipe,
)
from aigc_helpers.gan.losses import (
    GENERATOR_LOSSES,
    LOSSES,
    GeneratorLoss,
    discriminator_loss,
    generator_loss,
    hinge_discriminator_loss,
    hinge_generator_loss,
)
from aigc_helpers.gan.model import GAN
from aigc_helpers.gan.networks import (
    build_dense_discriminator,
    build_dense_generator,
    build_discriminator,
    build_generator,
    translate,
)
from aigc_helpers.gan.pretrained import PRETRAINED, load_gan, load_pretrained

__all__ = [
    "GAN",
    "GENERATOR_LOSSES",
    "LOSSES",
    "PRETRAINED",
    "RECIPE_KEYS",
    "ClusterOfNoise",
    "ConditionalGAN",
    "GeneratorLoss",
    "SelfConditionedGAN",
    "build_dcgan",
    "build_recipe",
    "build_dense_discriminator",
    "build_dense_generator",
    "build_discriminator",
    "build_generator",
    "cluster_labels",
    "discriminator_loss",
    "generator_loss",
    "hinge_discriminator_loss",
    "hinge_generator_loss",
    "load_gan",
    "load_pretrained",
    "place_in_cluster",
    "translate",
]
