"""Shared fixtures. Tests read MNIST from the real offline copy; they never download anything."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

REPO = Path(__file__).resolve().parent.parent
SHARED_MNIST = REPO.parent / "shared" / "data" / "mnist.npz"


@pytest.fixture(scope="session")
def real_mnist_path() -> Path:
    """The verified MNIST file the course would load (data/ in CI), or ../shared/data as a fallback."""
    from aigc_helpers import data

    for _, candidate in data.mnist_search_paths():
        if candidate is not None and candidate.is_file():
            return candidate
    if SHARED_MNIST.is_file():
        return SHARED_MNIST
    pytest.fail(
        "No mnist.npz for the tests. Fix: `cp ../shared/data/mnist.npz data/` (what .ci/run does)."
    )


@pytest.fixture(scope="session")
def mnist(real_mnist_path):
    from aigc_helpers import data

    return data.read_mnist_file(real_mnist_path)


@pytest.fixture
def isolated_lookup(tmp_path, monkeypatch):
    """Point every MNIST look-up place at empty temporary folders and forbid real downloads.

    Returns a dict with the three folders: ``env`` ($AIGC_DATA_DIR), ``repo`` (course data/),
    ``keras`` ($KERAS_HOME/datasets).
    """
    from aigc_helpers import data

    dirs = {name: tmp_path / name for name in ("env", "repo", "keras_home")}
    for d in dirs.values():
        d.mkdir()
    monkeypatch.setenv("AIGC_DATA_DIR", str(dirs["env"]))
    monkeypatch.setenv("KERAS_HOME", str(dirs["keras_home"]))
    monkeypatch.setattr(data, "REPO_DATA_DIR", dirs["repo"])

    def no_network():
        raise OSError("network is unreachable (simulated by the test)")

    monkeypatch.setattr(data, "_download_with_keras", no_network)
    keras_dir = dirs["keras_home"] / "datasets"
    keras_dir.mkdir()
    return {"env": dirs["env"], "repo": dirs["repo"], "keras": keras_dir}


@pytest.fixture
def course(tmp_path, monkeypatch, real_mnist_path):
    """A learner's machine in miniature, under tmp_path: a course folder with ``data/``, a home folder
    (``~``) with an empty Keras cache and a ``mnist-copies`` folder for AIGC_DATA_DIR, no network.

    Paths in messages read ``data/...`` and ``~/...`` here, as on a learner's machine, so a ``/tmp``
    in a message means a path was printed unshortened. ``good`` links the real MNIST into place.
    """
    from aigc_helpers import data

    home = tmp_path / "home"
    folders = {
        "data": tmp_path / "course" / "data",
        "env": home / "mnist-copies",
        "keras": home / ".keras" / "datasets",
    }
    for folder in folders.values():
        folder.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("KERAS_HOME", str(home / ".keras"))
    monkeypatch.delenv("AIGC_DATA_DIR", raising=False)
    monkeypatch.setattr(data, "REPO_DATA_DIR", folders["data"])

    def no_network():
        raise OSError("network is unreachable (simulated by the test)")

    monkeypatch.setattr(data, "_download_with_keras", no_network)

    def good(where: str) -> Path:
        target = folders[where] / "mnist.npz"
        os.symlink(real_mnist_path, target)
        return target

    return {**folders, "good": good}
