"""The networks of the course's VAEs: convolutional encoder and decoder for 28x28 images (with optional
label inputs), dense ones for 2-D toy data.

Taught in: notebooks/06_vae_toy.ipynb (dense networks); the convolutional ones are machinery behind vae.VAE
"""

from __future__ import annotations

from collections.abc import Sequence

import keras

from aigc_helpers.checks import check_choice, check_positive_int
from aigc_helpers.images import check_image_side

LIKELIHOODS = ("bernoulli", "gaussian")


def build_encoder(
    latent_dim: int = 32,
    *,
    filters: Sequence[int] = (32, 32),
    hidden: int = 256,
    image_shape: tuple[int, int, int] = (28, 28, 1),
    num_classes: int | None = None,
    name: str = "encoder",
) -> keras.Model:
    """Convolutional encoder x -> (mean, log_var) of q(z|x); with ``num_classes``, inputs are (x, label).

    Each entry of ``filters`` is a 3x3 convolution with stride 2 (28 -> 14 -> 7).

    Example:
        >>> enc = build_encoder(8)  # doctest: +SKIP
        >>> [t.shape for t in enc(np.zeros((2, 28, 28, 1)))]  # doctest: +SKIP
        [TensorShape([2, 8]), TensorShape([2, 8])]
    """
    latent_dim = check_positive_int("latent_dim", latent_dim)
    image = keras.Input(image_shape, name="image")
    h = image
    for i, f in enumerate(filters):
        h = keras.layers.Conv2D(
            f, 3, strides=2, padding="same", activation="relu", name=f"conv{i}"
        )(h)
    h = keras.layers.Flatten(name="flatten")(h)
    inputs = [image]
    if num_classes:
        label = keras.Input((), dtype="int32", name="label")
        inputs.append(label)
        h = keras.layers.Concatenate(name="with_label")(
            [h, keras.layers.CategoryEncoding(num_classes, "one_hot", name="one_hot")(label)]
        )
    h = keras.layers.Dense(hidden, activation="relu", name="hidden")(h)
    mean = keras.layers.Dense(latent_dim, name="z_mean")(h)
    log_var = keras.layers.Dense(latent_dim, name="z_log_var")(h)
    return keras.Model(inputs if num_classes else image, [mean, log_var], name=name)


def build_decoder(
    latent_dim: int = 32,
    *,
    filters: Sequence[int] = (32, 32),
    hidden: int = 256,
    image_shape: tuple[int, int, int] = (28, 28, 1),
    num_classes: int | None = None,
    out_channels: int | None = None,
    logits_kernel: int = 3,
    name: str = "decoder",
) -> keras.Model:
    """Convolutional decoder z -> Bernoulli **logits** of every pixel; with ``num_classes``, (z, label).

    Each entry of ``filters`` is a 3x3 transposed convolution with stride 2 (7 -> 14 -> 28), so the
    image side must be divisible by 2 ** len(filters). ``out_channels`` (default: the image's channels)
    sets the width of the last layer: a VAE with a pixel-context head (:func:`build_pixel_head`) asks
    for feature maps instead of logits. ``logits_kernel`` is the last layer's kernel size (3: each
    output also mixes its 3x3 neighbourhood; 1: per pixel). With 16 output maps a 3x3 last layer is
    the most expensive layer of the whole VAE (7.2 of 16.5 MFLOPs per image), so the pixel-context VAE
    uses 1 (benchmarks/vae.py measured 1.6x the training images/s and a better bound in the same time).
    """
    latent_dim = check_positive_int("latent_dim", latent_dim)
    logits_kernel = check_positive_int("logits_kernel", logits_kernel)
    side = check_image_side(image_shape, len(filters))
    z = keras.Input((latent_dim,), name="z")
    inputs = [z]
    h = z
    if num_classes:
        label = keras.Input((), dtype="int32", name="label")
        inputs.append(label)
        h = keras.layers.Concatenate(name="with_label")(
            [z, keras.layers.CategoryEncoding(num_classes, "one_hot", name="one_hot")(label)]
        )
    h0, w0 = image_shape[0] // side, image_shape[1] // side
    h = keras.layers.Dense(hidden, activation="relu", name="hidden")(h)
    h = keras.layers.Dense(h0 * w0 * filters[0], activation="relu", name="project")(h)
    h = keras.layers.Reshape((h0, w0, filters[0]), name="reshape")(h)
    for i, f in enumerate(filters):
        h = keras.layers.Conv2DTranspose(
            f, 3, strides=2, padding="same", activation="relu", name=f"deconv{i}"
        )(h)
    width = (
        image_shape[2] if out_channels is None else check_positive_int("out_channels", out_channels)
    )
    logits = keras.layers.Conv2D(width, logits_kernel, padding="same", name="logits")(h)
    return keras.Model(inputs if num_classes else z, logits, name=name)


def build_dense_encoder(
    input_dim: int, latent_dim: int = 2, *, hidden: Sequence[int] = (64, 64), name: str = "encoder"
) -> keras.Model:
    """Fully connected encoder for vector data (e.g. 2-D toy points): x -> (mean, log_var).

    Example:
        >>> enc = build_dense_encoder(2, 2)  # doctest: +SKIP
    """
    latent_dim = check_positive_int("latent_dim", latent_dim)
    x = keras.Input((input_dim,), name="x")
    h = x
    for i, units in enumerate(hidden):
        h = keras.layers.Dense(units, activation="relu", name=f"hidden{i}")(h)
    return keras.Model(
        x,
        [
            keras.layers.Dense(latent_dim, name="z_mean")(h),
            keras.layers.Dense(latent_dim, name="z_log_var")(h),
        ],
        name=name,
    )


def build_dense_decoder(
    latent_dim: int,
    output_dim: int,
    *,
    hidden: Sequence[int] = (64, 64),
    likelihood: str = "gaussian",
    name: str = "decoder",
) -> keras.Model:
    """Fully connected decoder z -> parameters of p(x|z): [mean, log_var] (Gaussian) or logits (Bernoulli).

    Example:
        >>> dec = build_dense_decoder(2, 2)  # doctest: +SKIP
    """
    latent_dim = check_positive_int("latent_dim", latent_dim)
    check_choice("likelihood", likelihood, LIKELIHOODS)
    z = keras.Input((latent_dim,), name="z")
    h = z
    for i, units in enumerate(hidden):
        h = keras.layers.Dense(units, activation="relu", name=f"hidden{i}")(h)
    width = 2 * output_dim if likelihood == "gaussian" else output_dim
    return keras.Model(z, keras.layers.Dense(width, name="params")(h), name=name)
