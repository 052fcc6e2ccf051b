"""aigc_helpers.data: look-up order, content verification, every error path, and the pipelines."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import numpy as np
import pytest

from aigc_helpers import data


def sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def link(real: Path, where: Path) -> Path:
    target = where / "mnist.npz"
    os.symlink(real, target)
    return target


def mnist_arrays(m: data.Mnist) -> dict[str, np.ndarray]:
    return {"x_train": m.x_train, "y_train": m.y_train, "x_test": m.x_test, "y_test": m.y_test}


# --------------------------------------------------------------------------- the real file


def test_real_file_verifies_by_content(mnist):
    assert mnist.x_train.shape == (60000, 28, 28) and mnist.x_train.dtype == np.uint8
    assert mnist.x_test.shape == (10000, 28, 28)
    assert data.mnist_content_sha256(mnist_arrays(mnist)) == data.MNIST_SHA256
    assert tuple(np.bincount(mnist.y_test)) == data.MNIST_CLASS_COUNTS["test"]
    # Figures from the data README, recomputed.
    assert round(float(mnist.x_train.mean() / 255), 4) == 0.1307
    assert round(float(mnist.x_train.std() / 255), 4) == 0.3081


def test_unpacks_like_keras(mnist):
    (x_train, y_train), (x_test, y_test) = mnist
    assert x_train is mnist.x_train and y_test is mnist.y_test


# --------------------------------------------------------------------------- look-up order


def test_lookup_order_env_dir_first(isolated_lookup, real_mnist_path):
    link(real_mnist_path, isolated_lookup["env"])
    (isolated_lookup["repo"] / "mnist.npz").write_bytes(b"garbage")  # would fail if read
    m = data.load_mnist()
    assert m.path == isolated_lookup["env"] / "mnist.npz"


def test_lookup_repo_data_dir_second(isolated_lookup, real_mnist_path, monkeypatch):
    monkeypatch.delenv("AIGC_DATA_DIR")
    link(real_mnist_path, isolated_lookup["repo"])
    (isolated_lookup["keras"] / "mnist.npz").write_bytes(b"garbage")
    assert data.load_mnist().path == isolated_lookup["repo"] / "mnist.npz"


def test_lookup_keras_cache_third(isolated_lookup, real_mnist_path, monkeypatch):
    monkeypatch.delenv("AIGC_DATA_DIR")
    link(real_mnist_path, isolated_lookup["keras"])
    assert data.load_mnist().path == isolated_lookup["keras"] / "mnist.npz"


def test_first_file_found_is_used_even_if_bad(isolated_lookup, real_mnist_path):
    """A bad file is reported, not silently skipped in favour of a later place."""
    bad = isolated_lookup["env"] / "mnist.npz"
    bad.write_bytes(b"not a zip")
    link(real_mnist_path, isolated_lookup["repo"])
    with pytest.raises(data.MnistFileError, match=data.shown_path(bad)):
        data.load_mnist()


def test_download_is_last_and_verified(isolated_lookup, real_mnist_path, monkeypatch):
    monkeypatch.delenv("AIGC_DATA_DIR")
    calls = []

    def fake_download() -> Path:  # what Keras does: write into its cache, return nothing else
        calls.append(1)
        target = isolated_lookup["keras"] / "mnist.npz"
        target.write_bytes(real_mnist_path.read_bytes())
        return target

    monkeypatch.setattr(data, "_download_with_keras", fake_download)
    m = data.load_mnist()
    assert calls == [1]
    assert m.path == isolated_lookup["keras"] / "mnist.npz"


def test_no_download_when_a_file_exists(isolated_lookup, real_mnist_path, monkeypatch):
    monkeypatch.delenv("AIGC_DATA_DIR")
    link(real_mnist_path, isolated_lookup["repo"])
    monkeypatch.setattr(data, "_download_with_keras", lambda: pytest.fail("must not download"))
    data.load_mnist()


# --------------------------------------------------------------------------- error paths


def test_offline_without_file_says_where_to_put_it(isolated_lookup, monkeypatch):
    monkeypatch.delenv("AIGC_DATA_DIR")
    with pytest.raises(data.MnistNotFoundError) as err:
        data.load_mnist()
    msg = str(err.value)
    assert "network is unreachable" in msg  # the reason
    assert "$AIGC_DATA_DIR: not set" in msg
    for place in (isolated_lookup["repo"], isolated_lookup["keras"]):
        assert (
            data.shown_path(place / "mnist.npz") in msg
        )  # every place looked in, as a learner reads it
    assert "cp path/to/mnist.npz data/" in msg and "AIGC_DATA_DIR" in msg  # the fix
    # where to get a copy, and no machine paths of the course's labs
    assert "data/README.md" in msg and "shared" not in msg
    assert "\n" not in msg  # one paragraph
    assert isinstance(err.value, FileNotFoundError)


def test_shown_path_is_relative_to_the_course_or_home(tmp_path):
    assert data.shown_path(data.REPO_DATA_DIR / "mnist.npz") == "data/mnist.npz"
    assert data.shown_path(Path.home() / ".keras" / "m.npz") == "~/.keras/m.npz"
    outside = Path("/nonexistent-root-dir/m.npz")
    assert data.shown_path(outside) == str(outside)


def test_download_false_is_reported(isolated_lookup, monkeypatch):
    monkeypatch.delenv("AIGC_DATA_DIR")
    with pytest.raises(data.MnistNotFoundError, match=r"switched off \(download=False\)"):
        data.load_mnist(download=False)


def test_unset_env_dir_is_reported_as_not_set(isolated_lookup, monkeypatch):
    monkeypatch.delenv("AIGC_DATA_DIR")
    with pytest.raises(data.MnistNotFoundError, match=r"\$AIGC_DATA_DIR: not set"):
        data.load_mnist()


def test_explicit_missing_path(tmp_path):
    with pytest.raises(data.MnistNotFoundError, match="No MNIST file at"):
        data.load_mnist(tmp_path / "nope.npz")


def _assert_bad(path: Path, match: str) -> None:
    before = sha(path)
    with pytest.raises(data.MnistFileError) as err:
        data.load_mnist(path)
    msg = str(err.value)
    assert str(path) in msg and "Fix:" in msg and "left untouched" in msg
    assert match in msg, msg
    assert "\n" not in msg
    assert path.is_file() and sha(path) == before  # never overwritten or deleted


def test_truncated_file(tmp_path, real_mnist_path):
    bad = tmp_path / "mnist.npz"
    bad.write_bytes(real_mnist_path.read_bytes()[:3_000_000])
    _assert_bad(bad, "truncated or corrupt")


def test_truncated_file_in_lookup_place_is_kept(isolated_lookup, real_mnist_path, monkeypatch):
    monkeypatch.delenv("AIGC_DATA_DIR")
    bad = isolated_lookup["repo"] / "mnist.npz"
    bad.write_bytes(real_mnist_path.read_bytes()[:-5000])
    before = sha(bad)
    with pytest.raises(data.MnistFileError):
        data.load_mnist()
    assert sha(bad) == before


def test_empty_file(tmp_path):
    bad = tmp_path / "mnist.npz"
    bad.write_bytes(b"")
    _assert_bad(bad, "not a readable .npz")


def test_wrong_arrays(tmp_path):
    bad = tmp_path / "mnist.npz"
    np.savez(bad, images=np.zeros((3, 28, 28), np.uint8), labels=np.zeros(3, np.uint8))
    _assert_bad(bad, "lacks the arrays x_train, y_train, x_test, y_test")


def test_wrong_shape(tmp_path):
    bad = tmp_path / "mnist.npz"
    np.savez(
        bad,
        x_train=np.zeros((10, 28, 28), np.uint8),
        y_train=np.zeros(10, np.uint8),
        x_test=np.zeros((10, 28, 28), np.uint8),
        y_test=np.zeros(10, np.uint8),
    )
    _assert_bad(bad, "array x_train has shape (10, 28, 28)")


def test_other_dataset_with_mnist_shapes(tmp_path):
    """Same shapes as MNIST, 6000 per class (like Fashion-MNIST): caught by the class counts."""
    bad = tmp_path / "mnist.npz"
    np.savez(
        bad,
        x_train=np.zeros((60000, 28, 28), np.uint8),
        y_train=(np.arange(60000) % 10).astype(np.uint8),
        x_test=np.zeros((10000, 28, 28), np.uint8),
        y_test=(np.arange(10000) % 10).astype(np.uint8),
    )
    _assert_bad(bad, "Fashion-MNIST")


def test_one_changed_pixel_fails_the_hash(tmp_path, mnist):
    arrays = {k: v.copy() for k, v in mnist_arrays(mnist).items()}
    arrays["x_test"][0, 14, 14] ^= 1
    bad = tmp_path / "mnist.npz"
    np.savez(bad, **arrays)
    _assert_bad(bad, "content sha256")


def test_pickled_file_is_refused(tmp_path):
    bad = tmp_path / "mnist.npz"
    np.savez(bad, x_train=np.array([{"evil": 1}], dtype=object))
    _assert_bad(bad, "pickled objects")


# --------------------------------------------------------------------------- what a learner reads

#: Never in a learner-facing message: this repository's CI layout, machine paths, the Python-only flag.
NOT_FOR_LEARNERS = ("../shared", "/work", "/tmp", "/root", "download=False", "\n")


def assert_for_learners(msg: str, *, allow: tuple[str, ...] = ()) -> None:
    """No CI layout, no machine path (tmp_path included), one paragraph; ``allow`` lifts a ban."""
    for banned in NOT_FOR_LEARNERS:
        if banned not in allow:
            assert banned not in msg, f"{banned!r} in a learner-facing message: {msg}"


def test_course_fixture_shows_paths_as_a_learner_reads_them(course):
    assert data.shown_path(course["data"] / "mnist.npz") == "data/mnist.npz"
    assert data.shown_path(course["env"] / "mnist.npz") == "~/mnist-copies/mnist.npz"
    assert data.shown_path(data.keras_cache_path()) == "~/.keras/datasets/mnist.npz"


def test_shown_path_keeps_a_link_where_it_lies(course):
    """A data/mnist.npz that links to a copy elsewhere (a classroom's shared disk) reads data/mnist.npz."""
    linked = course["good"]("data")
    assert linked.is_symlink() and data.shown_path(linked) == "data/mnist.npz"


def test_missing_mnist_names_data_folder_env_var_and_download(course):
    with pytest.raises(data.MnistNotFoundError) as err:
        data.load_mnist()
    msg = str(err.value)
    assert "Fix: put a copy at data/mnist.npz in the course folder" in msg
    assert "set AIGC_DATA_DIR to the folder that holds one" in msg
    assert "connect to the internet and call load_mnist() again to let Keras download it" in msg
    assert "data/README.md" in msg
    assert_for_learners(msg)


def test_missing_mnist_with_download_off_names_the_argument(course):
    """In Python, download=False is what the caller typed, so the message may name it (the CLI may not)."""
    with pytest.raises(data.MnistNotFoundError) as err:
        data.load_mnist(download=False)
    msg = str(err.value)
    assert "switched off (download=False)" in msg and "data/mnist.npz" in msg
    assert "online, call load_mnist() again without download=False" in msg
    assert "AIGC_DATA_DIR" in msg
    assert_for_learners(msg, allow=("download=False",))


def _plant(kind: str, where: Path, mnist: data.Mnist) -> Path | None:
    """A bad mnist.npz of one kind in ``where``; None for "missing". Returns the file."""
    target = where / "mnist.npz"
    if kind == "missing":
        return None
    if kind == "corrupt":
        target.write_bytes(b"this is not an npz archive")
    elif kind == "truncated":
        target.write_bytes(mnist.path.read_bytes()[:100_000])
    elif kind == "not MNIST":  # Fashion-MNIST's shapes and class counts
        np.savez(
            target,
            x_train=np.zeros((60000, 28, 28), np.uint8),
            y_train=(np.arange(60000) % 10).astype(np.uint8),
            x_test=np.zeros((10000, 28, 28), np.uint8),
            y_test=(np.arange(10000) % 10).astype(np.uint8),
        )
    return target


BAD_KINDS = ("missing", "corrupt", "truncated", "not MNIST")


@pytest.mark.parametrize("kind", BAD_KINDS)
def test_bad_env_dir_is_blamed_when_data_folder_is_good(course, mnist, kind, monkeypatch):
    """AIGC_DATA_DIR at a missing or bad file: the error blames the variable, says data/mnist.npz is
    good, and how to fix it -- and the good copy is *not* used in its place."""
    planted = _plant(kind, course["env"], mnist)
    before = sha(planted) if planted else None
    course["good"]("data")
    monkeypatch.setenv("AIGC_DATA_DIR", str(course["env"]))
    monkeypatch.setattr(data, "_download_with_keras", lambda: pytest.fail("must not download"))
    expected = data.MnistNotFoundError if kind == "missing" else data.MnistFileError
    with pytest.raises(expected) as err:
        data.load_mnist()
    msg = str(err.value)
    assert msg.startswith("AIGC_DATA_DIR points at ~/mnist-copies/mnist.npz, which ")
    assert ("does not exist" in msg) == (kind == "missing")
    assert ("is not a valid MNIST copy" in msg) == (kind != "missing")
    assert "data/mnist.npz in the course folder is a good copy" in msg
    assert msg.endswith("Fix: correct AIGC_DATA_DIR or unset it to use data/mnist.npz.")
    assert_for_learners(msg)
    if planted:  # the bad file is left as it was
        assert sha(planted) == before
    assert isinstance(err.value, data.MnistError)


def test_bad_env_dir_and_no_other_copy(course, mnist, monkeypatch):
    _plant("corrupt", course["env"], mnist)
    monkeypatch.setenv("AIGC_DATA_DIR", str(course["env"]))
    monkeypatch.setattr(data, "_download_with_keras", lambda: pytest.fail("must not download"))
    with pytest.raises(data.MnistFileError) as err:
        data.load_mnist()
    msg = str(err.value)
    assert msg.startswith("AIGC_DATA_DIR points at ~/mnist-copies/mnist.npz, which is not a valid")
    assert "no other place holds a copy" in msg
    assert "Fix: put a good copy of MNIST at ~/mnist-copies/mnist.npz" in msg
    assert "unset AIGC_DATA_DIR and put one at data/mnist.npz in the course folder" in msg
    assert "online, call load_mnist() again to let Keras download one" in msg
    assert_for_learners(msg)


def test_missing_env_file_with_a_bad_data_folder_copy(course, mnist, monkeypatch):
    _plant("truncated", course["data"], mnist)
    monkeypatch.setenv("AIGC_DATA_DIR", str(course["env"]))
    with pytest.raises(data.MnistNotFoundError) as err:
        data.load_mnist()
    msg = str(err.value)
    assert msg.startswith("AIGC_DATA_DIR points at ~/mnist-copies/mnist.npz, which does not exist")
    assert (
        "data/mnist.npz in the course folder, read when AIGC_DATA_DIR is unset, is not a valid"
        in msg
    )
    assert "replace data/mnist.npz with a good copy" in msg
    assert_for_learners(msg)


def test_env_dir_naming_the_file_itself(course, monkeypatch):
    copy = course["good"]("env")
    course["good"]("data")
    monkeypatch.setenv("AIGC_DATA_DIR", str(copy))  # the file, not its folder
    with pytest.raises(data.MnistNotFoundError) as err:
        data.load_mnist()
    msg = str(err.value)
    assert "AIGC_DATA_DIR names the folder that holds mnist.npz, not the file itself" in msg
    assert "data/mnist.npz in the course folder is a good copy" in msg
    assert_for_learners(msg)


def test_good_env_dir_is_used(course, monkeypatch):
    copy = course["good"]("env")
    course["good"]("data")
    monkeypatch.setenv("AIGC_DATA_DIR", str(course["env"]))
    assert data.load_mnist().path == copy


def test_bad_data_folder_copy_names_the_fix(course, mnist):
    _plant("corrupt", course["data"], mnist)
    with pytest.raises(data.MnistFileError) as err:
        data.load_mnist()
    msg = str(err.value)
    assert msg.startswith("The MNIST file data/mnist.npz cannot be used: it is not a readable .npz")
    assert "(not a zip archive)" in msg and "pickled" not in msg  # junk is not called a pickle
    assert "put a good copy of MNIST at data/mnist.npz in the course folder" in msg
    assert "set AIGC_DATA_DIR to a folder that holds one" in msg
    assert "call load_mnist() again to let Keras download a fresh copy" in msg
    assert_for_learners(msg)


# --------------------------------------------------------------------------- the download


@pytest.fixture
def fake_keras(monkeypatch, tmp_path):
    """``import keras`` gives a stand-in whose MNIST download records the TensorFlow log level it saw;
    config.quiet_tensorflow records the same. Returns the list of (event, TF_CPP_MIN_LOG_LEVEL)."""
    import types

    from aigc_helpers import config

    seen: list[tuple[str, str | None]] = []

    def level() -> str | None:
        return os.environ.get("TF_CPP_MIN_LOG_LEVEL")

    fake = types.ModuleType("keras")
    fake.datasets = types.SimpleNamespace(
        mnist=types.SimpleNamespace(load_data=lambda: seen.append(("keras download", level())))
    )
    monkeypatch.setitem(sys.modules, "keras", fake)
    monkeypatch.setattr(config, "quiet_tensorflow", lambda: seen.append(("quiet import", level())))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    return seen


def test_download_imports_tensorflow_quietly(fake_keras, monkeypatch):
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
    path = data._download_with_keras()
    assert fake_keras == [("quiet import", "2"), ("keras download", "2")]
    assert path == data.keras_cache_path()


def test_download_keeps_the_users_log_level(fake_keras, monkeypatch):
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "0")  # a user debugging TensorFlow keeps the noise
    data._download_with_keras()
    assert fake_keras == [("quiet import", "0"), ("keras download", "0")]


