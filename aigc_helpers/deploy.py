"""From a trained model to something others can run: PNG grids, opening saved generators, SavedModel export.

- :func:`load_generator` opens a ``.keras`` file of any of the course's generative models (VAE,
  conditional VAE, GAN, conditional or self-conditioned GAN), a shipped model's short name, or an
  exported SavedModel folder, and returns a model with the course's one generation interface
  (``generate(n, labels=None, seed=None)`` -> images in [0, 1]). Anything else (a classifier, a corrupt
  file, a missing path) raises an error whose message names the fix.
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
import zipfile
from pathlib import Path

import numpy as np

from aigc_helpers import assets
from aigc_helpers.checks import check_int
from aigc_helpers.generation import Generative
from aigc_helpers.images import tile

KINDS: tuple[str, ...] = ("vae", "cvae", "gan", "cgan", "diffusion")
PRETRAINED_NAMES: dict[str, tuple[str, str]] = {
    # shorthand -> (module, pretrained kind) for the models shipped in aigc_helpers/assets/
    "vae": ("vae", "vae"),
    "cvae": ("vae", "cvae"),
    "gan": ("gan", "gan"),
    "cgan": ("gan", "cgan"),
    "diffusion": ("diffusion", "latent"),
}
CLASS_KINDS: dict[str, str] = {  # class name in a .keras file -> kind
    "VAE": "vae",
    "ConditionalVAE": "cvae",
    "GAN": "gan",
    "SelfConditionedGAN": "gan",  # takes z alone: it picks its own cluster
    "ConditionalGAN": "cgan",
    "Diffusion": "diffusion",
    "ConditionalDiffusion": "diffusion",
    "LatentDiffusion": "diffusion",
    "ConditionalLatentDiffusion": "diffusion",
}
MAX_IMAGES = 10_000
SIGNATURE = "serving_default"
INFO_FILE = "aigc_generator.json"  # written into the SavedModel's assets.extra/ folder


class GeneratorError(ValueError):
    """A file or folder that is not a generative model this course can run."""


# --------------------------------------------------------------------------- PNG grids


def check_output(path, *, force: bool = False) -> Path:
    """``path`` as a Path if a PNG may be written there, else an error naming the fix.

    The name must end in ``.png``, its folder must exist, and an existing file is refused unless
    ``force`` -- so a typo never replaces someone's work.

    Example:
        >>> check_output("grid.png")  # doctest: +SKIP
        PosixPath('grid.png')

    Taught in: machinery behind deploy.save_grid_png and the generate command (notebook 09)
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
        >>> save_grid_png(cvae.generate(64, labels=3), "threes.png")  # doctest: +SKIP
        PosixPath('threes.png')

    Taught in: machinery behind the generate command (notebook 09 runs it)
    """
    from PIL import Image

    path = check_output(path, force=force)
    grid = tile(images, ncols, pad=pad, pad_value=128)
    Image.fromarray(grid).save(path, format="PNG", optimize=True)
    return path


# --------------------------------------------------------------------------- generators


def check_count(n) -> int:
    """``n`` as an int in 1..MAX_IMAGES, else a ValueError naming the fix."""
    return check_int("the number of images", n, 1, MAX_IMAGES, fix="e.g. --n 64.")


def check_label(label, num_classes: int = 10) -> int:
    """``label`` as an int in 0..num_classes-1, else a ValueError naming the fix."""
    return check_int(
        "the label",
        label,
        0,
        num_classes - 1,
        fix=f"pass --label with a value from 0 to {num_classes - 1}, or omit it.",
    )


def kind_of(model) -> str:
    """``"vae"``, ``"cvae"``, ``"gan"`` or ``"cgan"`` for a course model (``"savedmodel"`` for an export).

    Example:
        >>> kind_of(vae.load_pretrained("cvae"))  # doctest: +SKIP
        'cvae'
    """
    if isinstance(model, SavedModelGenerator):
        return model.kind
    return CLASS_KINDS.get(type(model).__name__, type(model).__name__)


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
    return str(config.get("registered_name") or config.get("class_name") or "unknown").split(">")[
        -1
    ]


def peek_kind(path) -> str | None:
    """The kind (``vae``, ``cvae``, ``gan``, ``cgan``) a .keras file or shipped name declares, read
    without TensorFlow; ``None`` when that cannot be told cheaply (a folder, an unknown class).

    Example:
        >>> peek_kind("cvae")
        'cvae'

    Taught in: machinery behind the ``generate`` command (it refuses --label for a GAN at once)
    """
    p = Path(path)
    if not p.exists():
        return str(path) if str(path) in PRETRAINED_NAMES else None
    if not p.is_file() or p.suffix != ".keras":
        return None
    try:
        return CLASS_KINDS.get(_keras_class_name(p))
    except GeneratorError:
        return None


def _image_network(model):
    """The network that makes a course model's images: a VAE's decoder, a GAN's sampler."""
    return getattr(model, "decoder", None) or getattr(model, "sampler", None)


