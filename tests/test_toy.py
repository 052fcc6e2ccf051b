"""aigc_helpers.toy: seeded 2-D mixtures and the mode-coverage measurement of notebook 03."""

from __future__ import annotations

import numpy as np
import pytest

from aigc_helpers import toy


def test_ring_is_deterministic_for_a_seed_and_changes_with_it():
    a = toy.ring_of_gaussians(300, seed=3)
    b = toy.ring_of_gaussians(300, seed=3)
    c = toy.ring_of_gaussians(300, seed=4)
    assert a.shape == (300, 2) and a.dtype == np.float32
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_ring_points_sit_on_their_modes():
    x, k = toy.ring_of_gaussians(4000, modes=6, radius=3.0, std=0.05, seed=0, return_modes=True)
    centers = toy.ring_centers(6, 3.0)
    assert x.shape == (4000, 2) and k.shape == (4000,)
    assert set(np.unique(k).tolist()) == set(range(6))
    offsets = x - centers[k]
    assert abs(offsets.std() - 0.05) < 0.003
    assert np.abs(offsets.mean(axis=0)).max() < 0.005
    np.testing.assert_allclose(np.linalg.norm(centers, axis=1), 3.0)


def test_grid_centers_and_samples():
    c = toy.grid_centers(5, spacing=2.0)
    assert c.shape == (25, 2)
    assert sorted(set(c[:, 0].tolist())) == [-4.0, -2.0, 0.0, 2.0, 4.0]
    x, k = toy.grid_of_gaussians(1000, seed=1, return_modes=True)
    assert x.shape == (1000, 2) and k.max() < 25
    np.testing.assert_array_equal(x, toy.grid_of_gaussians(1000, seed=1))


def test_mixture_log_density_integrates_to_one():
    centers = toy.ring_centers(8)
    g = np.linspace(-3, 3, 601)
    gx, gy = np.meshgrid(g, g)
    pts = np.stack([gx.ravel(), gy.ravel()], axis=1)
    total = np.exp(toy.mixture_log_density(pts, centers, 0.2)).sum() * (g[1] - g[0]) ** 2
    assert abs(total - 1.0) < 1e-3


def test_coverage_of_real_data_is_complete():
    x = toy.ring_of_gaussians(2500, seed=0)
    cov = toy.mode_coverage(x, toy.ring_centers(8), 0.02)
    assert cov.modes_covered == 8 and cov.n_modes == 8
    assert 0.98 < cov.high_quality <= 1.0  # 1 - exp(-4.5) = 98.9% expected
    assert cov.counts.sum() == round(cov.high_quality * 2500)
    assert cov.mode_kl < 0.01
    assert "8/8 modes" in str(cov)


def test_single_mode_collapse_covers_one_mode():
    centers = toy.ring_centers(8)
    collapsed = centers[3] + 0.01 * np.random.default_rng(0).standard_normal((1000, 2))
    cov = toy.mode_coverage(collapsed, centers, 0.02)
    assert cov.modes_covered == 1
    assert cov.counts[3] == cov.counts.sum()
    assert cov.high_quality > 0.99
    assert cov.mode_kl == pytest.approx(np.log(8))


def test_far_away_points_have_quality_zero():
    centers = toy.ring_centers(8)
    far = np.full((500, 2), 10.0)
    cov = toy.mode_coverage(far, centers, 0.02)
    assert cov.high_quality == 0.0 and cov.modes_covered == 0
    assert np.isnan(cov.mode_kl)
    # the centre of the ring is 2 away from every mode: bad samples too
    assert toy.mode_coverage(np.zeros((10, 2)), centers, 0.02).high_quality == 0.0


def test_min_count_decides_what_covered_means():
    centers = toy.ring_centers(8)
    pts = np.concatenate([np.repeat(centers[:1], 95, axis=0), np.repeat(centers[1:2], 5, axis=0)])
    assert toy.mode_coverage(pts, centers, 0.02).min_count == 1  # 5% of 100/8, at least 1
    assert toy.mode_coverage(pts, centers, 0.02).modes_covered == 2
    assert toy.mode_coverage(pts, centers, 0.02, min_count=10).modes_covered == 1


def test_bad_inputs_name_the_fix():
    centers = toy.ring_centers(8)
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        toy.mode_coverage(np.zeros((5, 3)), centers, 0.02)
    with pytest.raises(ValueError, match="std must be a positive number"):
        toy.mode_coverage(np.zeros((5, 2)), centers, 0.0)
    with pytest.raises(ValueError, match="centers must have shape"):
        toy.mode_coverage(np.zeros((5, 2)), np.zeros(2), 0.1)
    with pytest.raises(ValueError, match="n must be a positive integer"):
        toy.ring_of_gaussians(0)
    with pytest.raises(ValueError, match="modes must be a positive integer"):
        toy.ring_of_gaussians(10, modes=2.5)
    with pytest.raises(ValueError, match="No samples"):
        toy.mode_coverage(np.zeros((0, 2)), centers, 0.02)
