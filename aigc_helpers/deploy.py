"""From a trained model to something others can run: image grids, generator loading, SavedModel export.

- :func:`load_generator` opens a ``.keras`` file of any of the course's generative models (VAE,
  conditional VAE, GAN, conditional GAN) -- or an exported SavedModel folder -- and returns a
  :class:`Generator` with one interface, ``generate(n, label=None, seed=None)``. Anything else (a
  classifier, a corrupt file, a missing path) raises an error whose message names the fix.
- :func:`export_saved_model` writes a TensorFlow **SavedModel** with a ``serving_default`` signature
  (inputs ``z`` and, for conditional models, ``label``; output ``images`` in [0, 1]) that TensorFlow
  Serving, ``saved_model_cli`` or plain ``tf.saved_model.load`` can call without this package.
- :func:`save_grid_png` writes images as one PNG grid, refusing to overwrite a file unless asked.

The command line ``python -m aigc_helpers generate --model PATH --n 64 --out grid.png [--label 3]``
is a thin wrapper around these three.

Taught in: notebooks/09_lab_to_production.ipynb.
"""

from __future__ import annotations

import json
import math
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from aigc_helpers.data import grey_batch

KINDS: tuple[str, ...] = ("vae", "cvae", "gan", "cgan")
PRETRAINED_NAMES: dict[str, tuple[str, str]] = {
    # shorthand -> (module, pretrained kind) for the models shipped in aigc_helpers/assets/
    "vae": ("vae", "vae"),
    "cvae": ("vae", "cvae"),
    "gan": ("gan", "gan"),
    "cgan": ("gan", "cgan"),
}
MAX_IMAGES = 10_000
SIGNATURE = "serving_default"
INFO_FILE = "aigc_generator.json"  # written into the SavedModel's assets.extra/ folder


class GeneratorError(ValueError):
    """A file or folder that is not a generative model this course can run."""


# --------------------------------------------------------------------------- image grids


