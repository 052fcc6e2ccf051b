"""aigc_helpers.diffusion: the forward process against hand-computed values, the exact fields of
Gaussian data, the samplers with those exact fields, guidance, and the Keras model (training, generation,
saving, resuming, errors). Networks are tiny and sampler steps few, so the file runs in about a minute."""

from __future__ import annotations

import math

import numpy as np
import pytest

from aigc_helpers import config, data, toy

config.quiet_tensorflow()

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

from aigc_helpers import diffusion as D  # noqa: E402
from aigc_helpers.generation import Generative  # noqa: E402

# --------------------------------------------------------------------------- schedules


def test_cosine_schedule_by_hand():
    # t = 0.5, s = 0.008: (0.5 + s) / (1 + s) = 0.503968; cos(0.503968 * pi / 2)^2 = 0.493767,
    # divided by f(0) = cos(0.007937 * pi / 2)^2 = 0.999845 -> 0.493844
    assert float(D.cosine_alpha_bar(0.5)) == pytest.approx(0.493844, abs=2e-6)
    assert float(D.cosine_alpha_bar(0.5, s=0.0)) == pytest.approx(0.5, abs=1e-12)  # cos^2(pi/4)
    assert float(D.cosine_alpha_bar(0.0)) == 1.0
    assert float(D.cosine_alpha_bar(1.0)) < 1e-30  # cos(pi/2)^2: no signal left
    assert float(D.alpha_bar(1.0)) == D.ALPHA_BAR_MIN  # ... except the floor that keeps 1/a finite
    assert float(D.alpha_bar(0.0, "linear")) == 1.0


def test_linear_schedule_by_hand_and_as_the_limit_of_the_discrete_betas():
    # alpha_bar(t) = exp(-(0.1 t + 19.9 t^2 / 2)): at t = 0.5, exp(-(0.05 + 2.4875)) = exp(-2.5375)
    assert float(D.linear_alpha_bar(0.5)) == pytest.approx(math.exp(-2.5375), rel=1e-12)
    assert float(D.linear_alpha_bar(1.0)) == pytest.approx(math.exp(-10.05), rel=1e-12)
    betas = D.discrete_betas(1000, "linear")
    assert betas[0] == pytest.approx(1e-4) and betas[-1] == pytest.approx(0.02)  # Ho et al.
    log_products = np.log(np.cumprod(1.0 - betas))  # prod (1 - beta) ~ exp(-sum beta)
    for n in (100, 500, 900):
        assert log_products[n - 1] == pytest.approx(np.log(D.linear_alpha_bar(n / 1000)), abs=0.06)
    cos_products = np.cumprod(1.0 - D.discrete_betas(1000, "cosine"))
    for n in (100, 500, 900):
        assert cos_products[n - 1] == pytest.approx(float(D.cosine_alpha_bar(n / 1000)), rel=1e-9)


@pytest.mark.parametrize("steps", [5, 10, 20, 21])
def test_few_linear_steps_keep_every_beta_below_one(steps):
    # 0.02 x 1000 / steps reaches 1 at 20 steps: without the cap, 1 - beta <= 0 and sqrt gives NaN
    betas = D.discrete_betas(steps, "linear")
    assert betas.max() <= 0.999 and np.all(np.isfinite(np.sqrt(1.0 - betas)))
    assert betas[0] == pytest.approx(1e-4 * 1000 / steps)


@pytest.mark.parametrize("schedule", D.SCHEDULES)
def test_alpha_bar_falls_monotonically_from_one(schedule):
    t = np.linspace(0, 1, 1001)
    ab = D.alpha_bar(t, schedule)
    assert ab[0] == 1.0 and ab[-1] < 1e-4
    assert np.all(np.diff(ab) <= 0)
    raw = D.cosine_alpha_bar(t) if schedule == "cosine" else D.linear_alpha_bar(t)
    assert np.all(np.diff(raw) < 0)  # strictly, before the floor
    a, b = D.path_coefficients(t, schedule)
    np.testing.assert_allclose(a**2 + b**2, 1.0, rtol=1e-12)  # variance preserving


