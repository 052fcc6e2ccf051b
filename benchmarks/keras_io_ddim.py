"""The ``reference`` row of ``benchmarks/diffusion.py``: the keras-io DDIM example, scaled to 28x28 MNIST.

keras-io's "Denoising Diffusion Implicit Models" (A. Béres, 2022) is the diffusion model most Keras
learners meet first. Its recipe, re-implemented here from its description (no code copied):

- data normalized to zero mean and unit variance (a per-channel normalization adapted on the data);
- a continuous "offset cosine" schedule: for t ~ U(0, 1) the angle runs linearly from
  acos(``MAX_SIGNAL``) to acos(``MIN_SIGNAL``); signal rate = cos(angle), noise rate = sin(angle);
- a U-Net that predicts the noise from (noisy image, noise variance): the variance enters through a
  32-d sinusoidal embedding (frequencies 1..1000, log-spaced) broadcast over the image; residual
  blocks (batch normalization without scale or centre, a 3x3 swish convolution, a linear 3x3
  convolution, a skip); average pooling down, bilinear upsampling up, skip connections from every
  block; widths 32, 64, 96, 128 with 2 blocks per level at 64x64 -- here 32, 64, 96 (28 -> 14 -> 7);
- loss: mean absolute error on the noise; AdamW(1e-3, weight decay 1e-4), batch 64; samples from an
  exponential moving average (0.999) of the network;
- sampling: deterministic DDIM from t = 1 down to 0 in equal steps.

The model offers the course's generation interface (``aigc_helpers.generation.Generative``): its latent
code is the initial noise image (784 numbers), so ``generate``/``decode`` work as for every course model.
"""

from __future__ import annotations

import math

import numpy as np

MIN_SIGNAL, MAX_SIGNAL = 0.02, 0.95
EMBED_DIM, MAX_FREQUENCY = 32, 1000.0
WIDTHS, BLOCK_DEPTH = (32, 64, 96), 2
BATCH, LR, WEIGHT_DECAY, EMA = 64, 1e-3, 1e-4, 0.999


def schedule(t):
    """(signal rate, noise rate) of the offset cosine schedule at diffusion times ``t`` in [0, 1]."""
    import keras.ops as ops

    start, end = math.acos(MAX_SIGNAL), math.acos(MIN_SIGNAL)
    angle = start + t * (end - start)
    return ops.cos(angle), ops.sin(angle)


