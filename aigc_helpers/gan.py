"""Generative adversarial networks: the losses, the DCGAN generator/discriminator and the GAN model.

Taught in: notebooks/03_gan_toy.ipynb, notebooks/04_gan_math.ipynb, notebooks/05_dcgan_mnist.ipynb

The discriminator outputs a **logit** l (D = sigmoid(l)); every loss below is written with
``softplus`` so it stays finite when D is saturated:

- discriminator: ``-[log D(x) + log(1 - D(G(z)))] = softplus(-l_real) + softplus(l_fake)``
  (the source article's ``-log[D(x) + D(G(z))]`` is not this loss; notebook 04 shows why it is wrong);
- generator, ``"minimax"``: ``log(1 - D(G(z))) = -softplus(l_fake)`` (saturates early in training);
- generator, ``"non_saturating"`` (the practical one): ``-log D(G(z)) = softplus(-l_fake)``.

Also here: the hinge losses; the DCGAN networks (:func:`build_generator`, :func:`build_discriminator`,
with optional label inputs) and dense ones for 2-D toy data; :class:`GAN` and :class:`ConditionalGAN`,
Keras models with their own ``train_step`` (one D step, one G step; optional one-sided label smoothing,
EMA of the generator, R1 penalty, differentiable translation augmentation), trained with ``fit``, saved as
``.keras``, usable under ``tf.distribute``; and :func:`load_pretrained` for the models shipped in
``assets/`` by ``benchmarks/dcgan.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import keras
import numpy as np
import tensorflow as tf

GeneratorLoss = Literal["non_saturating", "minimax"]
GENERATOR_LOSSES: tuple[str, ...] = ("non_saturating", "minimax")


def discriminator_loss(real_logits, fake_logits, *, label_smoothing: float = 0.0) -> tf.Tensor:
    """Mean of -[t·log D(x) + (1-t)·log(1-D(x)) + log(1-D(G(z)))] with real target t = 1 - label_smoothing.

    One-sided label smoothing (Salimans et al., 2016) only softens the *real* target.

    >>> float(discriminator_loss([0.0], [0.0]))  # D = 1/2 everywhere: 2·log 2
    1.3862943649291992

    Taught in: notebooks/04_gan_math.ipynb
    """
    if not 0.0 <= label_smoothing < 0.5:
        raise ValueError(
            f"label_smoothing must be in [0, 0.5), got {label_smoothing}. Fix: use 0.0 (off) or 0.1."
        )
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

    Taught in: notebooks/05_dcgan_mnist.ipynb
    """
    real = tf.convert_to_tensor(real_logits, tf.float32)
    fake = tf.convert_to_tensor(fake_logits, tf.float32)
    return tf.reduce_mean(tf.nn.relu(1.0 - real)) + tf.reduce_mean(tf.nn.relu(1.0 + fake))


def hinge_generator_loss(fake_logits) -> tf.Tensor:
    """The generator's loss paired with the hinge discriminator loss: mean(-l_fake).

    >>> float(hinge_generator_loss([1.0, 3.0]))
    -2.0

    Taught in: notebooks/05_dcgan_mnist.ipynb
    """
    return -tf.reduce_mean(tf.convert_to_tensor(fake_logits, tf.float32))


# --------------------------------------------------------------------------- networks


def _check_positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def _check_filters(filters: Sequence[int]) -> tuple[int, ...]:
    filters = tuple(filters)
    if not filters or any(
        isinstance(f, bool) or not isinstance(f, (int, np.integer)) or f <= 0 for f in filters
    ):
        raise ValueError(
            f"filters must be a non-empty sequence of positive integers, got {filters!r}. "
            "Fix: e.g. filters=(128, 64)."
        )
    return tuple(int(f) for f in filters)


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
    latent_dim = _check_positive_int("latent_dim", latent_dim)
    filters = _check_filters(filters)
    side = 2 ** len(filters)
    if image_shape[0] % side or image_shape[1] % side:
        raise ValueError(
            f"image_shape {image_shape} is not divisible by {side} (2 ** len(filters)). "
            "Fix: use fewer filters or pad the images."
        )
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


# --------------------------------------------------------------------------- self-conditioning


