"""What training costs: floating-point operations counted layer by layer, and energy with stated assumptions.

- :func:`flops_table` / :func:`count_flops` count the multiply-accumulates (MACs) of a Keras model's
  forward pass *analytically*, from each layer's shapes: no profiler, no timing, the same on every machine.
  One MAC = 2 FLOPs (a multiply and an add). Only layers with weights that multiply (Dense, convolutions,
  transposed convolutions, embeddings' dot products) are counted; element-wise work (bias adds,
  activations, batch norm, pooling) is left out -- on the course's models it is a few percent.
- :func:`training_flops` turns a forward count into the cost of training: the backward pass costs about
  twice the forward pass, so one training example costs about 3x its forward FLOPs.
- :func:`energy_estimate` turns a measured training time into energy (Wh) and CO₂ with an *assumed* power
  draw, data-centre overhead (PUE) and grid carbon intensity -- all three are arguments, so every
  estimate states its assumptions.

Example:
    >>> import keras
    >>> m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4), keras.layers.Dense(2)])
    >>> count_flops(m)   # 2 * (3*4 + 4*2)
    40

Taught in: notebooks/14_challenges_and_outlook.ipynb
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import keras


def _shape(tensor_like) -> tuple:
    return tuple(tensor_like.shape)


def _prod(values) -> int:
    return int(math.prod(int(v) for v in values))


def _io_shapes(layer) -> tuple[tuple, tuple]:
    try:
        inp, out = layer.input, layer.output
    except (AttributeError, ValueError) as err:  # a layer never called, or called several times
        raise ValueError(
            f"Layer {layer.name!r} has no single input/output shape ({err}). Fix: count a functional or "
            "Sequential model built with keras.Input, whose layers are each used once."
        ) from err
    inp = inp[0] if isinstance(inp, (list, tuple)) else inp
    out = out[0] if isinstance(out, (list, tuple)) else out
    return _shape(inp), _shape(out)


def layer_macs(layer) -> int:
    """Multiply-accumulates of one layer for one example (0 for layers without multiplying weights).

    Dense: (positions) x in x units. Conv2D: H_out x W_out x C_out x (kh x kw x C_in / groups).
    Conv2DTranspose: H_in x W_in x C_in x kh x kw x C_out (every input pixel scatters a kernel).
    DepthwiseConv2D: H_out x W_out x C_in x multiplier x kh x kw. Dot: the vector length.
    Wrappers (e.g. SpectralNormalization) count their inner layer.

    Example:
        >>> import keras
        >>> m = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(2, 3)])
        >>> layer_macs(m.layers[0])   # 6*6 outputs x 2 filters x 3*3*1 weights each
        648
    """
    import keras

    inner = getattr(layer, "layer", None)  # keras.layers.Wrapper
    kind = type(inner if isinstance(inner, keras.layers.Layer) else layer)
    L = keras.layers
    if kind is L.Dense or issubclass(kind, L.Dense):
        (shape_in, _), units = _io_shapes(layer), (inner or layer).units
        return _prod(shape_in[1:-1]) * int(shape_in[-1]) * int(units)
    if issubclass(kind, L.DepthwiseConv2D):
        shape_in, shape_out = _io_shapes(layer)
        conv = inner or layer
        kh, kw = conv.kernel_size
        return _prod(shape_out[1:3]) * int(shape_in[-1]) * conv.depth_multiplier * kh * kw
    if issubclass(kind, L.Conv2DTranspose):
        shape_in, shape_out = _io_shapes(layer)
        conv = inner or layer
        kh, kw = conv.kernel_size
        return _prod(shape_in[1:3]) * int(shape_in[-1]) * kh * kw * int(shape_out[-1])
    if issubclass(kind, (L.Conv1D, L.Conv2D, L.Conv3D)):
        shape_in, shape_out = _io_shapes(layer)
        conv = inner or layer
        groups = getattr(conv, "groups", 1) or 1
        per_output = _prod(conv.kernel_size) * int(shape_in[-1]) // groups
        return _prod(shape_out[1:]) * per_output
    if issubclass(kind, L.Dot):
        shape_in, _ = _io_shapes(layer)
        return _prod(shape_in[1:])
    return 0


def _walk(model, prefix: str = ""):
    import keras

    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from _walk(layer, f"{prefix}{layer.name}/")
        else:
            yield f"{prefix}{layer.name}", layer


def flops_table(model: keras.Model) -> list[dict]:
    """One row per layer (nested models are opened): ``name``, ``type``, ``params``, ``macs``, ``flops``.

    Counts are per example (batch size 1) of the forward pass.

    Example:
        >>> rows = flops_table(gan.generator)  # doctest: +SKIP
        >>> sum(r["flops"] for r in rows) == count_flops(gan.generator)  # doctest: +SKIP
        True

    Taught in: machinery behind compute.count_flops (notebook 14)
    """
    import keras

    if not isinstance(model, keras.Model):
        raise ValueError(f"Expected a keras.Model, got {type(model).__name__}.")
    from keras.src.models.functional import Functional

    if not isinstance(model, (Functional, keras.Sequential)):
        raise ValueError(
            f"{type(model).__name__} is a subclassed model, whose layers' shapes are unknown until it "
            "runs. Fix: count its functional parts, e.g. count_flops(gan.generator) and "
            "count_flops(gan.discriminator), or count_flops(vae.encoder) and count_flops(vae.decoder)."
        )
    if isinstance(model, keras.Sequential) and not model.built:
        raise ValueError(
            "The Sequential model is not built. Fix: start it with keras.Input(shape)."
        )
    rows = []
    for name, layer in _walk(model):
        macs = layer_macs(layer)
        rows.append(
            {
                "name": name,
                "type": type(layer).__name__,
                "params": int(layer.count_params()) if layer.built else 0,
                "macs": macs,
                "flops": 2 * macs,
            }
        )
    return rows


def count_flops(model: keras.Model) -> int:
    """Forward-pass FLOPs of ``model`` for one example (2 per multiply-accumulate), counted analytically.

    Example:
        >>> import keras
        >>> m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4), keras.layers.Dense(2)])
        >>> count_flops(m)
        40

    Taught in: notebooks/14_challenges_and_outlook.ipynb
    """
    return sum(row["flops"] for row in flops_table(model))


def training_flops(forward_flops: float, examples: float, *, backward_factor: float = 2.0) -> float:
    """FLOPs to train on ``examples`` examples: (1 + ``backward_factor``) x forward FLOPs per example.

    The backward pass needs about twice the forward pass (a gradient for the activations and one for
    the weights), hence the usual "3x forward" rule of thumb.

    Example:
        >>> training_flops(1e6, 60_000)   # one epoch of MNIST at 1 MFLOP per forward pass
        180000000000.0

    Taught in: machinery behind compute.energy_estimate's inputs (notebook 14 computes the same product inline)
    """
    if not forward_flops >= 0 or not examples >= 0:
        raise ValueError("forward_flops and examples must be >= 0.")
    if not backward_factor >= 0:
        raise ValueError(f"backward_factor must be >= 0, got {backward_factor!r}.")
    return float(forward_flops) * float(examples) * (1.0 + float(backward_factor))


def energy_estimate(
    seconds: float,
    *,
    watts: float,
    pue: float = 1.0,
    carbon_g_per_kwh: float | None = None,
) -> dict:
    """Energy of a run from its measured duration and an *assumed* average power draw.

    Args:
        seconds: measured wall-clock time of the run.
        watts: assumed average power of the machine while it ran (an assumption: state it).
        pue: power usage effectiveness of the building (1.0 for a laptop at home; data centres
            report about 1.1 to 1.6).
        carbon_g_per_kwh: assumed carbon intensity of the electricity, g CO₂ per kWh (None: skip).

    Returns a dict with ``wh``, ``kwh`` and, when ``carbon_g_per_kwh`` is given, ``co2_g``.

    Example:
        >>> energy_estimate(3600, watts=30)["wh"]
        30.0

    Taught in: notebooks/14_challenges_and_outlook.ipynb
    """
    for name, value in (("seconds", seconds), ("watts", watts)):
        if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
            raise ValueError(f"{name} must be a finite number >= 0, got {value!r}.")
    if not pue >= 1.0:
        raise ValueError(f"pue must be >= 1 (1.0 = no overhead), got {pue!r}.")
    wh = float(seconds) / 3600.0 * float(watts) * float(pue)
    out = {"wh": wh, "kwh": wh / 1000.0}
    if carbon_g_per_kwh is not None:
        if not carbon_g_per_kwh >= 0:
            raise ValueError(f"carbon_g_per_kwh must be >= 0, got {carbon_g_per_kwh!r}.")
        out["co2_g"] = out["kwh"] * float(carbon_g_per_kwh)
    return out


__all__ = ["count_flops", "energy_estimate", "flops_table", "layer_macs", "training_flops"]