def network(widths=WIDTHS, block_depth: int = BLOCK_DEPTH):
    """The keras-io U-Net for 28x28x1 images: inputs (noisy images, noise variances (b, 1, 1, 1))."""
    import keras
    import keras.ops as ops

    freqs = np.exp(np.linspace(0.0, math.log(MAX_FREQUENCY), EMBED_DIM // 2)).astype("float32")

    def embed(v):
        angles = 2.0 * math.pi * ops.convert_to_tensor(freqs) * v
        return ops.concatenate([ops.sin(angles), ops.cos(angles)], axis=-1)

    def residual(width):
        def apply(x):
            skip = x if x.shape[-1] == width else keras.layers.Conv2D(width, 1)(x)
            x = keras.layers.BatchNormalization(center=False, scale=False)(x)
            x = keras.layers.Conv2D(width, 3, padding="same", activation="swish")(x)
            x = keras.layers.Conv2D(width, 3, padding="same")(x)
            return keras.layers.Add()([x, skip])

        return apply

    images = keras.Input((28, 28, 1))
    variances = keras.Input((1, 1, 1))
    e = keras.layers.Lambda(embed, output_shape=(1, 1, EMBED_DIM))(variances)
    e = keras.layers.UpSampling2D(size=28, interpolation="nearest")(e)
    x = keras.layers.Concatenate()([keras.layers.Conv2D(widths[0], 1)(images), e])
    skips = []
    for width in widths[:-1]:
        for _ in range(block_depth):
            x = residual(width)(x)
            skips.append(x)
        x = keras.layers.AveragePooling2D(2)(x)
    for _ in range(block_depth):
        x = residual(widths[-1])(x)
    for width in reversed(widths[:-1]):
        x = keras.layers.UpSampling2D(2, interpolation="bilinear")(x)
        for _ in range(block_depth):
            x = residual(width)(keras.layers.Concatenate()([x, skips.pop()]))
    out = keras.layers.Conv2D(1, 1, kernel_initializer="zeros")(x)
    return keras.Model([images, variances], out, name="keras_io_unet")


def make_class():
    """The ``KerasIoDDIM`` model class (built lazily so that importing this file needs no Keras)."""
    import keras
    import keras.ops as ops
    import tensorflow as tf

    from aigc_helpers.generation import Generative

    @keras.saving.register_keras_serializable(package="aigc_benchmarks")
    class KerasIoDDIM(keras.Model, Generative):
        """keras-io's DDIM on MNIST: ``train_step`` on the noise's mean absolute error, EMA sampling."""

        latent_dim = 28 * 28

        def __init__(self, mean: float = 0.0, std: float = 1.0, steps: int = 20, seed=0, **kw):
            super().__init__(**kw)
            self.mean, self.std, self.steps, self.seed = float(mean), float(std), int(steps), seed
            self.network = network()
            self.ema_network = network()
            self.ema_network.set_weights(self.network.get_weights())
            self.loss_tracker = keras.metrics.Mean(name="noise_loss")
            self.gen = tf.random.Generator.from_seed(int(seed or 0))
            self.built = True  # both networks are built functional models

        @property
        def metrics(self):
            return [self.loss_tracker]

        def denoise(self, net, noisy, noise_rate, signal_rate, training: bool):
            noise = net([noisy, noise_rate**2], training=training)
            return noise, (noisy - noise_rate * noise) / signal_rate

        def train_step(self, data):
            x = (data - self.mean) / self.std
            b = tf.shape(x)[0]
            noise = self.gen.normal(tf.shape(x))
            signal_rate, noise_rate = schedule(self.gen.uniform((b, 1, 1, 1)))
            noisy = signal_rate * x + noise_rate * noise
            with tf.GradientTape() as tape:
                pred, _ = self.denoise(self.network, noisy, noise_rate, signal_rate, True)
                loss = ops.mean(ops.abs(noise - pred))
            grads = tape.gradient(loss, self.network.trainable_weights)
            self.optimizer.apply_gradients(zip(grads, self.network.trainable_weights, strict=True))
            for w, ema_w in zip(self.network.weights, self.ema_network.weights, strict=True):
                ema_w.assign(EMA * ema_w + (1.0 - EMA) * w)
            self.loss_tracker.update_state(loss)
            return {"noise_loss": self.loss_tracker.result()}

        @tf.function(reduce_retracing=True)
        def _ddim(self, noise):
            x, n, size = noise, tf.shape(noise)[0], 1.0 / self.steps
            images = x
            for step in range(self.steps):
                t = tf.fill((n, 1, 1, 1), 1.0 - step * size)
                signal_rate, noise_rate = schedule(t)
                eps, images = self.denoise(self.ema_network, x, noise_rate, signal_rate, False)
                next_signal, next_noise = schedule(t - size)
                x = next_signal * images + next_noise * eps
            return images

        def _decode_batch(self, z, labels, seed):
            noise = tf.reshape(tf.convert_to_tensor(z), (-1, 28, 28, 1))
            images = self._ddim(noise).numpy()[..., 0] * self.std + self.mean
            return np.clip(images, 0.0, 1.0).astype(np.float32)

        def get_config(self):
            return {**super().get_config(), "mean": self.mean, "std": self.std, "steps": self.steps}

    return KerasIoDDIM


def build(x_train: np.ndarray, seed: int, steps: int = 20):
    """(model, dataset) for the reference row: pixels in [0, 1], normalized inside the model."""
    import keras
    import tensorflow as tf

    images = (x_train.reshape(-1, 28, 28, 1) / 255.0).astype("float32")
    model = make_class()(mean=images.mean(), std=images.std(), steps=steps, seed=seed)
    model.compile(optimizer=keras.optimizers.AdamW(LR, weight_decay=WEIGHT_DECAY))
    ds = (
        tf.data.Dataset.from_tensor_slices(images)
        .shuffle(len(images), seed=seed)
        .batch(BATCH, drop_remainder=True)
        .prefetch(2)
    )
    return model, ds
