"""Run profiles, seeding, quiet logging and a one-line environment report.

Every notebook's setup cell starts with::

    from aigc_helpers import config
    P = config.setup(seed=42)  # quiet logs, pick the profile, seed everything, print the environment

:func:`setup` runs :func:`quiet_tensorflow`, picks the profile with :func:`profile` (which reads
``AIGC_PROFILE``: ci | cpu | binder | gpu), seeds with :func:`set_seed` and prints :func:`env_report`.
The notebook then asks the profile for sizes (``P.subset("train")``, ``P.epochs("gan")``,
``P.batch_size``, ``P.n_samples``) instead of hard-coding them, so the same notebook runs in seconds in
CI, in minutes on a 2-core laptop, under 2 GB on Binder, and at full size on a GPU.

Taught in: notebooks/00_index.ipynb (every notebook's setup cell uses it).
"""

from __future__ import annotations

import contextlib
import os
import platform
import random
import re
import sys
import tempfile
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Literal

import numpy as np

from aigc_helpers.checks import check_int

ENV_VAR = "AIGC_PROFILE"
PROFILE_NAMES: tuple[str, ...] = ("ci", "cpu", "binder", "gpu", "full")

ModelKind = Literal["gan", "vae", "toy", "tabular"]


@dataclass(frozen=True)
class Profile:
    """How big a run is. Notebooks ask a profile for sizes instead of hard-coding them.

    Attributes:
        name: one of ``ci``, ``cpu``, ``binder``, ``gpu``, ``full`` (opt-in only: never chosen
            automatically).
        description: what the profile is for, in one line.
        train_subset: training images to use (``None`` = the whole split).
        test_subset: test images to use for evaluation (``None`` = the whole split).
        batch_size: mini-batch size for image models.
        n_samples: how many generated samples to draw for an evaluation.
        verbose: the ``verbose`` argument for ``model.fit`` (2 = one line per epoch, keeps CI logs small).
        memory_budget_gb: the memory the run should stay under, when the host limits it.
        source: ``"env"`` when chosen with ``AIGC_PROFILE``, ``"auto"`` when detected.

    Example:
        >>> p = get_profile("ci")
        >>> p.epochs("gan"), p.subset("train")
        (1, 1024)
    """

    name: str
    description: str
    train_subset: int | None
    test_subset: int | None
    batch_size: int
    n_samples: int
    verbose: int
    memory_budget_gb: float | None
    epochs_by_kind: MappingProxyType = field(repr=False)
    source: str = "env"

    def epochs(self, kind: ModelKind) -> int:
        """Number of training epochs for a model family (``gan``, ``vae``, ``toy``, ``tabular``).

        Example:
            >>> get_profile("cpu").epochs("vae") > get_profile("ci").epochs("vae")
            True
        """
        try:
            return int(self.epochs_by_kind[kind])
        except KeyError:
            valid = ", ".join(sorted(self.epochs_by_kind))
            raise ValueError(f"Unknown model kind {kind!r}; valid kinds: {valid}.") from None

    def subset(self, split: Literal["train", "test"] = "train") -> int | None:
        """Number of images of ``split`` to use, or ``None`` for all of them.

        Example:
            >>> get_profile("gpu").subset("test") is None
            True
        """
        if split == "train":
            return self.train_subset
        if split == "test":
            return self.test_subset
        raise ValueError(f"Unknown split {split!r}; use 'train' or 'test'.")


def _profile(name: str, description: str, *, epochs: dict[str, int], **sizes) -> Profile:
    return Profile(
        name=name, description=description, epochs_by_kind=MappingProxyType(epochs), **sizes
    )


