"""benchmarks/selection.py: the validation split, the seed summary and shipping results (the benchmark
scripts themselves run end to end in tests/test_gan.py and tests/test_vae.py)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location(
    "bench_selection", REPO / "benchmarks" / "selection.py"
)
selection = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(selection)


def test_holdout_keeps_the_last_images_apart_and_refuses_to_keep_all():
    (xf, yf), (xv, yv) = selection.holdout(np.arange(10), np.arange(10) * 2, 3)
    assert (
        xf.tolist() == list(range(7)) and xv.tolist() == [7, 8, 9] and yv.tolist() == [14, 16, 18]
    )
    (xf, _), (xv, _) = selection.holdout(np.arange(10), np.arange(10), 0)
    assert len(xf) == 10 and len(xv) == 0
    with pytest.raises(ValueError, match="Fix: pass --val-n between 0 and 9"):
        selection.holdout(np.arange(10), np.arange(10), 10)


@pytest.mark.parametrize("bad", ["", "0,0", "a,b", ","])
def test_seeds_must_be_distinct_integers(bad):
    with pytest.raises(ValueError, match="distinct integers"):
        selection.parse_seeds(bad)


def test_summary_is_the_mean_with_the_spread_of_the_named_figures():
    runs = [
        {"seed": s, "cfid": c, "params": 7, "env": "x"} for s, c in ((0, 3.0), (1, 4.0), (2, 8.0))
    ]
    row = selection.summarize(runs, ("cfid",))
    assert row["cfid"] == 5.0 and row["cfid_sd"] == round(float(np.std([3, 4, 8], ddof=1)), 4)
    assert (
        row["params"] == 7 and "params_sd" not in row and row["env"] == "x" and row["n_seeds"] == 3
    )
    assert "cfid_sd" not in selection.summarize(runs[:1], ("cfid",))


def test_shipping_results_keeps_the_recorded_design_path(tmp_path):
    new, shipped = tmp_path / "results.json", tmp_path / "shipped.json"
    new.write_text(json.dumps({"models": {"ours": {"cfid": 3.0}}}))
    shipped.write_text(json.dumps({"models": {"ours": {"cfid": 9.0}}, "path": {"rows": {"a": 1}}}))
    selection.ship_results(new, shipped)
    assert json.loads(shipped.read_text()) == {
        "models": {"ours": {"cfid": 3.0}},
        "path": {"rows": {"a": 1}},
    }
    fresh = tmp_path / "fresh.json"
    selection.ship_results(new, fresh)  # nothing shipped before: the run's file as it is
    assert json.loads(fresh.read_text()) == {"models": {"ours": {"cfid": 3.0}}}


def test_a_design_path_row_is_recorded_and_the_path_rechosen_on_validation(tmp_path):
    shipped = tmp_path / "gan_results.json"
    before = {"models": {"ours": {"cfid": 6.0}}, "path": {"minutes": 5.0, "rows": {}}}
    shipped.write_text(json.dumps(before))
    run = {"minutes": 5.0, "validation_n": 10000}

    def record(name, val, test):
        row = {"val_cfid": val, "cfid": test}
        return selection.merge_path_row(
            shipped, name, row, run=run, choose_on="val_cfid", measured="today"
        )

    assert record("plain", 50.0, 48.0)["chosen"] == "plain"
    # the lower *test* figure does not choose: validation does
    path = record("clusters_50", 10.0, 49.0)
    assert path["chosen"] == "clusters_50" and path["validation_n"] == 10000
    assert path["rows"]["clusters_50"] == {"val_cfid": 10.0, "cfid": 49.0, "measured": "today"}
    saved = json.loads(shipped.read_text())
    assert saved["path"] == path and saved["models"] == before["models"]
    with pytest.raises(ValueError, match=r"minutes=5\.0.*not be comparable"):
        selection.merge_path_row(
            shipped, "x", {"val_cfid": 1.0}, run={"minutes": 3.0}, choose_on="val_cfid", measured=""
        )
    with pytest.raises(ValueError, match="--val-n"):
        selection.merge_path_row(
            shipped, "x", {"cfid": 1.0}, run=run, choose_on="val_cfid", measured=""
        )
    assert json.loads(shipped.read_text()) == saved  # a refused row changes nothing


def test_doctests_of_the_benchmark_helpers():
    import doctest

    spec = importlib.util.spec_from_file_location("bench_dcgan", REPO / "benchmarks" / "dcgan.py")
    dcgan = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(dcgan)
    assert doctest.testmod(selection).failed == 0
    assert doctest.testmod(dcgan).failed == 0
    spec = importlib.util.spec_from_file_location("bench_vae", REPO / "benchmarks" / "vae.py")
    vae = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(vae)
    assert doctest.testmod(vae).failed == 0