def test_schedules_work_on_tensorflow_tensors_too():
    t = np.array([0.1, 0.5, 0.9], np.float32)
    for schedule in D.SCHEDULES:
        out = D.alpha_bar(tf.constant(t), schedule)
        assert tf.is_tensor(out) and out.dtype == tf.float32
        np.testing.assert_allclose(out.numpy(), D.alpha_bar(t.astype(np.float64), schedule), 1e-5)
    x0 = tf.ones((3, 4, 4, 1))
    eps = tf.zeros((3, 4, 4, 1))

    @tf.function
    def mix(x0, t, eps):  # as inside a train_step: one time per image
        return D.q_sample(x0, t, eps), D.flow_path(x0, eps, t)

    q, f = mix(x0, tf.constant(t), eps)
    np.testing.assert_allclose(q.numpy()[:, 0, 0, 0], np.sqrt(D.alpha_bar(t)), rtol=1e-5)
    np.testing.assert_allclose(f.numpy()[:, 0, 0, 0], 1.0 - t, rtol=1e-6)


@pytest.mark.parametrize("schedule", D.SCHEDULES)
def test_q_sample_has_the_mean_and_variance_of_the_closed_form(schedule):
    eps = np.random.default_rng(0).standard_normal(400_000)
    for t in (0.1, 0.5, 0.9):
        x_t = D.q_sample(np.full_like(eps, 0.8), t, eps, schedule)
        ab = float(D.alpha_bar(t, schedule))
        assert x_t.mean() == pytest.approx(math.sqrt(ab) * 0.8, abs=0.005)
        assert x_t.var() == pytest.approx(1.0 - ab, rel=0.01, abs=1e-4)
    # one time per example broadcasts over the image axes
    x0 = np.ones((2, 3, 3, 1))
    out = D.q_sample(x0, np.array([0.0, 1.0]), np.zeros_like(x0), schedule)
    np.testing.assert_allclose(out[0], 1.0)
    np.testing.assert_allclose(out[1], math.sqrt(D.alpha_bar(1.0, schedule)))


def test_flow_path_endpoints_and_velocity():
    rng = np.random.default_rng(1)
    x0, x1 = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    np.testing.assert_array_equal(D.flow_path(x0, x1, 0.0), x0)  # t = 0: the data
    np.testing.assert_array_equal(D.flow_path(x0, x1, 1.0), x1)  # t = 1: the noise
    v = D.flow_velocity(x0, x1)
    np.testing.assert_allclose(v, x1 - x0)
    h = 1e-6  # the target is the path's time derivative, the same at every t
    for t in (0.2, 0.7):
        slope = (D.flow_path(x0, x1, t + h) - D.flow_path(x0, x1, t)) / h
        np.testing.assert_allclose(slope, v, rtol=1e-5, atol=1e-6)
    per_example = D.flow_path(x0, x1, np.linspace(0, 1, 5))
    np.testing.assert_allclose(per_example[[0, -1]], np.stack([x0[0], x1[-1]]))


# --------------------------------------------------------------------------- Tweedie and the score


def gaussian_answers(x_t, t, path, mu, s):
    """Closed forms for 1-D data N(mu, s^2): x_t = a x0 + b eps is N(a mu, a^2 s^2 + b^2), so
    E[eps | x_t] = b (x_t - a mu) / var, E[x0 | x_t] = mu + a s^2 (x_t - a mu) / var,
    score = -(x_t - a mu) / var."""
    a, b = (float(c) for c in D.path_coefficients(t, path))
    var = a * a * s * s + b * b
    return {
        "eps": b * (x_t - a * mu) / var,
        "x0": mu + a * s * s * (x_t - a * mu) / var,
        "score": -(x_t - a * mu) / var,
        "a": a,
        "b": b,
    }


@pytest.mark.parametrize("path", D.PATHS)
def test_the_closed_forms_are_the_regression_of_eps_and_x0_on_x_t(path):
    """The conditional means of the test's closed forms are what least squares finds on samples."""
    mu, s, t = 1.5, 0.6, 0.4
    rng = np.random.default_rng(2)
    x0 = mu + s * rng.standard_normal(400_000)
    eps = rng.standard_normal(400_000)
    a, b = (float(c) for c in D.path_coefficients(t, path))
    x_t = a * x0 + b * eps
    grid = np.array([-1.0, 0.0, 1.0, 2.0])
    exact = gaussian_answers(grid, t, path, mu, s)
    for target, name in ((eps, "eps"), (x0, "x0")):
        slope, intercept = np.polyfit(x_t, target, 1)  # E[target | x_t] is linear in x_t here
        np.testing.assert_allclose(slope * grid + intercept, exact[name], atol=0.01)


