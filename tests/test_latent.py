"""aigc_helpers.latent: paths (against hand-computed values), measurements, variations, directions,
and the explorer (ipywidgets, and the static fallback)."""

from __future__ import annotations

import importlib
import math
import pkgutil
import sys

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from aigc_helpers import latent  # noqa: E402


class LinearModel:
    """A stand-in for a VAE: decode = sigmoid(z W), encode = least-squares inverse of that map."""

    conditional = False

    def __init__(self, latent_dim: int = 3, seed: int = 0):
        self.latent_dim = latent_dim
        self.w = np.random.default_rng(seed).normal(size=(latent_dim, 28 * 28)) / 3.0
        self.calls = 0

    def decode(self, z, labels=None):
        self.calls += 1
        z = np.asarray(z, np.float64)
        return (1.0 / (1.0 + np.exp(-(z @ self.w)))).reshape(len(z), 28, 28).astype(np.float32)

    def encode(self, x, labels=None):
        flat = np.asarray(x, np.float64).reshape(len(x), -1)
        logits = np.log(np.clip(flat, 1e-3, 1 - 1e-3) / (1 - np.clip(flat, 1e-3, 1 - 1e-3)))
        mean = np.linalg.lstsq(self.w.T, logits.T, rcond=None)[0].T
        return mean.astype(np.float32), np.zeros_like(mean, dtype=np.float32)


class TanhModel(LinearModel):
    """Breaks the generation contract: returns a raw tanh range [-1, 1] with a channel axis."""

    def decode(self, z, labels=None):
        return (2.0 * super().decode(z) - 1.0)[..., None]


# --------------------------------------------------------------------------- lerp and slerp


def test_lerp_hand_values_and_shapes():
    assert latent.lerp([0.0, 2.0], [2.0, 0.0], 0.5).tolist() == [1.0, 1.0]
    out = latent.lerp([0.0, 0.0], [1.0, 2.0], [0.0, 0.5, 1.0])
    assert out.shape == (3, 2)
    np.testing.assert_allclose(out, [[0, 0], [0.5, 1.0], [1.0, 2.0]])
    # extrapolation continues along the line
    np.testing.assert_allclose(latent.lerp([0.0], [1.0], 2.0), [2.0])


def test_slerp_endpoints():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=8), rng.normal(size=8)
    np.testing.assert_allclose(latent.slerp(a, b, 0.0), a, atol=1e-12)
    np.testing.assert_allclose(latent.slerp(a, b, 1.0), b, atol=1e-12)
    path = latent.path(a, b, steps=5, method="slerp")
    np.testing.assert_allclose(path[0], a, atol=1e-12)
    np.testing.assert_allclose(path[-1], b, atol=1e-12)


def test_slerp_hand_computed_quarter_circle():
    a, b = [1.0, 0.0], [0.0, 1.0]
    # Omega = 90 degrees; t = 1/3 is 30 degrees along the circle, t = 1/2 is 45 degrees.
    np.testing.assert_allclose(
        latent.slerp(a, b, 1 / 3), [math.cos(math.pi / 6), math.sin(math.pi / 6)], atol=1e-12
    )
    np.testing.assert_allclose(latent.slerp(a, b, 0.5), [math.sqrt(0.5), math.sqrt(0.5)])
    # lerp cuts the corner: its midpoint has length sqrt(1/2)
    assert np.linalg.norm(latent.lerp(a, b, 0.5)) == pytest.approx(math.sqrt(0.5))


def test_slerp_keeps_the_length_of_equal_length_vectors():
    rng = np.random.default_rng(1)
    a = rng.normal(size=32)
    b = rng.normal(size=32)
    b *= np.linalg.norm(a) / np.linalg.norm(b)
    pts = latent.slerp(a, b, np.linspace(0, 1, 11))
    np.testing.assert_allclose(np.linalg.norm(pts, axis=1), np.linalg.norm(a), rtol=1e-10)
    mid = np.linalg.norm(latent.lerp(a, b, 0.5))
    assert mid < np.linalg.norm(a)  # the straight line dips inside the sphere


def test_slerp_of_two_gaussian_samples_stays_on_the_typical_shell():
    rng = np.random.default_rng(2)
    d = 512
    a, b = rng.standard_normal(d), rng.standard_normal(d)
    # two independent N(0, I) samples are nearly orthogonal, each of length ~ sqrt(d):
    # the lerp midpoint has length ~ sqrt(d / 2), the slerp midpoint ~ sqrt(d).
    assert np.linalg.norm(latent.lerp(a, b, 0.5)) == pytest.approx(math.sqrt(d / 2), rel=0.1)
    assert np.linalg.norm(latent.slerp(a, b, 0.5)) == pytest.approx(math.sqrt(d), rel=0.1)