def _check_cluster_weights(cluster_weights) -> np.ndarray:
    w = np.asarray(cluster_weights, np.float64)
    if w.ndim != 1 or len(w) < 2 or not np.all(np.isfinite(w)) or (w <= 0).any():
        raise ValueError(
            f"cluster_weights must be >= 2 positive numbers (the clusters' shares of the data), got "
            f"{cluster_weights!r}. Fix: use the weights returned by cluster_labels()."
        )
    return w / w.sum()


def _ndtr(x):
    """The standard normal CDF Phi(x), as 0.5 * erfc(-x / sqrt 2) (accurate in both tails)."""
    return 0.5 * tf.math.erfc(-x / np.float32(np.sqrt(2.0)))


@keras.saving.register_keras_serializable(package="aigc_helpers")
class ClusterOfNoise(keras.layers.Layer):
    """z -> cluster id: the cluster c whose slice [cdf_(c-1), cdf_c) of (0, 1) holds Phi(z_0).

    Since Phi(z_0) is uniform for z_0 ~ N(0, 1), cluster c comes out with probability
    ``cluster_weights[c]`` -- the generator draws its own cluster from its own noise.

    Taught in: notebooks/05_dcgan_mnist.ipynb (the self-conditioned DCGAN)
    """

    def __init__(self, cluster_weights: Sequence[float], **kwargs):
        super().__init__(**kwargs)
        self.cluster_weights = [float(v) for v in _check_cluster_weights(cluster_weights)]
        self._inner = np.cumsum(self.cluster_weights)[:-1].astype(np.float32)

    def call(self, z):
        u = _ndtr(tf.cast(z[:, 0], tf.float32))
        return tf.reduce_sum(tf.cast(u[:, None] >= self._inner[None, :], tf.int32), axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],)

    def get_config(self) -> dict:
        return {**super().get_config(), "cluster_weights": self.cluster_weights}


def place_in_cluster(z, clusters, cluster_weights) -> tf.Tensor:
    """Move each z's first coordinate into its cluster's slice, keeping its rank there.

    z_0 -> Phi^-1(lo_c + Phi(z_0) * w_c): if z_0 ~ N(0, 1), the result is z_0 *conditioned on*
    cluster c, so ``ClusterOfNoise`` maps it to c. Used in training, where fakes take the clusters
    of the real batch.

    Example:
        >>> w = [0.25, 0.75]
        >>> z = place_in_cluster(np.zeros((2, 3)), [0, 1], w)
        >>> ClusterOfNoise(w)(z).numpy().tolist()
        [0, 1]
    """
    w = _check_cluster_weights(cluster_weights).astype(np.float32)
    lo = np.concatenate([[0.0], np.cumsum(w)[:-1]]).astype(np.float32)
    z = tf.convert_to_tensor(z, tf.float32)
    c = tf.cast(clusters, tf.int32)
    lo_c, w_c = tf.gather(lo, c), tf.gather(w, c)
    u = lo_c + _ndtr(z[:, 0]) * w_c
    margin = 1e-3 * w_c  # stay clear of the slice edges, where float rounding could cross over
    u = tf.clip_by_value(u, lo_c + margin, lo_c + w_c - margin)
    return tf.concat([tf.math.ndtri(u)[:, None], z[:, 1:]], axis=1)


