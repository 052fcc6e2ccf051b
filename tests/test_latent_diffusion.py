"""aigc_helpers.diffusion.latent and the shipped latent model: codes from a VAE, standardization by hand,
decoding through the autoencoder, save/load/resume, the guidance of the shipped model, clear errors,
and the command line's ``--model diffusion`` / ``--steps``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from aigc_helpers import config

config.quiet_tensorflow()

import keras  # noqa: E402

from aigc_helpers import deploy  # noqa: E402
from aigc_helpers import diffusion as D  # noqa: E402
from aigc_helpers import vae as V  # noqa: E402
from aigc_helpers.assets import ASSET_DIR  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


class FakeAutoencoder:
    """Decodes a 2-d code (a, b) to a 28x28 image filled with sigmoid(a) in the top half and
    sigmoid(b) in the bottom half: decoding can be checked by hand."""

    latent_dim = 2

    def decode(self, codes):
        codes = np.asarray(codes, np.float32)
        out = np.empty((len(codes), 28, 28), np.float32)
        out[:, :14] = 1 / (1 + np.exp(-codes[:, :1, None]))
        out[:, 14:] = 1 / (1 + np.exp(-codes[:, 1:, None]))
        return out

    def encode(self, x, labels=None):
        x = np.asarray(x, np.float32)
        mean = np.stack([x[:, :14].mean((1, 2)), x[:, 14:].mean((1, 2))], axis=1)
        return mean, np.zeros_like(mean)


def tiny(cls=D.LatentDiffusion, dim=2, **kw):
    net = D.build_toy_network(
        dim, 10 if cls is D.ConditionalLatentDiffusion else None, width=8, depth=1, embed_dim=4
    )
    stats = {"code_mean": np.full(dim, 0.5), "code_std": np.full(dim, 2.0)}
    return cls(net, **{**stats, "seed": 0, **kw})


def test_latent_codes_are_the_encoder_means_in_batches():
    x = np.zeros((5, 28, 28), np.float32)
    x[:, :14] = 1.0
    x[3] = 0.25
    codes = D.latent_codes(FakeAutoencoder(), x, batch_size=2)
    assert codes.dtype == np.float32 and codes.shape == (5, 2)
    np.testing.assert_allclose(codes[:3], [[1.0, 0.0]] * 3)
    np.testing.assert_allclose(codes[3], [0.25, 0.25])


@pytest.mark.parametrize(
    "images, words",
    [(np.zeros((3, 27, 28)), "(N, 28, 28)"), (np.full((3, 28, 28), 255.0), "divide uint8")],
)
def test_latent_codes_refuse_images_of_the_wrong_shape_or_scale(images, words):
    with pytest.raises(ValueError, match="Fix:") as err:
        D.latent_codes(FakeAutoencoder(), images)
    assert words in str(err.value)


def test_standardize_and_decode_by_hand():
    model = tiny(autoencoder=FakeAutoencoder())
    np.testing.assert_allclose(model.standardize([[0.5, 4.5], [2.5, -1.5]]), [[0, 2], [1, -1]])
    images = model._output(np.array([[0.0, 0.0], [-0.25, 1.0]], np.float32))
    # codes = x * 2 + 0.5: (0.5, 0.5) and (0, 2.5)
    assert images.shape == (2, 28, 28)
    np.testing.assert_allclose(images[0], 1 / (1 + np.exp(-0.5)), rtol=1e-6)
    np.testing.assert_allclose(images[1, 0, 0], 0.5, rtol=1e-6)
    np.testing.assert_allclose(images[1, 27, 27], 1 / (1 + np.exp(-2.5)), rtol=1e-6)


def test_generate_answers_the_course_interface_and_trajectories_are_images():
    model = tiny(autoencoder=FakeAutoencoder())
    out = model.generate(3, seed=1)
    assert out.shape == (3, 28, 28) and out.dtype == np.float32
    np.testing.assert_array_equal(out, model.generate(3, seed=1))
    path = model.sample(3, steps=4, sampler="euler", seed=1, return_trajectory=True)
    assert path.shape == (5, 3, 28, 28)


def test_training_lowers_the_loss_on_standardized_codes():
    rng = np.random.default_rng(0)
    codes = rng.normal([3.0, -1.0], [0.5, 2.0], (512, 2)).astype(np.float32)
    model = D.LatentDiffusion(
        D.build_toy_network(2, width=32, depth=2, embed_dim=8),
        code_mean=codes.mean(0),
        code_std=codes.std(0),
        autoencoder=FakeAutoencoder(),
        seed=0,
    )
    z = model.standardize(codes)
    np.testing.assert_allclose(z.mean(0), 0, atol=1e-5)
    np.testing.assert_allclose(z.std(0), 1, atol=1e-4)
    model.compile(optimizer=keras.optimizers.Adam(3e-3))
    loss = model.fit(z, batch_size=64, epochs=8, verbose=0).history["loss"]
    assert loss[-1] < loss[0]


def test_bad_arguments_get_errors_that_name_the_fix(tmp_path):
    net = D.build_toy_network(2, width=8, depth=1, embed_dim=4)
    with pytest.raises(ValueError, match="code_mean=codes.mean"):
        D.LatentDiffusion(net)
    with pytest.raises(ValueError, match="code_std > 0"):
        D.LatentDiffusion(net, code_mean=[0, 0], code_std=[1, 0])
    with pytest.raises(ValueError, match="one length"):
        D.LatentDiffusion(net, code_mean=[0, 0, 0], code_std=[1, 1])
    with pytest.raises(ValueError, match="unknown autoencoder 'gan'"):
        D.LatentDiffusion(net, code_mean=[0, 0], code_std=[1, 1], autoencoder="gan")
    with pytest.raises(ValueError, match=r"build_toy_network\(3"):
        D.LatentDiffusion(net, code_mean=[0, 0, 0], code_std=[1, 1, 1])
    model = tiny(autoencoder=FakeAutoencoder())
    with pytest.raises(ValueError, match="autoencoder='my_vae.keras'"):
        model.save(tmp_path / "never_written.keras")
    assert not (tmp_path / "never_written.keras").exists()


def test_a_model_on_a_saved_vae_keeps_its_path_and_says_when_the_file_is_gone(tmp_path):
    """A latent model built on a learner's own VAE file saves the path, not the VAE's weights; loading
    it decodes through that file again, and a missing file is an error that names the fix."""
    vae_path = tmp_path / "my_vae.keras"
    own = V.VAE(latent_dim=2, seed=0)
    own.generate(1, seed=0)  # builds the networks
    own.save(vae_path)
    model = tiny(autoencoder=vae_path)
    assert model.autoencoder_name == str(vae_path)
    before = model.generate(3, seed=4)
    assert before.shape == (3, 28, 28)
    model.save(tmp_path / "latent.keras")
    assert (tmp_path / "latent.keras").stat().st_size < vae_path.stat().st_size
    again = D.load_diffusion(tmp_path / "latent.keras")
    np.testing.assert_allclose(again.generate(3, seed=4), before, atol=1e-6)
    vae_path.rename(tmp_path / "moved.keras")
    lost = D.load_diffusion(tmp_path / "latent.keras")
    with pytest.raises(FileNotFoundError, match="Fix: put that VAE's .keras file back"):
        lost.generate(1, seed=0)
    with pytest.raises(ValueError, match="the path of a VAE saved as '.keras'"):
        tiny(autoencoder="my_vae.h5")


def test_a_mismatched_autoencoder_is_refused_when_decoding():
    model = tiny(dim=3, autoencoder=FakeAutoencoder())
    with pytest.raises(ValueError, match="autoencoder the model was trained on"):
        model.generate(2, seed=0)


def test_save_load_and_resume_keep_the_codes_statistics_and_the_optimizer(tmp_path):
    model = tiny(D.ConditionalLatentDiffusion, dim=32, autoencoder="vae", guidance=1.5, steps=3)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    z = np.random.default_rng(0).standard_normal((64, 32)).astype(np.float32)
    y = np.arange(64) % 10
    model.fit(z, y, batch_size=32, epochs=1, verbose=0)
    model.save(tmp_path / "latent.keras")
    again = D.load_diffusion(tmp_path / "latent.keras")
    assert type(again) is D.ConditionalLatentDiffusion
    assert again.guidance == 1.5 and again.steps == 3 and again.autoencoder_name == "vae"
    np.testing.assert_allclose(again.code_mean, 0.5)
    np.testing.assert_allclose(again.code_std, 2.0)
    np.testing.assert_array_equal(
        again.generate(4, labels=7, seed=2), model.generate(4, labels=7, seed=2)
    )
    assert int(again.optimizer.iterations) == 2
    again.fit(z, y, batch_size=32, epochs=1, verbose=0)
    assert int(again.optimizer.iterations) == 4
    # the file holds the denoiser and the statistics, not the autoencoder's weights
    assert (tmp_path / "latent.keras").stat().st_size < 200_000


def test_the_shipped_model_is_small_conditional_and_guided_towards_the_label():
    path = ASSET_DIR / D.PRETRAINED["latent"]
    assert path.stat().st_size <= 5_000_000
    model = D.load_pretrained("latent")
    assert isinstance(model, D.ConditionalLatentDiffusion) and model.autoencoder_name == "vae"
    assert model.latent_dim == V.load_pretrained("vae").latent_dim
    sevens = model.generate(20, labels=7, seed=0)
    assert sevens.shape == (20, 28, 28) and 0 <= sevens.min() and sevens.max() <= 1
    from aigc_helpers import metrics

    assert (metrics.predict_proba(sevens).argmax(1) == 7).mean() >= 0.8
    with pytest.raises(ValueError, match="latent"):
        D.load_pretrained("pixels")


def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    return subprocess.run(
        [sys.executable, "-m", "aigc_helpers", "generate", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
        env=env,
    )


def test_cli_generates_guided_digits_from_the_shipped_diffusion_model(tmp_path):
    out = tmp_path / "threes.png"
    r = run_cli(
        "--model", "diffusion", "--n", "8", "--label", "3", "--steps", "5", "--out", str(out)
    )
    assert r.returncode == 0, r.stderr
    assert "label 3" in r.stdout and "5 sampler steps" in r.stdout and out.is_file()
    assert deploy.peek_kind("diffusion") == "diffusion"


@pytest.mark.parametrize(
    "args, words",
    [
        (("--model", "gan", "--steps", "5"), "--model diffusion"),
        (("--model", "diffusion", "--steps", "0"), "--steps must be 1-1000"),
        (("--model", "diffusion", "--steps", "many"), "--steps must be an integer"),
    ],
)
def test_cli_refuses_bad_steps_in_one_line(args, words, tmp_path):
    out = tmp_path / "grid.png"
    r = run_cli(*args, "--out", str(out))
    assert r.returncode == 2, r.stdout
    line = r.stderr.strip()
    assert line.startswith("error: ") and "Fix:" in line and words in line and "\n" not in line
    assert not out.exists()


def test_benchmark_script_chooses_guidance_on_validation_and_reports_seeds(
    tmp_path, real_mnist_path, monkeypatch, capsys
):
    """benchmarks/diffusion.py end to end on a tiny budget: ours trains its own VAE inside its budget,
    the guidance scale is chosen on validation images, the test set is scored once per run, the seeded
    row is the mean over its seeds."""
    import importlib.util
    import json

    from aigc_helpers import data

    path = REPO / "benchmarks" / "diffusion.py"
    spec = importlib.util.spec_from_file_location("bench_diffusion", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    monkeypatch.setenv(data.DATA_DIR_ENV, str(real_mnist_path.parent))
    out = tmp_path / "bench"
    args = ["--minutes", "0.05", "--ae-minutes", "0.02", "--n", "60", "--guidance-n", "40"]
    args += ["--models", "ours,prior,latent_cond"]
    report = bench.main([*args, "--seeds", "0,1", "--out", str(out), "--verbose", "0"])
    assert json.loads((out / "results.json").read_text()) == report
    assert report["selection"]["validation_n"] == 10000
    ours, prior = report["models"]["ours"], report["models"]["prior"]
    assert [r["seed"] for r in ours["runs"]] == [0, 1] and len(prior["runs"]) == 1
    assert "cfid_sd" in ours and ours["n_seeds"] == 2
    for run in ours["runs"]:
        figures = run["val_cfid_by_guidance"]
        assert set(figures) == {str(g) for g in bench.GUIDANCE_GRID}
        assert figures[str(run["guidance"])] == min(figures.values())  # chosen on validation
        assert {"val_cfid", "cfid", "coverage_kl", "memorization_ratio", "nfe"} <= set(run)
        # its own VAE trained first, inside the budget: the flow got what was left
        assert 0 < run["autoencoder"]["train_seconds"] <= run["build_seconds"]
        left = max(0.05 * 60 - run["build_seconds"], 0.05 * 60)  # the flow's time (3 s at least)
        assert run["flow_budget_seconds"] == pytest.approx(left, abs=0.1)
        assert 0 < run["decoder_memorization_ratio"]
    assert "decoder_memorization_ratio" in prior["runs"][0]
    assert report["ratios"]["memorization_ours_over_decoder"] == pytest.approx(
        ours["memorization_ratio"] / ours["decoder_memorization_ratio"], rel=1e-3
    )
    samples = np.load(out / "samples_ours_s1.npy")
    assert samples.shape == (60, 28, 28) and samples.dtype == np.uint8
    saved = D.load_diffusion(out / "ours.keras")  # decodes with the VAE saved beside it
    assert saved.num_classes == bench.CLUSTERS
    assert saved.autoencoder_name == str(out / "ours_autoencoder.keras")
    assert saved.generate(2, labels=[0, 1], seed=0).shape == (2, 28, 28)
    # a flow over the shipped VAE names it (not a file of this run), so its shipped copy loads anywhere
    assert D.load_diffusion(out / "latent_cond.keras").autoencoder_name == "vae"
    with pytest.raises(SystemExit):  # no time left for the flow
        bench.main(["--minutes", "0.05", "--ae-minutes", "0.05", "--models", "ours"])
    assert "leaves no time for ours's flow" in capsys.readouterr().err
    assert "ours cfid <= 10" in report["targets_met"]
    # the prior bar compares a flow with its own VAE's samples: not ours's, which has its own VAE
    assert "ours cfid <= prior cfid / 2" not in report["targets_met"]
    again = bench.main([*args[:-1], "prior", "--merge", "--out", str(out), "--verbose", "0"])
    assert (
        again["models"]["ours"]["cfid"] == ours["cfid"]
        and "measured_with" in again["models"]["ours"]
    )
    assert set(again["models"]) == {"ours", "prior", "latent_cond"}
    with pytest.raises(SystemExit):  # another --n would mix incomparable rows
        bench.main(
            ["--minutes", "0.05", "--n", "70", "--models", "prior", "--merge", "--out", str(out)]
        )
    ref = bench.main(
        ["--minutes", "0.05", "--n", "60", "--models", "reference", "--merge"]
        + ["--out", str(out), "--verbose", "0"]
    )
    assert ref["models"]["reference"]["runs"][0]["nfe"] == bench.STEPS  # DDIM: one pass per step
    assert ref["ratios"]["cfid_ours_over_reference"] == pytest.approx(
        ours["cfid"] / ref["models"]["reference"]["cfid"], rel=1e-3
    )
    assert "ours cfid <= reference cfid / 2" in ref["targets_met"]
    assert np.load(out / "samples_reference_s0.npy").shape == (60, 28, 28)
    pixel = bench.main(
        ["--minutes", "0.05", "--n", "60", "--val-samples", "40", "--models", "pixel_eps"]
        + ["--merge", "--out", str(out), "--verbose", "0"]
    )["models"]["pixel_eps"]["runs"][0]
    figures = pixel["val_cfid_by_steps"]  # DDIM's step count, chosen on validation
    assert set(figures) == {str(k) for k in bench.PIXEL_STEPS["eps"]}
    assert figures[str(pixel["steps"])] == min(figures.values())
    assert pixel["sampler"] == "ddim" and pixel["nfe"] == pixel["steps"]
    assert pixel["params"] == D.build_unet().count_params()  # notebook 17's network
    assert D.load_diffusion(out / "pixel_eps.keras").steps == pixel["steps"]
    weights = np.array([0.7, 0.2, 0.1])
    drawn = bench.sample_labels(weights, 20_000, seed=0)
    np.testing.assert_allclose(np.bincount(drawn) / len(drawn), weights, atol=0.01)
    assert bench.sample_labels(None, 5, seed=0) is None


def load_reference_module():
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import keras_io_ddim
    finally:
        sys.path.pop(0)
    return keras_io_ddim


def test_reference_schedule_runs_from_max_to_min_signal_on_the_unit_circle():
    """keras-io's offset cosine schedule by hand: signal 0.95 at t = 0, 0.02 at t = 1, and
    signal^2 + noise^2 = 1 in between (the angle is linear in t)."""
    K = load_reference_module()
    t = np.array([0.0, 0.5, 1.0], np.float32)
    signal, noise = (np.asarray(v) for v in K.schedule(t))
    np.testing.assert_allclose(signal[[0, 2]], [0.95, 0.02], atol=1e-6)
    np.testing.assert_allclose(signal**2 + noise**2, 1.0, atol=1e-6)
    mid = (np.arccos(0.95) + np.arccos(0.02)) / 2
    np.testing.assert_allclose([signal[1], noise[1]], [np.cos(mid), np.sin(mid)], atol=1e-6)


def test_reference_model_trains_generates_and_round_trips(tmp_path):
    """The keras-io DDIM re-implementation: its U-Net starts by predicting zero noise, training steps
    keep the noise loss finite, it answers the course's generate interface, and a saved file restores
    the same samples."""
    K = load_reference_module()
    net = K.network()
    x = np.random.default_rng(0).random((4, 28, 28, 1)).astype("float32")
    pred = np.asarray(net([x, np.full((4, 1, 1, 1), 0.5, "float32")]))
    assert pred.shape == (4, 28, 28, 1) and np.all(pred == 0)  # zero-initialized output layer
    images = np.random.default_rng(1).integers(0, 256, (256, 28, 28), dtype=np.uint8)
    model, ds = K.build(images, seed=0, steps=3)
    assert model.mean == pytest.approx(images.mean() / 255, rel=1e-5)
    history = model.fit(ds.repeat(8), epochs=1, verbose=0)
    assert np.isfinite(history.history["noise_loss"][-1])
    out = model.generate(5, seed=0)
    assert out.shape == (5, 28, 28) and out.dtype == np.float32 and 0 <= out.min() <= out.max() <= 1
    with pytest.raises(ValueError, match="unconditional"):
        model.generate(2, labels=3)
    model.save(tmp_path / "ref.keras")
    again = keras.saving.load_model(tmp_path / "ref.keras")
    assert again.steps == 3
    np.testing.assert_allclose(again.generate(5, seed=0), out, atol=1e-5)


def test_posterior_draws_for_the_flow_have_the_stated_statistics():
    """--codes sample: latent_codes gives the posteriors' log-variances too, and the benchmark's dataset
    draws fresh codes every pass, standardized by mean(mu) and sqrt(var(mu) + mean(sigma^2))."""
    import importlib.util

    x = np.random.default_rng(0).random((600, 28, 28)).astype(np.float32)
    means, log_vars = D.latent_codes(FakeAutoencoder(), x, batch_size=256, log_var=True)
    np.testing.assert_array_equal(means, D.latent_codes(FakeAutoencoder(), x, batch_size=256))
    assert log_vars.shape == means.shape and np.all(log_vars == 0)

    spec = importlib.util.spec_from_file_location(
        "bench_diffusion", REPO / "benchmarks" / "diffusion.py"
    )
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    rng = np.random.default_rng(1)
    codes = (1.0 + 2.0 * rng.standard_normal((4096, 3))).astype(np.float32)
    log_vars = np.full_like(codes, np.log(0.25))  # sigma = 0.5
    model, ds = bench.build("latent", codes, None, seed=0, log_vars=log_vars)
    np.testing.assert_allclose(model.code_mean, codes.mean(0), rtol=1e-5)
    np.testing.assert_allclose(model.code_std, np.sqrt(codes.var(0) + 0.25), rtol=1e-5)
    first, second = (np.concatenate(list(ds.as_numpy_iterator())) for _ in range(2))
    assert first.shape == (4096 // bench.BATCH * bench.BATCH, 3)
    np.testing.assert_allclose(first.mean(0), 0.0, atol=0.05)
    np.testing.assert_allclose(first.std(0), 1.0, atol=0.05)
    assert not np.allclose(np.sort(first, 0), np.sort(second, 0))  # a fresh draw every pass
