"""aigc_helpers.config: profiles, seeding, the environment report."""

from __future__ import annotations

import numpy as np
import pytest

from aigc_helpers import config


def test_each_profile_by_name(monkeypatch):
    for name in config.PROFILE_NAMES:
        monkeypatch.setenv("AIGC_PROFILE", name)
        p = config.profile()
        assert p.name == name and p.source == "env"


def test_profile_name_is_case_and_space_tolerant(monkeypatch):
    monkeypatch.setenv("AIGC_PROFILE", " CI ")
    assert config.profile().name == "ci"


def test_unknown_profile_lists_valid_ones(monkeypatch):
    monkeypatch.setenv("AIGC_PROFILE", "laptop")
    with pytest.raises(ValueError) as err:
        config.profile()
    msg = str(err.value)
    assert "'laptop'" in msg and "ci, cpu, binder, gpu" in msg and "export AIGC_PROFILE=cpu" in msg


@pytest.mark.parametrize("has_gpu, expected", [(False, "cpu"), (True, "gpu")])
def test_auto_profile(monkeypatch, has_gpu, expected):
    monkeypatch.delenv("AIGC_PROFILE", raising=False)
    monkeypatch.setattr(config, "gpu_available", lambda: has_gpu)
    p = config.profile()
    assert p.name == expected and p.source == "auto"


def test_auto_profile_on_this_machine(monkeypatch):
    monkeypatch.delenv("AIGC_PROFILE", raising=False)
    import tensorflow as tf

    expected = "gpu" if tf.config.list_physical_devices("GPU") else "cpu"
    assert config.profile().name == expected


def test_profiles_grow_from_ci_to_gpu():
    ci, cpu, binder, gpu = (config.get_profile(n) for n in ("ci", "cpu", "binder", "gpu"))
    for kind in ("gan", "vae", "toy", "tabular"):
        assert ci.epochs(kind) <= binder.epochs(kind) <= cpu.epochs(kind) <= gpu.epochs(kind)
        assert ci.epochs(kind) >= 1
    assert ci.subset("train") < binder.subset("train") and cpu.subset("train") is None
    assert binder.memory_budget_gb == 2.0
    assert ci.verbose in (0, 2)  # keep CI logs small: no per-batch progress bars


def test_full_profile_is_opt_in_with_the_cpu_sizes(monkeypatch):
    """`full` is only ever chosen by name: the default on a CPU stays the lab-sized `cpu`."""
    cpu, full = config.get_profile("cpu"), config.get_profile("full")
    for field in ("train_subset", "test_subset", "batch_size", "n_samples", "epochs_by_kind"):
        assert getattr(full, field) == getattr(cpu, field), field
    monkeypatch.delenv("AIGC_PROFILE", raising=False)
    monkeypatch.setattr(config, "gpu_available", lambda: False)
    assert config.profile().name == "cpu"


def test_every_per_profile_table_in_a_notebook_names_every_profile():
    """A notebook that looks its sizes up by profile name (`{...}[P.name]`) must know every profile,
    or a learner who picks one it misses gets a KeyError instead of a lesson."""
    import ast
    import json
    from pathlib import Path

    found = 0
    for path in sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "code":
                continue
            source = "".join(cell["source"])
            tree = ast.parse(
                "\n".join(ln for ln in source.splitlines() if not ln.startswith(("%", "!")))
            )
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Subscript)
                    and isinstance(node.value, ast.Dict)
                    and ast.unparse(node.slice) == "P.name"
                ):
                    keys = {k.value for k in node.value.keys}
                    assert keys == set(config.PROFILE_NAMES), (path.name, sorted(keys))
                    found += 1
    assert found >= 2  # 08's training budget and its scored test images


def test_profile_rejects_unknown_kind_and_split():
    p = config.get_profile("ci")
    with pytest.raises(ValueError, match="valid kinds: gan, tabular, toy, vae"):
        p.epochs("diffusion")
    with pytest.raises(ValueError, match="'train' or 'test'"):
        p.subset("validation")


def test_profile_table_has_one_row_per_profile():
    table = config.profile_table()
    assert table.index.tolist() == list(config.PROFILE_NAMES)
    assert table.loc["ci", "batch size"] == config.get_profile("ci").batch_size


def _train_tiny_model(seed: int) -> list[np.ndarray]:
    import keras

    config.set_seed(seed)
    x = np.random.rand(64, 4).astype("float32")  # noqa: NPY002 - set_seed must seed this too
    y = (x.sum(axis=1, keepdims=True) > 2).astype("float32")
    model = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dropout(0.3),
            keras.layers.Dense(1),
        ]
    )
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y, epochs=2, batch_size=16, shuffle=True, verbose=0)
    return model.get_weights()


def test_set_seed_makes_training_repeatable():
    a, b, c = _train_tiny_model(7), _train_tiny_model(7), _train_tiny_model(8)
    assert all(np.array_equal(u, v) for u, v in zip(a, b, strict=True))
    assert not all(np.array_equal(u, v) for u, v in zip(a, c, strict=True))


@pytest.mark.parametrize("bad", [-1, 1.5, "1", True])
def test_set_seed_rejects_bad_seeds(bad):
    with pytest.raises(ValueError, match="seed must be an integer >= 0"):
        config.set_seed(bad)


def test_env_report_is_one_line():
    import keras
    import tensorflow as tf

    line = config.env_report(config.get_profile("ci"))
    assert "\n" not in line
    assert f"TensorFlow {tf.__version__}" in line and f"Keras {keras.__version__}" in line
    assert "profile: ci" in line and "device:" in line


def test_setup_prints_report_and_returns_profile(monkeypatch, capsys):
    monkeypatch.setenv("AIGC_PROFILE", "binder")
    p = config.setup(seed=3)
    assert p.name == "binder"
    assert "profile: binder (AIGC_PROFILE)" in capsys.readouterr().out


def test_kernel_drops_known_native_noise_but_keeps_other_stderr(monkeypatch):
    """In a Jupyter kernel, a listed C++ line written to fd 2 vanishes; any other line still shows."""
    # ipykernel does not capture fd 2 when it sees pytest's variable; `make notebooks` runs without it.
    monkeypatch.delenv("PYTEST_CURRENT_TEST", raising=False)
    import nbformat
    from nbclient import NotebookClient

    noise = (
        "E0000 00:00:1.0 1 node_def_util.cc:682] NodeDef mentions attribute "
        "use_unbounded_threadpool which is not in the op definition"
    )
    code = (
        "import os, time\n"
        "from aigc_helpers import config\n"
        "config.quiet_tensorflow()\n"
        f"os.write(2, {noise!r}.encode() + b'\\n')\n"
        "os.write(2, b'a real problem\\n')\n"
        "time.sleep(1.0)\n"
        "print('filter active:', config.filter_native_stderr())"
    )
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    NotebookClient(nb, timeout=300, kernel_name="python3").execute()
    outs = nb.cells[0].outputs
    stderr = "".join(o.get("text", "") for o in outs if o.get("name") == "stderr")
    stdout = "".join(o.get("text", "") for o in outs if o.get("name") == "stdout")
    assert "filter active: True" in stdout
    assert "a real problem" in stderr, outs
    assert "use_unbounded_threadpool" not in stderr