@pytest.mark.parametrize("path", D.PATHS)
def test_conversions_between_eps_score_x0_and_velocity(path):
    mu, s = 1.5, 0.6
    x_t = np.linspace(-2.0, 3.0, 11)
    for t in (0.05, 0.3, 0.8):
        exact = gaussian_answers(x_t, t, path, mu, s)
        x0_hat, eps_hat = D.mixture_denoiser(x_t[:, None], t, [[mu]], s, path)
        np.testing.assert_allclose(eps_hat[:, 0], exact["eps"], rtol=1e-10)
        np.testing.assert_allclose(x0_hat[:, 0], exact["x0"], rtol=1e-10)
        eps = exact["eps"]
        np.testing.assert_allclose(D.x0_from_eps(x_t, eps, t, path), exact["x0"], rtol=1e-9)
        np.testing.assert_allclose(D.eps_from_x0(x_t, exact["x0"], t, path), eps, atol=1e-9)
        np.testing.assert_allclose(D.score_from_eps(eps, t, path), exact["score"], rtol=1e-10)
        np.testing.assert_allclose(D.eps_from_score(exact["score"], t, path), eps, rtol=1e-10)
        # Tweedie's formula: E[x0 | x_t] = (x_t + b^2 score) / a
        tweedie = (x_t + exact["b"] ** 2 * exact["score"]) / exact["a"]
        np.testing.assert_allclose(tweedie, exact["x0"], rtol=1e-9)
        if path == "flow":  # v = E[eps - x0 | x_t]
            v = eps - exact["x0"]
            np.testing.assert_allclose(D.velocity_from_eps(x_t, eps, t), v, rtol=1e-9)
            np.testing.assert_allclose(D.eps_from_velocity(x_t, v, t), eps, atol=1e-9)
            np.testing.assert_allclose(D.x0_from_velocity(x_t, v, t), exact["x0"], rtol=1e-9)
            np.testing.assert_allclose(
                D.exact_velocity(x_t[:, None], t, [[mu]], s)[:, 0], v, rtol=1e-9
            )
        else:
            np.testing.assert_allclose(
                D.exact_eps(x_t[:, None], t, [[mu]], s, path)[:, 0], eps, rtol=1e-10
            )


def test_mixture_velocity_is_the_posterior_average_of_the_conditional_velocities():
    """Self-normalised importance sampling: draw x0 from the mixture, weight each by the likelihood
    N(x; (1 - t) x0, t^2 I) of reaching x, average its conditional velocity (x - x0) / t - x0."""
    centers, std, t = toy.ring_centers(8), 0.3, 0.6
    x0, _ = toy.sample_mixture(400_000, centers, std, seed=3)
    x0 = x0.astype(np.float64)
    for x in (np.array([0.5, -0.2]), np.array([-1.0, 0.8])):
        log_w = -((x - (1 - t) * x0) ** 2).sum(axis=1) / (2 * t * t)
        w = np.exp(log_w - log_w.max())
        eps = (x - (1 - t) * x0) / t
        mc = (w[:, None] * (eps - x0)).sum(axis=0) / w.sum()
        exact = D.exact_velocity(x[None], t, centers, std)[0]
        np.testing.assert_allclose(exact, mc, atol=0.02)


# --------------------------------------------------------------------------- samplers


RING = toy.ring_centers(8)


def ring_velocity(std):
    return lambda x, t: D.exact_velocity(x, t, RING, std)


@pytest.mark.parametrize("method", [D.euler, D.heun])
def test_exact_ring_velocity_carries_noise_to_every_mode(method):
    z = np.random.default_rng(4).standard_normal((4000, 2))
    x = method(ring_velocity(0.02), z, 50)
    cov = toy.mode_coverage(x, RING, 0.02)
    assert cov.modes_covered == 8
    assert cov.high_quality > 0.95  # within 3 sd of a centre
    shares = cov.counts / len(x)
    assert shares.min() >= 0.10 and shares.max() <= 0.15, shares


