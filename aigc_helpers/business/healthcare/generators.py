"""Generators of synthetic records: the tabular VAE, and a memorizing "generator" as the privacy baseline.

The VAE is the course's :class:`aigc_helpers.vae.VAE` with dense networks and a Gaussian likelihood, over
the 30 features **and** the diagnosis as a 31st column. TensorFlow is imported only when a model is built.

Taught in: notebooks/13_healthcare.ipynb
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from aigc_helpers.business.healthcare.records import feature_columns
from aigc_helpers.business.healthcare.scaling import TabularScaler
from aigc_helpers.checks import check_int, check_number


def build_tabular_vae(
    n_columns: int, latent_dim: int = 8, hidden: Sequence[int] = (64, 64), seed: int = 0
):
    """A :class:`aigc_helpers.vae.VAE` for table rows: dense encoder/decoder, Gaussian likelihood.

    The decoder outputs a mean and a log-variance per column, so a sample is mean + sigma * noise.

    Example:
        >>> build_tabular_vae(31).likelihood  # doctest: +SKIP
        'gaussian'

    Taught in: machinery behind business.healthcare.train_tabular_vae (notebook 13)
    """
    from aigc_helpers import vae

    n_columns = check_int("n_columns", n_columns, minimum=1)
    encoder = vae.build_dense_encoder(n_columns, latent_dim, hidden=hidden)
    decoder = vae.build_dense_decoder(
        latent_dim, n_columns, hidden=tuple(hidden)[::-1], likelihood="gaussian"
    )
    return vae.VAE(
        latent_dim=latent_dim, encoder=encoder, decoder=decoder, likelihood="gaussian", seed=seed
    )


def train_tabular_vae(
    train: pd.DataFrame,
    *,
    epochs: int,
    latent_dim: int = 8,
    hidden: Sequence[int] = (64, 64),
    batch_size: int = 32,
    learning_rate: float = 1e-3,
    validation: float = 0.2,
    patience: int | None = 30,
    seed: int = 0,
    verbose: int = 0,
):
    """Fit a :class:`TabularScaler` and a tabular VAE on the **training** records only.

    A share ``validation`` of the training records (chosen with ``seed``; never the holdout) is kept aside
    to watch for overfitting. With ``patience``, training stops once the validation loss has not improved
    for that many epochs, and the best weights are restored (Keras ``EarlyStopping``).
    Returns ``(model, scaler, history)``.

    Which records the weights were fitted on is recorded on the history: ``history.fitted_index`` holds
    the row labels of ``train`` that were fitted, ``history.validation_index`` those kept aside (both
    sorted; together they are ``train.index``). Only the fitted rows are *members* of the training data
    for a privacy test: the validation rows were never fitted on, though they chose the stopping epoch.
    (The scaler's means and standard deviations come from all of ``train``.)

    Example:
        >>> model, scaler, hist = train_tabular_vae(split.train, epochs=P.epochs("tabular"))  # doctest: +SKIP
        >>> members = split.train.loc[hist.fitted_index]  # doctest: +SKIP

    Taught in: notebooks/13_healthcare.ipynb
    """
    import keras
    import tensorflow as tf

    from aigc_helpers import config

    epochs = check_int("epochs", epochs, minimum=1)
    validation = check_number("validation", validation, minimum=0, maximum=0.5, strict=True)
    config.set_seed(seed)
    scaler = TabularScaler().fit(train)
    x = scaler.transform(train)
    order = np.random.default_rng(seed).permutation(len(x))
    n_val = max(1, int(round(validation * len(x))))
    x_val, x_fit = x[order[:n_val]], x[order[n_val:]]
    fit_ds = (
        tf.data.Dataset.from_tensor_slices(x_fit)
        .shuffle(len(x_fit), seed=seed, reshuffle_each_iteration=True)
        .batch(batch_size)
    )
    val_ds = tf.data.Dataset.from_tensor_slices(x_val).batch(256)
    model = build_tabular_vae(x.shape[1], latent_dim, hidden=hidden, seed=seed)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate))
    callbacks = []
    if patience:
        callbacks.append(
            keras.callbacks.EarlyStopping(
                monitor="val_loss", patience=patience, restore_best_weights=True
            )
        )
    history = model.fit(
        fit_ds, validation_data=val_ds, epochs=epochs, callbacks=callbacks, verbose=verbose
    )
    history.fitted_index = train.index[np.sort(order[n_val:])]
    history.validation_index = train.index[np.sort(order[:n_val])]
    return model, scaler, history


def sample_records(model, scaler: TabularScaler, n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` synthetic records: z ~ N(0, I), then a draw from the decoder's Gaussian, then back to units.

    Example:
        >>> synth = sample_records(model, scaler, 500, seed=1)  # doctest: +SKIP

    Taught in: notebooks/13_healthcare.ipynb
    """
    n = check_int("n", n, minimum=1)
    if getattr(model, "likelihood", None) != "gaussian":
        raise ValueError("model must be a Gaussian-likelihood VAE. Fix: use train_tabular_vae().")
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, model.latent_dim)).astype(np.float32)
    out = np.asarray(model.decoder(z, training=False))
    mean, log_var = np.split(out, 2, axis=-1)
    x = mean + np.exp(0.5 * log_var) * rng.standard_normal(mean.shape)
    return scaler.inverse(x)


def memorizing_generator(
    train: pd.DataFrame, n: int, noise: float = 0.01, seed: int = 0
) -> pd.DataFrame:
    """A deliberately bad "generator" that copies training records with 1% jitter: a privacy-check baseline.

    Its fidelity and utility look excellent, which is exactly why privacy must be measured separately.

    Example:
        >>> from aigc_helpers.business.healthcare import split_patients
        >>> fake = memorizing_generator(split_patients().train, 10)
        >>> fake.shape
        (10, 31)

    Taught in: notebooks/13_healthcare.ipynb
    """
    n = check_int("n", n, minimum=1)
    rng = np.random.default_rng(seed)
    rows = train.iloc[rng.integers(len(train), size=n)].reset_index(drop=True).copy()
    feats = feature_columns(rows)
    rows[feats] = rows[feats] * (1 + noise * rng.standard_normal((n, len(feats))))
    return rows