_PROFILES: dict[str, Profile] = {
    "ci": _profile(
        "ci",
        "seconds per notebook: tiny subsets, one epoch; checks run, quality is not judged",
        train_subset=1024,
        test_subset=512,
        batch_size=64,
        n_samples=256,
        verbose=2,
        memory_budget_gb=None,
        epochs={"gan": 1, "vae": 1, "toy": 1, "tabular": 2},
    ),
    "cpu": _profile(
        "cpu",
        "the real lesson on a 2-core laptop: minutes per notebook, results worth looking at",
        train_subset=None,
        test_subset=None,
        batch_size=128,
        n_samples=10_000,
        verbose=2,
        memory_budget_gb=None,
        epochs={"gan": 10, "vae": 6, "toy": 20, "tabular": 200},
    ),
    "binder": _profile(
        "binder",
        "like cpu, but kept under 2 GB of memory for free Binder machines",
        train_subset=20_000,
        test_subset=5_000,
        batch_size=64,
        n_samples=2_000,
        verbose=2,
        memory_budget_gb=2.0,
        epochs={"gan": 5, "vae": 3, "toy": 10, "tabular": 100},
    ),
    "gpu": _profile(
        "gpu",
        "full-size runs on an accelerator",
        train_subset=None,
        test_subset=None,
        batch_size=256,
        n_samples=10_000,
        verbose=1,
        memory_budget_gb=None,
        epochs={"gan": 50, "vae": 100, "toy": 50, "tabular": 500},
    ),
}
# Opt-in: the sizes of `cpu`, by construction; notebooks 05, 08, 17 and 18 read the name and train their models as
# long as the benchmarks did (the results files say how long) -- longer than a lab, so never the default.
_PROFILES["full"] = replace(
    _PROFILES["cpu"],
    name="full",
    description="opt-in, like cpu, but 05, 08, 17 and 18 train as long as their benchmarks (the minutes in the results files)",
)


def get_profile(name: str) -> Profile:
    """Return the profile called ``name``; an unknown name raises ``ValueError`` listing the valid ones.

    Example:
        >>> get_profile("binder").memory_budget_gb
        2.0
    """
    key = name.strip().lower()
    if key not in _PROFILES:
        valid = ", ".join(PROFILE_NAMES)
        raise ValueError(
            f"Unknown profile {name!r} (from {ENV_VAR} or the argument). Valid profiles: {valid}. "
            f"Fix: `export {ENV_VAR}=cpu` (or ci, binder, gpu, full), or unset {ENV_VAR} to pick "
            "gpu/cpu automatically."
        )
    return _PROFILES[key]


def gpu_available() -> bool:
    """True when TensorFlow sees at least one GPU (imports TensorFlow)."""
    quiet_tensorflow()
    import tensorflow as tf

    return bool(tf.config.list_physical_devices("GPU"))


def profile(name: str | None = None) -> Profile:
    """The profile to run under: ``name``, else ``$AIGC_PROFILE``, else ``gpu`` if TensorFlow sees a
    GPU, else ``cpu``.

    Example:
        >>> import os; os.environ["AIGC_PROFILE"] = "ci"
        >>> profile().name
        'ci'
    """
    if name is not None:
        return get_profile(name)
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return get_profile(env)
    return replace(_PROFILES["gpu" if gpu_available() else "cpu"], source="auto")


