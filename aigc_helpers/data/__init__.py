"""MNIST, offline first: find it, verify it by content, and feed it to models with ``tf.data``.

``load_mnist()`` looks for ``mnist.npz`` in this order and uses the first file it finds:

1. ``$AIGC_DATA_DIR/mnist.npz`` -- when the variable is set, this file and no other: a missing or bad
   file there stops with an error that blames ``AIGC_DATA_DIR`` (and says whether ``data/mnist.npz``
   holds a good copy), never a silent switch to another place
2. the course repository's ``data/mnist.npz``
3. the Keras cache, ``$KERAS_HOME/datasets/mnist.npz`` (default ``~/.keras/datasets/mnist.npz``)
4. a Keras download, when the machine is online (TensorFlow is imported quietly for it).

Whatever it reads is checked by *content* (a sha256 over the four arrays and the class counts), read
with ``allow_pickle=False``, and never overwritten or deleted: a bad file stops with an error that names
the file and the fix, with paths as a learner reads them (:func:`shown_path`). The look-up lives here
(this file); :mod:`.pipelines` feeds the arrays to models: :func:`take_subset`, :func:`binarize`,
:func:`to_gan_range` / :func:`from_gan_range`, and the two ``tf.data`` pipelines :func:`gan_dataset`
(pixels scaled to [-1, 1]) and :func:`vae_dataset` (dynamic binarization: a fresh Bernoulli draw every
epoch). ``grey_batch`` is :func:`aigc_helpers.images.grey_batch`.

Taught in: notebooks/00_index.ipynb (loading and checking), and every MNIST notebook after it.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from aigc_helpers.images import grey_batch as grey_batch  # kept here for data.grey_batch

from .pipelines import binarize, from_gan_range, gan_dataset, take_subset, to_gan_range, vae_dataset

MNIST_FILENAME = "mnist.npz"
MNIST_KEYS: tuple[str, ...] = ("x_train", "y_train", "x_test", "y_test")
MNIST_SHAPES: dict[str, tuple[int, ...]] = {
    "x_train": (60000, 28, 28),
    "y_train": (60000,),
    "x_test": (10000, 28, 28),
    "y_test": (10000,),
}
#: sha256 over x_train, y_train, x_test, y_test (C-contiguous bytes, in that order).
MNIST_SHA256 = "06b0d1f124c4e5fa796686ade41a9b778edacc8622f2195a352ef479ad44fc16"
MNIST_CLASS_COUNTS: dict[str, tuple[int, ...]] = {
    "train": (5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949),
    "test": (980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009),
}
DATA_DIR_ENV = "AIGC_DATA_DIR"
#: The repository's own data folder (git-ignored for ``*.npz``); ``.ci/run`` copies MNIST here.
REPO_DATA_DIR = Path(__file__).resolve().parents[2] / "data"


class MnistError(RuntimeError):
    """Base class of the MNIST errors; each message names the file (if any) and the fix.

    Example:
        >>> issubclass(MnistNotFoundError, MnistError) and issubclass(MnistFileError, MnistError)
        True

    Taught in: notebooks/15_faq_and_references.ipynb
    """


class MnistFileError(MnistError, ValueError):
    """A ``mnist.npz`` was found but is unreadable, truncated, or not MNIST.

    Example:
        >>> issubclass(MnistFileError, ValueError)
        True

    Taught in: notebooks/00_index.ipynb
    """


class MnistNotFoundError(MnistError, FileNotFoundError):
    """No ``mnist.npz`` in any look-up place, and no download was possible.

    Example:
        >>> issubclass(MnistNotFoundError, FileNotFoundError)
        True

    Taught in: machinery behind data.load_mnist (the FAQ in notebook 15 explains the message)
    """


@dataclass(frozen=True)
class Mnist:
    """The four MNIST arrays (uint8 images 28x28, uint8 labels) and the file they came from.

    Unpacks like Keras' ``load_data()``: ``(x_train, y_train), (x_test, y_test) = load_mnist()``.

    Example:
        >>> mnist = load_mnist()  # doctest: +SKIP
        >>> mnist.x_test.shape, mnist.path.name  # doctest: +SKIP
        ((10000, 28, 28), 'mnist.npz')

    Taught in: machinery behind load_mnist (what it returns)
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    path: Path

    @property
    def train(self) -> tuple[np.ndarray, np.ndarray]:
        return self.x_train, self.y_train

    @property
    def test(self) -> tuple[np.ndarray, np.ndarray]:
        return self.x_test, self.y_test

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        return iter((self.train, self.test))


