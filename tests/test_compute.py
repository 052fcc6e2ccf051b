"""Tests of aigc_helpers.compute: FLOP counts against hand-computed values, energy arithmetic."""

from __future__ import annotations

import keras
import pytest

from aigc_helpers import compute


def test_dense_model_by_hand():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4), keras.layers.Dense(2)])
    # 3*4 + 4*2 = 20 multiply-accumulates, 2 FLOPs each
    assert compute.count_flops(model) == 40
    assert [r["macs"] for r in compute.flops_table(model)] == [12, 8]


def test_dense_on_sequences_counts_every_position():
    model = keras.Sequential([keras.Input((5, 3)), keras.layers.Dense(4)])
    assert compute.count_flops(model) == 2 * 5 * 3 * 4


def test_conv_model_by_hand():
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(2, 3),  # 6x6x2 outputs, 3*3*1 MACs each: 648
            keras.layers.ReLU(),  # element-wise: not counted
            keras.layers.Conv2D(4, 3, strides=2, padding="same"),  # 3x3x4 outputs, 3*3*2 each: 648
            keras.layers.Flatten(),
            keras.layers.Dense(5),  # 36*5 = 180
        ]
    )
    rows = compute.flops_table(model)
    assert [r["macs"] for r in rows] == [648, 0, 648, 0, 180]
    assert compute.count_flops(model) == 2 * (648 + 648 + 180)
    assert sum(r["params"] for r in rows) == model.count_params()


def test_transposed_conv_by_hand():
    model = keras.Sequential(
        [keras.Input((3, 3, 2)), keras.layers.Conv2DTranspose(4, 2, strides=2)]
    )
    # every one of the 3*3*2 input values scatters a 2x2 kernel into 4 channels: 3*3*2*2*2*4 = 288
    assert compute.count_flops(model) == 2 * 288


def test_nested_functional_models_are_opened():
    inner = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, name="body")], name="inner")
    x = keras.Input((3,))
    outer = keras.Model(x, keras.layers.Dense(2, name="head")(inner(x)))
    rows = compute.flops_table(outer)
    assert {r["name"]: r["macs"] for r in rows if r["macs"]} == {"inner/body": 12, "head": 8}
    assert compute.count_flops(outer) == 40


def test_subclassed_model_is_refused_with_a_fix():
    class Net(keras.Model):
        def call(self, x):
            return x

    with pytest.raises(ValueError, match="count_flops\\(gan.generator\\)"):
        compute.count_flops(Net())


def test_training_flops_and_energy():
    assert compute.training_flops(10.0, 6) == 180.0
    assert compute.training_flops(10.0, 6, backward_factor=0) == 60.0
    e = compute.energy_estimate(1800, watts=40, pue=1.5, carbon_g_per_kwh=400)
    assert e["wh"] == pytest.approx(30.0)  # 0.5 h * 40 W * 1.5
    assert e["kwh"] == pytest.approx(0.03)
    assert e["co2_g"] == pytest.approx(12.0)
    assert "co2_g" not in compute.energy_estimate(10, watts=1)
    with pytest.raises(ValueError, match="pue"):
        compute.energy_estimate(10, watts=1, pue=0.5)
    with pytest.raises(ValueError, match="watts"):
        compute.energy_estimate(10, watts=float("nan"))