def test_heun_beats_euler_at_the_same_step_count_and_is_second_order():
    field = ring_velocity(0.2)
    z = np.random.default_rng(5).standard_normal((500, 2))
    reference = D.heun(field, z, 2000)

    def error(method, steps):
        return np.abs(method(field, z, steps) - reference).mean()

    e_euler = {n: error(D.euler, n) for n in (8, 16, 32)}
    e_heun = {n: error(D.heun, n) for n in (8, 16, 32)}
    for n in (8, 16, 32):
        assert e_heun[n] < 0.5 * e_euler[n]
    assert e_euler[16] / e_euler[32] == pytest.approx(2.0, rel=0.3)  # first order: error ~ h
    assert e_heun[16] / e_heun[32] > 3.0  # second order: error ~ h^2
    assert error(D.heun, 16) < error(D.euler, D.nfe("heun", 16))  # better per network call too


@pytest.mark.parametrize("schedule", D.SCHEDULES)
def test_ddim_with_the_exact_eps_reproduces_a_gaussian(schedule):
    mu, sd = np.array([[1.5, -0.5]]), 0.7
    z = np.random.default_rng(6).standard_normal((20_000, 2))
    x = D.ddim(lambda x, t: D.exact_eps(x, t, mu, sd, schedule), z, 200, schedule=schedule)
    np.testing.assert_allclose(x.mean(axis=0), mu[0], atol=0.02)
    np.testing.assert_allclose(x.std(axis=0), sd, rtol=0.02)
    few = D.ddim(lambda x, t: D.exact_eps(x, t, mu, sd, schedule), z, 10, schedule=schedule)
    # DDIM is first order: with fewer steps the spread comes out further from the truth
    assert np.abs(few.std(axis=0) - sd).max() > 2 * np.abs(x.std(axis=0) - sd).max()


def test_samplers_spend_the_network_evaluations_nfe_reports():
    calls = []

    def field(x, t):
        calls.append(t)
        return np.zeros_like(x)

    for name, method in (("euler", D.euler), ("heun", D.heun), ("ddim", D.ddim)):
        for steps in (1, 5):
            calls.clear()
            method(field, np.zeros((2, 2)), steps)
            assert len(calls) == D.nfe(name, steps), (name, steps)
            assert max(calls) == 1.0 and min(calls) > 0.0  # never evaluated at t = 0
    assert D.nfe("heun", 20) == 39


def test_samplers_follow_the_time_grid_and_return_trajectories():
    np.testing.assert_allclose(D.time_grid(4), [1.0, 0.75, 0.5, 0.25, 0.0])
    path = D.euler(lambda x, t: np.ones_like(x), np.zeros(3), 4, return_trajectory=True)
    assert path.shape == (5, 3)
    np.testing.assert_allclose(path[:, 0], [0.0, -0.25, -0.5, -0.75, -1.0])
    # a constant velocity is integrated exactly by both methods
    np.testing.assert_allclose(D.heun(lambda x, t: np.ones_like(x), np.zeros(3), 3), -1.0)


def test_classifier_free_guidance_endpoints_and_sign():
    uncond, cond = np.array([1.0, -2.0, 0.5]), np.array([3.0, -1.0, 0.5])
    np.testing.assert_array_equal(D.classifier_free_guidance(uncond, cond, 0.0), uncond)
    np.testing.assert_array_equal(D.classifier_free_guidance(uncond, cond, 1.0), cond)
    w2 = D.classifier_free_guidance(uncond, cond, 2.0)
    np.testing.assert_array_equal(w2, [5.0, 0.0, 0.5])  # past cond, away from uncond
    assert np.all(np.abs(w2 - uncond) >= np.abs(cond - uncond))
    assert np.all(np.sign(w2 - cond) == np.sign(cond - uncond))


# --------------------------------------------------------------------------- networks