def test_slerp_special_cases():
    # parallel vectors: the great circle is the line -> lerp
    np.testing.assert_allclose(latent.slerp([1.0, 0.0], [3.0, 0.0], 0.5), [2.0, 0.0])
    with pytest.raises(ValueError, match="opposite"):
        latent.slerp([1.0, 0.0], [-1.0, 0.0], 0.5)
    with pytest.raises(ValueError, match="non-zero"):
        latent.slerp([0.0, 0.0], [1.0, 0.0], 0.5)
    with pytest.raises(ValueError, match="differ in length"):
        latent.slerp([1.0, 0.0], [1.0, 0.0, 0.0], 0.5)
    with pytest.raises(ValueError, match="single code"):
        latent.lerp(np.zeros((2, 3)), np.zeros((2, 3)), 0.5)


def test_path_checks_its_arguments():
    assert latent.path([0.0], [1.0], steps=4, method="lerp").shape == (4, 1)
    with pytest.raises(ValueError, match="steps"):
        latent.path([0.0], [1.0], steps=1)
    with pytest.raises(ValueError, match="'lerp', 'slerp'"):
        latent.path([0.0], [1.0], method="cubic")


# --------------------------------------------------------------------------- measurements


def test_step_changes_and_smoothness():
    frames = np.stack([np.zeros((4, 4)), np.zeros((4, 4)), np.ones((4, 4))])
    assert latent.step_changes(frames).tolist() == [0.0, 1.0]
    s = latent.smoothness(frames)
    assert s["mean step"] == 0.5 and s["max step"] == 1.0 and s["max/mean"] == 2.0
    even = np.stack([np.full((4, 4), v) for v in (0.0, 0.25, 0.5, 0.75)])
    assert latent.smoothness(even)["max/mean"] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="two frames"):
        latent.step_changes(np.zeros((1, 4, 4)))


def test_slant_of_known_shapes():
    img = np.zeros((28, 28))
    img[4:24, 13:15] = 1.0  # upright bar
    assert latent.slant(img)[0] == pytest.approx(0.0, abs=1e-9)
    diag = np.zeros((9, 9))
    diag[np.arange(9), np.arange(9)[::-1]] = 1.0  # "/" leans right
    assert latent.slant(diag)[0] == pytest.approx(45.0)
    assert latent.slant(diag[:, ::-1])[0] == pytest.approx(-45.0)  # "\" leans left
    assert np.isnan(latent.slant(np.zeros((1, 5, 5)))[0])  # no ink, no slant


def _bar(width: int, shear: float) -> np.ndarray:
    img = np.zeros((40, 40))
    for r in range(5, 35):  # 30 rows; the bar moves `shear` pixels right per row upwards
        c = int(10 + shear * (34 - r))
        img[r, c : c + width] = 1.0
    return img


@pytest.mark.parametrize("width", [2, 3, 4])
@pytest.mark.parametrize("shear", [0.0, 0.5, 1.0])
def test_stroke_width_of_upright_and_slanted_bars(width, shear):
    # the width across the stroke: the horizontal width times cos(slant angle)
    across = width / math.sqrt(1 + shear**2)
    assert latent.stroke_width(_bar(width, shear))[0] == pytest.approx(across, rel=0.12)


def test_stroke_width_ignores_orientation_and_grows_with_the_stroke():
    upright = _bar(3, 0.0)
    assert latent.stroke_width(upright.T)[0] == pytest.approx(latent.stroke_width(upright)[0])
    widths = [latent.stroke_width(_bar(w, 0.5))[0] for w in (1, 2, 3, 4)]
    assert widths == sorted(widths)
    assert np.isnan(latent.stroke_width(np.zeros((1, 5, 5)))[0])


def test_pixel_entropy_and_measure_table():
    assert latent.pixel_entropy(np.full((1, 3, 3), 0.5))[0] == pytest.approx(1.0)
    assert latent.pixel_entropy(np.zeros((1, 3, 3)))[0] == pytest.approx(0.0, abs=1e-5)
    table = latent.measure(np.random.default_rng(0).random((5, 28, 28)))
    assert table.columns.tolist() == ["slant", "width", "ink", "entropy"]
    assert len(table) == 5
    # uint8 images are accepted as 0..255
    assert latent.measure(np.full((1, 28, 28), 255, np.uint8))["ink"][0] == pytest.approx(1.0)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        latent.measure(np.full((1, 28, 28), -1.0))


