"""The networks of the course's GANs: the DCGAN generator and discriminator for 28x28 images (with
optional label inputs), dense ones for 2-D toy data, and the differentiable translation that can sit
between G and D.

Taught in: notebooks/03_gan_toy.ipynb (dense networks), notebooks/05_dcgan_mnist.ipynb (DCGAN)
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import tensorflow as tf

from aigc_helpers.checks import check_int_sequence, check_positive_int
from aigc_helpers.gan.clusters import ClusterOfNoise
from aigc_helpers.images import check_image_side


def _check_filters(filters: Sequence[int]) -> tuple[int, ...]:
    return check_int_sequence("filters", filters, 1, fix="e.g. filters=(128, 64).")


def _maybe_sn(layer: keras.layers.Layer, spectral_norm: bool) -> keras.layers.Layer:
    return (
        keras.layers.SpectralNormalization(layer, name=f"sn_{layer.name}")
        if spectral_norm
        else layer
    )


def build_generator(
    latent_dim: int = 100,
    *,
    filters: Sequence[int] = (64, 32),
    kernel_size: int = 4,
    image_shape: tuple[int, int, int] = (28, 28, 1),
    num_classes: int | None = None,
    embed_dim: int = 16,
    cluster_weights: Sequence[float] | None = None,
    name: str = "generator",
) -> keras.Model:
    """DCGAN generator z -> image in [-1, 1] (tanh): Dense -> reshape -> transposed convolutions.

    ``filters[0]`` is the depth of the first (smallest) feature map; each further entry is a
    stride-2 ``Conv2DTranspose`` + batch norm + ReLU that doubles the side; a last stride-2
    ``Conv2DTranspose`` with tanh produces the image. With the defaults: 7x7x64 -> 14x14x32 -> 28x28x1
    (small on purpose: on a 2-core CPU a small DCGAN trained for more steps beats a big one trained for
    fewer, see benchmarks/dcgan.py).
    With ``num_classes``, the inputs are ``[z, label]`` and a learned label embedding is concatenated to z.
    With ``cluster_weights`` (self-conditioning, see :class:`SelfConditionedGAN`) the input is z alone:
    a :class:`ClusterOfNoise` layer reads a cluster id off z's first coordinate and its embedding is
    concatenated to z, so the network is still an unconditional generator of z ~ N(0, I).

    Example:
        >>> g = build_generator(100)  # doctest: +SKIP
        >>> g(np.zeros((2, 100))).shape  # doctest: +SKIP
        TensorShape([2, 28, 28, 1])

    Taught in: notebooks/05_dcgan_mnist.ipynb
    """
    latent_dim = check_positive_int("latent_dim", latent_dim)
    filters = _check_filters(filters)
    side = check_image_side(image_shape, len(filters))
    if num_classes and cluster_weights is not None:
        raise ValueError("pass num_classes or cluster_weights, not both.")
    z = keras.Input((latent_dim,), name="z")
    inputs, h = [z], z
    if num_classes:
        label = keras.Input((), dtype="int32", name="label")
        inputs.append(label)
        e = keras.layers.Embedding(num_classes, embed_dim, name="label_embedding")(label)
        h = keras.layers.Concatenate(name="z_and_label")([z, e])
    elif cluster_weights is not None:
        cluster = ClusterOfNoise(cluster_weights, name="cluster_of_noise")(z)
        k = len(cluster_weights)
        e = keras.layers.Embedding(k, embed_dim, name="cluster_embedding")(cluster)
        h = keras.layers.Concatenate(name="z_and_cluster")([z, e])
    h0, w0 = image_shape[0] // side, image_shape[1] // side
    h = keras.layers.Dense(h0 * w0 * filters[0], use_bias=False, name="project")(h)
    h = keras.layers.Reshape((h0, w0, filters[0]), name="reshape")(h)
    h = keras.layers.BatchNormalization(name="bn0")(h)
    h = keras.layers.ReLU(name="relu0")(h)
    for i, f in enumerate(filters[1:], start=1):
        h = keras.layers.Conv2DTranspose(
            f, kernel_size, strides=2, padding="same", use_bias=False, name=f"deconv{i}"
        )(h)
        h = keras.layers.BatchNormalization(name=f"bn{i}")(h)
        h = keras.layers.ReLU(name=f"relu{i}")(h)
    image = keras.layers.Conv2DTranspose(
        image_shape[2], kernel_size, strides=2, padding="same", activation="tanh", name="image"
    )(h)
    return keras.Model(inputs if num_classes else z, image, name=name)


def build_discriminator(
    *,
    filters: Sequence[int] = (32, 64),
    kernel_size: int = 4,
    image_shape: tuple[int, int, int] = (28, 28, 1),
    dropout: float = 0.0,
    spectral_norm: bool = False,
    num_classes: int | None = None,
    name: str = "discriminator",
) -> keras.Model:
    """DCGAN discriminator image -> one **logit** (no sigmoid): stride-2 convolutions + LeakyReLU(0.2).

    With the defaults: 28x28x1 -> 14x14x32 -> 7x7x64 -> Dense(1). ``spectral_norm=True`` wraps every
    convolution and the output layer in ``keras.layers.SpectralNormalization`` (Miyato et al., 2018).
    With ``num_classes`` the inputs are ``[image, label]`` and a *projection* term
    <embed(label), features> is added to the logit (Miyato & Koyama, 2018).

    Example:
        >>> d = build_discriminator()  # doctest: +SKIP
        >>> d(np.zeros((2, 28, 28, 1))).shape  # doctest: +SKIP
        TensorShape([2, 1])

    Taught in: notebooks/05_dcgan_mnist.ipynb
    """
    filters = _check_filters(filters)
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}. Fix: use 0.0 (off) or 0.3.")
    image = keras.Input(image_shape, name="image")
    h = image
    for i, f in enumerate(filters):
        conv = keras.layers.Conv2D(f, kernel_size, strides=2, padding="same", name=f"conv{i}")
        h = _maybe_sn(conv, spectral_norm)(h)
        h = keras.layers.LeakyReLU(0.2, name=f"lrelu{i}")(h)
        if dropout:
            h = keras.layers.Dropout(dropout, name=f"dropout{i}")(h)
    h = keras.layers.Flatten(name="features")(h)
    logit = _maybe_sn(keras.layers.Dense(1, name="logit"), spectral_norm)(h)
    if not num_classes:
        return keras.Model(image, logit, name=name)
    label = keras.Input((), dtype="int32", name="label")
    e = keras.layers.Embedding(num_classes, int(h.shape[-1]), name="label_embedding")(label)
    projection = keras.layers.Dot(axes=1, name="projection")([e, h])
    logit = keras.layers.Add(name="logit_with_label")([logit, projection])
    return keras.Model([image, label], logit, name=name)


def build_dense_generator(
    latent_dim: int, out_dim: int, hidden: Sequence[int] = (64, 64), *, name: str = "generator"
) -> keras.Model:
    """Fully connected generator for vector data (e.g. 2-D toy points): z -> x, linear output.

    Example:
        >>> g = build_dense_generator(2, 2)  # doctest: +SKIP
        >>> g(np.zeros((5, 2))).shape  # doctest: +SKIP
        TensorShape([5, 2])

    Taught in: notebooks/03_gan_toy.ipynb
    """
    latent_dim = check_positive_int("latent_dim", latent_dim)
    out_dim = check_positive_int("out_dim", out_dim)
    z = keras.Input((latent_dim,), name="z")
    h = z
    for i, units in enumerate(hidden):
        h = keras.layers.Dense(units, activation="relu", name=f"hidden{i}")(h)
    return keras.Model(z, keras.layers.Dense(out_dim, name="x")(h), name=name)


def build_dense_discriminator(
    in_dim: int, hidden: Sequence[int] = (64, 64), *, name: str = "discriminator"
) -> keras.Model:
    """Fully connected discriminator for vector data: x -> one logit (LeakyReLU(0.2) hidden layers).

    Example:
        >>> d = build_dense_discriminator(2)  # doctest: +SKIP
        >>> d(np.zeros((5, 2))).shape  # doctest: +SKIP
        TensorShape([5, 1])

    Taught in: notebooks/03_gan_toy.ipynb
    """
    in_dim = check_positive_int("in_dim", in_dim)
    x = keras.Input((in_dim,), name="x")
    h = x
    for i, units in enumerate(hidden):
        h = keras.layers.Dense(units, name=f"hidden{i}")(h)
        h = keras.layers.LeakyReLU(0.2, name=f"lrelu{i}")(h)
    return keras.Model(x, keras.layers.Dense(1, name="logit")(h), name=name)


# --------------------------------------------------------------------------- augmentation


def translate(x, shift: int, seed) -> tf.Tensor:
    """Shift every image of a batch by its own random offset in [-shift, shift] pixels (zeros = -1 fill).

    Differentiable with respect to ``x`` (it is a gather), so it can sit between G and D:
    *differentiable augmentation* (Zhao et al., 2020) shows D only augmented images, real and fake alike.
    """
    b, hgt, wid = tf.shape(x)[0], tf.shape(x)[1], tf.shape(x)[2]
    offsets = tf.random.stateless_uniform(
        [b, 2], seed=seed, minval=-shift, maxval=shift + 1, dtype=tf.int32
    )
    pad = tf.pad(x + 1.0, [[0, 0], [shift, shift], [shift, shift], [0, 0]]) - 1.0
    rows = tf.range(hgt)[None, :] + shift - offsets[:, :1]  # (B, H)
    cols = tf.range(wid)[None, :] + shift - offsets[:, 1:]  # (B, W)
    out = tf.gather(pad, rows, axis=1, batch_dims=1)
    return tf.gather(out, cols, axis=2, batch_dims=1)