def cluster_labels(
    images, n_clusters: int = 50, *, pca_dim: int = 50, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """k-means clusters of the images (pixels -> PCA -> MiniBatchKMeans): ``(labels, weights)``.

    No class labels are used: the clusters are pseudo-labels for a :class:`SelfConditionedGAN`
    (Liu et al., 2020, "Diverse image generation via self-conditioned GANs"). ``weights`` are the
    clusters' shares of the data. About 5 seconds for MNIST's 60,000 images.

    Taught in: notebooks/05_dcgan_mnist.ipynb (the self-conditioned DCGAN)
    """
    from sklearn.cluster import MiniBatchKMeans
    from sklearn.decomposition import PCA

    n_clusters = _check_positive_int("n_clusters", n_clusters)
    x = np.asarray(images, np.float32).reshape(len(images), -1)
    if n_clusters < 2 or n_clusters > len(x):
        raise ValueError(
            f"n_clusters must be in 2..{len(x)} (the number of images), got {n_clusters}."
        )
    if x.max() > 1.0:
        x = x / 255.0
    f = PCA(min(pca_dim, x.shape[1], len(x)), random_state=seed).fit_transform(x)
    km = MiniBatchKMeans(n_clusters, random_state=seed, n_init=3, batch_size=4096)
    labels = km.fit_predict(f).astype(np.int32)
    counts = np.bincount(labels, minlength=n_clusters).astype(np.float64)
    counts = np.maximum(counts, 1.0)  # an empty cluster keeps a tiny share (weights must be > 0)
    return labels, counts / counts.sum()


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
    latent_dim = _check_positive_int("latent_dim", latent_dim)
    out_dim = _check_positive_int("out_dim", out_dim)
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
    in_dim = _check_positive_int("in_dim", in_dim)
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


# --------------------------------------------------------------------------- the model

LOSSES: tuple[str, ...] = ("bce", "hinge")


@keras.saving.register_keras_serializable(package="aigc_helpers")
class GAN(keras.Model):
    """A generative adversarial network trained through ``model.fit``.

    Args:
        generator: maps z (B, latent_dim) -- and a label for :class:`ConditionalGAN` -- to a sample.
        discriminator: maps a sample (and a label) to one **logit** per sample.
        latent_dim: size of z; read from ``generator.input_shape`` when omitted.
        generator_loss: ``"non_saturating"`` (-log D(G(z)), the default) or ``"minimax"``
            (log(1 - D(G(z))), the textbook objective, which saturates early -- for teaching).
        loss: ``"bce"`` (the cross-entropy losses of Goodfellow et al.) or ``"hinge"``.
        label_smoothing: one-sided label smoothing of the real target (0 = off, 0.1 is typical).
        ema_decay: keep an exponential moving average of the generator's weights (e.g. 0.999) and
            sample from it; ``None`` = off. The decay warms up as min(ema_decay, (1 + t) / (10 + t))
            after t generator steps, so early weights do not linger in short runs.
        r1_gamma: weight of the R1 penalty gamma/2 * E||grad_x D(x)||^2 on real data (0 = off).
        augment: differentiable augmentation of both real and fake images before D: random
            translation by up to this many pixels (0 = off).
        seed: seed of the model's own noise.

    Each ``fit`` step takes one discriminator step and one generator step and reports ``d_loss``,
    ``g_loss``, ``d_real`` and ``d_fake`` (mean D(x) and D(G(z)) as probabilities).

    Example:
        >>> gan = GAN(build_generator(100), build_discriminator())  # doctest: +SKIP
        >>> gan.compile(d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),  # doctest: +SKIP
        ...             g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5))
        >>> gan.fit(data.gan_dataset(x_train, batch_size=128), epochs=10)  # doctest: +SKIP
        >>> images = data.from_gan_range(gan.generate(16, seed=0))   # uint8 (16, 28, 28)  # doctest: +SKIP

    Taught in: notebooks/03_gan_toy.ipynb, notebooks/05_dcgan_mnist.ipynb
    """

    conditional = False
    generator_takes_label = False  # does the generator network have a label input?

    def __init__(
        self,
        generator: keras.Model,
        discriminator: keras.Model,
        latent_dim: int | None = None,
        *,
        generator_loss: str = "non_saturating",
        loss: str = "bce",
        label_smoothing: float = 0.0,
        ema_decay: float | None = None,
        r1_gamma: float = 0.0,
        augment: int = 0,
        seed: int | None = None,
        num_classes: int | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not isinstance(generator, keras.Model) or not isinstance(discriminator, keras.Model):
            raise ValueError(
                "generator and discriminator must be keras Models. "
                "Fix: e.g. GAN(build_generator(100), build_discriminator())."
            )
        if generator_loss not in GENERATOR_LOSSES:
            raise ValueError(
                f"unknown generator_loss {generator_loss!r}. Fix: use one of {GENERATOR_LOSSES}."
            )
        if loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}. Fix: use one of {LOSSES}.")
        if not 0.0 <= label_smoothing < 0.5:
            raise ValueError(
                f"label_smoothing must be in [0, 0.5), got {label_smoothing}. Fix: use 0.0 (off) or 0.1."
            )
        if loss == "hinge" and label_smoothing:
            raise ValueError("label_smoothing applies to loss='bce' only. Fix: set it to 0.0.")
        if ema_decay is not None and not 0.0 < ema_decay < 1.0:
            raise ValueError(
                f"ema_decay must be in (0, 1) or None, got {ema_decay}. Fix: use 0.999 or None (off)."
            )
        if not r1_gamma >= 0:
            raise ValueError(
                f"r1_gamma must be >= 0, got {r1_gamma}. Fix: use 0 (off) or e.g. 1.0."
            )
        if isinstance(augment, bool) or not isinstance(augment, (int, np.integer)) or augment < 0:
            raise ValueError(
                f"augment must be a number of pixels >= 0, got {augment!r}. Fix: use 0 (off) or 2."
            )
        if self.conditional and (
            isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 2
        ):
            raise ValueError(f"num_classes must be an integer >= 2, got {num_classes!r}.")
        n_g_inputs = len(generator.inputs)
        if n_g_inputs != (2 if self.generator_takes_label else 1):
            fix = (
                "build_generator(..., num_classes=10) for a ConditionalGAN"
                if self.conditional
                else "a generator with a single input z, or ConditionalGAN for [z, label]"
            )
            raise ValueError(f"the generator has {n_g_inputs} inputs. Fix: use {fix}.")
        if latent_dim is None:
            latent_dim = int(generator.inputs[0].shape[-1])
        self.latent_dim = _check_positive_int("latent_dim", latent_dim)
        if int(generator.inputs[0].shape[-1]) != self.latent_dim:
            raise ValueError(
                f"latent_dim={self.latent_dim} but the generator takes z of size "
                f"{generator.inputs[0].shape[-1]}. Fix: pass latent_dim=None to read it from the generator."
            )
        self.generator = generator
        self.discriminator = discriminator
        self.generator_loss_kind = generator_loss
        self.loss_kind = loss
        self.label_smoothing = float(label_smoothing)
        self.ema_decay = None if ema_decay is None else float(ema_decay)
        self.r1_gamma = float(r1_gamma)
        self.augment = int(augment)
        self.seed = seed
        self.num_classes = num_classes if self.conditional else None
        self.seed_generator = keras.random.SeedGenerator(seed)
        if self.ema_decay is not None:
            self.ema_generator = keras.models.clone_model(generator)
            self.ema_generator.set_weights(generator.get_weights())
            self.ema_generator.trainable = False
        else:
            self.ema_generator = None
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.d_real_tracker = keras.metrics.Mean(name="d_real")
        self.d_fake_tracker = keras.metrics.Mean(name="d_fake")
        self.d_optimizer = None
        self.g_optimizer = None
        self.built = True

    # ---- Keras plumbing
    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker, self.d_real_tracker, self.d_fake_tracker]

    def compile(self, d_optimizer=None, g_optimizer=None, **kwargs):
        """Set the two optimizers (default: Adam(2e-4, beta_1=0.5) each, as in the DCGAN paper).

        Pass two *different* optimizer objects; two learning rates (TTUR, Heusel et al., 2017) are fine.
        """
        if d_optimizer is not None and d_optimizer is g_optimizer:
            raise ValueError(
                "d_optimizer and g_optimizer are the same object; each network needs its own "
                "optimizer state. Fix: create two optimizers."
            )
        for key in ("optimizer", "loss"):
            if kwargs.get(key) is not None:
                raise ValueError(
                    f"GAN.compile takes d_optimizer= and g_optimizer=, not {key}=. "
                    "Fix: gan.compile(d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5), "
                    "g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5))."
                )
        super().compile(**kwargs)
        # Keras' single `optimizer` is not used: a GAN has one optimizer per network.
        self.optimizer = None
        self.d_optimizer = keras.optimizers.get(
            d_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5)
        )
        self.g_optimizer = keras.optimizers.get(
            g_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5)
        )
        # Create the optimizers' slots now (inside a tf.distribute scope when compile is called in
        # one), not lazily inside the first training step; a loaded .keras file restores them.
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer.build(self.generator.trainable_variables)

    def get_compile_config(self) -> dict:
        if not self.compiled or self.d_optimizer is None:
            return {}
        return {
            "d_optimizer": keras.saving.serialize_keras_object(self.d_optimizer),
            "g_optimizer": keras.saving.serialize_keras_object(self.g_optimizer),
        }

    def compile_from_config(self, config: dict) -> None:
        if not config:
            return
        self.compile(
            d_optimizer=keras.saving.deserialize_keras_object(config["d_optimizer"]),
            g_optimizer=keras.saving.deserialize_keras_object(config["g_optimizer"]),
        )

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            generator=keras.saving.serialize_keras_object(self.generator),
            discriminator=keras.saving.serialize_keras_object(self.discriminator),
            latent_dim=self.latent_dim,
            generator_loss=self.generator_loss_kind,
            loss=self.loss_kind,
            label_smoothing=self.label_smoothing,
            ema_decay=self.ema_decay,
            r1_gamma=self.r1_gamma,
            augment=self.augment,
            seed=self.seed,
        )
        if self.conditional:
            config["num_classes"] = self.num_classes
        return config

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        config["generator"] = keras.saving.deserialize_keras_object(config["generator"])
        config["discriminator"] = keras.saving.deserialize_keras_object(config["discriminator"])
        return cls(**config)

    # ---- pieces of a training step
    def _split(self, data):
        if isinstance(data, (tuple, list)):
            x = data[0]
            y = data[1] if len(data) > 1 else None
        else:
            x, y = data, None
        if self.conditional and y is None:
            raise ValueError("A ConditionalGAN needs (images, labels) batches.")
        return tf.convert_to_tensor(x, tf.float32), (
            tf.cast(y, tf.int32) if self.conditional else None
        )

    def _noise(self, batch):
        seed = self.seed_generator.next()
        ctx = tf.distribute.get_replica_context()
        if ctx is not None and ctx.num_replicas_in_sync > 1:
            # Different noise on every replica (they share the seed generator's state).
            seed = seed + tf.cast(tf.stack([0, ctx.replica_id_in_sync_group]), seed.dtype)
        return tf.random.stateless_normal([batch, self.latent_dim], seed=tf.cast(seed, tf.int32))

    def _g(self, z, y, training, generator=None):
        g = generator or self.generator
        return g([z, y] if self.conditional else z, training=training)

    def _d(self, x, y, training):
        if self.augment:
            x = translate(x, self.augment, tf.cast(self.seed_generator.next(), tf.int32))
        return self.discriminator([x, y] if self.conditional else x, training=training)

    def _d_loss(self, real_logits, fake_logits):
        if self.loss_kind == "hinge":
            return hinge_discriminator_loss(real_logits, fake_logits)
        return discriminator_loss(real_logits, fake_logits, label_smoothing=self.label_smoothing)

    def _g_loss(self, fake_logits):
        if self.loss_kind == "hinge":
            return hinge_generator_loss(fake_logits)
        return generator_loss(fake_logits, self.generator_loss_kind)

    def call(self, inputs, training=False):
        """The generator applied to ``inputs`` (z, or [z, labels] for a ConditionalGAN)."""
        return self.generator(inputs, training=training)

    def train_step(self, data):
        x, y = self._split(data)
        batch = tf.shape(x)[0]
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        scale = 1.0 / replicas  # per-replica losses are summed across replicas by the optimizer

        # 1) discriminator step: push D(x) up and D(G(z)) down.
        fake = self._g(self._noise(batch), y, training=True)
        with tf.GradientTape() as tape:
            if self.r1_gamma:
                with tf.GradientTape() as r1_tape:
                    r1_tape.watch(x)
                    real_logits = self._d(x, y, training=True)
                    real_sum = tf.reduce_sum(real_logits)
                grad_x = r1_tape.gradient(real_sum, x)
                r1 = tf.reduce_mean(tf.reduce_sum(tf.square(grad_x), axis=[1, 2, 3]))
            else:
                real_logits = self._d(x, y, training=True)
                r1 = 0.0
            fake_logits = self._d(fake, y, training=True)
            d_loss = self._d_loss(real_logits, fake_logits)
            d_total = (d_loss + 0.5 * self.r1_gamma * r1) * scale
        d_vars = self.discriminator.trainable_variables
        grads = tape.gradient(d_total, d_vars)
        self.d_optimizer.apply_gradients(zip(grads, d_vars, strict=True))

        # 2) generator step, on fresh noise, against the updated discriminator.
        with tf.GradientTape() as tape:
            fake_logits_g = self._d(self._g(self._noise(batch), y, training=True), y, training=True)
            g_loss = self._g_loss(fake_logits_g)
            g_total = g_loss * scale
        g_vars = self.generator.trainable_variables
        grads = tape.gradient(g_total, g_vars)
        self.g_optimizer.apply_gradients(zip(grads, g_vars, strict=True))

        if self.ema_generator is not None:
            # Warm-up: while few steps have been taken, average over fewer of them
            # (decay (1 + t) / (10 + t), as tf.train.ExponentialMovingAverage with num_updates).
            t = tf.cast(self.g_optimizer.iterations, tf.float32)
            d = tf.minimum(self.ema_decay, (1.0 + t) / (10.0 + t))
            for ema_w, w in zip(self.ema_generator.weights, self.generator.weights, strict=True):
                ema_w.assign(d * ema_w + (1.0 - d) * w)

        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        self.d_real_tracker.update_state(tf.reduce_mean(tf.sigmoid(real_logits)))
        self.d_fake_tracker.update_state(tf.reduce_mean(tf.sigmoid(fake_logits)))
        return {m.name: m.result() for m in self.metrics}

    def test_step(self, data):
        x, y = self._split(data)
        fake = self._g(self._noise(tf.shape(x)[0]), y, training=False)
        real_logits = self.discriminator([x, y] if self.conditional else x, training=False)
        fake_logits = self.discriminator([fake, y] if self.conditional else fake, training=False)
        self.d_loss_tracker.update_state(self._d_loss(real_logits, fake_logits))
        self.g_loss_tracker.update_state(self._g_loss(fake_logits))
        self.d_real_tracker.update_state(tf.reduce_mean(tf.sigmoid(real_logits)))
        self.d_fake_tracker.update_state(tf.reduce_mean(tf.sigmoid(fake_logits)))
        return {m.name: m.result() for m in self.metrics}

    # ---- what learners call
    @property
    def sampler(self) -> keras.Model:
        """The network that :meth:`generate` uses: the EMA generator when ``ema_decay`` is set."""
        return self.ema_generator if self.ema_generator is not None else self.generator

    def _labels(self, labels, n: int):
        if not self.conditional:
            if labels is not None:
                raise ValueError("labels are only for a ConditionalGAN. Fix: drop labels=.")
            return None
        if labels is None:
            labels = np.arange(n) % self.num_classes
        y = np.broadcast_to(np.asarray(labels, dtype=np.int32), (n,))
        if y.min() < 0 or y.max() >= self.num_classes:
            raise ValueError(
                f"labels must be in 0..{self.num_classes - 1}, got {sorted(set(y.tolist()))}."
            )
        return y

    def sample_z(self, n: int, seed: int | None = None) -> np.ndarray:
        """``n`` latent vectors z ~ N(0, I), shape (n, latent_dim), float32 (seeded when ``seed`` is given)."""
        n = _check_positive_int("n", n)
        return np.random.default_rng(seed).standard_normal((n, self.latent_dim)).astype(np.float32)

    def decode(self, z, labels=None, *, batch_size: int = 1000) -> np.ndarray:
        """The sampler's output for given latent vectors ``z`` (and labels), as a NumPy array."""
        z = np.asarray(z, np.float32)
        if z.ndim != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(
                f"z must have shape (n, {self.latent_dim}), got {z.shape}. Fix: use gan.sample_z(n)."
            )
        y = self._labels(labels, len(z))
        out = []
        for i in range(0, len(z), batch_size):
            zb = tf.constant(z[i : i + batch_size])
            yb = None if y is None else tf.constant(y[i : i + batch_size])
            out.append(np.asarray(self._g(zb, yb, training=False, generator=self.sampler)))
        return np.concatenate(out)

    def generate(self, n: int, seed: int | None = None, *, batch_size: int = 1000) -> np.ndarray:
        """``n`` new samples as a NumPy array (images: float32 in [-1, 1], shape (n, 28, 28, 1)).

        ``data.from_gan_range(gan.generate(n))`` turns images into uint8 (n, 28, 28).
        """
        return self.decode(self.sample_z(n, seed), batch_size=batch_size)

    def interpolate(self, steps: int = 8, seed: int | None = None, labels=None) -> np.ndarray:
        """Samples on the straight line between two random latent vectors (``steps`` >= 2 of them)."""
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 2:
            raise ValueError(f"steps must be an integer >= 2, got {steps!r}.")
        z, labels = self._interpolation_z(int(steps), seed, labels)
        return self.decode(z, labels)

    def _interpolation_z(self, steps: int, seed: int | None, labels):
        """(latent vectors on the line, labels to decode them with) for :meth:`interpolate`."""
        a, b = self.sample_z(2, seed)
        a, b, labels = self._interpolation_ends(a, b, labels)
        t = np.linspace(0.0, 1.0, steps, dtype=np.float32)[:, None]
        return (1 - t) * a + t * b, labels

    def _interpolation_ends(self, a, b, labels):
        """The two ends of an interpolation, and the labels to decode it with (here: unchanged)."""
        return a, b, labels

    def sampling_copy(self) -> GAN:
        """A copy whose generator holds the sampler's weights (EMA if on), without EMA or optimizer state.

        Smaller to ship; ``generate`` gives the same images as this model's.
        """
        config = self.get_config()
        config["ema_decay"] = None
        clone = type(self).from_config(config)
        clone.generator.set_weights(self.sampler.get_weights())
        clone.discriminator.set_weights(self.discriminator.get_weights())
        return clone