# --------------------------------------------------------------------------- decoding and arithmetic


def test_decode_images_passes_contract_outputs_through_unchanged():
    model = LinearModel()
    z = np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32)
    out = latent.decode_images(model, z)
    assert out.shape == (5, 28, 28) and out.dtype == np.float32
    np.testing.assert_array_equal(out, model.decode(z))
    with pytest.raises(ValueError, match="latent space has 3"):
        latent.decode_images(LinearModel(), np.zeros((2, 5)))


def test_decode_images_refuses_a_tanh_range_and_names_the_fix():
    with pytest.raises(ValueError, match=r"TanhModel\.decode.*\[0, 1\].*images\.from_tanh"):
        latent.decode_images(TanhModel(), np.ones((3, 3)))
    assert not hasattr(latent, "is_gan")


def test_decode_images_batches():
    model = LinearModel()
    out = latent.decode_images(model, np.zeros((7, 3)), batch_size=3)
    assert out.shape == (7, 28, 28) and model.calls == 3


def test_attribute_vector_hand_example_and_errors():
    z = np.array([[1.0, 0.0], [3.0, 0.0], [0.0, 1.0], [0.0, 3.0]])
    v = latent.attribute_vector(z, [True, True, False, False], [False, False, True, True])
    np.testing.assert_allclose(v, [2.0, -2.0])
    np.testing.assert_allclose(latent.attribute_vector(z, [0, 1], [2]), [2.0, -1.0])
    with pytest.raises(ValueError, match="empty"):
        latent.attribute_vector(z, np.zeros(4, bool), np.ones(4, bool))
    with pytest.raises(ValueError, match="length 4"):
        latent.attribute_vector(z, np.ones(3, bool), np.ones(4, bool))


def test_dose_response_grows_with_alpha_along_a_controlling_direction():
    model = LinearModel()
    z = np.random.default_rng(0).normal(size=(20, 3))
    ink = lambda x: x.mean(axis=(1, 2))  # noqa: E731
    direction = model.w.sum(axis=1)  # moves every logit up on average
    table = latent.dose_response(model, z, direction, [-1.0, 0.0, 1.0], ink)
    assert table.columns.tolist() == ["alpha", "mean change", "sd change"]
    assert table["mean change"].iloc[1] == pytest.approx(0.0, abs=1e-12)
    assert table["mean change"].iloc[0] < 0 < table["mean change"].iloc[2]
    frames = latent.traverse(model, z[0], direction, [-1, 0, 1])
    assert frames.shape == (3, 28, 28)


# --------------------------------------------------------------------------- variations


def test_variation_codes_are_deterministic_for_a_seed():
    z = np.arange(4.0)
    a = latent.variation_codes(z, n=6, scale=0.5, seed=3)
    b = latent.variation_codes(z, n=6, scale=0.5, seed=3)
    c = latent.variation_codes(z, n=6, scale=0.5, seed=4)
    assert a.shape == (6, 4)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    np.testing.assert_allclose(latent.variation_codes(z, n=2, scale=0.0), [z, z])
    # the spread is `scale` prior standard deviations
    big = latent.variation_codes(np.zeros(2000), n=50, scale=0.5, seed=0)
    assert big.std() == pytest.approx(0.5, rel=0.02)
    with pytest.raises(ValueError, match="scale"):
        latent.variation_codes(z, scale=-1.0)
    with pytest.raises(ValueError, match="positive integer"):
        latent.variation_codes(z, n=0)


def test_variations_decode_the_codes():
    model = LinearModel()
    imgs = latent.variations(model, np.zeros(3), n=5, scale=1.0, seed=0)
    again = latent.variations(model, np.zeros(3), n=5, scale=1.0, seed=0)
    assert imgs.shape == (5, 28, 28)
    np.testing.assert_array_equal(imgs, again)


# --------------------------------------------------------------------------- directions