def grid_shape(n: int, ncols: int | None = None) -> tuple[int, int]:
    """(rows, columns) of the grid :func:`save_grid_png` uses for ``n`` images: near-square by default.

    Example:
        >>> grid_shape(64), grid_shape(10), grid_shape(10, ncols=5)
        ((8, 8), (3, 4), (2, 5))

    Taught in: notebooks/09_lab_to_production.ipynb
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n <= 0:
        raise ValueError(f"n must be a positive integer, got {n!r}.")
    if ncols is None:
        ncols = math.ceil(math.sqrt(n))
    if isinstance(ncols, bool) or not isinstance(ncols, (int, np.integer)) or ncols <= 0:
        raise ValueError(f"ncols must be a positive integer, got {ncols!r}.")
    ncols = min(int(ncols), int(n))
    return math.ceil(n / ncols), ncols


def _to_uint8(images) -> np.ndarray:
    """(N, H, W[, 1]) images as uint8 0..255: uint8 is kept, floats must lie in [0, 1]."""
    x = grey_batch(images)
    if x.dtype == np.uint8:
        return x
    x = x.astype(np.float32)
    if not np.isfinite(x).all():
        raise ValueError("images contain NaN or infinity. Fix: check the model that made them.")
    if x.min() < -1e-3 or x.max() > 1.0 + 1e-3:
        raise ValueError(
            f"float images must lie in [0, 1], got [{x.min():.3g}, {x.max():.3g}]. "
            "Fix: rescale them (GAN outputs in [-1, 1]: (x + 1) / 2)."
        )
    return np.clip(np.rint(x * 255.0), 0, 255).astype(np.uint8)


def image_grid_array(images, *, ncols: int | None = None, pad: int = 2, pad_value: int = 128):
    """Tile images into one uint8 array of shape (rows*(H+pad)+pad, cols*(W+pad)+pad).

    Example:
        >>> image_grid_array(np.zeros((64, 28, 28), np.uint8)).shape
        (242, 242)

    Taught in: notebooks/09_lab_to_production.ipynb
    """
    x = _to_uint8(images)
    n, h, w = x.shape
    rows, cols = grid_shape(n, ncols)
    if isinstance(pad, bool) or not isinstance(pad, (int, np.integer)) or pad < 0:
        raise ValueError(f"pad must be an integer >= 0, got {pad!r}.")
    grid = np.full((rows * (h + pad) + pad, cols * (w + pad) + pad), pad_value, np.uint8)
    for i in range(n):
        r, c = divmod(i, cols)
        top, left = pad + r * (h + pad), pad + c * (w + pad)
        grid[top : top + h, left : left + w] = x[i]
    return grid


def check_output(path, *, force: bool = False) -> Path:
    """``path`` as a Path if a PNG may be written there, else an error naming the fix.

    The name must end in ``.png``, its folder must exist, and an existing file is refused unless
    ``force`` -- so a typo never replaces someone's work.

    Example:
        >>> check_output("grid.png")  # doctest: +SKIP
        PosixPath('grid.png')

    Taught in: notebooks/09_lab_to_production.ipynb
    """
    path = Path(path)
    if path.suffix.lower() != ".png":
        raise ValueError(f"{path} does not end in .png. Fix: name the output file like grid.png.")
    if path.is_dir():
        raise IsADirectoryError(
            f"{path} is a folder. Fix: give a file name such as {path}/grid.png."
        )
    if path.exists() and not force:
        raise FileExistsError(
            f"{path} already exists. Fix: choose another output name, or pass --force (force=True) "
            "to overwrite it."
        )
    if not path.parent.is_dir():
        raise FileNotFoundError(
            f"the folder {path.parent} does not exist. Fix: create it first (mkdir -p {path.parent})."
        )
    return path


def save_grid_png(
    images, path, *, ncols: int | None = None, pad: int = 2, force: bool = False
) -> Path:
    """Save grey-scale images as one PNG grid (8-bit, grey padding between images); returns the path.

    An existing file is never overwritten unless ``force=True``; the folder must exist.

    Example:
        >>> save_grid_png(cvae.sample(64, labels=3), "threes.png")  # doctest: +SKIP
        PosixPath('threes.png')

    Taught in: notebooks/09_lab_to_production.ipynb
    """
    from PIL import Image

    path = check_output(path, force=force)
    grid = image_grid_array(images, ncols=ncols, pad=pad)
    Image.fromarray(grid).save(path, format="PNG", optimize=True)
    return path


# --------------------------------------------------------------------------- generators


@dataclass
class Generator:
    """A generative model reduced to what deployment needs: latent codes (and labels) in, images out.

    Attributes:
        kind: ``"vae"``, ``"cvae"``, ``"gan"`` or ``"cgan"``.
        latent_dim: size of z.
        num_classes: number of labels for conditional models, else ``None``.
        images: a function (z float32 (N, latent_dim), labels int32 (N,) or None) -> images in [0, 1]
            with shape (N, H, W, 1) -- TensorFlow in, TensorFlow out, usable inside ``tf.function``.
        model: the Keras model it came from (``None`` for a SavedModel).
        network: the part of it that makes images (the VAE's decoder, the GAN's generator).
        source: where it was loaded from.

    Example:
        >>> g = load_generator("aigc_helpers/assets/cvae_mnist.keras")  # doctest: +SKIP
        >>> g.generate(16, label=7, seed=0).shape  # doctest: +SKIP
        (16, 28, 28)

    Taught in: notebooks/09_lab_to_production.ipynb
    """

    kind: str
    latent_dim: int
    num_classes: int | None
    images: Callable = field(repr=False)
    model: object = field(default=None, repr=False)
    network: object = field(default=None, repr=False)
    source: str = ""

    @property
    def conditional(self) -> bool:
        return self.num_classes is not None

    def labels_for(self, n: int, label: int | None = None) -> np.ndarray | None:
        """The labels ``generate`` uses: ``label`` repeated, or 0, 1, 2, ... cycling when omitted."""
        if not self.conditional:
            if label is not None:
                raise ValueError(
                    f"this {self.kind.upper()} is not conditional, so it takes no label. "
                    "Fix: drop --label (label=None), or use a conditional model (cvae, cgan)."
                )
            return None
        if label is None:
            return (np.arange(n) % self.num_classes).astype(np.int32)
        check_label(label, self.num_classes)
        return np.full(n, int(label), np.int32)

    def latents(self, n: int, seed: int | None = None) -> np.ndarray:
        """``n`` latent codes z ~ N(0, I) as float32 (N, latent_dim), reproducible for a given seed."""
        check_count(n)
        rng = np.random.default_rng(seed)
        return rng.standard_normal((int(n), self.latent_dim)).astype(np.float32)

    def generate(self, n: int, label: int | None = None, seed: int | None = None) -> np.ndarray:
        """``n`` new images (N, H, W) in [0, 1]; conditional models cycle through labels when
        ``label`` is None."""
        import tensorflow as tf

        check_count(n)
        labels = self.labels_for(n, label)
        z = self.latents(n, seed)
        out = []
        for i in range(0, n, 500):
            y = None if labels is None else tf.constant(labels[i : i + 500])
            out.append(np.asarray(self.images(tf.constant(z[i : i + 500]), y)))
        x = np.concatenate(out)
        return x[..., 0] if x.ndim == 4 and x.shape[-1] == 1 else x


def check_count(n) -> int:
    """``n`` as an int in 1..MAX_IMAGES, else a ValueError naming the fix."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise ValueError(f"the number of images must be an integer, got {n!r}. Fix: e.g. --n 64.")
    if not 0 < n <= MAX_IMAGES:
        raise ValueError(
            f"the number of images must be between 1 and {MAX_IMAGES}, got {n}. Fix: e.g. --n 64."
        )
    return int(n)


