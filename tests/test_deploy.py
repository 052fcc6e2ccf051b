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

# --------------------------------------------------------------------------- PNG grids


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


def test_course_models_are_generators_as_they_are(tiny_models):
    for kind, model in tiny_models.items():
        assert deploy.check_generator(model) is model
        assert deploy.kind_of(model) == kind


def test_label_checks(tiny_models):
    with pytest.raises(ValueError, match="unconditional, so it takes no labels"):
        tiny_models["vae"].generate(2, labels=1)
    with pytest.raises(ValueError, match=r"0\.\.9"):
        tiny_models["cvae"].generate(2, labels=10)
    with pytest.raises(ValueError, match="1 to 10000"):
        deploy.check_count(0)
    with pytest.raises(ValueError, match="from 0 to 9"):
        deploy.check_label(10)


def test_load_generator_reads_saved_models_and_peeks_their_kind(tiny_models, tmp_path):
    for kind, model in tiny_models.items():
        path = tmp_path / f"{kind}.keras"
        model.save(path)
        assert deploy.peek_kind(path) == kind
        g = deploy.load_generator(path)
        assert deploy.kind_of(g) == kind and type(g) is type(model)
        label = 5 if g.conditional else None
        np.testing.assert_allclose(
            g.generate(3, labels=label, seed=1), model.generate(3, labels=label, seed=1), atol=1e-6
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
    with pytest.raises(deploy.GeneratorError, match="not grey-scale images"):
        deploy.check_generator(toy_vae)
    toy_gan = gan.GAN(gan.build_dense_generator(2, 2), gan.build_dense_discriminator(2))
    with pytest.raises(deploy.GeneratorError, match="not grey-scale images"):
        deploy.check_generator(toy_gan)
    with pytest.raises(deploy.GeneratorError, match="Sequential"):
        deploy.check_generator(keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]))


# --------------------------------------------------------------------------- SavedModel


@pytest.mark.parametrize("kind", ["vae", "cgan"])
def test_saved_model_serves_the_same_images(kind, tiny_models, tmp_path):
    g = tiny_models[kind]
    path = deploy.export_saved_model(g, tmp_path / "export")
    serve = tf.saved_model.load(str(path)).signatures["serving_default"]
    _, spec = serve.structured_input_signature
    assert sorted(spec) == (["label", "z"] if g.conditional else ["z"])
    assert spec["z"].shape.as_list() == [None, g.latent_dim]
    assert list(serve.structured_outputs) == ["images"]
    label = 4 if g.conditional else None
    feed = {"z": tf.constant(g.sample_z(5, seed=2))}
    if g.conditional:
        feed["label"] = tf.constant(g.check_labels(label, 5))
    served = serve(**feed)["images"].numpy()
    assert served.shape == (5, 28, 28, 1)
    np.testing.assert_allclose(served[..., 0], g.generate(5, labels=label, seed=2), atol=1e-6)
    info = json.loads((path / "assets.extra" / "aigc_generator.json").read_text())
    assert info["kind"] == kind and info["latent_dim"] == g.latent_dim
    # the CLI's loader also opens the exported folder, with no aigc_helpers model class involved
    reloaded = deploy.load_generator(path)
    assert isinstance(reloaded, deploy.SavedModelGenerator)
    assert (reloaded.kind, reloaded.latent_dim, reloaded.conditional) == (
        kind,
        g.latent_dim,
        g.conditional,
    )
    np.testing.assert_allclose(
        reloaded.generate(5, labels=label, seed=2), served[..., 0], atol=1e-6
    )
    with pytest.raises(ValueError, match="loaded from a SavedModel"):
        deploy.export_saved_model(reloaded, tmp_path / "again")
    with pytest.raises(FileExistsError, match="force=True"):
        deploy.export_saved_model(g, path)
    deploy.export_saved_model(g, path, force=True)


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


def test_pixel_context_vae_is_refused_with_a_fix(tmp_path):
    with pytest.raises(
        ValueError, match="pixel-context decoder.*Fix: use a VAE with pixel_context=0"
    ):
        deploy.export_saved_model(V.VAE(latent_dim=2, pixel_context=3), tmp_path / "px")
    assert not (tmp_path / "px").exists()


OLD_KERAS_ERROR = "GlorotUniform.__init__() got an unexpected keyword argument 'input_axes'"


@pytest.mark.parametrize("kind", ["vae", "gan"])
def test_a_keras_too_old_for_a_shipped_model_is_told_to_upgrade(
    kind, monkeypatch, capsys, tmp_path
):
    """Older Keras 3 releases fail on configs newer ones write; the fix is to upgrade Keras, not to
    re-save the model. Simulated: the installed version reads as 3.10.0 and loading fails as it does there."""
    from aigc_helpers import assets, cli

    path = assets.ASSET_DIR / f"{kind}_mnist.keras"
    saved = assets.saved_with(path)
    assert saved and assets._version(saved) <= assets._version(keras.__version__)
    assert assets.keras_too_old(path) is None  # the pinned Keras reads what it saved

    def old_load(*args, **kwargs):
        raise TypeError(OLD_KERAS_ERROR)

    monkeypatch.setattr(keras, "__version__", "3.10.0")
    monkeypatch.setattr(keras.saving, "load_model", old_load)
    fix = (
        f"pip install -U 'keras>={'.'.join(map(str, assets._version(saved)))}'"  # e.g. keras>=3.15
    )
    load = V.load_pretrained if kind == "vae" else gan.load_pretrained
    with pytest.raises(ValueError, match="upgrade Keras") as err:
        load(kind)
    assert fix in str(err.value) and "3.10.0" in str(err.value) and "input_axes" in str(err.value)
    with pytest.raises(deploy.GeneratorError, match="upgrade Keras"):
        deploy.load_generator(path)
    out = tmp_path / "never.png"
    assert cli.main(["generate", "--model", kind, "--n", "4", "--out", str(out)]) != 0
    assert not out.exists()
    err_text = capsys.readouterr().err
    assert fix in err_text and "re-save" not in err_text


def test_an_unreadable_model_with_a_recent_keras_keeps_its_own_error(monkeypatch):
    from aigc_helpers import assets

    # another patch release of the saving minor version reads the file (3.15.0 loads 3.15.1's models)
    assert assets._version("3.15.0") == assets._version("3.15.1") == (3, 15)
    monkeypatch.setattr(keras, "__version__", "3.15.0")

    def broken(*args, **kwargs):
        raise TypeError("something else went wrong")

    monkeypatch.setattr(keras.saving, "load_model", broken)
    with pytest.raises(TypeError, match="something else"):
        assets.load_model(assets.ASSET_DIR / "vae_mnist.keras", V.VAE, "a VAE")