def test_pca_directions_are_orthonormal_and_ordered():
    rng = np.random.default_rng(0)
    codes = rng.normal(size=(500, 6)) * np.array([5.0, 3.0, 2.0, 1.0, 0.5, 0.1])
    d = latent.pca_directions(codes, k=4)
    np.testing.assert_allclose(d.vectors @ d.vectors.T, np.eye(4), atol=1e-10)
    assert list(d.scales) == sorted(d.scales, reverse=True)
    assert 0 < d.explained.sum() <= 1.0
    assert abs(d.vectors[0, 0]) == pytest.approx(1.0, abs=0.01)  # the largest axis first
    assert d.vectors[0, np.abs(d.vectors[0]).argmax()] > 0  # sign convention
    np.testing.assert_allclose(d.point([0, 0, 0, 0]), d.mean)
    np.testing.assert_allclose(d.point([1, 0, 0, 0]), d.mean + d.scales[0] * d.vectors[0])
    with pytest.raises(ValueError, match="k must be"):
        latent.pca_directions(codes, k=7)
    with pytest.raises(ValueError, match="Expected 4"):
        d.point([1.0])


def test_principal_directions_encode_images():
    model = LinearModel(latent_dim=4)
    z = np.random.default_rng(1).normal(size=(200, 4)) * np.array([3.0, 1.0, 0.5, 0.2])
    images = model.decode(z)
    d = latent.principal_directions(model, images, k=2, batch_size=64)
    np.testing.assert_allclose(d.vectors @ d.vectors.T, np.eye(2), atol=1e-8)
    assert abs(d.vectors[0, 0]) > 0.9  # the encoder recovers the axis of largest spread


def test_principal_directions_need_an_encoder():
    class NoEncoder:
        latent_dim = 3

        def decode(self, z, labels=None):
            return np.zeros((len(z), 28, 28))

    with pytest.raises(TypeError, match="pca_directions"):
        latent.principal_directions(NoEncoder(), np.zeros((4, 28, 28)))


def test_transfer_style_needs_a_conditional_model():
    with pytest.raises(ValueError, match="cvae"):
        latent.transfer_style(LinearModel(), np.zeros((2, 28, 28)), [0, 1], range(3))


# --------------------------------------------------------------------------- explorers


def test_explorer_static_returns_a_figure():
    from matplotlib.figure import Figure

    model = LinearModel()
    dirs = latent.pca_directions(np.random.default_rng(0).normal(size=(50, 3)), k=2)
    fig = latent.explorer_static(model, dirs, values=(-1, 0, 1))
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 2 * 3


def test_explorer_builds_an_ipywidgets_box_and_reacts_to_sliders():
    widgets = pytest.importorskip("ipywidgets")
    model = LinearModel()
    dirs = latent.pca_directions(np.random.default_rng(0).normal(size=(50, 3)), k=3)
    box = latent.explorer(model, dirs, span=2.0)
    assert isinstance(box, widgets.VBox)
    assert len(box.sliders) == 3 and all(s.min == -2.0 and s.max == 2.0 for s in box.sliders)
    image = box.children[0].children[1]
    readout = box.children[1]
    first = image.value
    assert first[:8] == b"\x89PNG\r\n\x1a\n" and "slant" in readout.value
    # without a live kernel a notebook shows the text form: a summary, not VBox(children=...)
    text = repr(box)
    assert text.startswith("latent explorer: 3 sliders") and "VBox" not in text
    if hasattr(box, "_repr_mimebundle_"):  # ipywidgets 8; 7 (Colab's) displays via repr for text
        bundle = box._repr_mimebundle_()
        assert bundle["text/plain"] == text
        # ... and beside it the widget view, which a live (or trusted) notebook draws
        assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == box.model_id
    box.sliders[0].value = 1.5  # what dragging the slider does
    assert image.value != first
    box.children[0].children[0].children[-1].click()  # reset
    assert all(s.value == 0.0 for s in box.sliders)
    assert image.value == first


class ConditionalLinear(LinearModel):
    """A conditional stand-in: the label shifts every logit."""

    conditional = True
    num_classes = 10

    def decode(self, z, labels=None):
        shift = np.asarray(labels, np.float64).reshape(-1, 1, 1) / 10.0
        return np.clip(super().decode(z) + shift - 0.45, 0.0, 1.0)


def test_explorer_for_a_conditional_model_has_a_digit_menu():
    pytest.importorskip("ipywidgets")
    dirs = latent.pca_directions(np.random.default_rng(0).normal(size=(50, 3)), k=2)
    with pytest.raises(ValueError, match="labels"):
        latent.explorer(ConditionalLinear(), dirs)
    box = latent.explorer(ConditionalLinear(), dirs, labels=3)
    assert box.digit.value == 3 and box.digit.options[-1] == 9
    assert "digit menu" in repr(box)
    image = box.children[0].children[1]
    first = image.value
    box.digit.value = 8
    assert image.value != first