@keras.saving.register_keras_serializable(package="aigc_helpers")
class ConditionalGAN(GAN):
    """A GAN conditioned on a class label: G gets [z, label], D gets [image, label]; batches are (x, y).

    ``generate(n, labels=3)`` draws n images of digit 3; without labels, the classes cycle 0, 1, 2, ...

    Example:
        >>> cgan = ConditionalGAN(build_generator(100, num_classes=10),  # doctest: +SKIP
        ...                       build_discriminator(num_classes=10), num_classes=10)
        >>> cgan.compile()  # doctest: +SKIP
        >>> cgan.fit(data.gan_dataset(x_train, y_train, batch_size=128), epochs=10)  # doctest: +SKIP
        >>> sevens = cgan.generate(8, labels=7)  # doctest: +SKIP

    Taught in: notebooks/05_dcgan_mnist.ipynb
    """

    conditional = True
    generator_takes_label = True

    def __init__(
        self, generator, discriminator, latent_dim=None, *, num_classes: int = 10, **kwargs
    ):
        super().__init__(generator, discriminator, latent_dim, num_classes=num_classes, **kwargs)

    def generate(
        self, n: int, labels=None, seed: int | None = None, *, batch_size: int = 1000
    ) -> np.ndarray:
        """``n`` images of the given ``labels`` (one int, or one per image; default 0, 1, 2, ... cycling)."""
        return self.decode(self.sample_z(n, seed), labels, batch_size=batch_size)