@contextlib.contextmanager
def _stderr_to_buffer(captured: list[str]) -> Iterator[None]:
    """Send file descriptor 2 to a temporary file; what was written is appended to ``captured``.

    TensorFlow's C++ start-up lines ("Could not find cuda drivers", "failed call to cuInit" on
    machines without a GPU) bypass Python's logging and go straight to fd 2, where Jupyter shows
    them as red text. This catches them during the import only.
    """
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real fd 2 (some embedded interpreters): nothing to hide
        yield
        return
    with tempfile.TemporaryFile(mode="w+b") as tmp:
        os.dup2(tmp.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            tmp.seek(0)
            captured.append(tmp.read().decode("utf-8", "replace"))


# Harmless C++ log lines TensorFlow writes straight to fd 2 *while running*, at error level (so
# TF_CPP_MIN_LOG_LEVEL=2 keeps them). In a notebook they land, at random, in whichever cell is running —
# including cells whose output the tests compare. Each entry names one known message, nothing broader.
NATIVE_NOISE: tuple[str, ...] = (
    # a tf.data graph rewrite turns a parallel map into a plain one and drops an attribute: harmless
    r"node_def_util\.cc:\d+\] NodeDef mentions attribute use_unbounded_threadpool",
    # grappler's op-fusion pass gives up on a training graph it cannot rewrite and leaves it as it
    # was: the graph runs unfused, with the same results
    r"meta_optimizer\.cc:\d+\] remapper failed: INVALID_ARGUMENT: Mutation::Apply error: fanout",
)
_NOISE_RE = re.compile("|".join(NATIVE_NOISE))
_FILTER_INSTALLED = False


def is_native_noise(line: str) -> bool:
    """True for a C++ log line on the course's list of known harmless messages (``NATIVE_NOISE``).

    >>> is_native_noise("E0000 00:00:17.6 5398 node_def_util.cc:682] NodeDef mentions attribute "
    ...                 "use_unbounded_threadpool which is not in the op definition")
    True
    >>> is_native_noise("E0000 00:00:17.2 6422 meta_optimizer.cc:967] remapper failed: INVALID_ARGUMENT: "
    ...                 "Mutation::Apply error: fanout 'x/LeakyReluGrad' exist for missing node 'y'.")
    True
    >>> is_native_noise("E0000 some_kernel.cc:12] Out of memory")
    False

    Taught in: machinery behind config.setup (quiet logs in every notebook's setup cell)
    """
    return bool(_NOISE_RE.search(line))


def filter_native_stderr() -> bool:
    """Inside a Jupyter kernel, drop the known harmless C++ lines from fd 2; pass everything else on.

    fd 2 is replaced by a pipe whose reader thread forwards each line unless ``is_native_noise``
    says it is one of the listed messages. Only done in an IPython kernel (where those lines would
    otherwise show up as red text in a random cell); returns whether a filter is active.
    """
    global _FILTER_INSTALLED
    if _FILTER_INSTALLED:
        return True
    if "ipykernel" not in sys.modules:
        return False
    try:
        sys.stderr.flush()
        downstream = os.dup(2)
        read_end, write_end = os.pipe()
        os.dup2(write_end, 2)
        os.close(write_end)
    except (OSError, ValueError):  # no real fd 2: nothing to filter
        return False

    def pump() -> None:
        with os.fdopen(read_end, "rb", buffering=0) as pipe:
            pending = b""
            while chunk := pipe.read(65536):
                pending += chunk
                *lines, pending = pending.split(b"\n")
                for line in lines:
                    if not is_native_noise(line.decode("utf-8", "replace")):
                        os.write(downstream, line + b"\n")
            if pending:
                os.write(downstream, pending)

    threading.Thread(target=pump, name="aigc-stderr-filter", daemon=True).start()
    _FILTER_INSTALLED = True
    return True


_TF_READY = False


def quiet_tensorflow() -> None:
    """Import TensorFlow without its C++ start-up noise and silence its info/warning logs.

    Errors still show: if the import itself fails, what TensorFlow printed is replayed before the
    exception propagates. Safe to call more than once.
    """
    global _TF_READY
    if _TF_READY:
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import logging

    captured: list[str] = []
    try:
        with _stderr_to_buffer(captured):
            import tensorflow as tf

            tf.config.list_physical_devices()  # device discovery prints its own lines once
    except BaseException:  # pragma: no cover - only when TensorFlow is broken
        sys.stderr.write("".join(captured))
        raise
    # The course's datasets are shuffled by tf.data; Keras' reminder about fit(shuffle=True) is noise.
    warnings.filterwarnings("ignore", message=r"`shuffle=True` was passed", category=UserWarning)
    tf.get_logger().setLevel(logging.ERROR)
    try:
        from absl import logging as absl_logging

        absl_logging.set_verbosity(absl_logging.ERROR)
    except ImportError:  # pragma: no cover - absl ships with TensorFlow
        pass
    filter_native_stderr()
    _TF_READY = True


def set_seed(seed: int = 42, *, deterministic: bool | None = None) -> None:
    """Seed Python, NumPy, TensorFlow and Keras so that a CPU run is repeatable.

    Args:
        seed: any non-negative integer.
        deterministic: also ask TensorFlow for deterministic kernels
            (``tf.config.experimental.enable_op_determinism``). ``None`` means yes unless a GPU is
            visible, where some kernels have no deterministic version and would raise.

    Example:
        >>> set_seed(0); a = np.random.rand()
        >>> set_seed(0); b = np.random.rand()
        >>> a == b
        True
    """
    seed = check_int("seed", seed, minimum=0, fix="use e.g. seed=42.")
    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 - learners' code still uses the legacy global RNG
    quiet_tensorflow()
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)  # seeds Python, NumPy, TensorFlow and Keras' backend RNG
    if deterministic is None:
        deterministic = not tf.config.list_physical_devices("GPU")
    if deterministic:
        tf.config.experimental.enable_op_determinism()


