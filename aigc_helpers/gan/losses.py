"""The GAN losses, written on discriminator **logits** l (D = sigmoid(l)) with ``softplus`` so that they
stay finite when D saturates:

- discriminator: ``-[log D(x) + log(1 - D(G(z)))] = softplus(-l_real) + softplus(l_fake)``;
- generator, ``"minimax"``: ``log(1 - D(G(z))) = -softplus(l_fake)`` (saturates early in training);
- generator, ``"non_saturating"`` (the practical one): ``-log D(G(z)) = softplus(-l_fake)``;
- the hinge pair used by SN-GAN, BigGAN and StyleGAN-family models.

Taught in: notebooks/04_gan_math.ipynb
"""

from __future__ import annotations

from typing import Literal

import tensorflow as tf

GeneratorLoss = Literal["non_saturating", "minimax"]
GENERATOR_LOSSES: tuple[str, ...] = ("non_saturating", "minimax")
LOSSES: tuple[str, ...] = ("bce", "hinge")


def _check_label_smoothing(value: float) -> float:
    if not 0.0 <= value < 0.5:
        raise ValueError(
            f"label_smoothing must be in [0, 0.5), got {value}. Fix: use 0.0 (off) or 0.1."
        )
    return float(value)


def discriminator_loss(real_logits, fake_logits, *, label_smoothing: float = 0.0) -> tf.Tensor:
    """Mean of -[t·log D(x) + (1-t)·log(1-D(x)) + log(1-D(G(z)))] with real target t = 1 - label_smoothing.

    One-sided label smoothing (Salimans et al., 2016) only softens the *real* target.

    >>> float(discriminator_loss([0.0], [0.0]))  # D = 1/2 everywhere: 2·log 2
    1.3862943649291992

    Taught in: notebooks/04_gan_math.ipynb
    """
    _check_label_smoothing(label_smoothing)
    real = tf.convert_to_tensor(real_logits, tf.float32)
    fake = tf.convert_to_tensor(fake_logits, tf.float32)
    t = 1.0 - label_smoothing
    real_term = t * tf.nn.softplus(-real) + (1.0 - t) * tf.nn.softplus(real)
    return tf.reduce_mean(real_term) + tf.reduce_mean(tf.nn.softplus(fake))


def generator_loss(fake_logits, kind: GeneratorLoss = "non_saturating") -> tf.Tensor:
    """The generator's loss on discriminator logits of generated samples.

    ``"non_saturating"``: mean of -log D(G(z)); ``"minimax"``: mean of log(1 - D(G(z))).

    >>> round(float(generator_loss([0.0])), 4), round(float(generator_loss([0.0], "minimax")), 4)
    (0.6931, -0.6931)

    Taught in: notebooks/04_gan_math.ipynb
    """
    fake = tf.convert_to_tensor(fake_logits, tf.float32)
    if kind == "non_saturating":
        return tf.reduce_mean(tf.nn.softplus(-fake))
    if kind == "minimax":
        return -tf.reduce_mean(tf.nn.softplus(fake))
    raise ValueError(f"unknown generator loss {kind!r}. Fix: use one of {GENERATOR_LOSSES}.")


def hinge_discriminator_loss(real_logits, fake_logits) -> tf.Tensor:
    """Hinge loss of the discriminator: mean(relu(1 - l_real)) + mean(relu(1 + l_fake)).

    An alternative to the cross-entropy loss used by SN-GAN, BigGAN and StyleGAN-family models.

    >>> float(hinge_discriminator_loss([0.0], [0.0]))
    2.0

    Taught in: machinery behind gan.GAN(loss="hinge") (notebook 05's remedies)
    """
    real = tf.convert_to_tensor(real_logits, tf.float32)
    fake = tf.convert_to_tensor(fake_logits, tf.float32)
    return tf.reduce_mean(tf.nn.relu(1.0 - real)) + tf.reduce_mean(tf.nn.relu(1.0 + fake))


def hinge_generator_loss(fake_logits) -> tf.Tensor:
    """The generator's loss paired with the hinge discriminator loss: mean(-l_fake).

    >>> float(hinge_generator_loss([1.0, 3.0]))
    -2.0

    Taught in: machinery behind gan.GAN(loss="hinge") (notebook 05's remedies)
    """
    return -tf.reduce_mean(tf.convert_to_tensor(fake_logits, tf.float32))