@pytest.mark.parametrize("num_classes", [None, 10])
def test_unet_shapes_time_and_label_inputs(num_classes):
    net = D.build_unet((8, 16, 16), num_classes=num_classes, embed_dim=16)
    assert [int(s) for s in net.output.shape[1:]] == [28, 28, 1]
    assert len(net.inputs) == (3 if num_classes else 2)
    x = np.random.default_rng(0).normal(size=(4, 28, 28, 1)).astype("float32")
    t = np.array([0.1, 0.1, 0.9, 0.9], "float32")
    args = [x, t] + ([np.array([1, 10, 1, 10], "int32")] if num_classes else [])
    assert np.all(np.asarray(net(args)) == 0.0)  # the last layer starts at zero
    last = net.get_layer("prediction")
    last.set_weights([np.random.default_rng(1).normal(size=w.shape) for w in last.get_weights()])
    out = np.asarray(net(args))
    assert out.shape == (4, 28, 28, 1)
    args[0] = np.repeat(x[:1], 4, axis=0)  # the same image at two times (and labels)
    out = np.asarray(net(args))
    assert not np.allclose(out[0], out[2])  # the time changes the prediction
    if num_classes:
        assert not np.allclose(out[0], out[1])  # so does the label, and the null label 10 exists
        assert net.get_layer("label_embedding").input_dim == 11


def test_default_unet_is_small_and_keeps_three_resolutions():
    net = D.build_unet()
    assert 200_000 < net.count_params() < 500_000
    maps = [layer.output.shape for layer in net.layers if len(layer.output.shape) == 4]
    assert {int(shape[1]) for shape in maps} - {1} == {28, 14, 7}  # 1: the time embedding's maps


def test_sinusoidal_embedding_by_hand():
    layer = D.SinusoidalEmbedding(4)
    out = np.asarray(layer(np.array([0.0, 0.002], "float32")))
    # frequencies 1 and 1/100 (10000^(-1/2)); t scaled by 1000: angles 2 and 0.02 at t = 0.002
    np.testing.assert_allclose(out[0], [0, 0, 1, 1], atol=1e-7)
    np.testing.assert_allclose(out[1], [math.sin(2), math.sin(0.02), math.cos(2), math.cos(0.02)])


# --------------------------------------------------------------------------- the model


def tiny_model(objective="flow", conditional=False, widths=(8, 16), **kwargs):
    """A model with a two-resolution U-Net of 8 and 16 channels: quick to trace and to train."""
    config.set_seed(0)
    net = D.build_unet(widths, num_classes=10 if conditional else None, embed_dim=16)
    if conditional:
        return D.ConditionalDiffusion(net, num_classes=10, objective=objective, **kwargs)
    return D.Diffusion(net, objective=objective, **kwargs)


@pytest.fixture(scope="module")
def digits():
    mnist = data.load_mnist()
    return mnist.x_train[:256], mnist.y_train[:256]


def mnist_batches(digits, conditional):
    x, y = digits
    return data.gan_dataset(x, y if conditional else None, batch_size=64, seed=0)  # 4 steps


@pytest.fixture(
    scope="module", params=[("flow", False), ("eps", True)], ids=["flow-uncond", "eps-cond"]
)
def trained(request, digits):
    objective, conditional = request.param
    model = tiny_model(objective, conditional, steps=4, seed=0)
    model.compile(optimizer=keras.optimizers.Adam(3e-3))
    history = model.fit(mnist_batches(digits, conditional), epochs=4, verbose=0)
    return model, history.history["loss"]


def test_fit_lowers_the_loss(trained):
    model, losses = trained
    assert all(np.isfinite(losses))
    assert losses[-1] < 0.85 * losses[0], losses
    assert [m.name for m in model.metrics] == ["loss"]
    start = 1.0 if model.objective == "eps" else 1.5  # untrained: predicts 0 -> E|target|^2
    assert losses[0] == pytest.approx(start, rel=0.35)


