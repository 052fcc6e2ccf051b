"""aigc_helpers.deploy (grids, generator loading, SavedModel export) and aigc_helpers.distributed
(MirroredStrategy on two logical CPU devices, in a subprocess)."""

from __future__ import annotations

import json
import math
import zipfile

import numpy as np
import pytest
from PIL import Image

from aigc_helpers import config, deploy

config.quiet_tensorflow()

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

from aigc_helpers import distributed, gan  # noqa: E402
from aigc_helpers import vae as V  # noqa: E402

# --------------------------------------------------------------------------- grids


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
    assert deploy.grid_shape(n, ncols) == shape


@pytest.mark.parametrize("n", [0, -1, 2.5, True, "3"])
def test_grid_shape_rejects_bad_counts(n):
    with pytest.raises(ValueError, match="positive integer"):
        deploy.grid_shape(n)


def test_grid_places_every_image_with_grey_padding():
    images = np.stack([np.full((3, 2), 10 * (i + 1), np.uint8) for i in range(5)])  # 5 of 3x2
    grid = deploy.image_grid_array(images, ncols=2, pad=1)
    assert grid.shape == (3 * 4 + 1, 2 * 3 + 1)
    for i in range(5):
        r, c = divmod(i, 2)
        tile = grid[1 + 4 * r : 4 + 4 * r, 1 + 3 * c : 3 + 3 * c]
        assert (tile == 10 * (i + 1)).all()
    assert (grid[0] == 128).all() and (grid[:, 0] == 128).all()
    assert (grid[9:12, 4:6] == 128).all()  # the empty sixth cell


def test_grid_scales_floats_and_rejects_gan_range():
    grid = deploy.image_grid_array(np.array([[[0.0, 1.0]]]), pad=0)
    assert grid.tolist() == [[0, 255]]
    with pytest.raises(ValueError, match=r"\(x \+ 1\) / 2"):
        deploy.image_grid_array(np.array([[[-1.0, 1.0]]]))
    with pytest.raises(ValueError, match="NaN"):
        deploy.image_grid_array(np.array([[[np.nan]]]))
    with pytest.raises(ValueError, match=r"\(N, H, W\)"):
        deploy.image_grid_array(np.zeros((28, 28)))


def test_save_grid_png_never_overwrites_without_force(tmp_path):
    path = tmp_path / "g.png"
    deploy.save_grid_png(np.zeros((4, 28, 28)), path)
    assert Image.open(path).size == (2 * 30 + 2, 2 * 30 + 2)
    with pytest.raises(FileExistsError, match="force"):
        deploy.save_grid_png(np.ones((9, 28, 28)), path)
    deploy.save_grid_png(np.ones((9, 28, 28)), path, force=True)
    assert Image.open(path).size == (3 * 30 + 2, 3 * 30 + 2)
    with pytest.raises(ValueError, match=".png"):
        deploy.save_grid_png(np.zeros((1, 28, 28)), tmp_path / "g.jpg")
    with pytest.raises(FileNotFoundError, match="mkdir"):
        deploy.save_grid_png(np.zeros((1, 28, 28)), tmp_path / "missing" / "g.png")


# --------------------------------------------------------------------------- generators


@pytest.fixture(scope="module")
def tiny_models():
    keras.utils.set_random_seed(0)
    return {
        "vae": V.VAE(latent_dim=4, seed=0),
        "cvae": V.ConditionalVAE(latent_dim=4, num_classes=10, seed=0),
        "gan": gan.build_dcgan(8, g_filters=(8, 4), d_filters=(4, 8), seed=0),
        "cgan": gan.build_dcgan(8, num_classes=10, g_filters=(8, 4), d_filters=(4, 8), seed=0),
    }


def test_generators_match_each_models_own_sampling(tiny_models):
    g = deploy.as_generator(tiny_models["vae"])
    assert (g.kind, g.latent_dim, g.num_classes) == ("vae", 4, None)
    np.testing.assert_allclose(
        g.generate(6, seed=3), tiny_models["vae"].sample(6, seed=3), atol=1e-6
    )
    g = deploy.as_generator(tiny_models["cvae"])
    assert (g.kind, g.num_classes) == ("cvae", 10)
    np.testing.assert_allclose(
        g.generate(6, label=7, seed=3),
        tiny_models["cvae"].sample(6, labels=7, seed=3),
        atol=1e-6,
    )
    g = deploy.as_generator(tiny_models["gan"])
    assert g.kind == "gan"
    expected = (tiny_models["gan"].generate(6, seed=3)[..., 0] + 1) / 2
    np.testing.assert_allclose(g.generate(6, seed=3), expected, atol=1e-6)
    g = deploy.as_generator(tiny_models["cgan"])
    assert g.kind == "cgan"
    expected = (tiny_models["cgan"].generate(12, seed=3)[..., 0] + 1) / 2  # labels cycle 0..9
    np.testing.assert_allclose(g.generate(12, seed=3), expected, atol=1e-6)
    assert g.labels_for(12).tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]


def test_label_checks(tiny_models):
    with pytest.raises(ValueError, match="not conditional"):
        deploy.as_generator(tiny_models["vae"]).generate(2, label=1)
    with pytest.raises(ValueError, match="0-9"):
        deploy.as_generator(tiny_models["cvae"]).generate(2, label=10)
    with pytest.raises(ValueError, match="1 and"):
        deploy.as_generator(tiny_models["cvae"]).generate(0)


