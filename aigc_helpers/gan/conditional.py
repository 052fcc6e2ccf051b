"""GANs that see labels: the conditional GAN (digit labels for G and D) and the self-conditioned GAN
(k-means clusters for D only), and :func:`build_dcgan`, the course's DCGAN of either kind in one call.

Taught in: notebooks/05_dcgan_mnist.ipynb
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import keras
import numpy as np

from aigc_helpers.gan.clusters import ClusterOfNoise, place_in_cluster
from aigc_helpers.gan.model import GAN
from aigc_helpers.gan.networks import build_discriminator, build_generator


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

    Taught in: machinery behind gan.load_pretrained("cgan") (notebooks 05, 09)
    """

    conditional = True
    generator_takes_label = True
    discriminator_takes_label = True

    def __init__(
        self, generator, discriminator, latent_dim=None, *, num_classes: int = 10, **kwargs
    ):
        super().__init__(generator, discriminator, latent_dim, num_classes=num_classes, **kwargs)


@keras.saving.register_keras_serializable(package="aigc_helpers")
class SelfConditionedGAN(GAN):
    """An unconditional GAN whose discriminator is conditioned on *clusters* of the data.

    Batches are (images, cluster ids) from :func:`cluster_labels` -- k-means, no class labels. D is a
    projection discriminator on the cluster (as in :class:`ConditionalGAN`); the generator takes z
    alone and reads its cluster off z's first coordinate (:class:`ClusterOfNoise`), so sampling
    needs no labels and clusters come out in their data proportions. In training, fakes get the
    real batch's clusters through :func:`place_in_cluster`. Conditioning D on clusters gives it a
    much easier, sharper task than telling real from fake across all digits at once.

    Generation is unconditional (``generate(n, seed=0)``; labels are refused, since clusters are not
    digits); ``generate(n, seed=0, clusters=c)`` draws from cluster c (one id, or one per image).

    Taught in: machinery behind gan.build_dcgan and gan.load_pretrained("gan") (notebook 05, section 2)
    """

    conditional = False  # generation takes no labels ...
    generator_takes_label = False  # ... the generator reads its cluster off z ...
    discriminator_takes_label = True  # ... and only D sees the clusters, in training

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
        if y is not None:  # training: fakes take the real batch's clusters
            z = place_in_cluster(z, y, self.cluster_weights)
        return g(z, training=training)

    def _in_cluster(self, z, clusters) -> np.ndarray:
        """Codes moved into the given clusters' slices of z_0 (unchanged when ``clusters`` is None)."""
        if clusters is None:
            return z
        c = np.asarray(clusters)
        if not np.issubdtype(c.dtype, np.integer) or c.ndim > 1:
            raise ValueError(f"clusters must be one integer or one per code, got {clusters!r}.")
        c = np.broadcast_to(c, (len(z),))
        if c.min() < 0 or c.max() >= self.num_classes:
            raise ValueError(
                f"clusters must be in 0..{self.num_classes - 1}, got {sorted(set(c.tolist()))}."
            )
        return place_in_cluster(z, c, self.cluster_weights).numpy()

    def cluster_of(self, z) -> np.ndarray:
        """The cluster id the generator reads off each code z (n, latent_dim)."""
        return ClusterOfNoise(self.cluster_weights)(self.check_codes(z)).numpy()

    def decode(self, z, labels=None, *, seed: int | None = 0, clusters=None) -> np.ndarray:
        """Images for codes ``z`` (n, latent_dim), optionally moved into ``clusters`` first."""
        self.check_labels(labels, 1)
        return super().decode(self._in_cluster(self.check_codes(z), clusters), seed=seed)

    def generate(
        self, n: int, labels=None, seed: int | None = None, *, clusters=None
    ) -> np.ndarray:
        """``n`` samples (clusters drawn in their data proportions, or the given ``clusters``)."""
        return self.decode(self.sample_z(n, seed), labels, clusters=clusters)

    def interpolate(self, a, b, steps: int = 8, labels=None, *, clusters=None) -> np.ndarray:
        """The path from code a to code b with both ends in one cluster's slice of z_0 (a's cluster, in
        which case a is kept as it is, or ``clusters``), so that no point of it jumps between clusters.

        A straight line between two random codes crosses the slice edges of z_0, and the image would
        switch cluster abruptly at each; a slice is an interval, so the line between two codes inside
        it stays inside it.
        """
        self.check_labels(labels, 1)
        a, b = self._interpolation_ends(a, b, clusters)
        return super().interpolate(a, b, steps)

    def _interpolation_ends(self, a, b, clusters=None) -> np.ndarray:
        """The two ends of :meth:`interpolate`, moved into one cluster's slice of z_0."""
        ends = self.check_codes(np.stack([np.asarray(a, np.float32), np.asarray(b, np.float32)]))
        if clusters is None:
            ends[1:] = self._in_cluster(ends[1:], int(self.cluster_of(ends[:1])[0]))
            return ends
        if np.ndim(clusters) != 0:
            raise ValueError(f"an interpolation stays in one cluster, got clusters={clusters!r}.")
        return self._in_cluster(ends, int(clusters))


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

    Taught in: machinery behind benchmarks/dcgan.py (the recipe notebook 05 describes)
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


RECIPE_KEYS = ("latent_dim", "g_filters", "d_filters", "g_lr", "d_lr", "beta_1", "gan")


def build_recipe(
    settings: Mapping,
    *,
    num_classes: int | None = None,
    cluster_weights: Sequence[float] | None = None,
    seed: int | None = None,
) -> GAN:
    """The course's DCGAN recipe, built and compiled from its settings: :func:`build_dcgan` with the
    recipe's filters and extras (e.g. the EMA), and one Adam optimizer per network at the recipe's
    learning rates. ``settings`` is ``ours_settings`` of ``gan_results.json`` (what the benchmark
    trained), so a notebook and ``benchmarks/dcgan.py`` build the same model from one source.

    Example:
        >>> recipe = assets.load_results("gan")["ours_settings"]  # doctest: +SKIP
        >>> model = build_recipe(recipe, cluster_weights=shares, seed=0)  # doctest: +SKIP

    Taught in: notebooks/05_dcgan_mnist.ipynb
    """
    missing = [k for k in RECIPE_KEYS if k not in settings]
    if missing:
        raise ValueError(
            f"the recipe settings lack {', '.join(missing)}. Fix: pass the ours_settings of the "
            "results file, e.g. assets.load_results('gan')['ours_settings']."
        )
    model = build_dcgan(
        settings["latent_dim"],
        num_classes=num_classes,
        cluster_weights=cluster_weights,
        g_filters=settings["g_filters"],
        d_filters=settings["d_filters"],
        seed=seed,
        **settings["gan"],
    )
    model.compile(
        d_optimizer=keras.optimizers.Adam(settings["d_lr"], beta_1=settings["beta_1"]),
        g_optimizer=keras.optimizers.Adam(settings["g_lr"], beta_1=settings["beta_1"]),
    )
    return model


__all__ = ["RECIPE_KEYS", "ConditionalGAN", "SelfConditionedGAN", "build_dcgan", "build_recipe"]