def test_generation_interface(trained):
    model, _ = trained
    assert isinstance(model, Generative) and model.latent_dim == 784
    labels = 4 if model.conditional else None
    images = model.generate(3, labels=labels, seed=0)
    assert images.shape == (3, 28, 28) and images.dtype == np.float32
    assert images.min() >= 0.0 and images.max() <= 1.0
    np.testing.assert_array_equal(images, model.generate(3, labels=labels, seed=0))
    assert not np.array_equal(images, model.generate(3, labels=labels, seed=1))
    z = model.sample_z(3, seed=0)
    np.testing.assert_allclose(model.decode(z, labels), images, atol=1e-6)
    path = model.interpolate(z[0], z[1], steps=4, labels=labels)
    assert path.shape == (4, 28, 28)
    np.testing.assert_allclose(path[[0, -1]], images[:2], atol=1e-5)
    # sample: the stored settings by default, others on request
    np.testing.assert_allclose(model.sample(3, labels=labels, seed=0), images, atol=1e-6)
    other = "euler" if model.objective == "flow" else "ddim"
    rough = model.sample(3, labels=labels, steps=2, sampler=other, seed=0)
    assert rough.shape == (3, 28, 28) and not np.allclose(rough, images)
    frames = model.sample(2, labels=labels, steps=3, seed=0, return_trajectory=True)
    assert frames.shape == (4, 2, 28, 28) and 0.0 <= frames.min() and frames.max() <= 1.0


def test_round_trip_gives_identical_samples_and_training_resumes(trained, tmp_path, digits):
    model, _ = trained
    path = tmp_path / "diffusion.keras"
    model.save(path)
    loaded = D.load_diffusion(path)
    assert type(loaded) is type(model)
    assert (loaded.objective, loaded.schedule, loaded.sampler, loaded.steps) == (
        model.objective,
        model.schedule,
        model.sampler,
        model.steps,
    )
    labels = [0, 1, 2] if model.conditional else None
    np.testing.assert_array_equal(
        loaded.generate(3, labels=labels, seed=5), model.generate(3, labels=labels, seed=5)
    )
    assert int(loaded.optimizer.iterations) == int(model.optimizer.iterations) == 16
    history = loaded.fit(mnist_batches(digits, model.conditional), epochs=1, verbose=0)
    assert int(loaded.optimizer.iterations) == 20  # training continues from the saved state
    assert np.isfinite(history.history["loss"][-1])


def test_conditional_labels_and_guidance(trained):
    model, _ = trained
    if not model.conditional:
        with pytest.raises(ValueError, match="unconditional, so it takes no labels. Fix:"):
            model.generate(2, labels=3)
        with pytest.raises(ValueError, match="nothing to guide towards. Fix:"):
            model.sample(2, guidance=2.0)
        return
    assert model.num_classes == 10 and model.guidance == 1.0 and model.label_dropout == 0.1
    np.testing.assert_array_equal(  # labels cycle 0, 1, 2 when none are given
        model.generate(3, seed=2), model.generate(3, labels=[0, 1, 2], seed=2)
    )
    three = model.sample(2, labels=3, seed=0)
    assert not np.allclose(three, model.sample(2, labels=5, seed=0))  # the label matters
    # guidance 0 is the unconditional model: the label no longer matters
    np.testing.assert_allclose(
        model.sample(2, labels=3, guidance=0.0, seed=0),
        model.sample(2, labels=5, guidance=0.0, seed=0),
        atol=1e-6,
    )
    guided = model.sample(2, labels=3, guidance=3.0, seed=0)
    assert not np.allclose(guided, three)
    with pytest.raises(ValueError, match=r"labels must be in 0\.\.9"):
        model.generate(2, labels=10)  # the null label is not a class
    with pytest.raises(ValueError, match=r"labels must be in 0\.\.9"):
        model.generate(2, labels=-1)
    with pytest.raises(ValueError, match="one per sample"):
        model.generate(3, labels=[1, 2])
    with pytest.raises(ValueError, match="guidance must be a number >= 0"):
        model.sample(2, labels=1, guidance=-1.0)