def test_load_generator_reads_saved_models_and_peeks_their_kind(tiny_models, tmp_path):
    for kind, model in tiny_models.items():
        path = tmp_path / f"{kind}.keras"
        model.save(path)
        assert deploy.peek_kind(path) == kind
        g = deploy.load_generator(path)
        assert g.kind == kind and g.source == str(path)
        label = 5 if g.conditional else None
        np.testing.assert_allclose(
            g.generate(3, label=label, seed=1),
            deploy.as_generator(model).generate(3, label=label, seed=1),
            atol=1e-6,
        )


def test_load_generator_errors_name_the_fix(tmp_path):
    with pytest.raises(FileNotFoundError, match="Fix: check the path"):
        deploy.load_generator(tmp_path / "missing.keras")
    classifier = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    classifier.save(tmp_path / "clf.keras")
    with pytest.raises(deploy.GeneratorError, match="holds a Sequential"):
        deploy.load_generator(tmp_path / "clf.keras")
    (tmp_path / "junk.keras").write_bytes(b"junk")
    with pytest.raises(deploy.GeneratorError, match="not a readable .keras"):
        deploy.load_generator(tmp_path / "junk.keras")
    with zipfile.ZipFile(tmp_path / "noconfig.keras", "w") as zf:
        zf.writestr("metadata.json", "{}")
    with pytest.raises(deploy.GeneratorError, match="not a readable .keras"):
        deploy.load_generator(tmp_path / "noconfig.keras")
    (tmp_path / "empty").mkdir()
    with pytest.raises(deploy.GeneratorError, match="saved_model.pb"):
        deploy.load_generator(tmp_path / "empty")
    (tmp_path / "clf.h5").write_bytes(b"")
    with pytest.raises(deploy.GeneratorError, match="not a .keras file"):
        deploy.load_generator(tmp_path / "clf.h5")


def test_models_that_do_not_make_images_are_refused(tmp_path):
    toy_vae = V.VAE(
        latent_dim=2,
        encoder=V.build_dense_encoder(2, 2),
        decoder=V.build_dense_decoder(2, 2),
        likelihood="gaussian",
    )
    with pytest.raises(deploy.GeneratorError, match="not images"):
        deploy.as_generator(toy_vae)
    toy_gan = gan.GAN(gan.build_dense_generator(2, 2), gan.build_dense_discriminator(2))
    with pytest.raises(deploy.GeneratorError, match="not grey-scale images"):
        deploy.as_generator(toy_gan)
    with pytest.raises(deploy.GeneratorError, match="Sequential"):
        deploy.as_generator(keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]))


# --------------------------------------------------------------------------- SavedModel


@pytest.mark.parametrize("kind", ["vae", "cgan"])
def test_saved_model_serves_the_same_images(kind, tiny_models, tmp_path):
    model = tiny_models[kind]
    g = deploy.as_generator(model)
    path = deploy.export_saved_model(model, tmp_path / "export")
    serve = tf.saved_model.load(str(path)).signatures["serving_default"]
    _, spec = serve.structured_input_signature
    assert sorted(spec) == (["label", "z"] if g.conditional else ["z"])
    assert spec["z"].shape.as_list() == [None, g.latent_dim]
    assert list(serve.structured_outputs) == ["images"]
    label = 4 if g.conditional else None
    feed = {"z": tf.constant(g.latents(5, seed=2))}
    if g.conditional:
        feed["label"] = tf.constant(g.labels_for(5, label))
    served = serve(**feed)["images"].numpy()
    assert served.shape == (5, 28, 28, 1)
    np.testing.assert_allclose(served[..., 0], g.generate(5, label=label, seed=2), atol=1e-6)
    info = json.loads((path / "assets.extra" / "aigc_generator.json").read_text())
    assert info["kind"] == kind and info["latent_dim"] == g.latent_dim
    # the CLI's loader also opens the exported folder, with no aigc_helpers model class involved
    reloaded = deploy.load_generator(path)
    assert (reloaded.kind, reloaded.latent_dim, reloaded.model) == (kind, g.latent_dim, None)
    np.testing.assert_allclose(reloaded.generate(5, label=label, seed=2), served[..., 0], atol=1e-6)
    with pytest.raises(FileExistsError, match="force=True"):
        deploy.export_saved_model(model, path)
    deploy.export_saved_model(model, path, force=True)


# --------------------------------------------------------------------------- distributed


def test_logical_devices_cannot_be_added_after_tensorflow_started():
    tf.constant(1.0)  # make sure the runtime of this test process is initialized
    assert distributed.configure_cpu_replicas(1) == ["/cpu:0"]  # what it already has: fine
    with pytest.raises(RuntimeError, match="fresh process"):
        distributed.configure_cpu_replicas(2)
    with pytest.raises(ValueError, match="positive integer"):
        distributed.configure_cpu_replicas(0)


def test_mirrored_strategy_trains_the_gan_on_two_logical_cpus():
    r = distributed.run_demo(
        2, steps=2, warmup=1, global_batch=32, latent_dim=8, train_images=256, timeout=300
    )
    assert r["replicas"] == 2 and r["devices"] == ["/cpu:0", "/cpu:1"]
    assert (r["global_batch"], r["per_replica_batch"]) == (32, 16)
    assert r["variables_mirrored"] is True
    assert math.isfinite(r["d_loss"]) and math.isfinite(r["g_loss"])
    assert r["images_per_s"] > 0


def test_demo_rejects_a_batch_that_does_not_split():
    with pytest.raises(RuntimeError, match="multiple of the replica count"):
        distributed.run_demo(3, global_batch=32, steps=1, timeout=120)


def test_pixel_context_vae_is_refused_with_a_fix():
    with pytest.raises(
        deploy.GeneratorError, match="pixel-context decoder.*Fix: use a VAE with pixel_context=0"
    ):
        deploy.as_generator(V.VAE(latent_dim=2, pixel_context=3))
