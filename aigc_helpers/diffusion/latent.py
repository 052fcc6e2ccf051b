"""Latent diffusion: a flow-matching model over an autoencoder's codes, decoded to images.

Stable Diffusion's recipe in miniature (Rombach et al., 2021): instead of learning to denoise 784 pixels,
learn to denoise the 32 numbers a trained VAE's encoder gives each image, and let the VAE's decoder turn
the generated codes into images. The codes are the encoder's posterior means, standardized per dimension
(``code_mean``, ``code_std``) so that the flow starts from noise of the same scale as the data.

- :func:`latent_codes` -- the posterior means of a VAE for a batch of images;
- :class:`LatentDiffusion` / :class:`ConditionalLatentDiffusion` -- a :class:`Diffusion` (or its
  conditional, guided version) over standardized codes whose outputs are decoded by the autoencoder, so
  ``generate`` returns images like every course generator.

A saved latent model keeps only its own small network and the code statistics; it names the autoencoder
it decodes with -- a shipped one (``autoencoder="vae"``) or the ``.keras`` file of a course VAE trained
and saved by the learner -- and loads it when first needed.

Taught in: notebooks/18_latent_diffusion.ipynb
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import keras
import numpy as np

from aigc_helpers.checks import check_positive_int
from aigc_helpers.diffusion.model import ConditionalDiffusion, Diffusion
from aigc_helpers.diffusion.networks import build_toy_network

#: Shipped autoencoders a saved latent model may name (``vae.load_pretrained`` kinds).
AUTOENCODERS: tuple[str, ...] = ("vae",)
#: The denoiser of the course's latent model: a dense network of DEPTH layers of WIDTH swish units.
WIDTH, DEPTH, EMBED_DIM = 512, 4, 64

__all__ = [
    "AUTOENCODERS",
    "ConditionalLatentDiffusion",
    "LatentDiffusion",
    "latent_codes",
]


def latent_codes(
    autoencoder: Any, images, labels=None, *, batch_size: int = 1000, log_var: bool = False
):
    """The posterior means of ``autoencoder`` (a course VAE) for ``images`` (N, 28, 28) in [0, 1]:
    float32 (N, latent_dim) -- the data a latent diffusion model learns. With ``log_var=True``, the
    pair (means, log-variances) of the posteriors q(z | x), to draw codes z = mean + exp(log_var / 2) * eps.

    Example:
        >>> codes = latent_codes(vae.load_pretrained("vae"), x_train)  # doctest: +SKIP
        >>> codes.shape  # doctest: +SKIP
        (60000, 32)

    Taught in: notebooks/18_latent_diffusion.ipynb
    """
    batch_size = check_positive_int("batch_size", batch_size)
    x = np.asarray(images, np.float32)
    if x.ndim not in (3, 4) or x.shape[1:3] != (28, 28):
        raise ValueError(
            f"images must have shape (N, 28, 28) with values in [0, 1], got {x.shape}. "
            "Fix: pass e.g. data.load_mnist().x_train / 255."
        )
    if x.size and (x.min() < 0 or x.max() > 1):
        raise ValueError(
            "images must have values in [0, 1]. Fix: divide uint8 images by 255 before encoding."
        )
    means, log_vars = [], []
    for i in range(0, len(x), batch_size):
        y = None if labels is None else np.asarray(labels)[i : i + batch_size]
        mean, lv = autoencoder.encode(x[i : i + batch_size], y)
        means.append(np.asarray(mean))
        log_vars.append(np.asarray(lv))
    mean = np.concatenate(means).astype(np.float32)
    return (mean, np.concatenate(log_vars).astype(np.float32)) if log_var else mean


class _Holder:
    """Keeps the autoencoder out of Keras' tracking, so saving a latent model does not copy its weights."""

    def __init__(self, model: Any = None):
        self.model = model


