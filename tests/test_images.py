"""aigc_helpers.images: one shape rule, one pixel-range rule, grid tiling."""

from __future__ import annotations

import numpy as np
import pytest

from aigc_helpers import images


@pytest.mark.parametrize(
    "n, ncols, shape",
    [
        (1, None, (1, 1)),
        (10, None, (3, 4)),
        (64, None, (8, 8)),
        (65, None, (8, 9)),
        (7, 100, (1, 7)),
    ],
)
def test_grid_shape(n, ncols, shape):
    assert images.grid_shape(n, ncols) == shape


@pytest.mark.parametrize("n", [0, -1, 2.5, True, "3"])
def test_grid_shape_rejects_bad_counts(n):
    with pytest.raises(ValueError, match="positive integer"):
        images.grid_shape(n)


def test_tile_places_every_image_with_padding():
    batch = np.stack([np.full((3, 2), 10 * (i + 1), np.uint8) for i in range(5)])  # 5 of 3x2
    grid = images.tile(batch, 2, pad=1, pad_value=128)
    assert grid.shape == (3 * 4 + 1, 2 * 3 + 1)
    for i in range(5):
        r, c = divmod(i, 2)
        assert (grid[1 + 4 * r : 4 + 4 * r, 1 + 3 * c : 3 + 3 * c] == 10 * (i + 1)).all()
    assert (grid[0] == 128).all() and (grid[:, 0] == 128).all()
    assert (grid[9:12, 4:6] == 128).all()  # the empty sixth cell
    assert images.tile(batch, 2, pad=1, scale=2).shape == (26, 14)


def test_one_pixel_rule():
    u8 = np.array([[[0, 51, 255]]], np.uint8)
    np.testing.assert_allclose(images.to_unit(u8), [[[0.0, 0.2, 1.0]]], rtol=1e-6)
    np.testing.assert_array_equal(images.to_uint8(images.to_unit(u8)), u8)  # round trip
    np.testing.assert_array_equal(images.to_unit(u8[..., None]), images.to_unit(u8))  # channel axis
    assert images.to_unit(np.array([[[True, False]]])).tolist() == [[[1.0, 0.0]]]
    with pytest.raises(ValueError, match=r"images.from_tanh"):
        images.to_unit(np.array([[[-1.0, 1.0]]]))
    with pytest.raises(ValueError, match=r"must be uint8"):
        images.to_unit(np.array([[[0.0, 200.0]]]))
    with pytest.raises(ValueError, match="NaN"):
        images.to_unit(np.array([[[np.nan]]]))
    with pytest.raises(ValueError, match="outside 0..255"):
        images.to_unit(np.array([[[300]]]))
    with pytest.raises(ValueError, match=r"\(N, H, W\)"):
        images.to_unit(np.zeros((28, 28)))


def test_tanh_round_trip():
    u8 = np.arange(256, dtype=np.uint8).reshape(1, 16, 16)
    x = images.to_tanh(u8)
    assert x.shape == (1, 16, 16, 1) and x.min() == -1.0 and x.max() == 1.0
    np.testing.assert_array_equal(images.to_uint8(images.from_tanh(x)), u8)
