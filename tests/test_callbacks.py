"""Tests of aigc_helpers.callbacks: snapshots, GIFs, resuming after an interruption, the training monitor.

Tiny models only (a few hundred parameters, a few steps): the whole file runs in seconds.
"""

from __future__ import annotations

import math
import warnings

import keras
import numpy as np
import pytest

from aigc_helpers import callbacks as C
from aigc_helpers import config, images

LATENT = 4


class TinyGenerator(keras.Model):
    """A 'GAN' with only a generator + latent_dim (no generate method), trained to move its output."""

    def __init__(self, latent_dim: int = LATENT, **kwargs):
        super().__init__(**kwargs)
        self.latent_dim = latent_dim
        self.generator = keras.Sequential(
            [
                keras.Input((latent_dim,)),
                keras.layers.Dense(28 * 28, activation="tanh"),
                keras.layers.Reshape((28, 28, 1)),
            ]
        )
        self.loss_tracker = keras.metrics.Mean(name="d_loss")

    @property
    def metrics(self):
        return [self.loss_tracker]

    def call(self, z, training=False):
        return self.generator(z, training=training)

    def train_step(self, data):
        import tensorflow as tf

        z = tf.random.normal((tf.shape(data)[0], self.latent_dim), seed=1)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(self.generator(z, training=True) - 0.5))
        grads = tape.gradient(loss, self.generator.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.generator.trainable_variables, strict=True))
        self.loss_tracker.update_state(loss)
        return {"d_loss": self.loss_tracker.result()}


class GenerateModel(TinyGenerator):
    """Same, with the course's generation interface: generate(n, labels, seed) -> (n, 28, 28) in [0, 1].
    Records the noise of every call."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.noises: list[np.ndarray] = []

    def generate(self, n: int, labels=None, seed: int | None = None) -> np.ndarray:
        z = np.random.default_rng(seed).standard_normal((n, self.latent_dim)).astype("float32")
        self.noises.append(z)
        return images.from_tanh(np.asarray(self.generator(z, training=False)))


def fresh(cls=TinyGenerator, lr: float = 0.05):
    config.set_seed(0)
    model = cls()
    model.compile(optimizer=keras.optimizers.Adam(lr))
    model.build((None, LATENT))
    return model


def dummy_data(steps: int = 4, batch: int = 8) -> np.ndarray:
    return np.zeros((steps * batch, LATENT), np.float32)


# --------------------------------------------------------------------------- snapshots and GIFs


def test_snapshots_per_epoch_with_identical_noise(tmp_path):
    model = fresh(GenerateModel)
    snaps = C.SampleSnapshots(n=9, seed=3, folder=tmp_path / "frames", at_start=True)
    model.fit(dummy_data(), epochs=3, batch_size=8, verbose=0, callbacks=[snaps])
    assert snaps.epochs == [0, 1, 2, 3]
    assert len(snaps.frames) == len(snaps.samples) == 4
    assert all(np.array_equal(z, model.noises[0]) for z in model.noises)  # one fixed noise batch
    assert snaps.frames[0].dtype == np.uint8 and snaps.frames[0].ndim == 2
    # 3 x 3 grid of 28-pixel cells with 2-pixel gaps, doubled by scale=2
    assert snaps.frames[0].shape == (2 * (3 * 30 + 2),) * 2
    assert not np.array_equal(snaps.frames[0], snaps.frames[-1])  # the generator learned
    assert [p.name for p in snaps.paths] == [f"epoch_{e:03d}.png" for e in range(4)]
    assert all(p.is_file() for p in snaps.paths)


def test_bare_tanh_generator_through_sample_fn_and_value_range():
    model = fresh(TinyGenerator, lr=0.0)  # no generate(); weights never change ...
    with pytest.raises(ValueError, match=r"no generate\(n, seed=\.\.\.\).*Fix: pass sample_fn="):
        model.fit(dummy_data(), epochs=1, batch_size=8, verbose=0, callbacks=[C.SampleSnapshots()])
    z = np.random.default_rng(0).standard_normal((4, LATENT)).astype("float32")
    raw = lambda: model.generator(z, training=False)  # noqa: E731 -- tanh outputs in [-1, 1]
    snaps = C.SampleSnapshots(n=4, every=2, sample_fn=raw, value_range=(-1, 1))
    model.fit(dummy_data(), epochs=4, batch_size=8, verbose=0, callbacks=[snaps])
    assert snaps.epochs == [2, 4]
    np.testing.assert_array_equal(snaps.frames[0], snaps.frames[1])  # ... so same noise, same frame
    # (x + 1) / 2, nothing guessed
    expected = images.tile(images.from_tanh(np.asarray(raw())), scale=2)
    np.testing.assert_array_equal(snaps.frames[0], expected)
    # without the value_range the same samples are refused, with the conversion to use
    with pytest.raises(ValueError, match=r"images\.from_tanh"):
        C.SampleSnapshots(sample_fn=raw).snapshot(1)


class Interface:
    """The course's generation interface and nothing else: images in [0, 1] from a seeded noise batch."""

    def __init__(self):
        self.calls: list[tuple[int, object]] = []

    def generate(self, n, labels=None, seed=None):
        self.calls.append((n, seed))
        return np.random.default_rng(seed).random((n, 28, 28)).astype(np.float32)