# --------------------------------------------------------------------------- subsets and scaling


def test_take_subset_is_balanced_and_seeded(mnist):
    x, y = data.take_subset(mnist.x_train, mnist.y_train, 1000, seed=3)
    assert x.shape == (1000, 28, 28) and np.bincount(y).tolist() == [100] * 10
    x2, _ = data.take_subset(mnist.x_train, mnist.y_train, 1000, seed=3)
    x3, _ = data.take_subset(mnist.x_train, mnist.y_train, 1000, seed=4)
    assert np.array_equal(x, x2) and not np.array_equal(x, x3)
    assert data.take_subset(mnist.x_train, mnist.y_train, None)[0] is mnist.x_train
    with pytest.raises(ValueError, match="positive"):
        data.take_subset(mnist.x_train, mnist.y_train, 0)
    with pytest.raises(ValueError, match="differ in length"):
        data.take_subset(mnist.x_train, mnist.y_test, 5)


def test_gan_range_round_trip(mnist):
    from aigc_helpers import images

    x = mnist.x_test[:50]
    scaled = data.to_gan_range(x)
    assert scaled.shape == (50, 28, 28, 1) and scaled.dtype == np.float32
    assert scaled.min() == -1.0 and scaled.max() == 1.0
    assert np.array_equal(data.from_gan_range(scaled), x)
    # the names are the images module's conversions, not a second copy of the arithmetic
    np.testing.assert_array_equal(data.to_gan_range(x / 255.0), images.to_tanh(x))
    with pytest.raises(ValueError, match=r"uint8"):  # 0..255 as floats: refused, not guessed
        data.to_gan_range(x.astype(np.float32))


