"""The networks of the course's diffusion and flow models: a small U-Net for 28x28 images and a dense
network for 2-D toy points, both told the time t (and, optionally, a class label).

The network sees a noisy input x_t and the time t and predicts the noise (``objective="eps"``) or the
velocity (``objective="flow"``) -- an output of x_t's shape. The time enters as a sinusoidal embedding
(:class:`SinusoidalEmbedding`, as in the Transformer and in Ho et al., 2020), passed through two dense
layers and added to the features of every residual block, so that one network can denoise at every noise
level. A class label adds a learned embedding to the time embedding; the label ``num_classes`` (one row
more than there are classes) is the "null" label, "no class given", that classifier-free guidance needs.

Taught in: notebooks/16_diffusion_math.ipynb, notebooks/17_diffusion_mnist.ipynb, notebooks/18_latent_diffusion.ipynb
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import keras

from aigc_helpers.checks import check_int, check_int_sequence, check_positive_int

__all__ = ["SinusoidalEmbedding", "build_toy_network", "build_unet"]


@keras.saving.register_keras_serializable(package="aigc_helpers")
class SinusoidalEmbedding(keras.layers.Layer):
    """Times t in [0, 1], shape (b,) or (b, 1), -> (b, dim) features [sin(1000 t w_i), cos(1000 t w_i)]
    with frequencies w_i spaced geometrically from 1 down to 1 / ``max_period``.

    Nearby times get similar features and distant ones different features at every scale, which a
    dense layer reads far more easily than the bare number t. t is scaled by 1000, the number of steps of
    the original DDPM, so the fastest frequency still tells 1/1000 apart.

    Example:
        >>> SinusoidalEmbedding(8)(np.zeros((2, 1))).shape  # doctest: +SKIP
        (2, 8)

    Taught in: machinery behind the diffusion lessons (notebooks 16 to 18)
    """

    def __init__(self, dim: int, max_period: float = 10_000.0, **kwargs):
        super().__init__(**kwargs)
        self.dim = check_int("dim", dim, minimum=2, fix="use an even number such as 64.")
        if self.dim % 2:
            raise ValueError(f"dim must be even (sines and cosines), got {dim}. Fix: e.g. dim=64.")
        self.max_period = float(max_period)

    def call(self, t):
        half = self.dim // 2
        freqs = keras.ops.exp(
            -math.log(self.max_period) * keras.ops.arange(half, dtype="float32") / half
        )
        t = keras.ops.reshape(keras.ops.cast(t, "float32"), (-1, 1)) * 1000.0
        angles = t * freqs[None, :]
        return keras.ops.concatenate([keras.ops.sin(angles), keras.ops.cos(angles)], axis=-1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.dim)

    def get_config(self) -> dict:
        return {**super().get_config(), "dim": self.dim, "max_period": self.max_period}


def _conditioning(embed_dim: int, num_classes: int | None):
    """The time (and label) inputs and the embedding every block reads: (inputs, embedding)."""
    t = keras.Input((), name="t")
    e = SinusoidalEmbedding(embed_dim, name="time_sinusoids")(t)
    e = keras.layers.Dense(embed_dim, activation="swish", name="time_dense_1")(e)
    e = keras.layers.Dense(embed_dim, name="time_dense_2")(e)
    inputs = [t]
    if num_classes is not None:
        label = keras.Input((), dtype="int32", name="label")
        inputs.append(label)
        # num_classes + 1 rows: the last one is the null label of classifier-free guidance
        y = keras.layers.Embedding(num_classes + 1, embed_dim, name="label_embedding")(label)
        e = keras.layers.Add(name="time_and_label")([e, y])
    return inputs, keras.layers.Activation("swish", name="embedding")(e)


def _check_classes(num_classes: int | None) -> int | None:
    if num_classes is None:
        return None
    return check_int("num_classes", num_classes, minimum=2, fix="use 10 for MNIST digits, or None.")


def _res_block(h, emb, width: int, groups: int, name: str):
    """GroupNorm -> swish -> conv 3x3, plus the projected embedding; GroupNorm -> swish -> conv 3x3;
    plus the input (projected by a 1x1 convolution when the width changes)."""
    skip = h
    if int(h.shape[-1]) != width:
        skip = keras.layers.Conv2D(width, 1, name=f"{name}_skip")(h)
    h = keras.layers.GroupNormalization(min(groups, int(h.shape[-1])), name=f"{name}_norm1")(h)
    h = keras.layers.Activation("swish", name=f"{name}_act1")(h)
    h = keras.layers.Conv2D(width, 3, padding="same", name=f"{name}_conv1")(h)
    shift = keras.layers.Dense(width, name=f"{name}_time")(emb)
    shift = keras.layers.Reshape((1, 1, width), name=f"{name}_time_map")(shift)
    h = keras.layers.Add(name=f"{name}_add_time")([h, shift])
    h = keras.layers.GroupNormalization(groups, name=f"{name}_norm2")(h)
    h = keras.layers.Activation("swish", name=f"{name}_act2")(h)
    h = keras.layers.Conv2D(width, 3, padding="same", name=f"{name}_conv2")(h)
    return keras.layers.Add(name=f"{name}_out")([skip, h])


def build_unet(
    widths: Sequence[int] = (16, 32, 64),
    num_classes: int | None = None,
    *,
    image_shape: tuple[int, int, int] = (28, 28, 1),
    embed_dim: int = 64,
    groups: int = 8,
    name: str = "unet",
) -> keras.Model:
    """A small U-Net: noisy image x_t (b, 28, 28, 1) and time t (b,) [and label (b,)] -> a prediction
    of the image's shape (the noise or the velocity).

    ``widths[i]`` is the number of channels at resolution 28 / 2^i: the defaults (16, 32, 64) work at
    28x28, 14x14 and 7x7. Each resolution has one residual block on the way down and one on the way up,
    which also reads the down block's features through a skip connection; a middle block sits at the
    lowest resolution; stride-2 convolutions go down, nearest-neighbour upsampling and a convolution go
    up. The time embedding (and the label's) is added inside every residual block. The last convolution
    starts at zero, so the untrained network predicts 0. About 360,000 parameters with the defaults,
    few of them at full resolution, so that it trains on a 2-core CPU; widths=(32, 64, 64) has about
    580,000 and costs about three times as much computation per image.

    ``num_classes``: add a label input with values 0 .. num_classes, where ``num_classes`` itself is the
    null label (no class) used for classifier-free guidance.

    Example:
        >>> net = build_unet((16, 32, 32), num_classes=10)  # doctest: +SKIP
        >>> net([np.zeros((2, 28, 28, 1)), np.ones(2), np.array([3, 10])]).shape  # doctest: +SKIP
        TensorShape([2, 28, 28, 1])

    Taught in: notebooks/17_diffusion_mnist.ipynb
    """
    widths = check_int_sequence("widths", widths, 1, fix="e.g. widths=(32, 64, 64).")
    groups = check_positive_int("groups", groups, fix="use 8 (or 1 for plain layer norm).")
    bad = [w for w in widths if w % groups]
    if bad:
        raise ValueError(
            f"every width must be a multiple of groups={groups} (group normalization), got {bad}. "
            f"Fix: use widths such as (32, 64, 64) or set groups to a common divisor."
        )
    side = 2 ** (len(widths) - 1)
    if len(image_shape) != 3 or image_shape[0] % side or image_shape[1] % side:
        raise ValueError(
            f"image_shape {tuple(image_shape)} must be (height, width, channels) with height and width "
            f"divisible by {side}, as {len(widths)} widths halve the image {len(widths) - 1} times. "
            "Fix: use fewer widths, e.g. widths=(32, 64, 64) for 28x28 images."
        )
    embed_dim = check_int("embed_dim", embed_dim, minimum=2, fix="use e.g. embed_dim=64.")
    num_classes = _check_classes(num_classes)
    x = keras.Input(image_shape, name="x_t")
    cond_inputs, emb = _conditioning(embed_dim, num_classes)

    h = keras.layers.Conv2D(widths[0], 3, padding="same", name="stem")(x)
    skips = []
    for i, width in enumerate(widths):  # down: a block at each resolution, then halve it
        h = _res_block(h, emb, width, groups, f"down{i}")
        skips.append(h)
        if i < len(widths) - 1:
            h = keras.layers.Conv2D(width, 3, strides=2, padding="same", name=f"downsample{i}")(h)
    h = _res_block(h, emb, widths[-1], groups, "middle")
    for i in reversed(range(len(widths))):  # up: read the down block's features, then double
        h = keras.layers.Concatenate(name=f"skip{i}")([h, skips[i]])
        h = _res_block(h, emb, widths[i], groups, f"up{i}")
        if i > 0:
            h = keras.layers.UpSampling2D(2, name=f"upsample{i}")(h)
    h = keras.layers.GroupNormalization(groups, name="out_norm")(h)
    h = keras.layers.Activation("swish", name="out_act")(h)
    out = keras.layers.Conv2D(
        image_shape[-1], 3, padding="same", kernel_initializer="zeros", name="prediction"
    )(h)
    return keras.Model([x, *cond_inputs], out, name=name)


def build_toy_network(
    dim: int = 2,
    num_classes: int | None = None,
    *,
    width: int = 128,
    depth: int = 3,
    embed_dim: int = 32,
    name: str = "toy_network",
) -> keras.Model:
    """A dense network for points: x_t (b, dim) and time t (b,) [and label (b,)] -> (b, dim).

    ``depth`` hidden layers of ``width`` swish units; the time (and label) embedding is added to every
    hidden layer. Trains on the 2-D toy data of :mod:`aigc_helpers.toy` in seconds.

    Example:
        >>> net = build_toy_network(2)  # doctest: +SKIP
        >>> net([np.zeros((5, 2)), np.ones(5)]).shape  # doctest: +SKIP
        TensorShape([5, 2])

    Taught in: notebooks/16_diffusion_math.ipynb, notebooks/18_latent_diffusion.ipynb
    """
    dim = check_positive_int("dim", dim)
    width = check_positive_int("width", width)
    depth = check_positive_int("depth", depth)
    embed_dim = check_int("embed_dim", embed_dim, minimum=2, fix="use e.g. embed_dim=32.")
    num_classes = _check_classes(num_classes)
    x = keras.Input((dim,), name="x_t")
    cond_inputs, emb = _conditioning(embed_dim, num_classes)
    h = x
    for i in range(depth):
        h = keras.layers.Dense(width, name=f"dense{i}")(h)
        h = keras.layers.Add(name=f"dense{i}_add_time")(
            [h, keras.layers.Dense(width, name=f"dense{i}_time")(emb)]
        )
        h = keras.layers.Activation("swish", name=f"dense{i}_act")(h)
    out = keras.layers.Dense(dim, name="prediction")(h)
    return keras.Model([x, *cond_inputs], out, name=name)