def test_make_sampler_uses_generate_with_one_fixed_seed():
    model = Interface()
    sample = C.make_sampler(model, n=5, seed=7)
    first, second = sample(), sample()
    assert first.shape == (5, 28, 28)
    np.testing.assert_array_equal(first, second)  # the same noise batch at every call
    assert model.calls == [(5, 7), (5, 7)]


def test_make_sampler_refuses_models_without_generate():
    class DecodeOnly:  # the old VAE-style branch (decode + latent_dim) is gone: one interface
        latent_dim = 2

        def decode(self, z):
            return np.zeros((len(z), 28, 28))

    for model in (object(), DecodeOnly(), fresh()):
        with pytest.raises(ValueError, match=r"Cannot sample from a \w+.*Fix: pass sample_fn="):
            C.make_sampler(model)
    with pytest.raises(ValueError, match="positive integer"):
        C.make_sampler(Interface(), n=0)


def test_gif_written_and_readable(tmp_path):
    import imageio.v2 as imageio

    frames = [np.full((10, 12), v, np.uint8) for v in (0, 100, 200)]
    path = C.make_gif(frames, tmp_path / "out" / "train.gif", fps=4, hold_last=2)
    assert path.is_file()
    read = imageio.mimread(path)
    assert len(read) == 3
    assert np.asarray(read[0]).shape[:2] == (10, 12)
    assert abs(int(np.asarray(read[2])[..., 0].mean()) - 200) <= 2
    from PIL import Image

    with Image.open(path) as gif:
        assert gif.n_frames == 3
        gif.seek(2)
        # the last frame is held for 2 extra frame times
        assert gif.info["duration"] == pytest.approx(250 * 3, abs=10)
    with pytest.raises(ValueError, match="No frames"):
        C.make_gif([], tmp_path / "empty.gif")
    with pytest.raises(ValueError, match="same shape"):
        C.make_gif([frames[0], np.zeros((3, 3), np.uint8)], tmp_path / "bad.gif")


def test_snapshot_pixel_ranges_follow_the_one_rule():
    unit = np.random.default_rng(0).random((4, 28, 28)).astype(np.float32)
    as_uint8 = images.to_uint8(unit)
    frames = [C.SampleSnapshots(n=4, sample_fn=lambda x=x: x).snapshot(1) for x in (unit, as_uint8)]
    np.testing.assert_array_equal(frames[0], frames[1])  # uint8 and [0, 1]: the same picture
    assert frames[0].max() > 200 and frames[0][:4].max() == 0  # real contrast; black padding
    for bad in (unit * 255.0, unit * 2.0 - 1.0):  # 0..255 floats and tanh floats are never guessed
        with pytest.raises(ValueError, match="must lie in \\[0, 1\\].*Fix:"):
            C.SampleSnapshots(sample_fn=lambda b=bad: b).snapshot(1)
    points = C.SampleSnapshots(sample_fn=lambda: np.zeros((5, 2)))
    assert points.snapshot(1).shape == (5, 2) and points.frames == []  # toy points: samples only
    # one tiling and one pixel-range rule, both in aigc_helpers.images
    assert not any(hasattr(C, name) for name in ("tile", "to_unit_range", "guess_range"))
    with pytest.raises(ValueError, match="every"):
        C.SampleSnapshots(every=0)
    for bad in ((1, -1), (0,), "01", (0, float("nan"))):
        with pytest.raises(ValueError, match="value_range"):
            C.SampleSnapshots(value_range=bad)


# --------------------------------------------------------------------------- resuming after an interruption


