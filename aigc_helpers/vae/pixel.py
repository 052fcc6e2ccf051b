"""The pixel-context decoder head: one causal (PixelCNN type-A) convolution and a per-pixel MLP, so that
p(x | z) = prod_i p(x_i | x_<i, z) stays an exact likelihood and sampling stays cheap.

Taught in: notebooks/08_vae_mnist.ipynb (the pixel-context VAE)
"""

from __future__ import annotations

import keras
import numpy as np

from aigc_helpers.checks import check_int, check_positive_int


def causal_mask(kernel_size: int) -> np.ndarray:
    """The (k, k) 0/1 mask of a PixelCNN type-A convolution: the rows above the centre and the pixels
    left of it in the centre row -- exactly the pixels that come *before* the centre in raster order.

    Example:
        >>> causal_mask(3).astype(int).tolist()
        [[1, 1, 1], [1, 0, 0], [0, 0, 0]]
    """
    k = check_int("kernel_size", kernel_size, minimum=3, fix="use 5 or 7.")
    if k % 2 == 0:
        raise ValueError(f"kernel_size must be an odd integer >= 3, got {k}. Fix: use 5 or 7.")
    mask = np.zeros((k, k), np.float32)
    mask[: k // 2] = 1.0
    mask[k // 2, : k // 2] = 1.0
    return mask


@keras.saving.register_keras_serializable(package="aigc_helpers")
class CausalConv2D(keras.layers.Conv2D):
    """A ``Conv2D`` (stride 1, "same" padding) whose kernel only sees the pixels *before* each pixel in
    raster order (:func:`causal_mask`), so that its output at pixel i is a function of x_<i alone.

    Taught in: machinery behind vae.build_pixel_head (notebook 08, the pixel-context VAE)
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
    channels = check_positive_int("channels", channels)
    hidden = check_positive_int("hidden", hidden)
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
            p = 0.5 * (1.0 + np.tanh(0.5 * logit))  # sigmoid(logit), no overflow at large |logit|
            probs[:, r, c] = p
            x[:, r + pad, c + pad] = rng.random(n) < p
    if return_samples:
        return probs, x[:, pad : pad + h, pad : pad + w].copy()
    return probs