@keras.saving.register_keras_serializable(package="aigc_helpers")
class SelfConditionedGAN(ConditionalGAN):
    """An unconditional GAN whose discriminator is conditioned on *clusters* of the data.

    Batches are (images, cluster ids) from :func:`cluster_labels` -- k-means, no class labels. D is a
    projection discriminator on the cluster (as in :class:`ConditionalGAN`); the generator takes z
    alone and reads its cluster off z's first coordinate (:class:`ClusterOfNoise`), so sampling
    needs no labels and clusters come out in their data proportions. In training, fakes get the
    real batch's clusters through :func:`place_in_cluster`. Conditioning D on clusters gives it a
    much easier, sharper task than telling real from fake across all digits at once. Measured on the
    2-core CPU with 5-minute budgets: cFID 52.97 plain, 14.25 with 20 clusters, 7.77 with 50.

    ``generate(n, seed)`` draws unconditional samples; ``generate(n, seed, clusters=c)`` draws from
    cluster c.

    Taught in: notebooks/05_dcgan_mnist.ipynb
    """

    generator_takes_label = False  # it reads its cluster off z

    def __init__(self, generator, discriminator, latent_dim=None, *, num_classes=None, **kwargs):
        try:
            layer = generator.get_layer("cluster_of_noise")
        except ValueError:
            raise ValueError(
                "a SelfConditionedGAN needs a generator built with cluster_weights. "
                "Fix: build_dcgan(cluster_weights=cluster_labels(x_train)[1])."
            ) from None
        k = len(layer.cluster_weights)
        if num_classes not in (None, k):
            raise ValueError(f"num_classes={num_classes} but the generator has {k} clusters.")
        super().__init__(generator, discriminator, latent_dim, num_classes=k, **kwargs)
        self.cluster_weights = list(layer.cluster_weights)

    def _g(self, z, y, training, generator=None):
        g = generator or self.generator
        if y is not None:
            z = place_in_cluster(z, y, self.cluster_weights)
        return g(z, training=training)

    def _labels(self, labels, n: int):
        if labels is None:
            return None  # the generator picks its own cluster from z
        return super()._labels(labels, n)

    def generate(
        self, n: int, seed: int | None = None, *, clusters=None, batch_size: int = 1000
    ) -> np.ndarray:
        """``n`` samples (clusters drawn in their data proportions, or the given ``clusters``)."""
        return self.decode(self.sample_z(n, seed), clusters, batch_size=batch_size)

    def _interpolation_ends(self, a, b, labels):
        """Both ends moved into one cluster's slice of z_0, so the line between them has no jumps.

        A straight line between two random z would cross the slice edges of z_0, and the image would
        switch cluster abruptly at each. Here both ends go into one cluster (the first end's, or
        ``labels`` if given) with :func:`place_in_cluster`; a slice is an interval, so every point
        between them stays in it. Without ``labels`` the first frame is ``generate``'s first image.
        """
        w = self.cluster_weights
        if labels is None:
            c = int(ClusterOfNoise(w)(a[None]).numpy()[0])
        else:
            c = int(np.asarray(self._labels(labels, 1))[0])
            a = place_in_cluster(a[None], [c], w).numpy()[0]
        b = place_in_cluster(b[None], [c], w).numpy()[0]
        return a, b, None  # the cluster is now in z_0