def test_resume_after_interruption_continues_at_right_epoch(tmp_path):
    folder = tmp_path / "ckpt"
    first = fresh()
    with pytest.raises(C.TrainingInterrupted, match="after 2 epoch"):
        first.fit(
            dummy_data(steps=4),
            epochs=5,
            batch_size=8,
            verbose=0,
            callbacks=[C.Interrupt(after_epochs=2), C.backup_and_restore(folder)],  # any order
        )
    assert C.checkpoint_epoch(folder) == 2
    assert int(first.optimizer.iterations) == 8
    saved = first.get_weights()

    resumed = fresh()  # a new process would start from scratch like this
    history = resumed.fit(
        dummy_data(steps=4),
        epochs=5,
        batch_size=8,
        verbose=0,
        callbacks=[C.backup_and_restore(folder)],
    )
    assert history.epoch == [2, 3, 4]  # only the missing epochs run
    # 5 epochs x 4 steps, as without the interruption
    assert int(resumed.optimizer.iterations) == 20
    assert not folder.exists()  # checkpoint deleted after a finished fit
    assert not all(np.array_equal(a, b) for a, b in zip(saved, resumed.get_weights(), strict=True))


def test_interrupt_and_backup_arguments():
    with pytest.raises(ValueError, match="after_epochs"):
        C.Interrupt(after_epochs=0)
    with pytest.raises(ValueError, match="save_freq"):
        C.backup_and_restore("x", save_freq=0)
    assert C.checkpoint_epoch("/nonexistent/folder") is None


# --------------------------------------------------------------------------- the training monitor


@pytest.mark.parametrize("d_loss", [float("nan"), float("inf"), 0.0, 1e-5])
def test_monitor_warns_on_nan_or_zero_d_loss(d_loss):
    monitor = C.TrainingMonitor(check_coverage=False)
    with pytest.warns(C.InstabilityWarning) as record:
        events = monitor.check_logs({"d_loss": d_loss, "g_loss": 9.0}, epoch=3)
    assert len(events) == 1 and events[0]["epoch"] == 3
    assert monitor.events == events
    text = str(record[0].message)
    if math.isfinite(d_loss):
        assert events[0]["kind"] == "d_loss_zero"
        assert "learning rate" in text and "label smoothing" in text
    else:
        assert events[0]["kind"] == "d_loss_nan"
        assert "diverged" in text and "R1" in text