def test_binarize_reads_unit_floats_like_uint8(mnist):
    x = mnist.x_test[:100]
    np.testing.assert_array_equal(data.binarize(x, seed=3), data.binarize(x / 255.0, seed=3))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        data.binarize(x * 1.0)


def test_fixed_binarization_is_bernoulli(mnist):
    x = mnist.x_test[:2000]
    b = data.binarize(x, seed=0)
    assert set(np.unique(b).tolist()) == {0.0, 1.0} and b.shape == (2000, 28, 28, 1)
    assert np.array_equal(b, data.binarize(x, seed=0))
    # E[b] = x / 255: the mean over 1.57M pixels is within a few standard errors.
    assert abs(b.mean() - x.mean() / 255) < 0.002
    # Pure black / pure white pixels are deterministic.
    assert not b[..., 0][x == 0].any() and b[..., 0][x == 255].all()


# --------------------------------------------------------------------------- tf.data pipelines


def test_gan_dataset_batches(mnist):
    x, y = mnist.x_train[:300], mnist.y_train[:300]
    batches = list(data.gan_dataset(x, batch_size=64, seed=1))
    assert len(batches) == 4  # 300 // 64, remainder dropped
    b = batches[0].numpy()
    assert b.shape == (64, 28, 28, 1) and b.dtype == np.float32
    assert b.min() >= -1.0 and b.max() <= 1.0
    xb, yb = next(iter(data.gan_dataset(x, y, batch_size=32, seed=1)))
    assert tuple(xb.shape) == (32, 28, 28, 1) and yb.dtype.name == "int32"
    # The (image, label) pairs stay matched through the shuffle.
    unscaled = data.from_gan_range(xb.numpy())
    for img, lab in zip(unscaled, yb.numpy(), strict=True):
        i = int(np.flatnonzero((x == img).all(axis=(1, 2)))[0])
        assert y[i] == lab