def keras_cache_path() -> Path:
    """Where Keras keeps its MNIST download: ``$KERAS_HOME/datasets/mnist.npz`` (default ``~/.keras``).

    Example:
        >>> keras_cache_path().name
        'mnist.npz'

    Taught in: machinery behind load_mnist (its third look-up place)
    """
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "datasets" / MNIST_FILENAME


def mnist_search_paths() -> list[tuple[str, Path | None]]:
    """The look-up places in order, as ``(label, path)``; ``path`` is ``None`` when unset.

    Example:
        >>> [label for label, _ in mnist_search_paths()]
        ['$AIGC_DATA_DIR', 'course data/ folder', 'Keras cache']

    Taught in: notebooks/15_faq_and_references.ipynb
    """
    env_dir = os.environ.get(DATA_DIR_ENV, "").strip()
    return [
        (f"${DATA_DIR_ENV}", Path(env_dir).expanduser() / MNIST_FILENAME if env_dir else None),
        ("course data/ folder", REPO_DATA_DIR / MNIST_FILENAME),
        ("Keras cache", keras_cache_path()),
    ]


def mnist_content_sha256(arrays: dict[str, np.ndarray]) -> str:
    """sha256 over the four arrays' bytes, in the order x_train, y_train, x_test, y_test.

    Example:
        >>> len(mnist_content_sha256({k: np.zeros(1, np.uint8) for k in MNIST_KEYS}))
        64

    Taught in: machinery behind verify_mnist
    """
    h = hashlib.sha256()
    for key in MNIST_KEYS:
        h.update(np.ascontiguousarray(arrays[key]).tobytes())
    return h.hexdigest()


#: How to copy a file into the repository's data folder (the same words in every error that asks for one).
COPY_HINT = (
    "e.g. `cp path/to/mnist.npz data/` from the course folder; "
    "data/README.md says where to get a copy"
)

#: How a Python caller tries again, and how it switched the download off (the CLI passes its own words).
PYTHON_AGAIN = "call load_mnist() again"
PYTHON_OFFLINE = "download=False"


def shown_path(path: Path | str) -> str:
    """``path`` as a learner should read it: relative to the course repository when inside it
    (``data/mnist.npz``), from ``~`` when inside the home folder, else as given. A symbolic link
    counts where it lies, so a ``data/mnist.npz`` that links elsewhere still reads ``data/mnist.npz``.

    Example:
        >>> shown_path(REPO_DATA_DIR / "mnist.npz")
        'data/mnist.npz'

    Taught in: notebooks/00_index.ipynb
    """
    p = Path(path).expanduser()
    try:  # as written (a link stays where it lies), then with every link resolved
        forms = (Path(os.path.abspath(p)), p.resolve())
        bases = [
            (form, prefix)
            for base, prefix in ((REPO_DATA_DIR.parent, ""), (Path.home(), "~/"))
            for form in (Path(os.path.abspath(base)), base.resolve())
        ]
    except (OSError, RuntimeError):  # RuntimeError: a link loop on older Pythons
        return str(path)
    for base, prefix in bases:
        for full in forms:
            try:
                return prefix + full.relative_to(base).as_posix()
            except ValueError:
                continue
    return str(path)


def _course_copy() -> str:
    """Where a learner puts MNIST: ``data/mnist.npz in the course folder``."""
    return f"{shown_path(REPO_DATA_DIR / MNIST_FILENAME)} in the course folder"


def _fix_hint(retry: str = PYTHON_AGAIN) -> str:
    return (
        f"Fix: put a good copy of MNIST at {_course_copy()} ({COPY_HINT}), or set {DATA_DIR_ENV} to a "
        f"folder that holds one; online, move the bad file away yourself and {retry} to let Keras "
        "download a fresh copy."
    )


def _bad_file(path: Path, problem: str, retry: str = PYTHON_AGAIN) -> MnistFileError:
    return MnistFileError(
        f"The MNIST file {shown_path(path)} cannot be used: {problem}. The file was left untouched. "
        f"{_fix_hint(retry)}"
    )


def verify_mnist(arrays: dict[str, np.ndarray], path: Path | str = "<arrays>") -> None:
    """Check that ``arrays`` are exactly MNIST; raise :class:`MnistFileError` naming what differs.

    Checks, in order: the four keys, shapes and dtypes, class counts (which tell e.g. Fashion-MNIST
    apart), then the sha256 over the content.

    Example:
        >>> verify_mnist({"x_train": np.zeros(3)})  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        aigc_helpers.data.MnistFileError: The MNIST file <arrays> cannot be used: it lacks the arrays y_train, x_test, y_test (found: x_train). ...

    Taught in: machinery behind load_mnist (every file it reads)
    """
    problem = _content_problem(arrays)
    if problem is not None:
        raise _bad_file(Path(path), problem)