def test_monitor_quiet_on_healthy_loss():
    monitor = C.TrainingMonitor(check_coverage=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert monitor.check_logs({"d_loss": 0.6}) == []
        assert monitor.check_logs({"loss": 0.0}) == []  # no d_loss key: nothing to judge


def test_monitor_stops_a_diverged_fit():
    class NanLoss(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["d_loss"] = float("nan")

    model = fresh()
    monitor = C.TrainingMonitor(check_coverage=False)
    with pytest.warns(C.InstabilityWarning, match="diverged"):
        history = model.fit(
            dummy_data(), epochs=5, batch_size=8, verbose=0, callbacks=[NanLoss(), monitor]
        )
    assert history.epoch == [0]  # stopped after the first NaN
    assert [e["kind"] for e in monitor.events] == ["d_loss_nan"]


@pytest.fixture(scope="module")
def mnist():
    from aigc_helpers import data

    return data.load_mnist()


def test_monitor_warns_on_collapsed_samples(mnist):
    ones = mnist.x_test[mnist.y_test == 1][:300]  # all one digit: total collapse
    mixed = mnist.x_test[:300]
    monitor = C.TrainingMonitor(collapse_kl=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert monitor.check_samples(mixed, epoch=1) < 0.1
    with pytest.warns(C.ModeCollapseWarning, match="mode collapse") as record:
        kl = monitor.check_samples(ones, epoch=2)
    assert kl == pytest.approx(math.log(10), abs=0.05)
    assert "1: 10" in str(record[0].message) or "1: 9" in str(record[0].message)  # names the digit
    # the advice leads with the remedy the course measured, and names helpers that exist
    from aigc_helpers import gan

    advice = str(record[0].message)
    assert "gan.SelfConditionedGAN" in advice and "gan.cluster_labels" in advice
    assert callable(gan.SelfConditionedGAN) and callable(gan.cluster_labels)
    assert [e["kind"] for e in monitor.events] == ["mode_collapse"]
    assert monitor.events[0]["epoch"] == 2
    # still collapsed but not worse: no repeated warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        monitor.check_samples(ones, epoch=3)
    # tanh-range input is refused with the conversion to use, and understood with its value_range
    gan_range = ones.astype(np.float32) / 127.5 - 1.0
    with pytest.raises(ValueError, match=r"images\.from_tanh"):
        C.TrainingMonitor().check_samples(gan_range)
    with pytest.warns(C.ModeCollapseWarning):
        C.TrainingMonitor(value_range=(-1, 1)).check_samples(gan_range)


def test_monitor_inside_fit_checks_coverage_of_samples(mnist):
    ones = mnist.x_test[mnist.y_test == 1][:200]
    model = fresh()
    monitor = C.TrainingMonitor(sample_fn=lambda: ones, collapse_kl=0.5)
    with pytest.warns(C.ModeCollapseWarning):
        model.fit(dummy_data(), epochs=2, batch_size=8, verbose=0, callbacks=[monitor])
    assert monitor.history["epoch"] == [1, 2]
    assert monitor.history["coverage_kl"][0] == pytest.approx(math.log(10), abs=0.05)
    # warned once: the KL stayed high but did not rise
    assert [e["epoch"] for e in monitor.events if e["kind"] == "mode_collapse"] == [1]


def test_monitor_with_course_gan(mnist):
    from aigc_helpers import data
    from aigc_helpers import gan as G

    config.set_seed(0)
    g = keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(784, activation="tanh"),
            keras.layers.Reshape((28, 28, 1)),
        ]
    )
    d = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    model = G.GAN(g, d, seed=0)
    model.compile(d_optimizer=keras.optimizers.Adam(1e-3), g_optimizer=keras.optimizers.Adam(1e-3))
    ds = data.gan_dataset(mnist.x_train[:256], batch_size=64)
    snaps = C.SampleSnapshots(n=4)
    monitor = C.TrainingMonitor(n=100)
    with warnings.catch_warnings():
        # an untrained GAN may well look collapsed
        warnings.simplefilter("ignore", C.TrainingWarning)
        model.fit(ds, epochs=2, verbose=0, callbacks=[snaps, monitor])
    assert snaps.epochs == [1, 2] and len(snaps.frames) == 2
    assert len(monitor.history["coverage_kl"]) == 2
    assert all(
        kl is not None and 0 <= kl <= math.log(10) + 1e-6 for kl in monitor.history["coverage_kl"]
    )


def test_snapshots_and_monitor_follow_the_model_across_a_resume(tmp_path):
    folder = tmp_path / "ckpt"
    snaps = C.SampleSnapshots(n=4, seed=0)
    monitor = C.TrainingMonitor(n=20)
    first = fresh(GenerateModel)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", C.TrainingWarning)
        with pytest.raises(C.TrainingInterrupted):
            first.fit(
                dummy_data(),
                epochs=4,
                batch_size=8,
                verbose=0,
                callbacks=[snaps, monitor, C.backup_and_restore(folder), C.Interrupt(2)],
            )
        second = fresh(GenerateModel)  # a new object, as after a restart
        second.fit(
            dummy_data(),
            epochs=4,
            batch_size=8,
            verbose=0,
            callbacks=[snaps, monitor, C.backup_and_restore(folder)],
        )
    assert snaps.epochs == [1, 2, 3, 4]
    assert monitor.history["epoch"] == [1, 2, 3, 4]
    # epochs 3 and 4 were drawn from the resumed model: one snapshot + one monitor sample per epoch
    assert len(first.noises) == 4 and len(second.noises) == 4


def _tiny_regression():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    return model, np.zeros((640, 4), "float32"), np.zeros((640, 1), "float32")


@pytest.mark.parametrize("verbose", [1, 2])
def test_time_budget_progress_bar_shows_the_steps_really_run(capsys, verbose):
    """Keras fills its bar to the epoch's length (20/20) even when a callback stopped the epoch after
    one step; the budget's bar ends at 1/20, and it is the only bar (Keras adds none of its own)."""
    model, x, y = _tiny_regression()
    budget = C.TimeBudget(minutes=1e-9)  # spent after the first batch
    model.fit(x, y, batch_size=32, epochs=3, callbacks=[budget], verbose=verbose)
    out = capsys.readouterr().out
    assert budget.stopped_early and budget.batches == 1
    assert out.count("Epoch 1/3") == 1 and "Epoch 2/3" not in out
    if verbose == 1:
        assert "1/20" in out and "20/20" not in out
    # verbose=2 prints one line per epoch and no step counter, as Keras' own bar does
    assert "loss" in out


def test_time_budget_is_silent_with_verbose_0_and_full_when_not_stopped(capsys):
    model, x, y = _tiny_regression()
    model.fit(x, y, batch_size=32, epochs=1, callbacks=[C.TimeBudget(minutes=1e-9)], verbose=0)
    assert capsys.readouterr().out == ""
    budget = C.TimeBudget(minutes=10)
    model.fit(x, y, batch_size=32, epochs=1, callbacks=[budget], verbose=1)
    out = capsys.readouterr().out
    assert not budget.stopped_early and budget.batches == 20 and "20/20" in out