def build_dcgan(
    latent_dim: int = 100,
    *,
    num_classes: int | None = None,
    cluster_weights: Sequence[float] | None = None,
    g_filters: Sequence[int] = (64, 32),
    d_filters: Sequence[int] = (32, 64),
    **gan_kwargs,
) -> GAN:
    """The course's DCGAN for 28x28 images in one call (a :class:`ConditionalGAN` with ``num_classes``,
    a :class:`SelfConditionedGAN` with ``cluster_weights`` from :func:`cluster_labels`).

    Example:
        >>> gan = build_dcgan(ema_decay=0.999)  # doctest: +SKIP
        >>> gan.compile()  # doctest: +SKIP

    Taught in: notebooks/05_dcgan_mnist.ipynb
    """
    if cluster_weights is not None:
        if num_classes:
            raise ValueError("pass num_classes or cluster_weights, not both.")
        g = build_generator(latent_dim, filters=g_filters, cluster_weights=cluster_weights)
        d = build_discriminator(filters=d_filters, num_classes=len(cluster_weights))
        return SelfConditionedGAN(g, d, **gan_kwargs)
    g = build_generator(latent_dim, filters=g_filters, num_classes=num_classes)
    d = build_discriminator(filters=d_filters, num_classes=num_classes)
    if num_classes:
        return ConditionalGAN(g, d, num_classes=num_classes, **gan_kwargs)
    return GAN(g, d, **gan_kwargs)


