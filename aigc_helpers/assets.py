"""What ships inside the package: the pretrained models and the measured results they came with.

- :func:`load_model` opens a shipped model (``gan``, ``cgan``, ``vae``, ``cvae``, or the evaluator) --
  or any ``.keras`` file -- and checks it is of the expected class;
- :func:`load_results` reads the results file a benchmark wrote beside the models
  (``gan_results.json``, ``vae_results.json``): the one way notebooks and tables read measured figures;
- :func:`model_results` picks one model's row from it.

Example:
    >>> sorted(load_results("vae")["models"])  # doctest: +SKIP
    ['conditional', 'factorised', 'ours', 'tutorial']

Taught in: notebooks/02_core_concepts.ipynb (the measured comparison), notebooks/05_dcgan_mnist.ipynb
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

ASSET_DIR = Path(__file__).resolve().parent / "assets"
RESULT_KINDS: dict[str, str] = {
    "gan": "dcgan",
    "vae": "vae",
    "diffusion": "diffusion",
}  # results kind -> benchmarks/<script>.py


def asset_path(filename: str, *, recreate: str = "") -> Path:
    """The path of a shipped file, or FileNotFoundError naming how to get it back."""
    path = ASSET_DIR / filename
    if not path.is_file():
        fix = "reinstall aigc_helpers" + (f", or recreate it with `{recreate}`" if recreate else "")
        raise FileNotFoundError(f"the shipped file {filename} is missing. Fix: {fix}.")
    return path


def saved_with(path) -> str | None:
    """The Keras version a ``.keras`` archive records in its ``metadata.json`` (None if unreadable).

    Example:
        >>> saved_with(ASSET_DIR / "vae_mnist.keras")  # doctest: +SKIP
        '3.15.1'
    """
    try:
        with zipfile.ZipFile(path) as archive:
            return json.loads(archive.read("metadata.json")).get("keras_version")
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return None


def _version(text: str) -> tuple[int, ...]:
    """(major, minor) of a version string: Keras changes what it writes into a model's config in minor
    releases, and a patch release reads what another patch of the same minor release wrote."""
    return tuple(int(part) for part in re.findall(r"\d+", text)[:2])


def keras_too_old(path) -> str | None:
    """Why ``path`` cannot load here if the installed Keras is older than the one that saved it, with
    the fix; None when Keras is as new or newer (then a failure has another cause).

    Older Keras 3 versions cannot read some settings that newer ones write into a model's config
    (e.g. ``GlorotUniform(input_axes=...)``), so the fix is to upgrade Keras, not to re-save the model.
    """
    import keras

    saved = saved_with(path)
    if saved is None or _version(keras.__version__) >= _version(saved):
        return None
    needed = ".".join(map(str, _version(saved)))
    return (
        f"{Path(path).name} was saved with Keras {saved}, and this Python has Keras "
        f"{keras.__version__}, which cannot read everything newer versions write. Fix: upgrade Keras: "
        f"pip install -U 'keras>={needed}' (in a notebook, restart the kernel afterwards)."
    )


def load_model(path, cls: type, what: str):
    """Load a ``.keras`` file (``safe_mode=True``) and check it holds a ``cls``; a Keras too old to
    read the file gets an error that says which version to install."""
    import keras

    try:
        model = keras.saving.load_model(path, safe_mode=True)
    except Exception as exc:  # Keras raises TypeError, ValueError, ... for configs it cannot read
        too_old = keras_too_old(path)
        if too_old:
            raise ValueError(f"{too_old} (Keras said: {str(exc).strip()[:160]})") from exc
        raise
    if not isinstance(model, cls):
        raise ValueError(
            f"{Path(path).name} holds a {type(model).__name__}, not {what}. "
            f"Fix: pass a file saved from {what}."
        )
    return model


def deserialize_networks(config: dict, *names: str) -> dict:
    """A copy of a model's ``get_config()`` with the sub-networks ``names`` rebuilt from their
    serialized form (absent or None entries are left as they are): the ``from_config`` of a model that
    holds networks."""
    import keras

    config = dict(config)
    for name in names:
        if config.get(name) is not None:
            config[name] = keras.saving.deserialize_keras_object(config[name])
    return config


def load_shipped(kind: str, files: dict[str, str], cls: type, what: str, script: str):
    """The shipped model ``files[kind]`` (a ``cls``), or an error naming the kinds there are and how to
    recreate a missing file with ``benchmarks/<script>.py``."""
    if kind not in files:
        raise ValueError(f"unknown pretrained model {kind!r}. Fix: use one of {', '.join(files)}.")
    recreate = f"python benchmarks/{script}.py --minutes 15 --ship (about an hour)"
    return load_model(asset_path(files[kind], recreate=recreate), cls, what)


def load_results(kind: str, path: Path | str | None = None) -> dict[str, Any] | None:
    """The benchmark results for ``kind`` (``"gan"`` or ``"vae"``), or ``None`` when not produced yet.

    Example:
        >>> load_results("gan")["models"]["ours"]["cfid"] > 0  # doctest: +SKIP
        True
    """
    if kind not in RESULT_KINDS:
        raise ValueError(
            f"unknown kind {kind!r}. Fix: use one of {', '.join(map(repr, RESULT_KINDS))}."
        )
    path = Path(path) if path is not None else ASSET_DIR / f"{kind}_results.json"
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"{path.name} is not valid JSON ({exc}). Fix: re-run the benchmark that writes it "
            f"(`python benchmarks/{RESULT_KINDS[kind]}.py --ship`)."
        ) from exc


def model_results(kind: str, model: str = "ours") -> dict[str, Any]:
    """One model's row of a shipped results file, e.g. ``model_results("vae", "factorised")``.

    Example:
        >>> round(model_results("vae", "ours")["test_iw_nll_k100"], 1)  # doctest: +SKIP
        84.5
    """
    results = load_results(kind)
    if results is None:
        raise FileNotFoundError(
            f"{kind}_results.json is not shipped. Fix: reinstall aigc_helpers, or run "
            f"`python benchmarks/{RESULT_KINDS[kind]}.py --ship`."
        )
    models = results.get("models", {})
    if model not in models:
        raise KeyError(f"{kind}_results.json has no model {model!r}; it has {', '.join(models)}.")
    return models[model]


__all__ = [
    "ASSET_DIR",
    "asset_path",
    "keras_too_old",
    "deserialize_networks",
    "load_model",
    "load_results",
    "load_shipped",
    "model_results",
    "saved_with",
]
