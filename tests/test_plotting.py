"""aigc_helpers.plotting: grids read pixels by the one rule of aigc_helpers.images and refuse the rest."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from aigc_helpers import images, plotting


def teardown_function():
    plt.close("all")


def shown(fig) -> list[np.ndarray]:
    return [np.asarray(ax.images[0].get_array()) for ax in fig.axes if ax.images]


@pytest.mark.parametrize(
    "white",
    [
        np.full((6, 28, 28), 255, np.uint8),
        np.ones((6, 28, 28, 1), np.float32),
        np.ones((6, 28, 28), np.float32),  # [0, 1] floats
    ],
)
def test_image_grid_normalises_to_white(white):
    fig = plotting.image_grid(white, ncols=3, titles=list("abcdef"))
    axes = [ax for ax in fig.axes if ax.images]
    assert len(axes) == 6 and len(fig.axes) == 6
    first = shown(fig)[0]
    assert first.shape == (28, 28) and float(first.max()) == 1.0
    assert axes[5].get_title() == "f"


def test_uint8_and_unit_floats_give_the_same_picture():
    unit = np.random.default_rng(0).random((4, 28, 28)).astype(np.float32)
    as_uint8 = images.to_uint8(unit)
    a = shown(plotting.image_grid(as_uint8))
    b = shown(plotting.image_grid(images.to_unit(as_uint8)))
    assert len(a) == 4 and all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    # [0, 1] floats are shown as they are, not rescaled to their own min and max
    np.testing.assert_allclose(shown(plotting.image_grid(unit))[0], unit[0], atol=1e-6)


def test_image_grid_refuses_tanh_range_with_the_fix():
    x = np.full((2, 4, 4), -1.0, np.float32)
    x[1] = 1.0
    with pytest.raises(ValueError, match=r"\[0, 1\].*Fix:.*images\.from_tanh"):
        plotting.image_grid(x)
    arrays = shown(plotting.image_grid(images.from_tanh(x)))  # converted: -1 is black, 1 is white
    assert float(arrays[0].max()) == 0.0 and float(arrays[1].min()) == 1.0
    with pytest.raises(ValueError, match=r"uint8"):  # 0..255 as floats is not guessed either
        plotting.image_grid(np.full((2, 4, 4), 255.0))


def test_image_grid_errors():
    with pytest.raises(ValueError, match="grey-scale"):
        plotting.image_grid(np.zeros((2, 28, 28, 3)))
    with pytest.raises(ValueError, match="No images"):
        plotting.image_grid(np.zeros((0, 28, 28)))
    with pytest.raises(ValueError, match="2 images but 3 titles"):
        plotting.image_grid(np.zeros((2, 28, 28)), titles=[1, 2, 3])
    with pytest.raises(ValueError, match="ncols must be a positive integer"):
        plotting.image_grid(np.zeros((2, 28, 28)), ncols=0)


def test_class_histogram_counts():
    fig = plotting.class_histogram(np.array([0, 1, 1, 9, 9, 9]))
    heights = [p.get_height() for p in fig.axes[0].patches]
    assert heights == [1, 2, 0, 0, 0, 0, 0, 0, 0, 3]


def test_latent_scatter_one_colour_per_digit():
    z = np.random.default_rng(0).standard_normal((30, 2))
    fig = plotting.latent_scatter(z, np.arange(30) % 3, title="codes")
    ax = fig.axes[0]
    assert [len(c.get_offsets()) for c in ax.collections] == [10, 10, 10]
    assert ax.get_title() == "codes" and ax.get_xlabel() == "$z_1$"
    with pytest.raises(ValueError, match=r"shape \(N, 2\)"):
        plotting.latent_scatter(np.zeros((4, 3)), np.zeros(4))
