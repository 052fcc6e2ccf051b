"""Tests of aigc_helpers.metrics: the formulas on hand-made inputs, then the shipped evaluator on MNIST."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy import linalg

from aigc_helpers import metrics as M

# --------------------------------------------------------------------------- Fréchet distance


def test_frechet_distance_by_hand():
    # Four points at (±1, 0), (0, ±1): mean 0, unbiased covariance (2/3) I.
    a = np.array([[1.0, 0], [-1, 0], [0, 1], [0, -1]])
    # Scaled by 2 and shifted by (3, 4): mean (3, 4), covariance (8/3) I.
    b = 2 * a + [3.0, 4.0]
    # |mu1 - mu2|^2 = 25; tr(S1 + S2 - 2 sqrt(S1 S2)) = 2 * (2/3 + 8/3 - 2 * 4/3) = 4/3
    assert M.frechet_distance(a, b) == pytest.approx(25 + 4 / 3, abs=1e-9)
    assert M.frechet_distance(a, a + [3.0, 4.0]) == pytest.approx(25.0, abs=1e-9)


def test_frechet_distance_zero_for_identical_sets():
    f = np.random.default_rng(0).normal(size=(500, 16))
    assert M.frechet_distance(f, f) == pytest.approx(0.0, abs=1e-8)


def test_frechet_distance_matches_scipy_sqrtm_formula():
    rng = np.random.default_rng(1)
    # correlated, non-commuting covariances
    f1 = rng.normal(size=(300, 5)) @ rng.normal(size=(5, 5))
    f2 = rng.normal(size=(400, 5)) @ rng.normal(size=(5, 5)) + 0.5
    m1, m2 = f1.mean(0), f2.mean(0)
    s1, s2 = np.cov(f1, rowvar=False), np.cov(f2, rowvar=False)
    expected = np.sum((m1 - m2) ** 2) + np.trace(s1 + s2 - 2 * linalg.sqrtm(s1 @ s2).real)
    assert M.frechet_distance(f1, f2) == pytest.approx(expected, rel=1e-6)


def test_frechet_distance_bad_inputs():
    with pytest.raises(ValueError, match="2-D array"):
        M.frechet_distance(np.zeros((4, 28, 28)), np.zeros((4, 28, 28)))
    with pytest.raises(ValueError, match="at least 2"):
        M.frechet_distance(np.zeros((1, 3)), np.zeros((5, 3)))
    with pytest.raises(ValueError, match="same feature extractor"):
        M.frechet_distance(np.zeros((5, 3)), np.zeros((5, 4)))


def test_frechet_from_stats_of_one_dimensional_gaussians():
    # two 1-D Gaussians: d^2 = (mu1 - mu2)^2 + (s1 - s2)^2
    for mu1, s1, mu2, s2 in [(0.0, 1.0, 3.0, 2.0), (-1.5, 0.3, 2.5, 4.0), (7.0, 2.0, 7.0, 2.0)]:
        expected = (mu1 - mu2) ** 2 + (s1 - s2) ** 2
        got = M.frechet_from_stats(np.array([mu1]), np.array([[s1**2]]), np.array([mu2]), [[s2**2]])
        assert got == pytest.approx(expected, rel=1e-9, abs=1e-12)
    # diagonal covariances: the sum over independent axes
    d = M.frechet_from_stats(np.zeros(2), np.diag([1.0, 9.0]), np.ones(2), np.diag([4.0, 1.0]))
    assert d == pytest.approx(2 + (1 - 2) ** 2 + (3 - 1) ** 2)
    with pytest.raises(ValueError, match="same size"):
        M.frechet_from_stats(np.zeros(2), np.eye(2), np.zeros(3), np.eye(3))


def test_frechet_is_robust_for_singular_covariances():
    rng = np.random.default_rng(2)
    f = rng.normal(size=(50, 3)) @ np.array([[1.0, 2, 3], [0, 0, 0], [1, 1, 1]])  # rank 2
    assert M.frechet_distance(f, f) == pytest.approx(0.0, abs=1e-9)
    assert M.frechet_distance(f, f + 1.0) == pytest.approx(3.0, rel=1e-6)


def test_nearest_neighbours_against_brute_force_for_any_chunking():
    rng = np.random.default_rng(3)
    q, pool = rng.normal(size=(37, 5)), rng.normal(size=(101, 5))
    brute = np.sqrt(((q[:, None, :] - pool[None]) ** 2).sum(-1))
    for chunk, pool_chunk in [(500, 60_000), (1, 1), (7, 13)]:
        d, idx = M.nearest_neighbours(q, pool, chunk=chunk, pool_chunk=pool_chunk)
        np.testing.assert_array_equal(idx, brute.argmin(axis=1))
        np.testing.assert_allclose(d, brute.min(axis=1), rtol=1e-9)
    tie = M.nearest_neighbours(np.zeros((1, 1)), np.array([[1.0], [-1.0], [1.0]]), pool_chunk=1)
    assert tie[1].tolist() == [0]  # the first of equally near rows
    with pytest.raises(ValueError, match="differ in size"):
        M.nearest_neighbours(q, pool[:, :4])


def test_memorization_search_is_the_shared_nearest_neighbour_function():
    from aigc_helpers import data_scaling

    rng = np.random.default_rng(4)
    images = rng.integers(0, 256, (6, 28, 28), dtype=np.uint8)
    pool = rng.random((40, 28, 28))
    expected = data_scaling.nearest_distance(images / 255.0, pool, chunk=7)
    got, _ = M.nearest_neighbours(M.as_unit_images(images), pool.reshape(40, -1))
    np.testing.assert_allclose(got, expected, rtol=1e-6)


# --------------------------------------------------------------------------- class-based scores


def test_inception_score_extremes():
    # every image sure, all classes equally often
    confident_uniform = np.eye(10)[np.arange(1000) % 10]
    assert M.inception_score_from_probs(confident_uniform) == pytest.approx(10.0)
    constant = np.tile(np.linspace(1, 2, 10) / np.linspace(1, 2, 10).sum(), (50, 1))
    assert M.inception_score_from_probs(constant) == pytest.approx(1.0)
    one_class = np.eye(10)[np.zeros(50, int)]
    assert M.inception_score_from_probs(one_class) == pytest.approx(1.0)


def test_coverage_kl_extremes():
    uniform = np.eye(10)[np.arange(1000) % 10]
    assert M.coverage_kl_from_probs(uniform) == pytest.approx(0.0, abs=1e-12)
    single = np.eye(10)[np.full(100, 7)]
    assert M.coverage_kl_from_probs(single) == pytest.approx(math.log(10))
    two = np.eye(10)[np.arange(100) % 2]  # two classes, half each: KL = log 5
    assert M.coverage_kl_from_probs(two) == pytest.approx(math.log(5))


def test_probabilities_are_checked():
    with pytest.raises(ValueError, match="softmax"):
        M.inception_score_from_probs(np.ones((4, 10)))


# --------------------------------------------------------------------------- precision and recall


def test_knn_radii_by_hand():
    pts = np.array([[0.0], [1], [3], [7]])
    np.testing.assert_allclose(M.knn_radii(pts, k=1), [1, 1, 2, 4])
    np.testing.assert_allclose(M.knn_radii(pts, k=2), [3, 2, 3, 6])
    with pytest.raises(ValueError, match="more than 3 points"):
        M.knn_radii(pts[:3], k=3)


def test_precision_recall_constructed_sets():
    # real points 0, 1, 2, 3 with k=1 radii 1 each: the real balls cover [-1, 4]
    real = np.array([[0.0], [1], [2], [3]])
    # fake points: 0.5 and 1.5 inside, 10 and 11 outside -> precision 1/2. Fake k=1 radii are 1 each,
    # so the fake balls [-0.5, 2.5] and [9, 12] contain the real 0, 1, 2 but not 3 -> recall 3/4.
    fake = np.array([[0.5], [1.5], [10], [11]])
    np.testing.assert_allclose(M.knn_radii(fake, k=1), [1, 1, 1, 1])
    assert M.precision_recall_features(fake, real, k=1) == (0.5, 0.75)
    # the default k=3 (Kynkaanniemi et al.): real radii 3, 2, 2, 3 still miss 10 and 11, while every fake
    # radius is 9.5 or more (the 3rd neighbour is across the gap), so all four real points are covered
    assert M.precision_recall_features(fake, real, k=3) == (0.5, 1.0)


def test_precision_recall_identical_and_disjoint_sets():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(400, 8))
    p, r = M.precision_recall_features(real, real, k=3)
    assert p == 1.0 and r == 1.0
    p, r = M.precision_recall_features(real + 100.0, real, k=3)
    assert p == 0.0 and r == 0.0
    # a collapsed generator: every sample near one real point -> high precision, low recall
    collapsed = real[:1] + rng.normal(scale=1e-3, size=(400, 8))
    p, r = M.precision_recall_features(collapsed, real, k=3)
    assert p == 1.0 and r < 0.05


# --------------------------------------------------------------------------- input checks


@pytest.mark.parametrize(
    "images, match",
    [
        (np.zeros((5, 28, 27)), "shape \\(n, 28, 28\\)"),
        (np.zeros((28, 28)), "add a batch axis"),
        (np.zeros((5, 28, 28, 3)), "shape"),
        (np.full((5, 28, 28), 2.0), "from_tanh|uint8"),
        (np.full((5, 28, 28), -0.5), "images.from_tanh"),
        (np.full((5, 28, 28), 255.0), "astype\\(np.uint8\\)"),
        (np.full((5, 28, 28), np.nan), "NaN"),
        (np.full((5, 28, 28), 300, np.int32), "outside 0..255"),
    ],
)
def test_bad_images_raise_with_a_fix(images, match):
    with pytest.raises(ValueError, match=match):
        M.as_unit_images(images)


def test_image_formats_agree():
    rng = np.random.default_rng(0)
    u8 = rng.integers(0, 256, (3, 28, 28), dtype=np.uint8)
    a = M.as_unit_images(u8)
    b = M.as_unit_images(u8[..., None].astype(np.float32) / 255.0)
    assert a.shape == b.shape == (3, 28, 28, 1)
    np.testing.assert_allclose(a, b, atol=1e-7)


def test_too_few_samples_raise():
    with pytest.raises(ValueError, match="too few.*Fix: generate more samples"):
        M.cfid(np.zeros((3, 28, 28), np.uint8))
    with pytest.raises(ValueError, match="too few"):
        M.evaluate(np.zeros((5, 28, 28), np.uint8))
    with pytest.raises(ValueError, match="unknown reference 'validation'.*'test', 'train'"):
        M.cfid(np.zeros((20, 28, 28), np.uint8), reference="validation")


# --------------------------------------------------------------------------- the shipped evaluator


@pytest.fixture(scope="module")
def mnist():
    from aigc_helpers import data

    return data.load_mnist()


def test_evaluator_asset_is_small():
    assert M.ASSET.is_file()
    assert M.ASSET.stat().st_size <= 2 * 1024 * 1024


def test_evaluator_accuracy_on_full_test_set(mnist):
    probs = M.predict_proba(mnist.x_test)
    assert probs.shape == (10_000, 10)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-6)
    accuracy = np.mean(probs.argmax(axis=1) == mnist.y_test)
    assert accuracy >= 0.99, accuracy


def test_features_shape_and_determinism(mnist):
    f = M.features(mnist.x_test[:50])
    assert f.shape == (50, M.FEATURE_DIM) and f.dtype == np.float32
    np.testing.assert_array_equal(f, M.features(mnist.x_test[:50, :, :, None]))


def test_cfid_floor_small_positive_and_below_a_bad_sample(mnist):
    floor = M.cfid_floor()
    assert 0 < floor < 1.0, floor
    assert M.cfid_floor() == floor  # cached
    shuffled = np.random.default_rng(0).permuted(mnist.x_test[:1000].reshape(1000, -1), axis=1)
    assert M.cfid(shuffled.reshape(-1, 28, 28)) > 50 * floor  # pixel noise is far from digits


def test_real_digits_score_well(mnist):
    x = mnist.x_train[:2000]
    assert M.inception_score(x) > 9.0
    assert M.class_coverage_kl(x) < 0.02
    precision, recall = M.precision_recall(x)
    assert precision > 0.6 and recall > 0.6
    hist = M.class_histogram(x)
    assert hist.shape == (10,) and hist.sum() == pytest.approx(1.0)


def test_nearest_train_holds_only_the_training_rows_it_was_asked_for(mnist):
    """A search over a prefix caches only that prefix as floats; a later search over more rows (or
    all) extends the cache and finds the same neighbours as a search from scratch."""
    from aigc_helpers.metrics.evaluator import _STATE

    _STATE.pop("train_pixels", None)
    queries = mnist.x_train[[5, 250, 999]]
    d_small, i_small = M.nearest_train(queries, n_train=1000)
    assert len(_STATE["train_pixels"][0]) == 1000
    assert i_small.tolist() == [5, 250, 999] and np.allclose(
        d_small, 0.0, atol=0.02
    )  # float32 rounding
    d_all, i_all = M.nearest_train(mnist.x_test[:20])
    assert len(_STATE["train_pixels"][0]) == len(mnist.x_train)
    again = M.nearest_train(mnist.x_test[:20], n_train=1000)  # served from the full cache
    pool = mnist.x_train.reshape(-1, 784) / 255.0
    brute = np.sqrt(
        ((mnist.x_test[:20].reshape(-1, 784)[:, None] / 255.0 - pool[None]) ** 2).sum(-1)
    )
    np.testing.assert_array_equal(i_all, brute.argmin(1))
    np.testing.assert_allclose(d_all, brute.min(1), rtol=1e-4)
    np.testing.assert_array_equal(again[1], brute[:, :1000].argmin(1))


def test_memorization_flags_copies_of_training_images(mnist):
    copies = mnist.x_train[:200]
    res = M.memorization(copies)
    assert res["sample_median"] == pytest.approx(0.0, abs=1e-3)
    assert res["ratio"] < 0.05
    assert res["copy_fraction"] == 1.0
    np.testing.assert_array_equal(res["nearest"][:10], np.arange(10))
    np.testing.assert_array_equal(res["sample_index"], np.arange(200))
    sub = M.memorization(mnist.x_train[:300], max_samples=50)
    assert len(sub["distances"]) == 50
    np.testing.assert_array_equal(sub["nearest"], sub["sample_index"])  # each copy finds itself
    fresh = M.memorization(mnist.x_test[5000:5200])  # unseen digits: healthy
    assert 0.8 < fresh["ratio"] < 1.25
    assert fresh["copy_fraction"] < 0.1
    # lightly perturbed copies are still caught
    noisy = np.clip(
        copies.astype(int) + np.random.default_rng(0).integers(-20, 21, copies.shape), 0, 255
    )
    assert M.memorization(noisy.astype(np.uint8))["copy_fraction"] > 0.9


def test_evaluate_returns_all_keys(mnist):
    scores = M.evaluate(mnist.x_test[:500])
    for key in (
        "cfid",
        "inception_score",
        "coverage_kl",
        "precision",
        "recall",
        "memorization_ratio",
    ):
        assert key in scores and math.isfinite(scores[key]), key
    assert scores["n_samples"] == 500
    assert all(isinstance(v, (int, float)) for v in scores.values())  # one table row per model
    # tanh-range floats must be converted by the caller: the error says how
    with pytest.raises(ValueError, match="images.from_tanh"):
        M.evaluate(mnist.x_test[:500].astype(np.float32) / 127.5 - 1.0)


def test_detector_separates_easy_fakes_but_not_real_from_real(mnist):
    real = mnist.x_test[:600]
    noise = np.random.default_rng(0).permuted(mnist.x_test[600:1200].reshape(600, -1), axis=1)
    easy = M.train_detector(real, noise.reshape(-1, 28, 28), epochs=2, seed=0)
    assert easy["accuracy"] > 0.95
    assert easy["n_test"] == 300 and easy["n_train"] == 900
    same = M.train_detector(real, mnist.x_test[1200:1800], epochs=2, seed=0)
    assert 0.3 < same["accuracy"] < 0.7  # two sets of real digits: a coin flip
    again = M.detector_accuracy(
        easy["model"], real=mnist.x_test[2000:2100], fake=noise[:100].reshape(-1, 28, 28)
    )
    assert again["accuracy"] > 0.95 and set(again) == {"real_accuracy", "fake_accuracy", "accuracy"}
    with pytest.raises(ValueError, match="real=, fake="):
        M.detector_accuracy(easy["model"])


def test_train_evaluator_is_a_course_cli_subcommand(capsys, monkeypatch):
    from aigc_helpers import cli
    from aigc_helpers.metrics import evaluator

    args = cli.build_parser().parse_args(
        ["train-evaluator", "--epochs", "2", "--seed", "1", "--batch-size", "64"]
        + ["--out", "ev.keras", "--verbose", "0"]
    )
    assert (args.epochs, args.seed, args.batch_size, args.verbose) == (2, 1, 64, 0)
    assert str(args.out) == "ev.keras"
    defaults = cli.build_parser().parse_args(["train-evaluator"])
    assert (defaults.epochs, defaults.seed, defaults.batch_size, defaults.verbose) == (5, 0, 128, 2)

    def must_not_train(*a, **k):
        raise AssertionError("bad arguments must fail before training")

    monkeypatch.setattr(evaluator, "train_and_report", must_not_train)
    assert cli.main(["train-evaluator", "--epochs", "0"]) == 2
    assert (
        "--epochs must be an integer >= 1, got 0. Fix: e.g. --epochs 5." in capsys.readouterr().err
    )
    with pytest.raises(SystemExit):  # not a number: argparse's own error
        cli.main(["train-evaluator", "--epochs", "five"])
    assert "--epochs: invalid int value" in capsys.readouterr().err
    assert not hasattr(M, "main")  # the old `python -m aigc_helpers.metrics` entry point is gone
    calls = []
    monkeypatch.setattr(
        evaluator, "train_and_report", lambda out, **kw: calls.append((out, kw)) or {"ok": 1}
    )
    assert cli.main(["train-evaluator", "--epochs", "1", "--out", "ev.keras"]) == 0
    assert calls == [(Path("ev.keras"), {"epochs": 1, "batch_size": 128, "seed": 0, "verbose": 2})]
    assert "ok: 1" in capsys.readouterr().out


def test_train_evaluator_checks_its_arguments_before_tensorflow():
    with pytest.raises(ValueError, match="epochs must be a positive integer"):
        M.train_evaluator("ev.keras", epochs=0)
