"""One generation interface: every generator the course ships answers the same calls the same way."""

from __future__ import annotations

import numpy as np
import pytest

from aigc_helpers import config

config.quiet_tensorflow()

from aigc_helpers import deploy, gan, generation, vae  # noqa: E402

SHIPPED = {
    "gan": lambda: gan.load_pretrained("gan"),
    "cgan": lambda: gan.load_pretrained("cgan"),
    "vae": lambda: vae.load_pretrained("vae"),
    "cvae": lambda: vae.load_pretrained("cvae"),
}


@pytest.fixture(scope="module", params=sorted(SHIPPED))
def shipped(request):
    return request.param, SHIPPED[request.param]()


def test_every_shipped_model_has_the_interface(shipped):
    name, model = shipped
    assert isinstance(model, generation.Generative)
    assert model.conditional == (name in ("cgan", "cvae"))
    assert isinstance(model.latent_dim, int) and model.latent_dim > 0
    x = model.generate(6, seed=0)
    assert x.shape == (6, 28, 28) and x.dtype == np.float32
    assert 0.0 <= x.min() and x.max() <= 1.0
    assert x.std() > 0.05, "samples should not be blank"
    np.testing.assert_array_equal(x, model.generate(6, seed=0))  # a seed fixes the images
    assert not np.array_equal(x, model.generate(6, seed=1))
    z = model.sample_z(6, seed=0)
    np.testing.assert_allclose(model.decode(z), x, atol=1e-6)  # generate = decode(sample_z)


def test_interpolation_runs_from_a_to_b(shipped):
    _, model = shipped
    a, b = model.sample_z(2, seed=3)
    path = model.interpolate(a, b, steps=5, labels=4 if model.conditional else None)
    assert path.shape == (5, 28, 28)
    ends = model.decode(np.stack([a, b]), 4 if model.conditional else None)
    if isinstance(model, gan.SelfConditionedGAN):  # b moves into a's cluster: see its docstring
        np.testing.assert_allclose(path[0], ends[0], atol=1e-5)
        moved_b = model._interpolation_ends(a, b)[1]
        assert model.cluster_of(moved_b[None])[0] == model.cluster_of(a[None])[0]
        np.testing.assert_allclose(path[-1], model.decode(moved_b[None])[0], atol=1e-5)
        return
    np.testing.assert_allclose(path[[0, -1]], ends, atol=1e-5)


def test_labels(shipped):
    name, model = shipped
    if not model.conditional:
        with pytest.raises(ValueError, match="unconditional, so it takes no labels. Fix:"):
            model.generate(2, labels=3)
        return
    cycled = model.generate(10, seed=2)  # labels 0..9 when none are given
    np.testing.assert_array_equal(cycled, model.generate(10, labels=np.arange(10), seed=2))
    with pytest.raises(ValueError, match=r"labels must be in 0\.\.9"):
        model.generate(2, labels=10)
    with pytest.raises(ValueError, match="one per sample"):
        model.generate(3, labels=[1, 2])


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda m: m.generate(0), "n must be a positive integer"),
        (lambda m: m.generate(2.5), "n must be a positive integer"),
        (lambda m: m.decode(np.zeros((2, 3))), r"z must have shape \(n, "),
        (lambda m: m.decode(np.full((1, m.latent_dim), np.nan)), "NaN"),
        (lambda m: m.interpolate(m.sample_z(1)[0], m.sample_z(1)[0], steps=1), "steps must be"),
    ],
)
def test_bad_calls_name_the_fix(shipped, call, match):
    _, model = shipped
    with pytest.raises(ValueError, match=match):
        call(model)


def test_tools_take_any_generator_without_asking_its_family(shipped):
    name, model = shipped
    assert deploy.check_generator(model) is model
    assert deploy.kind_of(model) == name
    from aigc_helpers import callbacks

    sample = callbacks.make_sampler(model, n=4, seed=0)
    np.testing.assert_array_equal(sample(), model.generate(4, seed=0))