def _content_problem(arrays: dict[str, np.ndarray]) -> str | None:
    """What makes ``arrays`` differ from MNIST (the checks of :func:`verify_mnist`), or ``None``."""
    missing = [k for k in MNIST_KEYS if k not in arrays]
    if missing:
        found = ", ".join(sorted(arrays)) or "nothing"
        return f"it lacks the arrays {', '.join(missing)} (found: {found})"
    for key in MNIST_KEYS:
        a = arrays[key]
        if a.shape != MNIST_SHAPES[key] or a.dtype != np.uint8:
            return (
                f"array {key} has shape {a.shape} and dtype {a.dtype}, expected "
                f"{MNIST_SHAPES[key]} and uint8"
            )
    for split in ("train", "test"):
        counts = tuple(int(c) for c in np.bincount(arrays[f"y_{split}"], minlength=10)[:10])
        if counts != MNIST_CLASS_COUNTS[split]:
            return (
                f"its {split} class counts are {counts}, MNIST's are {MNIST_CLASS_COUNTS[split]} "
                "(is it another dataset, such as Fashion-MNIST?)"
            )
    digest = mnist_content_sha256(arrays)
    if digest != MNIST_SHA256:
        return f"its content sha256 is {digest[:16]}..., MNIST's is {MNIST_SHA256[:16]}..."
    return None


def _read_or_problem(path: Path) -> tuple[Mnist | None, str | None, BaseException | None]:
    """Read and verify ``path``: ``(mnist, None, None)``, or ``(None, problem, cause)`` when it is bad."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError) as exc:
        problem = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if isinstance(exc, ValueError) and "pickle" in problem.lower():
            if zipfile.is_zipfile(path):  # an .npz whose arrays hold Python objects
                problem = "it stores pickled objects, which the course never loads"
            else:  # NumPy reads any file that is neither .npz nor .npy as a pickle
                problem = "it is not a readable .npz archive, perhaps truncated or corrupt (not a zip archive)"
        else:
            problem = f"it is not a readable .npz archive, perhaps truncated or corrupt ({problem})"
        return None, problem, exc
    problem = _content_problem(arrays)
    if problem is not None:
        return None, problem, None
    return Mnist(**{k: arrays[k] for k in MNIST_KEYS}, path=path), None, None


def _read(path: Path, retry: str = PYTHON_AGAIN) -> Mnist:
    mnist, problem, cause = _read_or_problem(path)
    if mnist is None:
        raise _bad_file(path, str(problem), retry) from cause
    return mnist


def read_mnist_file(path: Path | str) -> Mnist:
    """Read and verify one ``mnist.npz`` (``allow_pickle=False``); never modifies the file.

    Raises:
        MnistFileError: unreadable, truncated, pickled, or not MNIST -- the message names the fix.

    Example:
        >>> mnist = read_mnist_file("data/mnist.npz")  # doctest: +SKIP

    Taught in: machinery behind load_mnist (every file it reads)
    """
    return _read(Path(path))


def _download_with_keras() -> Path:
    """Download MNIST with Keras into its cache and return the file's path (needs the internet).

    TensorFlow is imported quietly first: ``TF_CPP_MIN_LOG_LEVEL=2`` unless the user set it, and its
    C++ start-up lines kept out of the learner's output (:func:`aigc_helpers.config.quiet_tensorflow`).
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before TensorFlow loads, or it is too late
    from aigc_helpers import config

    config.quiet_tensorflow()
    import keras

    keras.datasets.mnist.load_data()
    return keras_cache_path()


def load_mnist(path: Path | str | None = None, *, download: bool = True) -> Mnist:
    """Load MNIST from the first look-up place that has it (see the module docs), verified by content.

    Args:
        path: read exactly this file instead of searching.
        download: when no file is found, let Keras download one (needs the internet).

    Raises:
        MnistFileError: a file was found but is unreadable or not MNIST (it is left untouched).
        MnistNotFoundError: no file anywhere and no download; the message says where to put one.
            Also when ``AIGC_DATA_DIR`` is set but holds no mnist.npz: the message blames the variable
            and says whether data/mnist.npz holds a good copy (which is not used in its place).

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load_mnist()  # doctest: +SKIP
        >>> x_train.shape, x_train.dtype  # doctest: +SKIP
        ((60000, 28, 28), dtype('uint8'))

    Taught in: notebooks/00_index.ipynb, and every MNIST notebook after it
    """
    return _load_mnist(path, download=download)