def check_label(label, num_classes: int = 10) -> int:
    """``label`` as an int in 0..num_classes-1, else a ValueError naming the fix."""
    if isinstance(label, bool) or not isinstance(label, (int, np.integer)):
        raise ValueError(f"the label must be an integer, got {label!r}. Fix: e.g. --label 3.")
    if not 0 <= label < num_classes:
        raise ValueError(
            f"the label must be a digit class 0-{num_classes - 1}, got {label}. "
            f"Fix: pass --label with a value from 0 to {num_classes - 1}, or omit it."
        )
    return int(label)


def _keras_class_name(path: Path) -> str:
    """The class name a .keras archive's config.json declares, read without building the model."""
    try:
        with zipfile.ZipFile(path) as zf:
            config = json.loads(zf.read("config.json"))
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise GeneratorError(
            f"{path} is not a readable .keras model file ({type(exc).__name__}). "
            "Fix: pass a file written by model.save('name.keras')."
        ) from None
    return str(config.get("registered_name") or config.get("class_name") or "unknown")


def peek_kind(path) -> str | None:
    """The kind (``vae``, ``cvae``, ``gan``, ``cgan``) a .keras file or shipped name declares, read
    without TensorFlow; ``None`` when that cannot be told cheaply (a folder, an unknown class).

    Example:
        >>> peek_kind("cvae")
        'cvae'

    Taught in: notebooks/09_lab_to_production.ipynb
    """
    p = Path(path)
    if not p.exists():
        return str(path) if str(path) in PRETRAINED_NAMES else None
    if not p.is_file() or p.suffix != ".keras":
        return None
    try:
        name = _keras_class_name(p).split(">")[-1]
    except GeneratorError:
        return None
    return {
        "VAE": "vae",
        "ConditionalVAE": "cvae",
        "GAN": "gan",
        "SelfConditionedGAN": "gan",  # takes z alone: it picks its own cluster
        "ConditionalGAN": "cgan",
    }.get(name)


def _check_images(network, source: str) -> None:
    shape = tuple(network.outputs[0].shape)
    if len(shape) != 4 or shape[-1] != 1:
        raise GeneratorError(
            f"{source or 'this model'} makes outputs of shape {shape}, not grey-scale images "
            "(N, H, W, 1). Fix: use an image model such as the shipped vae, cvae, gan or cgan."
        )


def _vae_generator(model, source: str) -> Generator:
    import tensorflow as tf

    decoder = model.decoder
    cond = bool(model.conditional)
    if model.likelihood != "bernoulli":
        raise GeneratorError(
            f"{source or 'this VAE'} models real-valued vectors (likelihood={model.likelihood!r}), "
            "not images. Fix: use an image VAE such as the shipped vae or cvae."
        )
    if getattr(model, "pixel_head", None) is not None:
        raise GeneratorError(
            f"{source or 'this VAE'} has a pixel-context decoder, which draws an image pixel by pixel "
            "and has no one-pass graph to export. Fix: use a VAE with pixel_context=0 (such as the "
            "shipped vae or cvae), or call model.sample() in Python."
        )
    _check_images(decoder, source)

    def images(z, labels=None):
        logits = decoder([z, labels] if cond else z, training=False)
        return tf.sigmoid(logits)  # the Bernoulli means: pixel probabilities in [0, 1]

    return Generator(
        kind="cvae" if cond else "vae",
        latent_dim=int(model.latent_dim),
        num_classes=int(model.num_classes) if cond else None,
        images=images,
        model=model,
        network=decoder,
        source=source,
    )


