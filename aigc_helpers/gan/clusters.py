"""Self-conditioning: k-means clusters of the data as pseudo-labels, and the layer that lets an
unconditional generator read its cluster off its own noise.

Taught in: notebooks/05_dcgan_mnist.ipynb (the self-conditioned DCGAN)
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np
import tensorflow as tf

from aigc_helpers.checks import check_int


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

    x = np.asarray(images, np.float32).reshape(len(images), -1)
    n_clusters = check_int(
        "n_clusters", n_clusters, 2, len(x), fix="use fewer clusters than images, e.g. 50."
    )
    if x.max() > 1.0:
        x = x / 255.0
    f = PCA(min(pca_dim, x.shape[1], len(x)), random_state=seed).fit_transform(x)
    km = MiniBatchKMeans(n_clusters, random_state=seed, n_init=3, batch_size=4096)
    labels = km.fit_predict(f).astype(np.int32)
    counts = np.bincount(labels, minlength=n_clusters).astype(np.float64)
    counts = np.maximum(counts, 1.0)  # an empty cluster keeps a tiny share (weights must be > 0)
    return labels, counts / counts.sum()
