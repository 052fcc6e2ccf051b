"""aigc_helpers.plotting, 2-D toy figures: scatter, log-density contours, snapshot rows."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from aigc_helpers import plotting, toy

CENTERS = toy.ring_centers(8)
X = toy.ring_of_gaussians(400, seed=0)


def teardown_function():
    plt.close("all")


def test_scatter_2d_draws_points_reference_and_centres():
    fig = plotting.scatter_2d(X[:50], reference=X, centers=CENTERS, title="samples", lim=3)
    (ax,) = fig.axes
    assert ax.get_xlabel() == "$x_1$" and ax.get_ylabel() == "$x_2$"
    assert ax.get_title() == "samples"
    sizes = [len(c.get_offsets()) for c in ax.collections]
    assert sizes == [400, 50, 8]
    assert ax.get_xlim() == (-3.0, 3.0)


def test_scatter_2d_into_given_axes_and_errors():
    fig, ax = plt.subplots()
    assert plotting.scatter_2d(X, ax=ax) is fig
    with pytest.raises(ValueError, match=r"shape \(N, 2\)"):
        plotting.scatter_2d(np.zeros((4, 3)))


def test_density_2d_contours_the_log_density():
    fig = plotting.density_2d(
        lambda p: toy.mixture_log_density(p, CENTERS, 0.1), resolution=60, title="p_data"
    )
    ax = fig.axes[0]
    assert ax.get_xlabel() == "$x_1$" and ax.get_ylabel() == "$x_2$"
    assert ax.get_title() == "p_data"
    assert ax.collections, "no contours drawn"
    with pytest.raises(ValueError, match="function"):
        plotting.density_2d(np.zeros(3))
    with pytest.raises(ValueError, match=r"one value per point"):
        plotting.density_2d(lambda p: np.zeros((len(p), 2)), resolution=4)
    with pytest.raises(ValueError, match="resolution must be an integer >= 2"):
        plotting.density_2d(lambda p: np.zeros(len(p)), resolution=1)


def test_snapshot_row_one_panel_per_snapshot():
    fig = plotting.snapshot_row(
        [X[:10], X[:20], X[:30]],
        ["step 0", "step 1", "step 2"],
        reference=X,
        centers=CENTERS,
        suptitle="training",
    )
    assert len(fig.axes) == 3
    assert [ax.get_title() for ax in fig.axes] == ["step 0", "step 1", "step 2"]
    assert all(ax.get_xlabel() == "$x_1$" for ax in fig.axes)
    assert fig.axes[0].get_ylabel() == "$x_2$"
    assert len(fig.axes[2].collections[1].get_offsets()) == 30
    with pytest.raises(ValueError, match="2 snapshots but 1 titles"):
        plotting.snapshot_row([X, X], ["a"])
    with pytest.raises(ValueError, match="No snapshots"):
        plotting.snapshot_row([], [])