def _gan_generator(model, source: str) -> Generator:
    generator = model.sampler  # the moving-average generator when the GAN keeps one
    cond = bool(model.generator_takes_label)  # a self-conditioned GAN's takes z alone
    _check_images(generator, source)

    def images(z, labels=None):
        x = generator([z, labels] if cond else z, training=False)
        return (x + 1.0) / 2.0  # tanh output in [-1, 1] -> [0, 1]

    return Generator(
        kind="cgan" if cond else "gan",
        latent_dim=int(model.latent_dim),
        num_classes=int(model.num_classes) if cond else None,
        images=images,
        model=model,
        network=generator,
        source=source,
    )


def as_generator(model, source: str = "") -> Generator:
    """Wrap a course model (VAE, ConditionalVAE, GAN, ConditionalGAN) -- or return a Generator as is.

    Example:
        >>> as_generator(vae.load_pretrained("cvae")).kind  # doctest: +SKIP
        'cvae'

    Taught in: notebooks/09_lab_to_production.ipynb
    """
    if isinstance(model, Generator):
        return model
    from . import vae

    if isinstance(model, vae.VAE):
        return _vae_generator(model, source)
    gan_types = _gan_types()
    if gan_types and isinstance(model, gan_types):
        return _gan_generator(model, source)
    raise GeneratorError(
        f"{source or 'the model'} is a {type(model).__name__}, not one of the course's generators "
        "(VAE, ConditionalVAE, GAN, ConditionalGAN). Fix: pass a model saved from one of those."
    )


def _gan_types() -> tuple[type, ...]:
    try:
        from . import gan
    except ImportError:  # pragma: no cover - the GAN module is part of the package
        return ()
    return tuple(t for t in (getattr(gan, "GAN", None), getattr(gan, "ConditionalGAN", None)) if t)


def _saved_model_generator(path: Path) -> Generator:
    import tensorflow as tf

    loaded = tf.saved_model.load(str(path))
    if SIGNATURE not in loaded.signatures:
        raise GeneratorError(
            f"the SavedModel in {path} has no {SIGNATURE!r} signature. "
            "Fix: export it with aigc_helpers.deploy.export_saved_model."
        )
    fn = loaded.signatures[SIGNATURE]
    _, spec = fn.structured_input_signature
    if "z" not in spec or "images" not in fn.structured_outputs:
        raise GeneratorError(
            f"the SavedModel in {path} does not map z to images. "
            "Fix: export it with aigc_helpers.deploy.export_saved_model."
        )
    info_file = path / "assets.extra" / INFO_FILE
    info = json.loads(info_file.read_text()) if info_file.is_file() else {}
    cond = "label" in spec

    def images(z, labels=None):
        out = fn(z=z, label=labels) if cond else fn(z=z)
        return out["images"]

    return Generator(
        kind=info.get("kind", "cvae" if cond else "vae"),
        latent_dim=int(spec["z"].shape[-1]),
        num_classes=int(info.get("num_classes", 10)) if cond else None,
        images=images,
        model=None,
        source=str(path),
    )


def load_generator(path) -> Generator:
    """Open a course generator: a ``.keras`` file (VAE, ConditionalVAE, GAN, ConditionalGAN), a folder
    written by :func:`export_saved_model`, or a shipped model's short name (``vae``, ``cvae``, ``gan``,
    ``cgan``) when no file of that name exists.

    Raises FileNotFoundError for a missing path and :class:`GeneratorError` (a ValueError) for files
    of another kind; every message says what to do instead.

    Example:
        >>> g = load_generator("cvae")  # doctest: +SKIP
        >>> g.kind, g.latent_dim, g.num_classes  # doctest: +SKIP
        ('cvae', 32, 10)

    Taught in: notebooks/09_lab_to_production.ipynb
    """
    from . import config

    p = Path(path)
    if not p.exists() and str(path) in PRETRAINED_NAMES:
        return _load_pretrained(str(path))
    if not p.exists():
        raise FileNotFoundError(
            f"no model at {p}. Fix: check the path, or use a shipped model: "
            f"--model {' | '.join(PRETRAINED_NAMES)}."
        )
    if p.is_dir():
        if (p / "saved_model.pb").is_file():
            config.quiet_tensorflow()
            return _saved_model_generator(p)
        raise GeneratorError(
            f"{p} is a folder without saved_model.pb. Fix: pass a .keras file or a folder written "
            "by export_saved_model."
        )
    if p.suffix != ".keras":
        raise GeneratorError(
            f"{p} is not a .keras file. Fix: pass a model saved with model.save('name.keras') "
            "(or a SavedModel folder)."
        )
    declared = _keras_class_name(p)
    known = ("VAE", "ConditionalVAE", "GAN", "ConditionalGAN")
    if declared.split(">")[-1] not in known:
        raise GeneratorError(
            f"{p} holds a {declared.split('>')[-1]}, not a VAE, ConditionalVAE, GAN or "
            "ConditionalGAN. Fix: pass a generative model saved by the course (e.g. "
            "aigc_helpers/assets/cvae_mnist.keras)."
        )
    config.quiet_tensorflow()  # TensorFlow only now: the checks above are instant
    import keras

    from . import vae  # noqa: F401 - registers the classes that the file may name

    _gan_types()  # registers the GAN classes too
    try:
        model = keras.saving.load_model(p, safe_mode=True)
    except Exception as exc:  # Keras raises many types for unusable archives
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise GeneratorError(
            f"{p} could not be loaded ({msg[:160]}). Fix: re-save the model with this version "
            "of aigc_helpers."
        ) from None
    return as_generator(model, str(p))