PRETRAINED = {"gan": "gan_mnist.keras", "cgan": "cgan_mnist.keras"}


def load_gan(path) -> GAN:
    """Load a GAN or ConditionalGAN saved with ``model.save("name.keras")`` (``safe_mode=True``)."""
    model = keras.saving.load_model(path, safe_mode=True)
    if not isinstance(model, GAN):
        raise ValueError(f"{path} holds a {type(model).__name__}, not an aigc_helpers GAN.")
    return model


def load_pretrained(kind: str = "gan") -> GAN:
    """The DCGAN (``"gan"``) or conditional DCGAN (``"cgan"``) trained by ``benchmarks/dcgan.py --ship``.

    Shipped in ``aigc_helpers/assets/`` with their measured figures in ``gan_results.json``, so that
    notebooks on weak machines need not retrain.

    Example:
        >>> cgan = load_pretrained("cgan")  # doctest: +SKIP
        >>> sevens = cgan.generate(8, labels=7)  # doctest: +SKIP

    Taught in: notebooks/05_dcgan_mnist.ipynb
    """
    from pathlib import Path

    if kind not in PRETRAINED:
        raise ValueError(f"Unknown pretrained model {kind!r}; choose from {', '.join(PRETRAINED)}.")
    path = Path(__file__).resolve().parent / "assets" / PRETRAINED[kind]
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} is missing. Fix: reinstall aigc_helpers, or recreate it with "
            "`python benchmarks/dcgan.py --minutes 15 --ship` (about an hour on a 2-core CPU)."
        )
    return load_gan(path)


__all__ = [
    "GAN",
    "GENERATOR_LOSSES",
    "LOSSES",
    "PRETRAINED",
    "ClusterOfNoise",
    "ConditionalGAN",
    "SelfConditionedGAN",
    "cluster_labels",
    "place_in_cluster",
    "build_dcgan",
    "build_dense_discriminator",
    "build_dense_generator",
    "build_discriminator",
    "build_generator",
    "discriminator_loss",
    "generator_loss",
    "hinge_discriminator_loss",
    "hinge_generator_loss",
    "load_gan",
    "load_pretrained",
    "translate",
]