def test_guided_field_is_the_guidance_combination_of_two_network_calls():
    model = tiny_model("flow", conditional=True)
    last = model.network.get_layer("prediction")
    last.set_weights([np.random.default_rng(1).normal(size=w.shape) for w in last.get_weights()])
    x = np.random.default_rng(2).normal(size=(2, 28, 28, 1)).astype("float32")
    t = np.full(2, 0.5, "float32")
    labels = np.array([3, 7], "int32")
    cond = np.asarray(model.network([x, t, labels]))
    uncond = np.asarray(model.network([x, t, np.full(2, 10, "int32")]))
    for w in (0.0, 1.0, 2.5):
        got = model._field(labels, w)(x, 0.5)
        np.testing.assert_allclose(got, uncond + w * (cond - uncond), rtol=1e-4, atol=1e-4)


def test_sampling_splits_network_calls_into_eval_batch_rows(monkeypatch):
    """A guided step doubles the rows the network sees; sampling splits them into calls of at most
    EVAL_BATCH rows (bounded memory), and the images do not depend on the split."""
    model = tiny_model("flow", conditional=True, steps=2)
    last = model.network.get_layer("prediction")
    last.set_weights([np.random.default_rng(1).normal(size=w.shape) for w in last.get_weights()])
    whole = model.sample(7, labels=np.arange(7) % 10, guidance=2.0, seed=0)
    rows = []
    graph = model._graph()

    def counting(*args):
        rows.append(len(args[0]))
        return graph(*args)

    model._predict_graph = counting
    monkeypatch.setattr(model, "EVAL_BATCH", 4)
    split = model.sample(7, labels=np.arange(7) % 10, guidance=2.0, seed=0)
    assert max(rows) == 4 and sum(rows) == 2 * 7 * D.nfe("heun", 2)  # 14 rows per evaluation
    np.testing.assert_allclose(split, whole, atol=1e-5)


@pytest.mark.parametrize("rate, share", [(0.0, 0.0), (0.5, 0.5), (1.0, 1.0)])
def test_label_dropout_replaces_that_share_of_labels_with_the_null_label(rate, share):
    model = tiny_model("eps", conditional=True, label_dropout=rate, seed=1)
    x = tf.zeros((2000, 28, 28, 1))
    y = tf.constant(np.arange(2000) % 10, tf.int32)
    _, dropped = model._split((x, y), training=True)
    null = dropped.numpy() == 10
    assert null.mean() == pytest.approx(share, abs=0.04)
    np.testing.assert_array_equal(dropped.numpy()[~null], y.numpy()[~null])
    _, kept = model._split((x, y), training=False)  # never at evaluation
    np.testing.assert_array_equal(kept.numpy(), y.numpy())


@pytest.mark.parametrize("objective", D.OBJECTIVES)
def test_training_targets_follow_the_objective(objective):
    model = tiny_model(objective, seed=3)
    x0 = np.random.default_rng(0).uniform(-1, 1, (64, 28, 28, 1)).astype("float32")
    x_t, t, target = model._noisy(tf.constant(x0))
    t = t.numpy()
    assert t.shape == (64,) and 0.0 <= t.min() and t.max() <= 1.0 and t.std() > 0.2
    if objective == "flow":  # x_t = (1 - t) x0 + t eps and target = eps - x0 -> x0 = x_t - t v
        recovered = D.x0_from_velocity(x_t.numpy(), target.numpy(), t)
    else:  # target = eps -> x0 = (x_t - b eps) / a
        recovered = D.x0_from_eps(x_t.numpy(), target.numpy(), t, "cosine")
        recovered = recovered[t < 0.95]  # 1/a grows large near t = 1
        x0 = x0[t < 0.95]
    np.testing.assert_allclose(recovered, x0, atol=1e-3)