def _load_pretrained(name: str) -> Generator:
    import importlib

    from . import config

    config.quiet_tensorflow()
    module_name, kind = PRETRAINED_NAMES[name]
    module = importlib.import_module(f"aigc_helpers.{module_name}")
    loader = getattr(module, "load_pretrained", None)
    if loader is None:
        raise FileNotFoundError(
            f"no shipped {name!r} model in this version. Fix: pass a .keras file with --model."
        )
    return as_generator(loader(kind), f"pretrained:{name}")


# --------------------------------------------------------------------------- SavedModel export


def export_saved_model(model, path, *, force: bool = False) -> Path:
    """Export a generator as a TensorFlow SavedModel with a ``serving_default`` signature.

    The signature takes ``z`` (float32, shape (None, latent_dim)) and, for conditional models,
    ``label`` (int32, shape (None,)), and returns ``{"images": float32 (None, 28, 28, 1) in [0, 1]}``.
    A small ``assets.extra/aigc_generator.json`` records the kind and sizes. The folder must not exist
    unless ``force=True``.

    Example:
        >>> export_saved_model(vae.load_pretrained("cvae"), "runs/cvae_savedmodel")  # doctest: +SKIP
        >>> f = tf.saved_model.load("runs/cvae_savedmodel").signatures["serving_default"]  # doctest: +SKIP
        >>> f(z=tf.zeros((1, 32)), label=tf.constant([3]))["images"].shape  # doctest: +SKIP
        TensorShape([1, 28, 28, 1])

    Taught in: notebooks/09_lab_to_production.ipynb
    """
    import shutil

    import tensorflow as tf

    gen = as_generator(model)
    if gen.model is None:
        raise GeneratorError(
            "this generator was loaded from a SavedModel already. Fix: copy that folder instead."
        )
    path = Path(path)
    if path.exists():
        if not force:
            raise FileExistsError(
                f"{path} already exists. Fix: choose another folder, or pass force=True to replace it."
            )
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    module = tf.Module()
    module.network = gen.network  # tracked: its variables are saved with the signature (only the
    # decoder or generator -- the encoder, discriminator and optimizer state are not needed to serve)
    z_spec = tf.TensorSpec([None, gen.latent_dim], tf.float32, name="z")
    if gen.conditional:

        def serve(z, label):
            return {"images": gen.images(z, label)}

        signature = [z_spec, tf.TensorSpec([None], tf.int32, name="label")]
    else:

        def serve(z):
            return {"images": gen.images(z)}

        signature = [z_spec]
    module.serve = tf.function(serve, input_signature=signature)
    tf.saved_model.save(module, str(path), signatures={SIGNATURE: module.serve})
    info = {
        "kind": gen.kind,
        "latent_dim": gen.latent_dim,
        "num_classes": gen.num_classes,
        "inputs": ["z", "label"] if gen.conditional else ["z"],
        "output": "images in [0, 1], shape (N, 28, 28, 1)",
    }
    (path / "assets.extra").mkdir(exist_ok=True)
    (path / "assets.extra" / INFO_FILE).write_text(json.dumps(info, indent=1) + "\n")
    return path


__all__ = [
    "KINDS",
    "MAX_IMAGES",
    "Generator",
    "GeneratorError",
    "as_generator",
    "check_count",
    "check_label",
    "check_output",
    "export_saved_model",
    "grid_shape",
    "image_grid_array",
    "load_generator",
    "peek_kind",
    "save_grid_png",
]