class _Latent:
    """What makes a Diffusion latent: code statistics, an autoencoder, decoding in ``_output``."""

    def __init__(
        self,
        network: keras.Model | None = None,
        *,
        code_mean=None,
        code_std=None,
        autoencoder: Any = "vae",
        **kwargs,
    ):
        if code_mean is None or code_std is None:
            raise ValueError(
                "a latent diffusion model needs the statistics of the codes it learns. Fix: "
                "codes = latent_codes(autoencoder, images); pass code_mean=codes.mean(0), "
                "code_std=codes.std(0)."
            )
        mean = np.asarray(code_mean, np.float32).reshape(-1)
        std = np.asarray(code_std, np.float32).reshape(-1)
        if mean.shape != std.shape or not np.all(np.isfinite(mean)) or not np.all(std > 0):
            raise ValueError(
                f"code_mean and code_std must be finite vectors of one length with code_std > 0, got "
                f"shapes {np.shape(code_mean)} and {np.shape(code_std)}. Fix: pass codes.mean(0) and "
                "codes.std(0) of codes with more than one distinct value per dimension."
            )
        if isinstance(autoencoder, os.PathLike):
            autoencoder = os.fspath(autoencoder)
        if (
            isinstance(autoencoder, str)
            and autoencoder not in AUTOENCODERS
            and not autoencoder.endswith(".keras")
        ):
            raise ValueError(
                f"unknown autoencoder {autoencoder!r}. Fix: use one of {', '.join(AUTOENCODERS)} "
                "(a shipped VAE), the path of a VAE saved as '.keras', or a trained VAE object."
            )
        if network is None:
            network = build_toy_network(
                len(mean),
                kwargs.get("num_classes", 10) if self.conditional else None,
                width=WIDTH,
                depth=DEPTH,
                embed_dim=EMBED_DIM,
                name="latent_network",
            )
        super().__init__(network, **kwargs)
        if self.data_shape != (len(mean),):
            raise ValueError(
                f"the network models points of shape {self.data_shape}, the codes have "
                f"{len(mean)} dimensions. Fix: build it with build_toy_network({len(mean)}, ...)."
            )
        self.code_mean, self.code_std = mean, std
        self.autoencoder_name = autoencoder if isinstance(autoencoder, str) else None
        self._autoencoder = _Holder(None if isinstance(autoencoder, str) else autoencoder)

    def get_autoencoder(self) -> Any:
        """The VAE whose decoder turns codes into images (a shipped one is loaded when first used).

        A method, not a property: Keras saves every model it finds among a model's attributes, and the
        autoencoder's weights belong in its own file, not in every latent model's."""
        if self._autoencoder.model is None:
            from aigc_helpers import vae

            name = self.autoencoder_name
            if name in AUTOENCODERS:
                self._autoencoder.model = vae.load_pretrained(name)
            elif not Path(name).is_file():
                raise FileNotFoundError(
                    f"this latent model decodes with the VAE saved at {name!r}, and no file is there. "
                    "Fix: put that VAE's .keras file back at this path (it is not inside the latent "
                    "model's file), or run from the folder the path is relative to."
                )
            else:
                self._autoencoder.model = vae.load_vae(name)
        model = self._autoencoder.model
        if int(model.latent_dim) != len(self.code_mean):
            raise ValueError(
                f"the autoencoder's codes have {model.latent_dim} dimensions, this model's "
                f"{len(self.code_mean)}. Fix: use the autoencoder the model was trained on."
            )
        return model

    def standardize(self, codes) -> np.ndarray:
        """Codes (N, latent_dim) scaled to what the flow learns: (codes - code_mean) / code_std."""
        return ((np.asarray(codes, np.float32) - self.code_mean) / self.code_std).astype(np.float32)

    def _output(self, x: np.ndarray) -> np.ndarray:
        """Standardized codes (..., latent_dim) to images (..., 28, 28) by the autoencoder's decoder."""
        x = np.asarray(x, np.float32)
        codes = x.reshape(-1, x.shape[-1]) * self.code_std + self.code_mean
        images = self.get_autoencoder().decode(codes)
        return images.reshape((*x.shape[:-1], *images.shape[1:])).astype(np.float32)

    def _check_savable(self) -> None:
        if self.autoencoder_name is None:
            raise ValueError(
                "this latent model decodes with a VAE object that has no name, so a saved file "
                "could not find it again. Fix: save the VAE first (my_vae.save('my_vae.keras')) and "
                "build the model with autoencoder='my_vae.keras', or use autoencoder='vae' (the "
                "shipped VAE)."
            )

    def save(self, filepath, *args, **kwargs):
        """``keras.Model.save``, refused before any file is written when the autoencoder has no name."""
        self._check_savable()
        return super().save(filepath, *args, **kwargs)

    def get_config(self) -> dict:
        self._check_savable()
        config = super().get_config()
        config.update(
            code_mean=[float(v) for v in self.code_mean],
            code_std=[float(v) for v in self.code_std],
            autoencoder=self.autoencoder_name,
        )
        return config


@keras.saving.register_keras_serializable(package="aigc_helpers")
class LatentDiffusion(_Latent, Diffusion):
    """A flow-matching (or DDPM) model over a VAE's standardized codes; ``generate`` decodes its samples.

    Args:
        network: a points network for the codes (default: :func:`build_toy_network` with
            ``WIDTH`` x ``DEPTH`` swish units).
        code_mean, code_std: per-dimension statistics of the training codes (required).
        autoencoder: ``"vae"`` (the shipped VAE, loaded when first needed), the path of a course VAE
            saved as ``.keras`` (loaded when first needed; the saved model keeps the path), or a
            trained course VAE object (such a model cannot be saved).
        **kwargs: as for :class:`Diffusion` (objective, sampler, steps, seed, ...).

    Train with ``fit`` on ``model.standardize(latent_codes(vae, images))``.

    Example:
        >>> codes = latent_codes(vae.load_pretrained("vae"), x_train)  # doctest: +SKIP
        >>> model = LatentDiffusion(code_mean=codes.mean(0), code_std=codes.std(0), seed=0)  # doctest: +SKIP
        >>> model.compile(optimizer=keras.optimizers.Adam(1e-3))  # doctest: +SKIP
        >>> model.fit(model.standardize(codes), batch_size=256, epochs=10)  # doctest: +SKIP
        >>> model.generate(16, seed=0).shape  # doctest: +SKIP
        (16, 28, 28)

    Taught in: notebooks/18_latent_diffusion.ipynb
    """


@keras.saving.register_keras_serializable(package="aigc_helpers")
class ConditionalLatentDiffusion(_Latent, ConditionalDiffusion):
    """A :class:`LatentDiffusion` that also reads the digit's label and supports classifier-free guidance
    (``guidance``; train on ``(model.standardize(codes), labels)``).

    Example:
        >>> model = ConditionalLatentDiffusion(code_mean=m, code_std=s, guidance=2.0)  # doctest: +SKIP
        >>> sevens = model.generate(8, labels=7, seed=0)  # doctest: +SKIP

    Taught in: notebooks/18_latent_diffusion.ipynb
    """