def check_generator(model, source: str = ""):
    """``model`` if it is one of the course's image generators (it has the generation interface and an
    image graph to serve), else a :class:`GeneratorError` naming the fix.

    Example:
        >>> check_generator(vae.load_pretrained("cvae")).conditional  # doctest: +SKIP
        True
    """
    if isinstance(model, SavedModelGenerator):
        return model
    if isinstance(model, Generative) and kind_of(model) == "diffusion":
        # a diffusion model makes images by running its sampler; a model of toy points does not
        if getattr(model, "images", False) or callable(getattr(model, "standardize", None)):
            return model
        raise GeneratorError(
            f"{source or 'this diffusion model'} models points of shape {model.data_shape}, not "
            "images. Fix: use an image model such as the shipped diffusion, vae or gan."
        )
    if not isinstance(model, Generative) or not callable(getattr(model, "images_graph", None)):
        raise GeneratorError(
            f"{source or 'the model'} is a {type(model).__name__}, not one of the course's generators "
            "(VAE, ConditionalVAE, GAN, ConditionalGAN). Fix: pass a model saved from one of those."
        )
    network = _image_network(model)
    shape = tuple(network.outputs[0].shape) if network is not None else ()
    if getattr(model, "likelihood", "bernoulli") != "bernoulli" or len(shape) != 4:
        raise GeneratorError(
            f"{source or 'this model'} makes outputs of shape {shape}, not grey-scale images "
            "(N, H, W, 1). Fix: use an image model such as the shipped vae, cvae, gan or cgan."
        )
    return model


class SavedModelGenerator(Generative):
    """A SavedModel folder written by :func:`export_saved_model`, with the course's generation interface.

    Example:
        >>> g = load_generator("runs/cvae_savedmodel")  # doctest: +SKIP
        >>> g.generate(16, labels=7, seed=0).shape  # doctest: +SKIP
        (16, 28, 28)
    """

    def __init__(self, path: Path):
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
        self._loaded, self._fn = loaded, fn
        self.conditional = "label" in spec
        self.kind = info.get("kind", "cvae" if self.conditional else "vae")
        self.latent_dim = int(spec["z"].shape[-1])
        self.num_classes = int(info.get("num_classes") or 10) if self.conditional else None
        self.source = str(path)

    def _decode_batch(self, z, labels, seed):
        import tensorflow as tf

        z = tf.constant(z)
        out = self._fn(z=z, label=tf.constant(labels)) if self.conditional else self._fn(z=z)
        return np.asarray(out["images"])[..., 0]


def load_generator(path):
    """Open a course generator: a ``.keras`` file (VAE, ConditionalVAE, GAN, ConditionalGAN,
    SelfConditionedGAN), a folder written by :func:`export_saved_model`, or a shipped model's short name
    (``vae``, ``cvae``, ``gan``, ``cgan``) when no file of that name exists.

    Raises FileNotFoundError for a missing path and :class:`GeneratorError` (a ValueError) for files
    of another kind; every message says what to do instead.

    Example:
        >>> g = load_generator("cvae")  # doctest: +SKIP
        >>> g.conditional, g.latent_dim, g.num_classes  # doctest: +SKIP
        (True, 32, 10)

    Taught in: notebooks/09_lab_to_production.ipynb
    """
    import importlib

    from . import config

    p = Path(path)
    if not p.exists() and str(path) in PRETRAINED_NAMES:
        config.quiet_tensorflow()
        module_name, kind = PRETRAINED_NAMES[str(path)]
        module = importlib.import_module(f"aigc_helpers.{module_name}")
        return check_generator(module.load_pretrained(kind), f"pretrained:{path}")
    if not p.exists():
        raise FileNotFoundError(
            f"no model at {p}. Fix: check the path, or use a shipped model: "
            f"--model {' | '.join(PRETRAINED_NAMES)}."
        )
    if p.is_dir():
        if (p / "saved_model.pb").is_file():
            config.quiet_tensorflow()
            return SavedModelGenerator(p)
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
    if declared not in CLASS_KINDS:
        raise GeneratorError(
            f"{p} holds a {declared}, not a VAE, ConditionalVAE, GAN or ConditionalGAN. Fix: pass a "
            "generative model saved by the course (e.g. aigc_helpers/assets/cvae_mnist.keras)."
        )
    config.quiet_tensorflow()  # TensorFlow only now: the checks above are instant
    import keras

    from . import gan, vae  # noqa: F401 - registers the classes that the file may name

    try:
        model = keras.saving.load_model(p, safe_mode=True)
    except Exception as exc:  # Keras raises many types for unusable archives
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        too_old = assets.keras_too_old(p)
        if too_old:
            raise GeneratorError(f"{too_old} (Keras said: {msg[:160]})") from None
        raise GeneratorError(
            f"{p} could not be loaded ({msg[:160]}). Fix: re-save the model with this version "
            "of aigc_helpers."
        ) from None
    return check_generator(model, str(p))


