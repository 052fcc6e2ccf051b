"""aigc_helpers.plotting: grids accept every pixel range and refuse bad shapes."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from aigc_helpers import plotting


@pytest.mark.parametrize(
    "images",
    [
        np.full((6, 28, 28), 255, np.uint8),
        np.ones((6, 28, 28, 1), np.float32),
        np.ones((6, 28, 28), np.float32),  # [0, 1] floats
    ],
)
def test_image_grid_normalises_to_white(images):
    fig = plotting.image_grid(images, ncols=3, titles=list("abcdef"))
    axes = [ax for ax in fig.axes if ax.images]
    assert len(axes) == 6 and len(fig.axes) == 6
    shown = axes[0].images[0].get_array()
    assert shown.shape == (28, 28) and float(shown.max()) == 1.0
    assert axes[5].get_title() == "f"


def test_gan_range_maps_minus_one_to_black():
    x = np.full((2, 4, 4), -1.0, np.float32)
    x[1] = 1.0
    fig = plotting.image_grid(x)
    arrays = [ax.images[0].get_array() for ax in fig.axes if ax.images]
    assert float(arrays[0].max()) == 0.0 and float(arrays[1].min()) == 1.0


def test_image_grid_errors():
    with pytest.raises(ValueError, match="grey-scale"):
        plotting.image_grid(np.zeros((2, 28, 28, 3)))
    with pytest.raises(ValueError, match="No images"):
        plotting.image_grid(np.zeros((0, 28, 28)))
    with pytest.raises(ValueError, match="2 images but 3 titles"):
        plotting.image_grid(np.zeros((2, 28, 28)), titles=[1, 2, 3])


def test_class_histogram_counts():
    fig = plotting.class_histogram(np.array([0, 1, 1, 9, 9, 9]))
    heights = [p.get_height() for p in fig.axes[0].patches]
    assert heights == [1, 2, 0, 0, 0, 0, 0, 0, 0, 3]
