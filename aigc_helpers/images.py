"""Batches of grey-scale images: one shape rule, one pixel-range rule, one way to tile them.

The course keeps images in two forms only:

- **uint8** pixels 0..255, as MNIST ships them and as PNG files store them;
- **float** pixels in [0, 1], as every course generator returns them (``model.generate``,
  ``model.decode``) and as the evaluator and the plots read them.

:func:`to_unit` and :func:`to_uint8` convert between the two and refuse anything else with an error that
says how to convert it: a float batch with values outside [0, 1] is never guessed to be [-1, 1] or 0..255
(a guess would silently mis-scale an all-dark batch). Networks trained on [-1, 1] inputs (the GAN's tanh
range) convert at their boundary with :func:`from_tanh` / :func:`to_tanh`.

Example:
    >>> to_unit(np.array([[[0, 255]]], np.uint8)).tolist()
    [[[0.0, 1.0]]]
    >>> tile(np.ones((4, 2, 2)), pad=1).shape
    (7, 7)

Taught in: notebooks/00_index.ipynb (MNIST's pixels), notebooks/05_dcgan_mnist.ipynb (the tanh range)
"""

from __future__ import annotations

import math

import numpy as np

from aigc_helpers.checks import check_int, check_positive_int

TOLERANCE = 1e-3  # float images may overshoot [0, 1] by this much (rounding); they are clipped


def grey_batch(images) -> np.ndarray:
    """A batch of grey-scale images as an array of shape (N, H, W): a channel axis of size 1 is dropped,
    anything else that is not (N, H, W) is refused with the fix. Values and dtype are left as they are.

    Example:
        >>> grey_batch(np.zeros((2, 28, 28, 1))).shape
        (2, 28, 28)
    """
    x = np.asarray(images)
    if x.ndim == 4 and x.shape[-1] == 1:
        x = x[..., 0]
    if x.ndim != 3:
        raise ValueError(
            f"images must have shape (N, H, W) or (N, H, W, 1), got {x.shape}. "
            "Fix: pass a batch of grey-scale images, one per row of the first axis "
            "(add a batch axis for a single image: x[None])."
        )
    return x


def to_unit(images, *, name: str = "images") -> np.ndarray:
    """Grey images as float32 (N, H, W) in [0, 1].

    uint8 (or other integers in 0..255) are divided by 255, booleans become 0/1, floats must already lie
    in [0, 1]. Anything else raises a ValueError that names the conversion to use.

    Example:
        >>> to_unit(np.full((1, 2, 2), 0.5)).dtype
        dtype('float32')
        >>> to_unit(np.full((1, 2, 2), -0.5))
        Traceback (most recent call last):
        ...
        ValueError: float images must lie in [0, 1], got values in [-0.5, -0.5]. Fix: they look like the tanh range [-1, 1]: convert with images.from_tanh(x) (the course's generators already return [0, 1]).
    """
    x = grey_batch(images)
    if x.dtype == bool:
        return x.astype(np.float32)
    if np.issubdtype(x.dtype, np.integer):
        if x.size and (x.min() < 0 or x.max() > 255):
            raise ValueError(
                f"{name} are integers outside 0..255 (min {x.min()}, max {x.max()}). "
                "Fix: pass uint8 pixels 0..255 or floats in [0, 1]."
            )
        return x.astype(np.float32) / 255.0
    if not np.issubdtype(x.dtype, np.floating):
        raise ValueError(
            f"{name} have dtype {x.dtype}. Fix: pass uint8 0..255 or floats in [0, 1]."
        )
    x = x.astype(np.float32)
    if not np.all(np.isfinite(x)):
        raise ValueError(
            f"{name} contain NaN or infinity. Fix: check the model that made them "
            "(a diverged GAN outputs NaN)."
        )
    lo, hi = (float(x.min()), float(x.max())) if x.size else (0.0, 0.0)
    if lo < -TOLERANCE or hi > 1 + TOLERANCE:
        if lo >= -1 - TOLERANCE and hi <= 1 + TOLERANCE:
            fix = (
                "they look like the tanh range [-1, 1]: convert with images.from_tanh(x) "
                "(the course's generators already return [0, 1])."
            )
        else:
            fix = "pixels 0..255 must be uint8 (x.astype(np.uint8)), or divide them by 255."
        raise ValueError(
            f"float {name} must lie in [0, 1], got values in [{lo:.3g}, {hi:.3g}]. Fix: {fix}"
        )
    return np.clip(x, 0.0, 1.0)