# --------------------------------------------------------------------------- SavedModel export


def export_saved_model(model, path, *, force: bool = False) -> Path:
    """Export a generator as a TensorFlow SavedModel with a ``serving_default`` signature.

    The signature takes ``z`` (float32, shape (None, latent_dim)) and, for conditional models,
    ``label`` (int32, shape (None,)), and returns ``{"images": float32 (None, 28, 28, 1) in [0, 1]}``:
    the model's own ``images_graph``. Only the decoder or generator is saved (not the encoder, the
    discriminator or optimizer state). A small ``assets.extra/aigc_generator.json`` records the kind
    and sizes. The folder must not exist unless ``force=True``.

    Example:
        >>> export_saved_model(vae.load_pretrained("cvae"), "runs/cvae_savedmodel")  # doctest: +SKIP
        >>> f = tf.saved_model.load("runs/cvae_savedmodel").signatures["serving_default"]  # doctest: +SKIP
        >>> f(z=tf.zeros((1, 32)), label=tf.constant([3]))["images"].shape  # doctest: +SKIP
        TensorShape([1, 28, 28, 1])

    Taught in: notebooks/09_lab_to_production.ipynb
    """
    import shutil

    import tensorflow as tf

    if isinstance(model, SavedModelGenerator):
        raise GeneratorError(
            "this generator was loaded from a SavedModel already. Fix: copy that folder instead."
        )
    model = check_generator(model)
    probe = [tf.zeros((1,), tf.int32)] if model.conditional else []
    model.images_graph(tf.zeros((1, model.latent_dim)), *probe)  # fails here, before any file
    path = Path(path)
    if path.exists():
        if not force:
            raise FileExistsError(
                f"{path} already exists. Fix: choose another folder, or pass force=True to replace it."
            )
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    module = tf.Module()
    # tracked: the variables the signature reads are saved with it -- only the decoder or generator
    module.network = _image_network(model)
    z_spec = tf.TensorSpec([None, model.latent_dim], tf.float32, name="z")
    if model.conditional:

        def serve(z, label):
            return {"images": model.images_graph(z, label)}

        signature = [z_spec, tf.TensorSpec([None], tf.int32, name="label")]
    else:

        def serve(z):
            return {"images": model.images_graph(z)}

        signature = [z_spec]
    module.serve = tf.function(serve, input_signature=signature)
    tf.saved_model.save(module, str(path), signatures={SIGNATURE: module.serve})
    info = {
        "kind": kind_of(model),
        "latent_dim": model.latent_dim,
        "num_classes": model.num_classes if model.conditional else None,
        "inputs": ["z", "label"] if model.conditional else ["z"],
        "output": "images in [0, 1], shape (N, 28, 28, 1)",
    }
    (path / "assets.extra").mkdir(exist_ok=True)
    (path / "assets.extra" / INFO_FILE).write_text(json.dumps(info, indent=1) + "\n")
    return path


__all__ = [
    "KINDS",
    "MAX_IMAGES",
    "GeneratorError",
    "SavedModelGenerator",
    "check_count",
    "check_generator",
    "check_label",
    "check_output",
    "export_saved_model",
    "kind_of",
    "load_generator",
    "peek_kind",
    "save_grid_png",
]