def test_direction_effects_measures_each_direction():
    model = LinearModel()
    codes = np.random.default_rng(0).normal(size=(20, 3))
    dirs = latent.pca_directions(np.random.default_rng(1).normal(size=(50, 3)), k=2)

    class Judge:  # reads every image as digit 1
        def __call__(self, x, training=False):
            out = np.zeros((len(x), 10))
            out[:, 1] = 5.0
            return out

    table = latent.direction_effects(model, codes, dirs, judge=Judge(), expected=np.ones(20))
    assert table["direction"].tolist() == ["PC1", "PC2"]
    assert table.columns.tolist() == [
        "direction",
        "slant (deg)",
        "width (px)",
        "ink",
        "same digit (judge)",
    ]
    assert (table["same digit (judge)"] == 1.0).all()
    assert latent.direction_effects(model, codes, dirs, step=0.0)["ink"].abs().max() == 0.0
    with pytest.raises(ValueError, match="expected"):
        latent.direction_effects(model, codes, dirs, judge=Judge())


def test_explorer_falls_back_to_a_static_figure_without_ipywidgets(monkeypatch):
    from matplotlib.figure import Figure

    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # makes `import ipywidgets` fail
    dirs = latent.pca_directions(np.random.default_rng(0).normal(size=(50, 3)), k=2)
    with pytest.warns(UserWarning, match="static figure"):
        out = latent.explorer(LinearModel(), dirs)
    assert isinstance(out, Figure)


# --------------------------------------------------------------------------- with the course's real models


def test_works_with_real_vaes():
    from aigc_helpers import vae

    model = vae.VAE(latent_dim=4, seed=0)
    x = np.random.default_rng(0).random((6, 28, 28)).astype(np.float32)
    z = latent.encode_means(model, x)
    assert z.shape == (6, 4)
    imgs = latent.decode_images(model, latent.path(z[0], z[1], steps=3))
    assert imgs.shape == (3, 28, 28) and 0.0 <= imgs.min() and imgs.max() <= 1.0
    d = latent.principal_directions(model, x, k=2)
    np.testing.assert_allclose(d.vectors @ d.vectors.T, np.eye(2), atol=1e-6)

    cvae = vae.ConditionalVAE(latent_dim=4, num_classes=10, seed=0)
    rows = latent.transfer_style(cvae, x[:2], [0, 1], targets=[3, 4, 5])
    assert rows.shape == (2, 3, 28, 28)


def test_judge_with_a_keras_classifier_that_wants_a_channel_axis():
    import keras

    keras.utils.set_random_seed(0)
    judge = keras.Sequential(
        [keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10)]
    )
    x = np.random.default_rng(0).random((6, 28, 28)).astype(np.float32)
    proba = latent.judge_proba(judge, x)
    assert proba.shape == (6, 10)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    logits = np.asarray(judge(x[..., None]))
    np.testing.assert_array_equal(latent.judge_labels(judge, x), logits.argmax(axis=1))


MODULES = sorted(m.name for m in pkgutil.iter_modules(latent.__path__) if m.name[0] != "_")


@pytest.mark.parametrize("module", MODULES)
def test_doctests(module):
    import doctest

    result = doctest.testmod(importlib.import_module(f"aigc_helpers.latent.{module}"))
    assert result.failed == 0 and len(MODULES) >= 9


def test_every_public_name_is_exported_and_not_shadowed_by_a_module():
    assert len(latent.__all__) == len(set(latent.__all__))
    assert all(hasattr(latent, name) for name in latent.__all__)
    assert callable(latent.variations) and callable(latent.explorer) and callable(latent.path)


def test_compare_paths_measures_each_method():
    model = LinearModel()
    rng = np.random.default_rng(0)
    starts, ends = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    ends *= (np.linalg.norm(starts, axis=1) / np.linalg.norm(ends, axis=1))[:, None]
    per_t, summary = latent.compare_paths(model, starts, ends, steps=5)
    assert per_t.shape == (2 * 5, 4) and summary["method"].tolist() == ["lerp", "slerp"]
    s = summary.set_index("method")
    # equal-length ends: slerp keeps |z|, lerp's middle dips below the ends
    assert s.loc["slerp", "|z| in the middle"] == pytest.approx(s.loc["slerp", "|z| at the ends"])
    assert s.loc["lerp", "|z| in the middle"] < s.loc["lerp", "|z| at the ends"]
    assert (summary["max/mean step"] >= 1.0).all()
    with pytest.raises(ValueError, match="same shape"):
        latent.compare_paths(model, starts, ends[:3])
