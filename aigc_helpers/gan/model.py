"""The GAN as a Keras model: a generator and a discriminator trained against each other by ``fit``.

:class:`GAN` holds the two networks and their optimizers; its ``train_step`` is the two updates of the
GAN game -- one discriminator step, then one generator step on fresh noise -- and the optional extras
(R1 penalty, one-sided label smoothing, differentiable augmentation, an EMA of the generator, losses
scaled for ``tf.distribute``) live in small named methods around it. Generation follows the course's
one interface (:class:`aigc_helpers.generation.Generative`): images in [0, 1].

Taught in: notebooks/03_gan_toy.ipynb, notebooks/05_dcgan_mnist.ipynb
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from aigc_helpers.assets import deserialize_networks
from aigc_helpers.checks import check_choice, check_int, check_positive_int
from aigc_helpers.gan.losses import (
    GENERATOR_LOSSES,
    LOSSES,
    _check_label_smoothing,
    discriminator_loss,
    generator_loss,
    hinge_discriminator_loss,
    hinge_generator_loss,
)
from aigc_helpers.gan.networks import translate
from aigc_helpers.generation import Generative, split_batch
from aigc_helpers.images import from_tanh


@keras.saving.register_keras_serializable(package="aigc_helpers")
class GAN(Generative, keras.Model):
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
    ``generate(n, seed=0)`` returns images as float32 (n, 28, 28) in [0, 1] (2-D points for a toy GAN).

    Example:
        >>> gan = GAN(build_generator(100), build_discriminator())  # doctest: +SKIP
        >>> gan.compile(d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),  # doctest: +SKIP
        ...             g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5))
        >>> gan.fit(data.gan_dataset(x_train, batch_size=128), epochs=10)  # doctest: +SKIP
        >>> images = gan.generate(16, seed=0)   # float32 (16, 28, 28) in [0, 1]  # doctest: +SKIP

    Taught in: notebooks/03_gan_toy.ipynb, notebooks/05_dcgan_mnist.ipynb
    """

    conditional = False  # does generation take labels?
    generator_takes_label = False  # does the generator network have a label input?
    discriminator_takes_label = False  # does the discriminator network have a label input?

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
        check_choice("generator_loss", generator_loss, GENERATOR_LOSSES)
        check_choice("loss", loss, LOSSES)
        _check_label_smoothing(label_smoothing)
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
        check_int("augment", augment, minimum=0, fix="use 0 (off) or 2 (pixels).")
        if self.discriminator_takes_label:
            check_int("num_classes", num_classes, minimum=2)
        n_g_inputs = len(generator.inputs)
        if n_g_inputs != (2 if self.generator_takes_label else 1):
            fix = (
                "build_generator(..., num_classes=10) for a ConditionalGAN"
                if self.generator_takes_label
                else "a generator with a single input z, or ConditionalGAN for [z, label]"
            )
            raise ValueError(f"the generator has {n_g_inputs} inputs. Fix: use {fix}.")
        if latent_dim is None:
            latent_dim = int(generator.inputs[0].shape[-1])
        self.latent_dim = check_positive_int("latent_dim", latent_dim)
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
        self.num_classes = int(num_classes) if self.discriminator_takes_label else None
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.ema_generator = None
        if self.ema_decay is not None:
            self.ema_generator = keras.models.clone_model(generator)
            self.ema_generator.set_weights(generator.get_weights())
            self.ema_generator.trainable = False
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
        if self.discriminator_takes_label:
            config["num_classes"] = self.num_classes
        return config

    @classmethod
    def from_config(cls, config: dict):
        return cls(**deserialize_networks(config, "generator", "discriminator"))

    # ---- the training step: the two updates of the GAN game
    def train_step(self, data):
        x, y = self._split(data)
        batch = tf.shape(x)[0]

        # 1) discriminator step: push D(x) up and D(G(z)) down.
        fake = self._g(self._noise(batch), y, training=True)
        with tf.GradientTape() as tape:
            real_logits, r1 = self._d_real(x, y)  # r1 = 0 unless r1_gamma > 0
            fake_logits = self._d(fake, y, training=True)
            d_loss = self._d_loss(real_logits, fake_logits)
            d_total = self._per_replica(d_loss + 0.5 * self.r1_gamma * r1)
        self._apply(tape, d_total, self.discriminator, self.d_optimizer)

        # 2) generator step, on fresh noise, against the updated discriminator.
        with tf.GradientTape() as tape:
            fake_logits_g = self._d(self._g(self._noise(batch), y, training=True), y, training=True)
            g_loss = self._g_loss(fake_logits_g)
            g_total = self._per_replica(g_loss)
        self._apply(tape, g_total, self.generator, self.g_optimizer)

        self._update_ema()
        return self._record(d_loss, g_loss, real_logits, fake_logits)

    def test_step(self, data):
        x, y = self._split(data)
        fake = self._g(self._noise(tf.shape(x)[0]), y, training=False)
        real_logits = self._d(x, y, training=False)
        fake_logits = self._d(fake, y, training=False)
        d_loss = self._d_loss(real_logits, fake_logits)
        return self._record(d_loss, self._g_loss(fake_logits), real_logits, fake_logits)

    # ---- the pieces the training step names
    def _split(self, data):
        """(images, labels or None): labels only for a discriminator that reads them."""
        x, y = split_batch(data, self.discriminator_takes_label, type(self).__name__)
        y = tf.cast(y, tf.int32) if self.discriminator_takes_label else None
        return tf.convert_to_tensor(x, tf.float32), y

    def _noise(self, batch):
        """z ~ N(0, I) for one batch; different noise on every replica under tf.distribute."""
        seed = self.seed_generator.next()
        ctx = tf.distribute.get_replica_context()
        if ctx is not None and ctx.num_replicas_in_sync > 1:
            seed = seed + tf.cast(tf.stack([0, ctx.replica_id_in_sync_group]), seed.dtype)
        return tf.random.stateless_normal([batch, self.latent_dim], seed=tf.cast(seed, tf.int32))

    def _g(self, z, y, training, generator=None):
        """G(z) (or G(z, y)) with the training generator, or the given one (e.g. the EMA copy)."""
        g = generator or self.generator
        return g([z, y] if self.generator_takes_label else z, training=training)

    def _d(self, x, y, training):
        """D's logits, after the differentiable augmentation when ``augment`` is on."""
        if self.augment and training:
            x = translate(x, self.augment, tf.cast(self.seed_generator.next(), tf.int32))
        return self.discriminator(
            [x, y] if self.discriminator_takes_label else x, training=training
        )

    def _d_real(self, x, y):
        """D's logits on real images and the R1 penalty E||grad_x D(x)||^2 (0.0 when r1_gamma = 0)."""
        if not self.r1_gamma:
            return self._d(x, y, training=True), 0.0
        with tf.GradientTape() as tape:
            tape.watch(x)
            real_logits = self._d(x, y, training=True)
            total = tf.reduce_sum(real_logits)
        grad_x = tape.gradient(total, x)
        return real_logits, tf.reduce_mean(tf.reduce_sum(tf.square(grad_x), axis=[1, 2, 3]))

    def _d_loss(self, real_logits, fake_logits):
        if self.loss_kind == "hinge":
            return hinge_discriminator_loss(real_logits, fake_logits)
        return discriminator_loss(real_logits, fake_logits, label_smoothing=self.label_smoothing)

    def _g_loss(self, fake_logits):
        if self.loss_kind == "hinge":
            return hinge_generator_loss(fake_logits)
        return generator_loss(fake_logits, self.generator_loss_kind)

    @staticmethod
    def _per_replica(loss):
        """The loss divided by the replicas in sync: the optimizer sums their gradients."""
        return loss / tf.distribute.get_strategy().num_replicas_in_sync

    @staticmethod
    def _apply(tape, loss, network, optimizer):
        """One optimizer step on ``network``'s trainable weights."""
        weights = network.trainable_variables
        grads = tape.gradient(loss, weights)
        optimizer.apply_gradients(zip(grads, weights, strict=True))

    def _update_ema(self):
        """Move the EMA generator towards the generator (decay warms up as (1 + t) / (10 + t))."""
        if self.ema_generator is None:
            return
        t = tf.cast(self.g_optimizer.iterations, tf.float32)
        d = tf.minimum(self.ema_decay, (1.0 + t) / (10.0 + t))
        for ema_w, w in zip(self.ema_generator.weights, self.generator.weights, strict=True):
            ema_w.assign(d * ema_w + (1.0 - d) * w)

    def _record(self, d_loss, g_loss, real_logits, fake_logits):
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        self.d_real_tracker.update_state(tf.reduce_mean(tf.sigmoid(real_logits)))
        self.d_fake_tracker.update_state(tf.reduce_mean(tf.sigmoid(fake_logits)))
        return {m.name: m.result() for m in self.metrics}

    def call(self, inputs, training=False):
        """The generator applied to ``inputs`` (z, or [z, labels] for a ConditionalGAN)."""
        return self.generator(inputs, training=training)

    # ---- generation (the course's one interface)
    @property
    def sampler(self) -> keras.Model:
        """The network that :meth:`generate` uses: the EMA generator when ``ema_decay`` is set."""
        return self.ema_generator if self.ema_generator is not None else self.generator

    def images_graph(self, z, labels=None):
        """TensorFlow in, TensorFlow out (usable in ``tf.function`` and a SavedModel): the sampler's
        output for codes z, images mapped from the tanh range to [0, 1], shape (b, 28, 28, 1)."""
        return (self._g(z, labels, training=False, generator=self.sampler) + 1.0) / 2.0

    def _decode_batch(self, z, labels, seed):
        y = None if labels is None else tf.constant(labels)
        out = np.asarray(self._g(tf.constant(z), y, training=False, generator=self.sampler))
        return from_tanh(out) if out.ndim == 4 else out  # images: tanh range -> [0, 1]

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


__all__ = ["GAN"]
