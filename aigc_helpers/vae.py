"""Variational autoencoders, done right for binary images.

- Likelihood: **Bernoulli** on dynamically binarized MNIST (binary cross-entropy on logits), not MSE.
- Posterior q(z|x) = N(mu, diag(sigma^2)); the encoder outputs mu and **log sigma^2**, and the
  reparameterization is z = mu + sigma * eps with **sigma = exp(0.5 * log sigma^2)** (the seed article
  used exp(log_var) as the standard deviation, which squares it).
- KL(q || N(0, I)) in **closed form**: 0.5 * sum(sigma^2 + mu^2 - 1 - log sigma^2).
- ``beta`` weights the KL term (beta-VAE); the seed article's lambda is exactly this beta.
- Likelihoods in **nats per image**: :meth:`VAE.elbo` (a lower bound on log p(x)) and :meth:`VAE.iw_nll`
  (the importance-weighted bound of Burda et al., 2015, with k samples; tighter as k grows).

Taught in: notebooks/07_vae_math.ipynb (the formulas), notebooks/08_vae_mnist.ipynb (the model).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import keras
import numpy as np
import tensorflow as tf

LOG_2PI = math.log(2.0 * math.pi)
LIKELIHOODS = ("bernoulli", "gaussian")


# --------------------------------------------------------------------------- the formulas


def gaussian_kl(mean, log_var):
    """KL( N(mean, exp(log_var)) || N(0, 1) ), summed over the last axis, in nats.

    Example:
        >>> float(gaussian_kl(np.zeros(3), np.zeros(3)))
        0.0
    """
    mean = tf.convert_to_tensor(mean, tf.float32)
    log_var = tf.convert_to_tensor(log_var, tf.float32)
    return 0.5 * tf.reduce_sum(tf.exp(log_var) + tf.square(mean) - 1.0 - log_var, axis=-1)


def reparameterize(mean, log_var, eps):
    """z = mean + sigma * eps with sigma = exp(0.5 * log_var) -- the standard deviation, not the variance.

    Example:
        >>> float(reparameterize(1.0, np.log(4.0), 1.0))  # sigma = 2
        3.0
    """
    mean = tf.convert_to_tensor(mean, tf.float32)
    log_var = tf.convert_to_tensor(log_var, tf.float32)
    return mean + tf.exp(0.5 * log_var) * tf.convert_to_tensor(eps, tf.float32)


def log_normal(z, mean=0.0, log_var=0.0):
    """log N(z; mean, exp(log_var)), summed over the last axis, in nats."""
    z = tf.convert_to_tensor(z, tf.float32)
    mean = tf.convert_to_tensor(mean, tf.float32)
    log_var = tf.convert_to_tensor(log_var, tf.float32)
    return -0.5 * tf.reduce_sum(LOG_2PI + log_var + tf.square(z - mean) * tf.exp(-log_var), axis=-1)


def bernoulli_log_likelihood(x, logits):
    """log p(x | logits) for binary x, summed over every axis but the first (nats per image).

    Computed from logits (``-softplus`` form), which stays finite where sigmoid(logits) is 0 or 1.

    Example:
        >>> round(float(bernoulli_log_likelihood(np.ones((1, 2)), np.zeros((1, 2)))[0]), 4)  # 2 * log 0.5
        -1.3863
    """
    x = tf.convert_to_tensor(x, tf.float32)
    logits = tf.convert_to_tensor(logits, tf.float32)
    ll = -tf.nn.sigmoid_cross_entropy_with_logits(labels=x, logits=logits)
    return tf.reduce_sum(tf.reshape(ll, [tf.shape(ll)[0], -1]), axis=-1)


# --------------------------------------------------------------------------- networks


def _check_positive_size(value: int, name: str = "latent_dim") -> int:
    """``value`` as an int if it is a positive integer (a latent size, a channel count); else ValueError."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def causal_mask(kernel_size: int) -> np.ndarray:
    """The (k, k) 0/1 mask of a PixelCNN type-A convolution: the rows above the centre and the pixels
    left of it in the centre row -- exactly the pixels that come *before* the centre in raster order.

    Example:
        >>> causal_mask(3).astype(int).tolist()
        [[1, 1, 1], [1, 0, 0], [0, 0, 0]]
    """
    if (
        isinstance(kernel_size, bool)
        or not isinstance(kernel_size, (int, np.integer))
        or kernel_size < 3
        or kernel_size % 2 == 0
    ):
        raise ValueError(
            f"kernel_size must be an odd integer >= 3, got {kernel_size!r}. Fix: use 5 or 7."
        )
    k = int(kernel_size)
    mask = np.zeros((k, k), np.float32)
    mask[: k // 2] = 1.0
    mask[k // 2, : k // 2] = 1.0
    return mask


@keras.saving.register_keras_serializable(package="aigc_helpers")
class CausalConv2D(keras.layers.Conv2D):
    """A ``Conv2D`` (stride 1, "same" padding) whose kernel only sees the pixels *before* each pixel in
    raster order (:func:`causal_mask`), so that its output at pixel i is a function of x_<i alone.

    Taught in: notebooks/08_vae_mnist.ipynb (the pixel-context VAE)
    """

    def build(self, input_shape):
        super().build(input_shape)
        self._mask = causal_mask(self.kernel_size[0])[:, :, None, None]

    def convolution_op(self, inputs, kernel):
        return super().convolution_op(inputs, kernel * self._mask)


def build_pixel_head(
    channels: int = 32,
    kernel_size: int = 7,
    hidden: int = 32,
    image_shape: tuple[int, int, int] = (28, 28, 1),
    name: str = "pixel_head",
) -> keras.Model:
    """Pixel-context head: [decoder features F (H, W, channels), image x] -> Bernoulli logits, where

        logit_i = w2 . relu(W1 . relu(F_i + causal_conv(x)_i) + b1) + b2,

    so p(x | z) = prod_i p(x_i | x_<i, z) is still an exact, normalised likelihood (a PixelCNN-style
    autoregressive decoder, Gulrajani et al. 2016, kept to one causal layer so that sampling stays
    cheap). Everything after the causal convolution acts per pixel.

    Taught in: notebooks/08_vae_mnist.ipynb (the pixel-context VAE)
    """
    channels = _check_positive_size(channels, "channels")
    hidden = _check_positive_size(hidden, "hidden")
    causal_mask(kernel_size)  # validates
    h, w, c = image_shape
    if c != 1:
        raise ValueError(f"the pixel head supports 1-channel images, got {image_shape}.")
    feats = keras.Input((h, w, channels), name="features")
    image = keras.Input(image_shape, name="image")
    ctx = CausalConv2D(channels, kernel_size, padding="same", name="causal_conv")(image)
    a = keras.layers.ReLU(name="relu_context")(
        keras.layers.Add(name="features_and_context")([feats, ctx])
    )
    a = keras.layers.Conv2D(hidden, 1, activation="relu", name="pixel_hidden")(a)
    logits = keras.layers.Conv2D(1, 1, name="pixel_logits")(a)
    return keras.Model([feats, image], logits, name=name)


def sample_pixel_head(
    head: keras.Model, features, *, seed: int | None = 0, return_samples: bool = False
):
    """Draw binary images pixel by pixel (raster order) from a pixel-context head given decoder features.

    Returns the Bernoulli probabilities p(x_i = 1 | x_<i, z) along the sampled path, shape (N, H, W):
    each image is one sample, shown with the confidence of every pixel. Runs in NumPy with the head's
    weights (one small matrix product per pixel), so 10,000 images take seconds. With
    ``return_samples=True`` also returns the binary images drawn, as ``(probs, samples)``.
    """
    f = np.asarray(features, np.float32)
    n, h, w, _ = f.shape
    conv = head.get_layer("causal_conv")
    kern, bias = (np.asarray(v) for v in conv.get_weights())
    k = kern.shape[0]
    kern = (kern[:, :, 0, :] * causal_mask(k)[:, :, None]).reshape(k * k, -1)
    w1, b1 = (np.asarray(v) for v in head.get_layer("pixel_hidden").get_weights())
    w2, b2 = (np.asarray(v) for v in head.get_layer("pixel_logits").get_weights())
    w1, w2 = w1[0, 0], w2[0, 0]
    rng = np.random.default_rng(seed)
    pad = k // 2
    x = np.zeros((n, h + 2 * pad, w + 2 * pad), np.float32)
    probs = np.empty((n, h, w), np.float32)
    for r in range(h):
        for c in range(w):
            patch = x[:, r : r + k, c : c + k].reshape(n, k * k)
            a = np.maximum(f[:, r, c] + patch @ kern + bias, 0.0)
            logit = (np.maximum(a @ w1 + b1, 0.0) @ w2 + b2)[:, 0]
            p = 1.0 / (1.0 + np.exp(-logit))
            probs[:, r, c] = p
            x[:, r + pad, c + pad] = rng.random(n) < p
    if return_samples:
        return probs, x[:, pad : pad + h, pad : pad + w].copy()
    return probs


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
    latent_dim = _check_positive_size(latent_dim)
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
    latent_dim = _check_positive_size(latent_dim)
    logits_kernel = _check_positive_size(logits_kernel, "logits_kernel")
    side = 2 ** len(filters)
    if image_shape[0] % side or image_shape[1] % side:
        raise ValueError(
            f"image_shape {image_shape} is not divisible by {side} (2 ** len(filters)). "
            "Fix: use fewer filters or pad the images."
        )
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
        image_shape[2] if out_channels is None else _check_positive_size(out_channels, "out_channels")
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
    latent_dim = _check_positive_size(latent_dim)
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
    latent_dim = _check_positive_size(latent_dim)
    if likelihood not in LIKELIHOODS:
        raise ValueError(
            f"Unknown likelihood {likelihood!r}; choose from {', '.join(LIKELIHOODS)}."
        )
    z = keras.Input((latent_dim,), name="z")
    h = z
    for i, units in enumerate(hidden):
        h = keras.layers.Dense(units, activation="relu", name=f"hidden{i}")(h)
    width = 2 * output_dim if likelihood == "gaussian" else output_dim
    return keras.Model(z, keras.layers.Dense(width, name="params")(h), name=name)


# --------------------------------------------------------------------------- the model


@keras.saving.register_keras_serializable(package="aigc_helpers")
class VAE(keras.Model):
    """A variational autoencoder with a Bernoulli decoder, trained through ``model.fit``.

    Args:
        latent_dim: size of z (> 0).
        beta: weight of the KL term (>= 0; 1 is the true ELBO, the seed's lambda is this beta).
        encoder, decoder: custom networks (default: :func:`build_encoder` / :func:`build_decoder`).
        seed: seed of the model's own noise (the eps of the reparameterization).
        likelihood: ``"bernoulli"`` (binary images; decoder outputs logits) or ``"gaussian"`` (real-valued
            vectors such as 2-D toy data; decoder outputs [mean, log_var], see :func:`build_dense_decoder`).
        pixel_context: 0 (the default) for the usual factorised decoder, p(x|z) = prod_i p(x_i|z); an odd
            kernel size (5 or 7) adds a pixel-context head (:func:`build_pixel_head`) so that
            p(x|z) = prod_i p(x_i | x_<i, z): each pixel also sees the pixels drawn before it
            (PixelVAE, Gulrajani et al. 2016). It is the benchmark's ``ours`` model: the README's
            measured table compares it with the factorised decoder after the same 15 CPU minutes
            (benchmarks/vae.py). Sampling then draws pixel by pixel, and training processes fewer images
            per second.
        pixel_channels: feature maps the decoder hands to the pixel head it builds (default 32; the
            benchmark uses 16) through a 1x1 last layer (``build_decoder(logits_kernel=1)``).
        pixel_head: a custom head instead of the one ``pixel_context`` builds.

    ``fit`` takes batches of binary images (B, 28, 28, 1) -- see :func:`aigc_helpers.data.vae_dataset`
    -- and reports ``loss`` (reconstruction + beta * KL), ``reconstruction`` and ``kl``, in nats per image.

    Example:
        >>> vae = VAE(latent_dim=16)  # doctest: +SKIP
        >>> vae.compile(optimizer=keras.optimizers.Adam(1e-3))  # doctest: +SKIP
        >>> vae.fit(data.vae_dataset(x_train, batch_size=128), epochs=10)  # doctest: +SKIP
        >>> samples = vae.sample(16)   # from the prior, not reconstructions  # doctest: +SKIP
    """

    conditional = False

    def __init__(
        self,
        latent_dim: int = 32,
        beta: float = 1.0,
        encoder: keras.Model | None = None,
        decoder: keras.Model | None = None,
        seed: int | None = None,
        num_classes: int | None = None,
        likelihood: str = "bernoulli",
        pixel_context: int = 0,
        pixel_channels: int = 32,
        pixel_head: keras.Model | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if likelihood not in LIKELIHOODS:
            raise ValueError(
                f"Unknown likelihood {likelihood!r}; choose from {', '.join(LIKELIHOODS)}."
            )
        self.likelihood = likelihood
        self.latent_dim = _check_positive_size(latent_dim)
        if (
            not isinstance(beta, (int, float, np.floating))
            or isinstance(beta, bool)
            or not beta >= 0
        ):
            raise ValueError(f"beta must be a number >= 0 (1 = the true ELBO), got {beta!r}.")
        self.beta = float(beta)
        if self.conditional and (not isinstance(num_classes, int) or num_classes < 2):
            raise ValueError(f"num_classes must be an integer >= 2, got {num_classes!r}.")
        self.num_classes = num_classes if self.conditional else None
        if (
            isinstance(pixel_context, bool)
            or not isinstance(pixel_context, (int, np.integer))
            or pixel_context < 0
        ):
            raise ValueError(
                f"pixel_context must be 0 (off) or an odd kernel size >= 3, got {pixel_context!r}. Fix: use 0 or 7."
            )
        self.pixel_context = int(pixel_context)
        if self.pixel_context and pixel_head is None:
            pixel_head = build_pixel_head(pixel_channels, self.pixel_context)
        if pixel_head is not None and likelihood != "bernoulli":
            raise ValueError(
                "a pixel-context head needs likelihood='bernoulli'. Fix: drop pixel_context."
            )
        self.pixel_head = pixel_head
        head_channels = None if pixel_head is None else int(pixel_head.inputs[0].shape[-1])
        self.encoder = encoder or build_encoder(self.latent_dim, num_classes=self.num_classes)
        self.decoder = decoder or build_decoder(
            self.latent_dim,
            num_classes=self.num_classes,
            out_channels=head_channels,
            # the head acts per pixel; a 3x3 layer into its maps would cost 44% of the forward pass
            logits_kernel=3 if pixel_head is None else 1,
        )
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.reconstruction_tracker = keras.metrics.Mean(name="reconstruction")
        self.kl_tracker = keras.metrics.Mean(name="kl")
        # The sub-networks are built at construction, so the model is too; this also lets a loaded
        # .keras file restore the optimizer state (Keras builds the optimizer only for built models).
        self.built = True

    # ---- Keras plumbing
    @property
    def metrics(self):
        return [self.loss_tracker, self.reconstruction_tracker, self.kl_tracker]

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            latent_dim=self.latent_dim,
            beta=self.beta,
            likelihood=self.likelihood,
            seed=self.seed,
            encoder=keras.saving.serialize_keras_object(self.encoder),
            decoder=keras.saving.serialize_keras_object(self.decoder),
        )
        if self.pixel_head is not None:
            config.update(
                pixel_context=self.pixel_context,
                pixel_head=keras.saving.serialize_keras_object(self.pixel_head),
            )
        if self.conditional:
            config["num_classes"] = self.num_classes
        return config

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        config["encoder"] = keras.saving.deserialize_keras_object(config["encoder"])
        config["decoder"] = keras.saving.deserialize_keras_object(config["decoder"])
        if config.get("pixel_head") is not None:
            config["pixel_head"] = keras.saving.deserialize_keras_object(config["pixel_head"])
        return cls(**config)

    def build(self, input_shape=None):  # the sub-networks are built at construction
        self.built = True

    def get_build_config(self) -> dict:
        return {}

    def build_from_config(self, config: dict) -> None:
        self.built = True

    # ---- pieces
    def _split(self, data):
        """(images, labels or None) from a batch, whatever structure the dataset yields."""
        if isinstance(data, (tuple, list)):
            x = data[0]
            y = data[1] if len(data) > 1 else None
        else:
            x, y = data, None
        if self.conditional and y is None:
            raise ValueError("A ConditionalVAE needs (images, labels) batches.")
        return tf.convert_to_tensor(x, tf.float32), (None if y is None else tf.cast(y, tf.int32))

    def _encode(self, x, y, training=False):
        return self.encoder([x, y] if self.conditional else x, training=training)

    def _decode_logits(self, z, y, training=False):
        return self.decoder([z, y] if self.conditional else z, training=training)

    def _logits(self, x, z, y, training=False):
        """Decoder output for codes z; with a pixel-context head, the logits given x_<i (teacher forcing)."""
        out = self._decode_logits(z, y, training)
        if self.pixel_head is None:
            return out
        return self.pixel_head([out, x], training=training)

    def _eps(self, shape):
        return keras.random.normal(shape, seed=self.seed_generator)

    def _terms(self, x, y, training=False):
        mean, log_var = self._encode(x, y, training)
        z = reparameterize(mean, log_var, self._eps(tf.shape(mean)))
        logits = self._logits(x, z, y, training)
        reconstruction = -self.log_px(x, logits)
        kl = gaussian_kl(mean, log_var)
        return reconstruction, kl

    def call(self, inputs, training=False):
        """Bernoulli logits of a one-sample reconstruction of ``inputs`` (images, or (images, labels))."""
        x, y = self._split(inputs)
        mean, log_var = self._encode(x, y, training)
        z = reparameterize(mean, log_var, self._eps(tf.shape(mean)))
        return self._logits(x, z, y, training)

    def _update(self, reconstruction, kl):
        loss = reconstruction + self.beta * kl
        self.loss_tracker.update_state(loss)
        self.reconstruction_tracker.update_state(reconstruction)
        self.kl_tracker.update_state(kl)
        return {m.name: m.result() for m in self.metrics}

    def train_step(self, data):
        x, y = self._split(data)
        with tf.GradientTape() as tape:
            reconstruction, kl = self._terms(x, y, training=True)
            loss = tf.reduce_mean(reconstruction + self.beta * kl)
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables, strict=True))
        return self._update(reconstruction, kl)

    def test_step(self, data):
        x, y = self._split(data)
        reconstruction, kl = self._terms(x, y, training=False)
        return self._update(reconstruction, kl)

    # ---- what learners call
    def _labels(self, labels, n: int):
        if not self.conditional:
            if labels is not None:
                raise ValueError("labels are only for a ConditionalVAE.")
            return None
        if labels is None:
            raise ValueError("A ConditionalVAE needs labels (one per image, 0..num_classes-1).")
        y = np.broadcast_to(np.asarray(labels, dtype=np.int32), (n,))
        if y.min() < 0 or y.max() >= self.num_classes:
            raise ValueError(
                f"labels must be in 0..{self.num_classes - 1}, got {sorted(set(y.tolist()))}."
            )
        return tf.constant(y)

    def encode(self, x, labels=None) -> tuple[np.ndarray, np.ndarray]:
        """Posterior parameters (mean, log_var) for images ``x`` (N, 28, 28, 1) in [0, 1]."""
        x = tf.convert_to_tensor(x, tf.float32)
        mean, log_var = self._encode(x, self._labels(labels, int(x.shape[0])))
        return mean.numpy(), log_var.numpy()

    def log_px(self, x, out):
        """log p(x | decoder output) per example, in nats: Bernoulli on logits, or Gaussian whose
        decoder output is [mean, log_var] concatenated on the last axis."""
        if self.likelihood == "bernoulli":
            return bernoulli_log_likelihood(x, out)
        x = tf.convert_to_tensor(x, tf.float32)
        mean, log_var = tf.split(out, 2, axis=-1)
        flat = [tf.shape(x)[0], -1]
        return log_normal(tf.reshape(x, flat), tf.reshape(mean, flat), tf.reshape(log_var, flat))

    def decode(self, z, labels=None, *, seed: int | None = 0) -> np.ndarray:
        """The decoder's mean for latent codes ``z``: pixel probabilities (N, 28, 28) for images with
        a Bernoulli likelihood, the Gaussian mean (N, D) for vector data.

        With a pixel-context head there is no per-pixel mean independent of the other pixels: each image
        is drawn pixel by pixel (``seed``) and the probabilities along that draw are returned.
        """
        z = tf.convert_to_tensor(z, tf.float32)
        out = self._decode_logits(z, self._labels(labels, int(z.shape[0])))
        if self.pixel_head is not None:
            return sample_pixel_head(self.pixel_head, out, seed=seed)
        if self.likelihood == "gaussian":
            return tf.split(out, 2, axis=-1)[0].numpy()
        probs = tf.sigmoid(out).numpy()
        return probs[..., 0] if probs.ndim == 4 and probs.shape[-1] == 1 else probs

    def sample(self, n: int, labels=None, *, seed: int | None = None) -> np.ndarray:
        """``n`` new images from the **prior**: z ~ N(0, I), then the decoder's Bernoulli means.

        These are genuine samples; reconstructions of test images (:meth:`reconstruct`) are not.
        """
        if not isinstance(n, (int, np.integer)) or n <= 0:
            raise ValueError(f"n must be a positive integer, got {n!r}.")
        rng = np.random.default_rng(seed)
        z = rng.standard_normal((int(n), self.latent_dim)).astype(np.float32)
        return self.decode(z, labels, seed=seed)

    def reconstruct(self, x, labels=None) -> np.ndarray:
        """Decoder means at the posterior mean of each image: shape (N, 28, 28)."""
        mean, _ = self.encode(x, labels)
        return self.decode(mean, labels)

    def interpolate(self, a, b, steps: int = 8, labels=None) -> np.ndarray:
        """Decode ``steps`` points on the straight line between the posterior means of images a and b."""
        if steps < 2:
            raise ValueError(f"steps must be >= 2, got {steps}.")
        pair = np.stack([np.asarray(a, np.float32), np.asarray(b, np.float32)])
        if pair.ndim == 3:
            pair = pair[..., None]
        lab = None if labels is None else np.broadcast_to(np.asarray(labels), (2,))
        mean, _ = self.encode(pair, lab)
        t = np.linspace(0.0, 1.0, steps, dtype=np.float32)[:, None]
        z = (1 - t) * mean[0] + t * mean[1]
        return self.decode(z, None if labels is None else np.full(steps, lab[0]))

    def _batches(self, x, labels, batch_size: int):
        x = np.asarray(x, np.float32)
        if x.ndim == 3:
            x = x[..., None]
        y = self._labels(labels, len(x))
        for i in range(0, len(x), batch_size):
            yield tf.constant(x[i : i + batch_size]), (None if y is None else y[i : i + batch_size])

    def elbo(self, x, labels=None, *, batch_size: int = 500, seed: int = 0) -> np.ndarray:
        """Per-image evidence lower bound in nats (one posterior sample, analytic KL, beta = 1).

        ``x`` must be *binary* images (e.g. a fixed draw from :func:`aigc_helpers.data.binarize`).
        """
        gen = keras.random.SeedGenerator(seed)
        out = []
        for xb, yb in self._batches(x, labels, batch_size):
            mean, log_var = self._encode(xb, yb)
            z = reparameterize(mean, log_var, keras.random.normal(tf.shape(mean), seed=gen))
            ll = self.log_px(xb, self._logits(xb, z, yb))
            out.append((ll - gaussian_kl(mean, log_var)).numpy())
        return np.concatenate(out)

    def iw_nll(
        self, x, k: int = 100, labels=None, *, batch_size: int | None = None, seed: int = 0
    ) -> np.ndarray:
        """Per-image importance-weighted estimate of -log p(x) in nats, with ``k`` posterior samples.

        -log p(x) ~= -log (1/k) sum_i p(x|z_i) p(z_i) / q(z_i|x),  z_i ~ q(z|x)   (Burda et al., 2015).
        An upper bound on the true NLL that tightens as k grows; k = 1 gives the negative ELBO
        (with a sampled KL). The course reports k >= 100.
        """
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"k must be an integer >= 1, got {k!r}.")
        k = int(k)
        batch_size = batch_size or max(1, 5000 // k)
        gen = keras.random.SeedGenerator(seed)
        out = []
        for xb, yb in self._batches(x, labels, batch_size):
            mean, log_var = self._encode(xb, yb)
            b = tf.shape(mean)[0]
            eps = keras.random.normal((k, b, self.latent_dim), seed=gen)
            z = mean[None] + tf.exp(0.5 * log_var)[None] * eps  # (k, B, D)
            z_flat = tf.reshape(z, (-1, self.latent_dim))
            y_flat = None if yb is None else tf.tile(yb, [k])
            x_flat = tf.tile(xb, [k] + [1] * (len(xb.shape) - 1))
            log_px = tf.reshape(self.log_px(x_flat, self._logits(x_flat, z_flat, y_flat)), (k, b))
            log_pz = log_normal(z)
            log_qz = log_normal(z, mean[None], log_var[None])
            log_w = log_px + log_pz - log_qz
            out.append((-(tf.reduce_logsumexp(log_w, axis=0) - math.log(k))).numpy())
        return np.concatenate(out)


@keras.saving.register_keras_serializable(package="aigc_helpers")
class ConditionalVAE(VAE):
    """A VAE conditioned on a class label in both encoder and decoder: batches are (images, labels).

    ``sample(n, labels=3)`` draws n new images of digit 3 from the prior.

    Example:
        >>> cvae = ConditionalVAE(latent_dim=16, num_classes=10)  # doctest: +SKIP
        >>> cvae.fit(data.vae_dataset(x_train, y_train, batch_size=128), epochs=10)  # doctest: +SKIP
        >>> threes = cvae.sample(8, labels=3)  # doctest: +SKIP
    """

    conditional = True

    def __init__(self, latent_dim: int = 32, beta: float = 1.0, num_classes: int = 10, **kwargs):
        super().__init__(latent_dim=latent_dim, beta=beta, num_classes=num_classes, **kwargs)


def rate_distortion(model: VAE, x_bin, labels=None, *, seed: int = 0) -> dict[str, np.ndarray]:
    """Per-image rate and distortion of a VAE used as a compressor, in **bits**.

    rate = KL(q(z|x) || p(z)) / ln 2 -- what it costs to send the latent code (with bits-back coding);
    distortion = -log2 p(x | z), z ~ q(z|x) -- what it costs to send the pixels given the code.
    rate + distortion = -ELBO / ln 2, the VAE's code length for the image.
    """
    gen = keras.random.SeedGenerator(seed)
    rate, dist = [], []
    for xb, yb in model._batches(x_bin, labels, 500):
        mean, log_var = model._encode(xb, yb)
        z = reparameterize(mean, log_var, keras.random.normal(tf.shape(mean), seed=gen))
        rate.append((gaussian_kl(mean, log_var) / math.log(2.0)).numpy())
        dist.append((-model.log_px(xb, model._logits(xb, z, yb)) / math.log(2.0)).numpy())
    return {"rate_bits": np.concatenate(rate), "distortion_bits": np.concatenate(dist)}


def png_bits(x_bin) -> np.ndarray:
    """Size in bits of each binary image saved as a 1-bit PNG (Pillow, maximum compression).

    The fair classical baseline for the VAE's code length: lossless, and on exactly the same pixels.
    """
    import io

    from PIL import Image

    x = np.asarray(x_bin)
    if x.ndim == 4:
        x = x[..., 0]
    sizes = []
    for img in x:
        buf = io.BytesIO()
        Image.fromarray((img > 0.5).astype(np.uint8) * 255).convert("1").save(
            buf, format="PNG", optimize=True
        )
        sizes.append(8 * buf.tell())
    return np.asarray(sizes)


def latent_manifold(model: VAE, n: int = 15, span: float = 2.5) -> np.ndarray:
    """Decoded images on an n x n grid of a **2-D** latent space, from -span to +span (prior std units).

    Returns (n * n, 28, 28) Bernoulli means, row by row from top (z2 = +span) to bottom.
    """
    if model.latent_dim != 2:
        raise ValueError(
            f"latent_manifold needs a model with latent_dim=2, this one has {model.latent_dim}."
        )
    ticks = np.linspace(-span, span, n, dtype=np.float32)
    z = np.array([[z1, z2] for z2 in ticks[::-1] for z1 in ticks], dtype=np.float32)
    return model.decode(z)


PRETRAINED = {"vae": "vae_mnist.keras", "cvae": "cvae_mnist.keras"}


def load_pretrained(kind: str = "vae") -> VAE:
    """The VAE (``"vae"``) or conditional VAE (``"cvae"``) trained by ``benchmarks/vae.py --ship``.

    Shipped in ``aigc_helpers/assets/`` with their measured figures in ``vae_results.json``, so that
    notebooks on weak machines need not retrain.

    Example:
        >>> cvae = load_pretrained("cvae")  # doctest: +SKIP
        >>> sevens = cvae.sample(8, labels=7)  # doctest: +SKIP
    """
    from pathlib import Path

    if kind not in PRETRAINED:
        raise ValueError(f"Unknown pretrained model {kind!r}; choose from {', '.join(PRETRAINED)}.")
    path = Path(__file__).resolve().parent / "assets" / PRETRAINED[kind]
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} is missing. Fix: reinstall aigc_helpers, or recreate it with "
            "`python benchmarks/vae.py --minutes 15 --ship` (about an hour on a 2-core CPU)."
        )
    return load_vae(path)


def load_vae(path) -> VAE:
    """Load a VAE or ConditionalVAE saved with ``model.save("name.keras")`` (``safe_mode=True``)."""
    model = keras.saving.load_model(path, safe_mode=True)
    if not isinstance(model, VAE):
        raise ValueError(f"{path} holds a {type(model).__name__}, not an aigc_helpers VAE.")
    return model


__all__ = [
    "VAE",
    "ConditionalVAE",
    "bernoulli_log_likelihood",
    "build_decoder",
    "build_dense_decoder",
    "build_dense_encoder",
    "CausalConv2D",
    "build_encoder",
    "build_pixel_head",
    "causal_mask",
    "sample_pixel_head",
    "gaussian_kl",
    "latent_manifold",
    "load_pretrained",
    "load_vae",
    "log_normal",
    "png_bits",
    "rate_distortion",
    "reparameterize",
]
