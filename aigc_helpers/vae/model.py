"""The VAE as a Keras model: encoder q(z|x), decoder p(x|z), trained by ``fit`` on the ELBO.

:class:`VAE` (and :class:`ConditionalVAE`) report the ELBO's two terms, measure likelihoods in nats per
image (:meth:`VAE.elbo`, :meth:`VAE.iw_nll`, the importance-weighted bound of Burda et al., 2015) and
generate through the course's one interface (:class:`aigc_helpers.generation.Generative`): images
from the prior, as Bernoulli means in [0, 1].

Taught in: notebooks/06_vae_toy.ipynb, notebooks/08_vae_mnist.ipynb
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from aigc_helpers.assets import deserialize_networks
from aigc_helpers.checks import check_choice, check_int, check_number, check_positive_int
from aigc_helpers.generation import Generative, split_batch
from aigc_helpers.vae.losses import (
    bernoulli_log_likelihood,
    gaussian_kl,
    log_normal,
    reparameterize,
)
from aigc_helpers.vae.networks import LIKELIHOODS, build_decoder, build_encoder
from aigc_helpers.vae.pixel import build_pixel_head, sample_pixel_head


@keras.saving.register_keras_serializable(package="aigc_helpers")
class VAE(Generative, keras.Model):
    """A variational autoencoder with a Bernoulli decoder, trained through ``model.fit``.

    Args:
        latent_dim: size of z (> 0).
        beta: weight of the KL term (>= 0; 1 is the true ELBO, other values give a beta-VAE).
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
        >>> samples = vae.generate(16, seed=0)   # from the prior, not reconstructions  # doctest: +SKIP

    Taught in: notebooks/06_vae_toy.ipynb, notebooks/08_vae_mnist.ipynb
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
        self.likelihood = check_choice("likelihood", likelihood, LIKELIHOODS)
        self.latent_dim = check_positive_int("latent_dim", latent_dim)
        self.beta = check_number(
            "beta", beta, minimum=0, fix="use 1 (the true ELBO) or another number >= 0."
        )
        if self.conditional:
            num_classes = check_int("num_classes", num_classes, minimum=2)
        self.num_classes = num_classes if self.conditional else None
        self.pixel_context = check_int(
            "pixel_context",
            pixel_context,
            minimum=0,
            fix="use 0 (off) or an odd kernel size such as 7.",
        )
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
        return cls(**deserialize_networks(config, "encoder", "decoder", "pixel_head"))

    def build(self, input_shape=None):  # the sub-networks are built at construction
        self.built = True

    def get_build_config(self) -> dict:
        return {}

    def build_from_config(self, config: dict) -> None:
        self.built = True

    # ---- pieces
    def _split(self, data):
        """(images, labels or None): labels only for a conditional VAE."""
        x, y = split_batch(data, self.conditional, type(self).__name__)
        y = tf.cast(y, tf.int32) if self.conditional else None
        return tf.convert_to_tensor(x, tf.float32), y

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
    def _data_labels(self, labels, n: int):
        """The labels of ``n`` given images: required (never guessed) for a conditional model."""
        if self.conditional and labels is None:
            raise ValueError(
                f"a {type(self).__name__} needs the images' labels. Fix: pass labels= (one per image)."
            )
        return self.check_labels(labels, n)

    def encode(self, x, labels=None) -> tuple[np.ndarray, np.ndarray]:
        """Posterior parameters (mean, log_var) for images ``x`` (N, 28, 28, 1) in [0, 1]."""
        x = np.asarray(x, np.float32)
        x = x[..., None] if x.ndim == 3 else x
        y = self._data_labels(labels, len(x))
        mean, log_var = self._encode(tf.constant(x), None if y is None else tf.constant(y))
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

    def images_graph(self, z, labels=None):
        """TensorFlow in, TensorFlow out (usable in ``tf.function`` and a SavedModel): the Bernoulli
        means of the factorised decoder for codes z, shape (b, 28, 28, 1) in [0, 1]."""
        if self.likelihood != "bernoulli" or self.pixel_head is not None:
            raise ValueError(
                f"this VAE ({self.likelihood} likelihood, pixel_context={self.pixel_context}) has no "
                "one-pass image graph: a pixel-context decoder draws pixel by pixel, a Gaussian one "
                "models vectors. Fix: use a VAE with pixel_context=0 on images (the shipped vae or "
                "cvae), or call model.generate() in Python."
            )
        return tf.sigmoid(self._decode_logits(z, labels))

    def _decode_batch(self, z, labels, seed):
        """The decoder's mean for codes z: pixel probabilities (b, 28, 28) with a Bernoulli likelihood,
        the Gaussian mean (b, D) for vector data. With a pixel-context head there is no per-pixel mean
        independent of the other pixels: each image is drawn pixel by pixel (``seed``) and the
        probabilities along that draw are returned."""
        out = self._decode_logits(tf.constant(z), None if labels is None else tf.constant(labels))
        if self.pixel_head is not None:
            return sample_pixel_head(self.pixel_head, out, seed=seed)
        if self.likelihood == "gaussian":
            return tf.split(out, 2, axis=-1)[0].numpy()
        probs = tf.sigmoid(out).numpy()
        return probs[..., 0] if probs.ndim == 4 and probs.shape[-1] == 1 else probs

    def reconstruct(self, x, labels=None) -> np.ndarray:
        """Decoder means at the posterior mean of each image: shape (N, 28, 28)."""
        mean, _ = self.encode(x, labels)
        return self.decode(mean, labels)

    def _batches(self, x, labels, batch_size: int):
        x = np.asarray(x, np.float32)
        if x.ndim == 3:
            x = x[..., None]
        y = self._data_labels(labels, len(x))
        for i in range(0, len(x), batch_size):
            yb = None if y is None else tf.constant(y[i : i + batch_size])
            yield tf.constant(x[i : i + batch_size]), yb

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
        k = check_int("k", k, minimum=1, fix="use k=100 or more for a tight bound.")
        # ~1,000 decoder passes per call: at 5,000 a pixel-context VAE's activations took over 1 GB
        # (too much for a 2 GB Binder kernel) and ran no faster on a 2-core CPU
        batch_size = batch_size or max(1, 1000 // k)
        gen = keras.random.SeedGenerator(seed)
        out = []
        for xb, yb in self._batches(x, labels, batch_size):
            eps = keras.random.normal((k, len(xb), self.latent_dim), seed=gen)
            out.append(
                self._iw_graph(xb, yb)(*([xb, eps] if yb is None else [xb, yb, eps])).numpy()
            )
        return np.concatenate(out)

    def _iw_graph(self, xb, yb):
        """The traced graph of :meth:`_iw_nll_batch` (2-3x faster than eager on a CPU): traced once
        per model, for any k and batch size."""
        if getattr(self, "_iw_graph_fn", None) is None:

            def spec(t):
                return tf.TensorSpec([None, *t.shape[1:]], t.dtype)

            eps = tf.TensorSpec([None, None, self.latent_dim], tf.float32)
            if yb is None:
                fn = tf.function(lambda x, e: self._iw_nll_batch(x, None, e), [spec(xb), eps])
            else:
                fn = tf.function(self._iw_nll_batch, [spec(xb), spec(yb), eps])
            self._iw_graph_fn = fn
        return self._iw_graph_fn

    def _iw_nll_batch(self, xb, yb, eps):
        """-log (1/k) sum_i w_i for one batch, with z_i = mean + sigma * eps_i (eps: (k, B, D)).
        k and B are read from tensors, so every k and batch size share one traced graph."""
        k = tf.shape(eps)[0]
        mean, log_var = self._encode(xb, yb)
        z = mean[None] + tf.exp(0.5 * log_var)[None] * eps  # (k, B, D)
        z_flat = tf.reshape(z, (-1, self.latent_dim))
        y_flat = None if yb is None else tf.tile(yb, [k])
        x_flat = tf.tile(xb, tf.concat([[k], tf.ones([tf.rank(xb) - 1], tf.int32)], axis=0))
        log_px = tf.reshape(self.log_px(x_flat, self._logits(x_flat, z_flat, y_flat)), (k, -1))
        log_w = log_px + log_normal(z) - log_normal(z, mean[None], log_var[None])
        return -(tf.reduce_logsumexp(log_w, axis=0) - tf.math.log(tf.cast(k, log_w.dtype)))


@keras.saving.register_keras_serializable(package="aigc_helpers")
class ConditionalVAE(VAE):
    """A VAE conditioned on a class label in both encoder and decoder: batches are (images, labels).

    ``generate(n, labels=3)`` draws n new images of digit 3 from the prior.

    Example:
        >>> cvae = ConditionalVAE(latent_dim=16, num_classes=10)  # doctest: +SKIP
        >>> cvae.fit(data.vae_dataset(x_train, y_train, batch_size=128), epochs=10)  # doctest: +SKIP
        >>> threes = cvae.generate(8, labels=3)  # doctest: +SKIP

    Taught in: machinery behind vae.load_pretrained("cvae") (notebooks 08, 10, 12)
    """

    conditional = True

    def __init__(self, latent_dim: int = 32, beta: float = 1.0, num_classes: int = 10, **kwargs):
        super().__init__(latent_dim=latent_dim, beta=beta, num_classes=num_classes, **kwargs)


__all__ = ["VAE", "ConditionalVAE"]
