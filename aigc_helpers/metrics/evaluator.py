"""The MNIST evaluator network: build it, train it, load the shipped copy, and read features and
class probabilities from it.

Its 128-unit penultimate layer is the feature space of the scores (:mod:`.scores`), its softmax the class
probabilities. The shipped weights are ``aigc_helpers/assets/mnist_evaluator.keras``; the course CLI
recreates them with ``python -m aigc_helpers train-evaluator`` (a few minutes on a 2-core CPU, seeded).

Example:
    >>> build_evaluator().get_layer(FEATURE_LAYER).units  # doctest: +SKIP
    128

Taught in: notebooks/02_core_concepts.ipynb, notebooks/05_dcgan_mnist.ipynb (scores built on it)
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from aigc_helpers import config
from aigc_helpers.assets import ASSET_DIR
from aigc_helpers.checks import check_choice, check_int, check_positive_int
from aigc_helpers.images import to_unit

if TYPE_CHECKING:
    import keras

ASSET = ASSET_DIR / "mnist_evaluator.keras"
FEATURE_LAYER = "features"
FEATURE_DIM = 128
NUM_CLASSES = 10
MIN_SAMPLES = 10
Reference = Literal["test", "train"]

# The loaded evaluator, cached reference features and nearest-neighbour tables (in memory, per process).
# The one cache of the sub-package: every module of aigc_helpers.metrics uses this dict.
_STATE: dict = {}


# --------------------------------------------------------------------------- the network


def build_evaluator() -> keras.Model:
    """The evaluator architecture (untrained): 3 conv layers, a 128-unit dense feature layer, 10 logits.

    About 0.26 M parameters (1 MB): small enough to ship, quick enough to train on a laptop CPU.

    Example:
        >>> build_evaluator().get_layer("features").units  # doctest: +SKIP
        128

    Taught in: machinery behind load_evaluator and train_evaluator (the shipped network's architecture)
    """
    config.quiet_tensorflow()
    import keras
    from keras import layers

    inputs = keras.Input((28, 28, 1), name="image")
    x = layers.Conv2D(32, 3, padding="same", activation="relu", name="conv1")(inputs)
    x = layers.MaxPooling2D(name="pool1")(x)  # 14 x 14
    x = layers.Conv2D(64, 3, padding="same", activation="relu", name="conv2")(x)
    x = layers.MaxPooling2D(name="pool2")(x)  # 7 x 7
    x = layers.Conv2D(64, 3, activation="relu", name="conv3")(x)  # 5 x 5
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dropout(0.25, name="dropout1")(x)
    x = layers.Dense(FEATURE_DIM, activation="relu", name=FEATURE_LAYER)(x)
    x = layers.Dropout(0.4, name="dropout2")(x)
    logits = layers.Dense(NUM_CLASSES, name="logits")(x)
    return keras.Model(inputs, logits, name="mnist_evaluator")


def train_evaluator(
    out: Path | str = ASSET,
    *,
    epochs: int = 5,
    batch_size: int = 128,
    seed: int = 0,
    verbose: int = 2,
) -> dict:
    """Train the evaluator on the 60,000 MNIST training digits and save it (without optimizer state).

    Seeded (same seed, same CPU, same weights); light augmentation (random shifts of up to 2 pixels) and
    a cosine learning-rate decay. The test set is used only to report the accuracy at the end.
    Returns ``{"test_accuracy", "train_seconds", "epochs", "seed", "params", "size_bytes", "path"}``.

    Example:
        >>> train_evaluator("evaluator.keras", epochs=1)["test_accuracy"] > 0.98  # doctest: +SKIP
        True

    Taught in: machinery behind ``python -m aigc_helpers train-evaluator`` (how the shipped weights were made)
    """
    epochs = check_positive_int("epochs", epochs)
    batch_size = check_positive_int("batch_size", batch_size)
    from aigc_helpers import data

    config.set_seed(seed)
    import keras

    mnist = data.load_mnist()
    x_train = mnist.x_train[..., None].astype(np.float32) / 255.0
    x_test = mnist.x_test[..., None].astype(np.float32) / 255.0
    model = build_evaluator()
    shift = keras.layers.RandomTranslation(
        2 / 28, 2 / 28, fill_mode="constant", seed=seed, name="shift"
    )
    trainer = keras.Sequential([keras.Input((28, 28, 1)), shift, model], name="trainer")
    steps = epochs * int(np.ceil(len(x_train) / batch_size))
    schedule = keras.optimizers.schedules.CosineDecay(2e-3, decay_steps=steps, alpha=0.01)
    trainer.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    t0 = time.perf_counter()
    trainer.fit(
        x_train, mnist.y_train, batch_size=batch_size, epochs=epochs, shuffle=True, verbose=verbose
    )
    seconds = time.perf_counter() - t0
    logits = model.predict(x_test, batch_size=1000, verbose=0)
    accuracy = float(np.mean(np.argmax(logits, axis=1) == mnist.y_test))
    # Save a fresh, uncompiled copy: weights only, no optimizer slots (a third of the size).
    clean = build_evaluator()
    clean.set_weights(model.get_weights())
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    clean.save(out)
    return {
        "test_accuracy": round(accuracy, 4),
        "train_seconds": round(seconds, 1),
        "epochs": epochs,
        "seed": seed,
        "params": int(clean.count_params()),
        "size_bytes": out.stat().st_size,
        "path": str(out),
    }


def train_and_report(out: Path | str = ASSET, **options: int) -> dict:
    """:func:`train_evaluator` (``options``: its epochs, batch_size, seed, verbose), plus a JSON report
    next to the model (``<name>_results.json``).

    The report holds the environment, accuracy, training time and size; for the shipped asset also the
    cFID floors (real training digits against the test set, 10,000 and all 60,000). Returns the report
    with one more key, ``report`` (the JSON file's path).

    Example:
        >>> train_and_report("evaluator.keras", epochs=1)["report"]  # doctest: +SKIP
        'evaluator_results.json'

    Taught in: machinery behind ``python -m aigc_helpers train-evaluator``
    """
    result = train_evaluator(out, **options)
    result = {"env": config.env_report(), **result}
    if (
        Path(out).resolve() == ASSET.resolve()
    ):  # the shipped evaluator: also measure the cFID floors
        from .scores import cfid_floor

        _STATE.clear()
        result["cfid_floor_10k"] = round(cfid_floor(), 4)
        result["cfid_floor_60k"] = round(cfid_floor(None), 4)
    report = Path(out).with_name(Path(out).stem + "_results.json")
    report.write_text(json.dumps(result, indent=1) + "\n")
    return {**result, "report": str(report)}


def load_evaluator() -> keras.Model:
    """The shipped evaluator (``assets/mnist_evaluator.keras``), loaded once per process.

    It maps images (n, 28, 28, 1) in [0, 1] to 10 class logits; its layer ``"features"`` is the
    128-dimensional feature space of :func:`features`.

    Example:
        >>> net = load_evaluator()  # doctest: +SKIP
        >>> net.get_layer("features").units  # doctest: +SKIP
        128

    Taught in: notebooks/02_core_concepts.ipynb, notebooks/12_art_and_design.ipynb,
    notebooks/14_challenges_and_outlook.ipynb
    """
    if "model" not in _STATE:
        config.quiet_tensorflow()
        import keras

        if not ASSET.is_file():
            raise FileNotFoundError(
                f"{ASSET} is missing. Fix: reinstall aigc_helpers, or recreate it with "
                "`python -m aigc_helpers train-evaluator` (a few minutes on a 2-core CPU)."
            )
        model = keras.saving.load_model(ASSET, safe_mode=True, compile=False)
        both = keras.Model(model.input, [model.get_layer(FEATURE_LAYER).output, model.output])
        _STATE["model"] = model
        _STATE["both"] = both
    return _STATE["model"]


# --------------------------------------------------------------------------- inputs


def as_unit_images(images, *, name: str = "images", min_samples: int = 1) -> np.ndarray:
    """Validate MNIST-sized images and return them as float32 (n, 28, 28, 1) in [0, 1].

    Shape (n, 28, 28) or (n, 28, 28, 1), at least ``min_samples`` images; pixels by the course's one rule
    (:func:`aigc_helpers.images.to_unit`: uint8 0..255, bool, or floats in [0, 1]). Anything else raises a
    ValueError that says how to fix it.

    Example:
        >>> as_unit_images(np.full((2, 28, 28), 255, np.uint8)).max()
        np.float32(1.0)

    Taught in: notebooks/14_challenges_and_outlook.ipynb
    """
    x = np.asarray(images)
    if x.ndim == 4 and x.shape[-1] == 1:
        x = x[..., 0]
    if x.ndim != 3 or x.shape[1:] != (28, 28):
        raise ValueError(
            f"{name} must have shape (n, 28, 28) or (n, 28, 28, 1), got {np.shape(images)}. "
            "Fix: pass a batch of MNIST-sized images (add a batch axis for a single image: x[None])."
        )
    min_samples = check_int("min_samples", min_samples, minimum=0)
    if len(x) < min_samples:
        raise ValueError(
            f"{name}: {len(x)} images are too few; this score needs at least {min_samples}. "
            "Fix: generate more samples (1,000 or more give stable numbers)."
        )
    return to_unit(x, name=name)[..., None]


def _check_reference(reference: object) -> str:
    """``reference`` if it names a real MNIST split the scores compare with: "test" or "train"."""
    return check_choice("reference", reference, ("test", "train"))


# --------------------------------------------------------------------------- features and references


def _run(x: np.ndarray, batch_size: int = 250) -> tuple[np.ndarray, np.ndarray]:
    """Features (n, 128) and class probabilities (n, 10) of checked images, in one evaluator pass.

    Batches of 250 keep the network's activations near 100 MB (2,000 took ~500 MB, and no less time),
    so an evaluation fits in a 2 GB Binder kernel beside TensorFlow itself (~750 MB)."""
    load_evaluator()
    both = _STATE["both"]
    feats, probs = [], []
    for i in range(0, len(x), batch_size):
        f, logits = both(x[i : i + batch_size], training=False)
        feats.append(np.asarray(f, dtype=np.float32))
        logits = np.asarray(logits, dtype=np.float64)
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        probs.append(p / p.sum(axis=1, keepdims=True))
    if not feats:
        return np.zeros((0, FEATURE_DIM), np.float32), np.zeros((0, NUM_CLASSES))
    return np.concatenate(feats), np.concatenate(probs)


def features(images) -> np.ndarray:
    """The evaluator's 128-dimensional features of ``images``: float32 array (n, 128).

    Example:
        >>> features(np.zeros((3, 28, 28), np.uint8)).shape  # doctest: +SKIP
        (3, 128)

    Taught in: machinery behind cfid and precision_recall (the feature space they compare in)
    """
    return _run(as_unit_images(images))[0]


def predict_proba(images) -> np.ndarray:
    """The evaluator's class probabilities p(y|x) of ``images``: array (n, 10), rows sum to 1.

    Example:
        >>> predict_proba(data.load_mnist().x_test[:5]).argmax(1)  # doctest: +SKIP
        array([7, 2, 1, 0, 4])

    Taught in: notebooks/05_dcgan_mnist.ipynb
    """
    return _run(as_unit_images(images))[1]


def _reference(reference: Reference) -> dict:
    """Cached features, probabilities and Gaussian statistics (mu, sigma) of a real MNIST split."""
    _check_reference(reference)
    key = f"ref_{reference}"
    if key not in _STATE:
        from aigc_helpers import data

        mnist = data.load_mnist()
        x = mnist.x_test if reference == "test" else mnist.x_train
        f, p = _run(as_unit_images(x))
        f64 = f.astype(np.float64)
        _STATE[key] = {
            "features": f,
            "probs": p,
            "mu": f64.mean(axis=0),
            "sigma": np.cov(f64, rowvar=False),
        }
    return _STATE[key]