def _load_mnist(
    path: Path | str | None = None,
    *,
    download: bool = True,
    again: str = PYTHON_AGAIN,
    offline: str = PYTHON_OFFLINE,
) -> Mnist:
    """:func:`load_mnist`, with the caller's words in the messages: ``again`` says how to try again
    (the CLI: run its command again), ``offline`` how downloading was switched off (the CLI: ``--offline``).
    """
    retry = again if download else f"{again} without {offline}"  # the way to a Keras download
    if path is not None:
        path = Path(path).expanduser()
        if not path.is_file():
            raise MnistNotFoundError(
                f"No MNIST file at {shown_path(path)}. Fix: pass the path of an existing mnist.npz, or call "
                "load_mnist() without a path to search the usual places."
            )
        return _read(path, retry)

    places = mnist_search_paths()
    _, env_file = places[0]
    if env_file is not None:  # set: this file or an error, never a silent switch to another place
        return _read_env_file(env_file, retry)
    for _, candidate in places[1:]:
        if candidate is not None and candidate.is_file():
            return _read(candidate, retry)

    looked = "; ".join(
        f"{label}: {shown_path(cand) if cand is not None else 'not set'}" for label, cand in places
    )
    if download:
        try:
            downloaded = _download_with_keras()
        except Exception as exc:  # no network, proxy, DNS, HTTP error ... all end the same way
            reason = f"the Keras download failed ({type(exc).__name__}: {exc})"
            online = f"connect to the internet and {again}"
        else:
            return _read(downloaded, retry)
    else:
        reason = f"downloading was switched off ({offline})"
        online = f"online, {retry}"
    raise MnistNotFoundError(
        f"MNIST (mnist.npz) was not found and {reason}. Looked in: {looked}. "
        f"Fix: put a copy at {_course_copy()} ({COPY_HINT}), or set {DATA_DIR_ENV} to the folder "
        f"that holds one, or {online} to let Keras download it."
    )


def _read_env_file(env_file: Path, retry: str) -> Mnist:
    """Read ``$AIGC_DATA_DIR/mnist.npz``; when it is missing or bad, say so and what else there is."""
    env_shown = shown_path(env_file)
    mnist, problem, cause = _read_or_problem(env_file) if env_file.is_file() else (None, None, None)
    if mnist is not None:
        return mnist
    if problem is not None:
        what = f"which is not a valid MNIST copy ({problem}) and was left untouched"
        error: type[MnistError] = MnistFileError
    else:
        what = "which does not exist"
        if env_file.parent.is_file():
            what += f" ({DATA_DIR_ENV} names the folder that holds mnist.npz, not the file itself)"
        error = MnistNotFoundError
    blame = f"{DATA_DIR_ENV} points at {env_shown}, {what}"
    # What load_mnist would read with the variable unset: the course's copy, else the Keras cache.
    others = (
        (REPO_DATA_DIR / MNIST_FILENAME, _course_copy()),
        (keras_cache_path(), f"the Keras cache {shown_path(keras_cache_path())}"),
    )
    for other, name in others:
        if not other.is_file():
            continue
        good, other_problem, _ = _read_or_problem(other)
        if good is not None:
            raise error(
                f"{blame}; {name} is a good copy. Fix: correct {DATA_DIR_ENV} or unset it to use "
                f"{shown_path(other)}."
            ) from cause
        raise error(
            f"{blame}; {name}, read when {DATA_DIR_ENV} is unset, is not a valid copy either "
            f"({other_problem}). Fix: put a good copy of MNIST at {env_shown}, or unset "
            f"{DATA_DIR_ENV} and replace {shown_path(other)} with a good copy ({COPY_HINT})."
        ) from cause
    raise error(
        f"{blame}; no other place holds a copy ({_course_copy()}: none; the Keras cache "
        f"{shown_path(keras_cache_path())}: none). Fix: put a good copy of MNIST at {env_shown}, or "
        f"unset {DATA_DIR_ENV} and put one at {_course_copy()} ({COPY_HINT}), or unset it and, "
        f"online, {retry} to let Keras download one."
    ) from cause


__all__ = [
    "MNIST_CLASS_COUNTS",
    "MNIST_SHA256",
    "Mnist",
    "MnistError",
    "MnistFileError",
    "MnistNotFoundError",
    "binarize",
    "from_gan_range",
    "gan_dataset",
    "keras_cache_path",
    "load_mnist",
    "mnist_search_paths",
    "read_mnist_file",
    "shown_path",
    "take_subset",
    "to_gan_range",
    "vae_dataset",
    "verify_mnist",
]
