"""aigc_helpers.data_scaling: the Bernoulli mixture (against hand-computed values) and the experiment."""

from __future__ import annotations

import math

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from aigc_helpers import data_scaling as ds  # noqa: E402


def test_one_component_is_the_smoothed_pixel_frequency():
    x = np.array([[1, 0, 1], [1, 0, 0], [1, 1, 0], [1, 0, 0]], dtype=np.float32)
    a = 0.5
    m = ds.BernoulliMixture(1, pseudo_count=a).fit(x)
    # mu_d = (count_d + a) / (N + 2a)
    np.testing.assert_allclose(m.means[0], (x.sum(axis=0) + a) / (4 + 2 * a), rtol=1e-6)
    assert m.weights.tolist() == [1.0]
    # exact log p(x) = sum_d x log mu + (1 - x) log(1 - mu)
    mu = m.means[0].astype(np.float64)
    probe = np.array([[1, 1, 1], [0, 0, 0]], dtype=np.float32)
    expected = [float(np.sum(p * np.log(mu) + (1 - p) * np.log1p(-mu))) for p in probe]
    np.testing.assert_allclose(m.log_prob(probe), expected, rtol=1e-5)


def test_the_prior_keeps_unseen_pixels_finite():
    x = np.zeros((10, 4), np.float32)  # pixel never on in training
    m = ds.BernoulliMixture(2, pseudo_count=0.1).fit(x)
    lp = m.log_prob(np.ones((1, 4), np.float32))
    assert np.isfinite(lp).all()
    with pytest.raises(ValueError, match="pseudo_count"):
        ds.BernoulliMixture(2, pseudo_count=0.0)


def test_mixture_finds_two_prototypes():
    rng = np.random.default_rng(0)
    protos = np.array([[0.9] * 8 + [0.1] * 8, [0.1] * 8 + [0.9] * 8])
    comp = rng.integers(0, 2, size=600)
    x = (rng.random((600, 16)) < protos[comp]).astype(np.float32)
    m = ds.BernoulliMixture(2, seed=0).fit(x)
    found = m.means[np.argsort(m.means[:, 0])[::-1]]
    np.testing.assert_allclose(found, protos, atol=0.06)
    np.testing.assert_allclose(sorted(m.weights), [0.5, 0.5], atol=0.06)
    # a mixture explains the data better than a single product of Bernoullis
    one = ds.BernoulliMixture(1).fit(x)
    assert m.log_prob(x).mean() > one.log_prob(x).mean() + 1.0
    assert m.n_parameters() == 2 * 16 + 1


def test_em_history_and_errors():
    x = (np.random.default_rng(1).random((100, 10)) < 0.4).astype(np.float32)
    m = ds.BernoulliMixture(3, seed=0, max_iter=5)
    with pytest.raises(RuntimeError, match="fit"):
        m.log_prob(x)
    m.fit(x)
    assert 1 <= len(m.history) <= 5
    with pytest.raises(ValueError, match="binarize"):
        ds.BernoulliMixture(2).fit(np.full((4, 3), 0.5))
    with pytest.raises(ValueError, match="pixels"):
        m.log_prob(np.zeros((2, 7)))


def test_samples_are_binary_and_deterministic():
    x = (np.random.default_rng(2).random((50, 12)) < 0.3).astype(np.float32)
    m = ds.BernoulliMixture(3, seed=0).fit(x)
    a, b = m.sample(20, seed=5), m.sample(20, seed=5)
    assert a.shape == (20, 12) and set(np.unique(a)) <= {0.0, 1.0}
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="positive integer"):
        m.sample(0)


def test_nested_subsets():
    s = ds.nested_subsets(100, [50, 10, 30], seed=1)
    assert list(s) == [10, 30, 50]
    assert set(s[10]) <= set(s[30]) <= set(s[50])
    assert all(len(np.unique(v)) == k for k, v in s.items())
    with pytest.raises(ValueError, match="exceeds the pool"):
        ds.nested_subsets(10, [20])


def test_pca_frechet_and_nearest_distance():
    from sklearn.decomposition import PCA

    rng = np.random.default_rng(0)
    a = rng.random((300, 6, 6))
    basis = PCA(4).fit(a.reshape(300, -1))
    assert ds.pca_frechet(a, a, basis) == pytest.approx(0.0, abs=1e-6)
    assert ds.pca_frechet(a + 0.3, a, basis) > 0.05
    d = ds.nearest_distance(np.array([[0.0, 0.0]]), np.array([[3.0, 4.0], [1.0, 1.0]]), chunk=1)
    assert d[0] == pytest.approx(math.sqrt(2))