def test_gan_dataset_reshuffles_each_epoch_but_is_seeded(mnist):
    x = mnist.x_train[:256]
    ds = data.gan_dataset(x, batch_size=64, seed=5)
    e1, e2 = next(iter(ds)).numpy(), next(iter(ds)).numpy()
    assert not np.array_equal(e1, e2)
    again = next(iter(data.gan_dataset(x, batch_size=64, seed=5))).numpy()
    assert np.array_equal(e1, again)


def test_vae_dataset_draws_afresh_each_epoch(mnist):
    x = mnist.x_train[:256]
    ds = data.vae_dataset(x, batch_size=128, seed=2, shuffle=False)
    e1 = np.concatenate([b.numpy() for b in ds])
    e2 = np.concatenate([b.numpy() for b in ds])
    assert e1.shape == (256, 28, 28, 1) and set(np.unique(e1).tolist()) == {0.0, 1.0}
    assert (e1 != e2).mean() > 0.01  # a new Bernoulli draw ...
    grey = (x > 0) & (x < 255)
    assert not (e1 != e2)[..., 0][~grey].any()  # ... that only ever changes grey pixels
    same_seed = np.concatenate(
        [b.numpy() for b in data.vae_dataset(x, batch_size=128, seed=2, shuffle=False)]
    )
    assert np.array_equal(e1, same_seed)  # reproducible for a seed
    assert abs(e1.mean() - x.mean() / 255) < 0.01


