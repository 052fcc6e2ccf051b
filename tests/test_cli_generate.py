"""`python -m aigc_helpers generate`: a PNG grid of n images from a saved generator, and one-line
errors (non-zero exit) for a missing file, a model of the wrong kind, bad counts and labels, and an
output that already exists. Every call is a real subprocess, as a user would run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from aigc_helpers import config, deploy, images

config.quiet_tensorflow()

import keras  # noqa: E402

from aigc_helpers import vae as V  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
CVAE = REPO / "aigc_helpers" / "assets" / "cvae_mnist.keras"
PAD = 2


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    return subprocess.run(
        [sys.executable, "-m", "aigc_helpers", "generate", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd or REPO,
        env=env,
    )


def assert_one_line_error(r: subprocess.CompletedProcess, *words: str) -> None:
    assert r.returncode != 0, r.stdout
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, f"stderr should be one line, got:\n{r.stderr}"
    assert lines[0].startswith("error: ") and "Fix:" in lines[0], lines[0]
    for w in words:
        assert w in lines[0], lines[0]


def tiles(path: Path, n: int, ncols: int | None = None, side: int = 28) -> np.ndarray:
    """Cut a grid PNG back into its n images (checks the grid's size on the way)."""
    grid = np.asarray(Image.open(path))
    rows, cols = images.grid_shape(n, ncols)
    assert grid.shape == (rows * (side + PAD) + PAD, cols * (side + PAD) + PAD)
    out = []
    for i in range(n):
        r, c = divmod(i, cols)
        top, left = PAD + r * (side + PAD), PAD + c * (side + PAD)
        out.append(grid[top : top + side, left : left + side])
    return np.stack(out)


@pytest.fixture(scope="module")
def tiny_vae(tmp_path_factory) -> Path:
    """An untrained 4-d VAE saved as .keras: the CLI only needs a valid model, not a good one."""
    path = tmp_path_factory.mktemp("models") / "tiny_vae.keras"
    keras.utils.set_random_seed(0)
    V.VAE(latent_dim=4, seed=0).save(path)
    return path


@pytest.fixture(scope="module")
def classifier(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("models") / "classifier.keras"
    model = keras.Sequential(
        [keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10)]
    )
    model.save(path)
    return path


def test_writes_an_n_image_grid_from_a_saved_vae(tiny_vae, tmp_path):
    out = tmp_path / "grid.png"
    r = run_cli("--model", str(tiny_vae), "--n", "10", "--out", str(out), "--seed", "5")
    assert r.returncode == 0, r.stderr
    assert r.stderr.strip() == "", r.stderr
    assert "10 images" in r.stdout and "3 x 4 grid" in r.stdout
    got = tiles(out, 10)
    expected = deploy.load_generator(tiny_vae).generate(10, seed=5)
    np.testing.assert_array_equal(got, np.rint(expected * 255).astype(np.uint8))


def test_writes_the_requested_label_from_the_shipped_cvae(tmp_path):
    out = tmp_path / "threes.png"
    r = run_cli("--model", str(CVAE), "--n", "64", "--out", str(out), "--label", "3")
    assert r.returncode == 0, r.stderr
    got = tiles(out, 64)  # 8 x 8 grid: 242 x 242 pixels
    expected = deploy.load_generator(CVAE).generate(64, labels=3, seed=0)
    np.testing.assert_array_equal(got, np.rint(expected * 255).astype(np.uint8))
    assert "label 3" in r.stdout


def test_shipped_name_and_ncols(tmp_path):
    out = tmp_path / "row.png"
    r = run_cli("--model", "cvae", "--n", "10", "--ncols", "10", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert tiles(out, 10, ncols=10).shape == (10, 28, 28)
    assert "labels 0-9 cycling" in r.stdout


@pytest.mark.skipif(
    not (REPO / "aigc_helpers" / "assets" / "cgan_mnist.keras").is_file(),
    reason="no shipped conditional GAN in this copy",
)
def test_writes_a_grid_from_the_shipped_conditional_gan(tmp_path):
    out = tmp_path / "sevens.png"
    r = run_cli("--model", "cgan", "--n", "8", "--label", "7", "--out", str(out))
    assert r.returncode == 0, r.stderr
    got = tiles(out, 8)  # 3 x 3 grid
    expected = deploy.load_generator("cgan").generate(8, labels=7, seed=0)
    np.testing.assert_array_equal(got, np.rint(expected * 255).astype(np.uint8))


def test_missing_model_file(tmp_path):
    r = run_cli("--model", str(tmp_path / "nope.keras"), "--out", str(tmp_path / "g.png"))
    assert_one_line_error(r, "nope.keras")
    assert not (tmp_path / "g.png").exists()


def test_model_of_the_wrong_kind(classifier, tmp_path):
    r = run_cli("--model", str(classifier), "--out", str(tmp_path / "g.png"))
    assert_one_line_error(r, "Sequential", "not a VAE")


def test_not_a_keras_file(tmp_path):
    bad = tmp_path / "weights.keras"
    bad.write_bytes(b"not a zip archive")
    assert_one_line_error(
        run_cli("--model", str(bad), "--out", str(tmp_path / "g.png")), "readable"
    )
    txt = tmp_path / "notes.txt"
    txt.write_text("hello")
    assert_one_line_error(run_cli("--model", str(txt), "--out", str(tmp_path / "g.png")), ".keras")


@pytest.mark.parametrize("n", ["0", "-3", "abc", "10001"])
def test_bad_counts(n, tiny_vae, tmp_path):
    r = run_cli("--model", str(tiny_vae), "--n", n, "--out", str(tmp_path / "g.png"))
    assert_one_line_error(r, "--n 64")
    assert r.returncode == 2


@pytest.mark.parametrize("label", ["-1", "10", "three"])
def test_labels_outside_0_to_9(label, tmp_path):
    r = run_cli("--model", str(CVAE), "--label", label, "--out", str(tmp_path / "g.png"))
    assert_one_line_error(r, "--label")
    assert r.returncode == 2


def test_label_for_an_unconditional_model(tiny_vae, tmp_path):
    r = run_cli("--model", str(tiny_vae), "--label", "3", "--out", str(tmp_path / "g.png"))
    assert_one_line_error(r, "takes no label")
    assert r.returncode == 2  # caught before TensorFlow is imported


def test_existing_output_is_kept_unless_forced(tiny_vae, tmp_path):
    out = tmp_path / "grid.png"
    out.write_bytes(b"someone's work")
    r = run_cli("--model", str(tiny_vae), "--n", "4", "--out", str(out))
    assert_one_line_error(r, "already exists", "--force")
    assert out.read_bytes() == b"someone's work"
    r = run_cli("--model", str(tiny_vae), "--n", "4", "--out", str(out), "--force")
    assert r.returncode == 0, r.stderr
    assert tiles(out, 4).shape == (4, 28, 28)


def test_bad_output_names(tiny_vae, tmp_path):
    assert_one_line_error(
        run_cli("--model", str(tiny_vae), "--out", str(tmp_path / "grid.jpg")), ".png"
    )
    assert_one_line_error(
        run_cli("--model", str(tiny_vae), "--out", str(tmp_path / "no" / "grid.png")), "mkdir"
    )