def test_pca_frechet_is_the_shared_frechet_distance():
    from scipy import linalg
    from sklearn.decomposition import PCA

    from aigc_helpers import metrics

    rng = np.random.default_rng(1)
    a, b = rng.random((250, 5, 5)), rng.random((180, 5, 5)) ** 2
    basis = PCA(6).fit(a.reshape(250, -1))
    fa, fb = basis.transform(a.reshape(250, -1)), basis.transform(b.reshape(180, -1))
    assert ds.pca_frechet(b, a, basis) == metrics.frechet_distance(fb, fa)
    # the formula data_scaling used before sharing metrics' implementation (scipy's sqrtm)
    m1, m2, s1, s2 = fb.mean(0), fa.mean(0), np.cov(fb, rowvar=False), np.cov(fa, rowvar=False)
    sqrtm = np.real(linalg.sqrtm(s1 @ s2))
    expected = ((m1 - m2) ** 2).sum() + np.trace(s1 + s2 - 2.0 * sqrtm)
    assert ds.pca_frechet(b, a, basis) == pytest.approx(expected, rel=1e-6)
    # one principal component: 1-D Gaussians, (mu1 - mu2)^2 + (sd1 - sd2)^2
    basis1 = PCA(1).fit(a.reshape(250, -1))
    ga, gb = basis1.transform(a.reshape(250, -1))[:, 0], basis1.transform(b.reshape(180, -1))[:, 0]
    by_hand = (ga.mean() - gb.mean()) ** 2 + (ga.std(ddof=1) - gb.std(ddof=1)) ** 2
    assert ds.pca_frechet(a, b, basis1) == pytest.approx(by_hand, rel=1e-6)


def test_nearest_distance_is_the_shared_nearest_neighbour_search():
    from aigc_helpers import metrics

    rng = np.random.default_rng(2)
    q, pool = rng.random((9, 4, 4)), rng.random((50, 4, 4))
    brute = np.sqrt(((q.reshape(9, 1, -1) - pool.reshape(1, 50, -1)) ** 2).sum(-1)).min(axis=1)
    for chunk in (1, 7, 2000):
        np.testing.assert_allclose(ds.nearest_distance(q, pool, chunk=chunk), brute, rtol=1e-9)
    shared = metrics.nearest_neighbours(q, pool)[0]
    np.testing.assert_array_equal(ds.nearest_distance(q, pool), shared)


def test_scaling_experiment_on_real_digits(mnist):
    res = ds.scaling_experiment(
        mnist.x_train[:2000], mnist.x_test[:400], (50, 500), n_components=4, n_samples=200
    )
    t = res.table
    assert t["training images"].tolist() == [50, 500]
    assert {"held-out NLL (nats)", "gap (nats)", "sample distance", "copying ratio"} <= set(t)
    assert np.isfinite(t.drop(columns="training images").to_numpy(dtype=float)).all()
    # the gap between training and held-out likelihood shrinks with more data
    assert t["gap (nats)"].iloc[0] > t["gap (nats)"].iloc[1]
    assert res.samples[500].shape == (200, 28, 28)
    assert res.floor >= 0
    fig = ds.plot_scaling(res)
    assert len(fig.axes) == 3
    with pytest.raises(ValueError, match="n_samples"):
        ds.scaling_experiment(mnist.x_train[:100], mnist.x_test[:10], (50,), n_samples=200)


def test_capacity_table_matches_the_experiment(mnist):
    x_train, x_test = mnist.x_train[:1000], mnist.x_test[:400]
    cap = ds.capacity_table(x_train, x_test, (50, 500), components=(1, 4))
    assert cap.columns.tolist() == ["components", "training images", "held-out NLL (nats)"]
    assert len(cap) == 4
    res = ds.scaling_experiment(x_train, x_test, (50, 500), n_components=4, n_samples=200)
    same = cap[cap["components"] == 4]["held-out NLL (nats)"].to_numpy()
    np.testing.assert_allclose(same, res.table["held-out NLL (nats)"].to_numpy())


def test_doctests():
    import doctest

    assert doctest.testmod(ds, extraglobs={"np": np}).failed == 0