def test_vae_dataset_with_labels(mnist):
    xb, yb = next(
        iter(
            data.vae_dataset(
                mnist.x_test[:100], mnist.y_test[:100], batch_size=50, seed=0, shuffle=False
            )
        )
    )
    assert tuple(xb.shape) == (50, 28, 28, 1) and np.array_equal(yb.numpy(), mnist.y_test[:50])


@pytest.mark.parametrize("fn", [data.gan_dataset, data.vae_dataset])
def test_pipelines_reject_bad_batch_sizes_and_labels(fn, mnist):
    with pytest.raises(ValueError, match="positive integer"):
        fn(mnist.x_test[:10], batch_size=0)
    with pytest.raises(ValueError, match="smaller batch_size"):
        fn(mnist.x_test[:10], batch_size=64)
    with pytest.raises(ValueError, match="10 images but 9 labels"):
        fn(mnist.x_test[:10], mnist.y_test[:9], batch_size=5)


def test_grey_batch_drops_one_channel_and_refuses_other_shapes():
    from aigc_helpers import images

    assert data.grey_batch is images.grey_batch  # one definition, re-exported for data.grey_batch

    x = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4, 1)
    out = data.grey_batch(x)
    assert out.shape == (2, 3, 4) and out.dtype == np.uint8 and np.array_equal(out, x[..., 0])
    assert data.grey_batch(out).shape == (2, 3, 4)  # already (N, H, W): unchanged
    for bad in (np.zeros((3, 4)), np.zeros((2, 3, 4, 3)), np.zeros((1, 2, 3, 4, 1))):
        with pytest.raises(
            ValueError, match=r"\(N, H, W\) or \(N, H, W, 1\).*Fix: pass a batch of grey-scale"
        ):
            data.grey_batch(bad)
