"""Shared fixtures. Tests read MNIST from the real offline copy; they never download anything."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

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


# --------------------------------------------------------------------------- a real JupyterLab server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabServer(NamedTuple):
    """A running JupyterLab server: its address and token (``base, token = server`` unpacks them)."""

    base: str
    token: str

    def api(self, path: str, method: str = "GET", body: dict | None = None):
        """Call the server's REST API; returns the decoded JSON answer (None when empty)."""
        req = urllib.request.Request(
            f"{self.base}{path}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
            data=json.dumps(body).encode() if body is not None else None,
        )
        with urllib.request.urlopen(req, timeout=30) as resp:
            text = resp.read().decode()
            return json.loads(text) if text else None


@contextlib.contextmanager
def serve_lab(
    workdir: Path,
    *,
    root: Path = REPO,
    env: Mapping[str, str] | None = None,
    args: Sequence[str] = (),
) -> Iterator[LabServer]:
    """Start ``jupyter lab`` serving ``root`` (what `make lab` does), with its config, data, runtime and
    IPython folders under ``workdir`` (plus ``env``, and ``args`` for its command line); yields the
    server once it answers, and shuts it down after."""
    port, token = free_port(), secrets.token_hex(16)
    full_env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(workdir / "config"),
        "JUPYTER_DATA_DIR": str(workdir / "data"),
        "JUPYTER_RUNTIME_DIR": str(workdir / "runtime"),
        "IPYTHONDIR": str(workdir / "ipython"),
        **(env or {}),
    }
    log_path = workdir / "lab.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyterlab",
                "--no-browser",
                "--ip=127.0.0.1",
                f"--port={port}",
                f"--IdentityProvider.token={token}",
                f"--ServerApp.root_dir={root}",
                "--ServerApp.open_browser=False",
                *(["--allow-root"] if os.geteuid() == 0 else []),
                *args,
            ],
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        server = LabServer(f"http://127.0.0.1:{port}", token)
        try:
            deadline = time.time() + 120
            while True:
                try:
                    server.api("/api/status")
                    break
                except OSError:
                    if proc.poll() is not None or time.time() > deadline:
                        pytest.fail("JupyterLab did not start:\n" + log_path.read_text()[-3000:])
                    time.sleep(0.5)
            yield server
        finally:
            try:
                server.api("/api/shutdown", method="POST")
                proc.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                proc.kill()
                proc.wait(timeout=30)


@pytest.fixture(scope="session")
def start_lab():
    """:func:`serve_lab` itself, for tests that serve other folders or settings (test_browser.py)."""
    return serve_lab


@pytest.fixture
def lab_server(tmp_path, real_mnist_path) -> Iterator[LabServer]:
    """JupyterLab serving the course folder, its kernels finding MNIST and using the ci profile."""
    env = {"AIGC_DATA_DIR": str(real_mnist_path.parent), "AIGC_PROFILE": "ci"}
    with serve_lab(tmp_path, env=env) as server:
        yield server
