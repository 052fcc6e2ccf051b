"""The formulas of a VAE, each a small function checked against hand-computed values:

- the closed-form KL(N(mu, sigma^2) || N(0, 1)) = 0.5 * sum(sigma^2 + mu^2 - 1 - log sigma^2);
- the reparameterization z = mu + sigma * eps with sigma = exp(0.5 * log sigma^2) (the standard
  deviation, not the variance);
- log-densities of a diagonal Gaussian and of Bernoulli pixels (on logits), in nats.

Taught in: notebooks/07_vae_math.ipynb
"""

from __future__ import annotations

import math

import numpy as np  # noqa: F401 - the examples below use it
import tensorflow as tf

LOG_2PI = math.log(2.0 * math.pi)


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