def env_report(p: Profile | None = None) -> str:
    """One line with the versions, the device and the profile in use.

    Example:
        >>> print(env_report(get_profile("ci")))  # doctest: +SKIP
        Python 3.11.7 | TensorFlow 2.21.0 | Keras 3.15.1 | NumPy 2.4.6 | device: CPU (2 cores) | profile: ci (AIGC_PROFILE)
    """
    quiet_tensorflow()
    import keras
    import tensorflow as tf

    p = p or profile()
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        names = []
        for g in gpus:
            try:
                names.append(
                    tf.config.experimental.get_device_details(g).get("device_name", g.name)
                )
            except (ValueError, RuntimeError):  # pragma: no cover - depends on the driver
                names.append(g.name)
        device = f"GPU x{len(gpus)} ({', '.join(names)})"
    else:
        device = f"CPU ({os.cpu_count()} cores)"
    src = ENV_VAR if p.source == "env" else "auto"
    return (
        f"Python {platform.python_version()} | TensorFlow {tf.__version__} | Keras {keras.__version__} | "
        f"NumPy {np.__version__} | device: {device} | profile: {p.name} ({src})"
    )


def profile_table():
    """The profiles side by side as a pandas DataFrame (one row per profile).

    Example:
        >>> profile_table().loc["ci", "batch size"]  # doctest: +SKIP
        64
    """
    import pandas as pd

    rows = {}
    for name in PROFILE_NAMES:
        p = _PROFILES[name]
        rows[name] = {
            "train images": p.train_subset or 60000,
            "test images": p.test_subset or 10000,
            "batch size": p.batch_size,
            **{f"{k} epochs": v for k, v in p.epochs_by_kind.items()},
            "samples": p.n_samples,
            "memory budget": f"{p.memory_budget_gb:g} GB" if p.memory_budget_gb else "-",
            "for": p.description,
        }
    return pd.DataFrame.from_dict(rows, orient="index")


_FORMAT_WARNING = warnings.formatwarning


def format_warning(message, category, filename, lineno, line=None) -> str:
    """Warnings as Python shows them, except that a warning raised from a notebook cell shows no
    location: a cell's "file" is a machine-specific temporary path (``.../ipykernel_123/456.py``).

    Example:
        >>> format_warning("slow", UserWarning, "/x/ipykernel_7/1.py", 3)
        'UserWarning: slow\\n'

    Taught in: machinery behind config.setup (every notebook's setup cell installs it)
    """
    if "ipykernel_" in str(filename):
        return f"{category.__name__}: {message}\n"
    return _FORMAT_WARNING(message, category, filename, lineno, line)


def setup(seed: int = 42, name: str | None = None) -> Profile:
    """A notebook's first lines in one call: quiet logs, pick the profile, seed, print the report.

    Example:
        >>> P = setup(seed=42)  # doctest: +SKIP
        Python 3.11.7 | TensorFlow 2.21.0 | ... | profile: cpu (auto)
    """
    quiet_tensorflow()
    warnings.formatwarning = format_warning
    p = profile(name)
    set_seed(seed)
    print(env_report(p))
    return p


__all__ = [
    "ENV_VAR",
    "PROFILE_NAMES",
    "Profile",
    "env_report",
    "format_warning",
    "get_profile",
    "gpu_available",
    "profile",
    "profile_table",
    "quiet_tensorflow",
    "set_seed",
    "setup",
]
