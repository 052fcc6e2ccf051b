"""The latent explorer: one slider per principal direction, the decoded image and its measurements
(:func:`explorer`, ipywidgets), and the same as a static figure for readers without a live kernel
(:func:`explorer_static`).

Taught in: notebooks/12_art_and_design.ipynb
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence

import numpy as np

from aigc_helpers import images as _img
from aigc_helpers.checks import check_int, check_positive_int, check_positive_number
from aigc_helpers.latent.attributes import traverse
from aigc_helpers.latent.codec import LatentModel, decode_images
from aigc_helpers.latent.directions import Directions
from aigc_helpers.latent.strokes import measure


def explorer_static(
    model: LatentModel,
    directions: Directions,
    *,
    center=None,
    values: Sequence[float] = (-2.0, -1.0, 0.0, 1.0, 2.0),
    labels=None,
    cell_inches: float = 0.9,
):
    """The explorer as a static figure: one row per direction, one column per slider position.

    Positions are in standard deviations of the codes along each direction, starting from ``center``
    (default: the mean code). This is what readers without a live kernel (e.g. on GitHub) see.

    Example:
        >>> fig = explorer_static(model, dirs)  # doctest: +SKIP

    Taught in: notebooks/12_art_and_design.ipynb
    """
    import matplotlib.pyplot as plt

    values = [float(v) for v in values]
    cell_inches = check_positive_number("cell_inches", cell_inches)
    base = directions.origin(center)
    rows = [
        traverse(model, base, directions.vectors[i] * directions.scales[i], values, labels)
        for i in range(directions.k)
    ]
    fig, axes = plt.subplots(
        directions.k,
        len(values),
        figsize=(len(values) * cell_inches + 1.4, directions.k * cell_inches + 0.5),
        squeeze=False,
    )
    for i, row in enumerate(rows):
        for j, img in enumerate(row):
            ax = axes[i, j]
            ax.imshow(img, cmap="gray", vmin=0.0, vmax=1.0)
            ax.set_xticks([])
            ax.set_yticks([])
            if i == 0:
                ax.set_title(f"{values[j]:+g} sd", fontsize=8)
        axes[i, 0].set_ylabel(
            f"PC{i + 1}\n{100 * directions.explained[i]:.0f}% var",
            fontsize=8,
            rotation=0,
            ha="right",
            va="center",
        )
    fig.tight_layout()
    return fig


def _png(image: np.ndarray, zoom: int) -> bytes:
    """One grey image in [0, 1] as PNG bytes, each pixel a ``zoom`` × ``zoom`` block."""
    from PIL import Image

    arr = _img.to_uint8(image[None])[0]
    img = Image.fromarray(arr).resize((arr.shape[1] * zoom, arr.shape[0] * zoom), Image.NEAREST)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def _summary(directions: Directions, span: float, conditional: bool) -> str:
    """The explorer's text/plain form (what a notebook shows without a live kernel)."""
    menu = " and a digit menu" if conditional else ""
    return (
        f"latent explorer: {directions.k} sliders PC1..PC{directions.k} (±{span:g} sd){menu}; "
        "drag them in a live kernel"
    )


def explorer(
    model: LatentModel,
    directions: Directions,
    *,
    center=None,
    labels=None,
    span: float = 3.0,
    step: float = 0.25,
    zoom: int = 6,
):
    """An interactive explorer: one slider per direction, the decoded image and its measurements.

    Returns an ipywidgets ``VBox`` (display it, or leave it as the last expression of a cell); where no
    kernel runs, its text form is a one-line summary. Slider values are in standard deviations along
    each direction, from ``center`` (default: the mean code). For a conditional model, ``labels`` is the
    digit to start with and a drop-down changes it. When ipywidgets is not installed it warns and
    returns :func:`explorer_static`'s figure instead.

    Example:
        >>> explorer(model, dirs)  # doctest: +SKIP

    Taught in: notebooks/12_art_and_design.ipynb
    """
    try:
        import ipywidgets as widgets
    except ImportError:
        warnings.warn(
            "ipywidgets is not installed: showing a static figure. Fix: pip install ipywidgets.",
            stacklevel=2,
        )
        return explorer_static(model, directions, center=center, labels=labels)

    span = check_positive_number("span", span)
    step = check_positive_number("step", step)
    zoom = check_positive_int("zoom", zoom)
    base = directions.origin(center)
    conditional = bool(model.conditional)
    digit = None
    if conditional:
        if labels is None or np.ndim(labels) != 0:
            raise ValueError(
                "A conditional model needs labels=<the digit to start from>, one integer, "
                f"got {labels!r}. Fix: e.g. labels=7."
            )
        n_classes = int(model.num_classes)
        digit = widgets.Dropdown(
            options=list(range(n_classes)),
            value=check_int("labels", labels, minimum=0, maximum=n_classes - 1),
            description="digit",
            layout=widgets.Layout(width="160px"),
        )
    sliders = [
        widgets.FloatSlider(
            value=0.0,
            min=-span,
            max=span,
            step=step,
            description=f"PC{i + 1}",
            continuous_update=False,
            readout_format="+.2f",
        )
        for i in range(directions.k)
    ]
    image = widgets.Image(format="png", width=28 * zoom, height=28 * zoom)
    readout = widgets.HTML()
    reset = widgets.Button(description="reset", layout=widgets.Layout(width="80px"))

    def render(_change=None) -> None:
        z = directions.point([s.value for s in sliders], center=base)
        img = decode_images(model, z[None], None if digit is None else digit.value)[0]
        m = measure(img[None]).iloc[0]
        image.value = _png(img, zoom)
        readout.value = (
            f"<code>slant {m['slant']:+.1f}°, stroke width {m['width']:.2f} px, "
            f"ink {m['ink']:.3f}, |z| {np.linalg.norm(z):.2f}</code>"
        )

    def on_reset(_button) -> None:
        for s in sliders:
            s.value = 0.0

    for s in sliders:
        s.observe(render, names="value")
    if digit is not None:
        digit.observe(render, names="value")
    reset.on_click(on_reset)
    render()
    summary = _summary(directions, span, conditional)

    class LatentExplorer(widgets.VBox):
        def __repr__(self) -> str:
            return summary

    controls = [*sliders, reset] if digit is None else [digit, *sliders, reset]
    box = LatentExplorer([widgets.HBox([widgets.VBox(controls), image]), readout])
    box.render = render  # for tests and for callers who change the model behind it
    box.sliders = sliders
    box.digit = digit
    return box