def test_a_toy_model_learns_the_ring_and_returns_points():
    config.set_seed(0)
    model = D.Diffusion(D.build_toy_network(2, width=64), objective="flow", steps=20, seed=0)
    model.compile(optimizer=keras.optimizers.Adam(3e-3))
    points = toy.ring_of_gaussians(4096, std=0.05, seed=0)
    model.fit(tf.data.Dataset.from_tensor_slices(points).batch(256), epochs=25, verbose=0)
    samples = model.generate(1000, seed=0)
    assert samples.shape == (1000, 2) and model.latent_dim == 2
    radius = np.linalg.norm(samples, axis=1)
    assert np.median(np.abs(radius - 2.0)) < 0.3  # on the ring, not at the noise's radius ~1.2
    assert toy.mode_coverage(samples, RING, 0.05, n_std=6).modes_covered >= 6


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: tiny_model("score"), "unknown objective 'score'. Fix: use one of 'flow', 'eps'"),
        (lambda: tiny_model("flow", sampler="ddim"), "Fix: use sampler='euler' or 'heun'"),
        (lambda: tiny_model("eps", sampler="heun"), "Fix: use sampler='ddim'"),
        (lambda: tiny_model("flow", sampler="rk4"), "unknown sampler 'rk4'. Fix: use one of"),
        (lambda: tiny_model("flow", schedule="cosine"), "Fix: drop schedule="),
        (lambda: tiny_model("eps", schedule="sigmoid"), "unknown schedule 'sigmoid'. Fix:"),
        (lambda: tiny_model(steps=0), "steps must be a positive integer, got 0. Fix:"),
        (lambda: tiny_model().sample(2, steps=0), "steps must be a positive integer, got 0. Fix:"),
        (lambda: tiny_model(guidance=2.0), "need class labels.*Fix: drop them"),
        (lambda: tiny_model(label_dropout=0.1), "need class labels.*Fix: drop them"),
        (lambda: tiny_model().sample(2, guidance=1.0), "nothing to guide towards. Fix:"),
        (lambda: tiny_model().generate(2, labels=[0, 1]), "takes no labels. Fix: drop labels="),
        (lambda: tiny_model(conditional=True, label_dropout=1.5), "label_dropout must be a number"),
        (lambda: D.Diffusion(num_classes=10), "Fix: use ConditionalDiffusion"),
        (
            lambda: D.ConditionalDiffusion(D.build_unet((8, 8, 8)), num_classes=10),
            r"inputs \[x_t, t, label\]. Fix: use build_unet\(num_classes=10\)",
        ),
        (lambda: D.Diffusion(D.build_unet((8, 8, 8), num_classes=10)), r"inputs \[x_t, t\]"),
        (lambda: tiny_model().decode(np.zeros((2, 10))), r"z must have shape \(n, 784\)"),
        (lambda: D.build_unet((12, 24)), "multiple of groups=8"),
        (lambda: D.build_unet((8, 8, 8, 8)), "divisible by 8.*Fix: use fewer widths"),
        (lambda: D.build_unet(num_classes=1), "num_classes must be an integer >= 2"),
        (lambda: D.SinusoidalEmbedding(5), "dim must be even"),
        (lambda: D.alpha_bar(0.5, "sigmoid"), "unknown schedule 'sigmoid'. Fix: use one of"),
        (lambda: D.discrete_betas(0), "steps must be a positive integer"),
        (
            lambda: D.q_sample(np.zeros((3, 2)), np.zeros((3, 2, 1)), np.zeros((3, 2))),
            "Fix: pass t",
        ),
        (lambda: D.time_grid(0), "steps must be a positive integer"),
        (lambda: D.time_grid(4, t_start=0.2, t_end=0.5), "must be below t_start"),
        (lambda: D.nfe("rk4", 4), "unknown sampler 'rk4'"),
        (lambda: D.ddim(lambda x, t: x, np.zeros(2), 2, schedule="flow"), "Fix: use 'cosine'"),
        (lambda: D.exact_velocity(np.zeros((2, 3)), 0.5, RING, 0.1), r"shape \(n, 2\).*Fix"),
        (lambda: D.exact_velocity(np.zeros((2, 2)), 1.5, RING, 0.1), "t must be a number"),
        (lambda: D.exact_eps(np.zeros((2, 2)), 0.5, RING, 0.1, "flow"), "Fix: use one of"),
        (lambda: D.classifier_free_guidance(0.0, 1.0, float("nan")), "scale must be a number"),
    ],
)
def test_bad_arguments_name_the_fix(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_the_package_exports_every_public_name():
    assert len(D.__all__) == len(set(D.__all__))
    assert all(hasattr(D, name) for name in D.__all__)
    for module in ("schedules", "exact", "networks", "samplers", "model"):
        mod = __import__(f"aigc_helpers.diffusion.{module}", fromlist=["__all__"])
        assert set(mod.__all__) <= set(D.__all__), module