def to_uint8(images, *, name: str = "images") -> np.ndarray:
    """Grey images as uint8 (N, H, W) 0..255, by the rule of :func:`to_unit` (uint8 passes unchanged).

    Example:
        >>> to_uint8(np.array([[[0.0, 0.5, 1.0]]])).tolist()
        [[[0, 128, 255]]]
    """
    x = grey_batch(images)
    if x.dtype == np.uint8:
        return x
    return np.rint(to_unit(x, name=name) * 255.0).astype(np.uint8)


def to_tanh(images) -> np.ndarray:
    """Pixels (uint8 0..255 or floats in [0, 1]) -> float32 in [-1, 1] with a channel axis (N, H, W, 1):
    the input range of the GAN's networks.

    Example:
        >>> to_tanh(np.array([[[0, 255]]], np.uint8)).ravel().tolist()
        [-1.0, 1.0]
    """
    return (to_unit(images) * 2.0 - 1.0)[..., None]


def from_tanh(x) -> np.ndarray:
    """Network outputs in [-1, 1] (a tanh layer) -> float32 in [0, 1], the range of every course image;
    a trailing channel axis of size 1 is dropped, other shapes are kept (e.g. 2-D points pass through
    unchanged by shape).

    Example:
        >>> from_tanh(np.array([[-1.0, 0.0, 1.0]])).tolist()
        [[0.0, 0.5, 1.0]]
    """
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 4 and x.shape[-1] == 1:
        x = x[..., 0]
    return np.clip((x + 1.0) / 2.0, 0.0, 1.0)


def check_image_side(image_shape: tuple[int, int, int], n_strided: int) -> int:
    """The factor 2 ** n_strided by which ``n_strided`` stride-2 layers shrink (or grow) an image, after
    checking that ``image_shape``'s height and width are divisible by it.

    Example:
        >>> check_image_side((28, 28, 1), 2)
        4
    """
    side = 2**n_strided
    if image_shape[0] % side or image_shape[1] % side:
        raise ValueError(
            f"image_shape {image_shape} is not divisible by {side} (2 ** len(filters)). "
            "Fix: use fewer filters or pad the images."
        )
    return side


def grid_shape(n: int, ncols: int | None = None) -> tuple[int, int]:
    """(rows, columns) of a near-square grid for ``n`` images (or ``ncols`` columns, at most n).

    Example:
        >>> grid_shape(64), grid_shape(10), grid_shape(10, ncols=5)
        ((8, 8), (3, 4), (2, 5))
    """
    n = check_positive_int("n", n)
    if ncols is None:
        ncols = math.ceil(math.sqrt(n))
    ncols = min(check_positive_int("ncols", ncols), n)
    return math.ceil(n / ncols), ncols


def tile(
    images, ncols: int | None = None, *, pad: int = 2, pad_value: int = 0, scale: int = 1
) -> np.ndarray:
    """Images (any form :func:`to_uint8` takes) as one uint8 grid image: rows of ``ncols`` cells with
    ``pad`` pixels of ``pad_value`` between and around them, each pixel repeated ``scale`` times.

    Example:
        >>> tile(np.zeros((64, 28, 28), np.uint8)).shape
        (242, 242)
    """
    x = to_uint8(images)
    n, h, w = x.shape
    rows, cols = grid_shape(n, ncols)
    pad = check_int("pad", pad, minimum=0)
    pad_value = check_int("pad_value", pad_value, minimum=0, maximum=255)
    scale = check_positive_int("scale", scale)
    grid = np.full((rows * (h + pad) + pad, cols * (w + pad) + pad), pad_value, np.uint8)
    for i in range(n):
        r, c = divmod(i, cols)
        top, left = pad + r * (h + pad), pad + c * (w + pad)
        grid[top : top + h, left : left + w] = x[i]
    if scale > 1:
        grid = np.kron(grid, np.ones((scale, scale), np.uint8))
    return grid


__all__ = [
    "check_image_side",
    "grey_batch",
    "from_tanh",
    "grid_shape",
    "tile",
    "to_tanh",
    "to_uint8",
    "to_unit",
]
