"""aigc_helpers.compare: the concept map (Mermaid text and static drawing agree) and the GAN-vs-VAE
table built from the benchmark result files, with 'pending' cells where a benchmark has not run."""

from __future__ import annotations

import json
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from aigc_helpers import compare

REPO = Path(__file__).resolve().parent.parent
NOTEBOOK_02 = REPO / "notebooks" / "02_core_concepts.ipynb"

FAKE_GAN = {  # the layout benchmarks/dcgan.py writes
    "minutes": 15.0,
    "cfid_floor_train_vs_test": 0.42,
    "models": {
        "ours": {
            "params_generator": 1_000_000,
            "params_discriminator": 234_567,
            "images_per_s": 512.3,
            "epochs": 7.5,
            "train_seconds": 900.0,
            "cfid": 3.21,
            "inception_score": 9.1,
            "precision": 0.71,
            "recall": 0.64,
            "coverage_kl": 0.0123,
        },
        "tutorial": {"params_generator": 1, "params_discriminator": 1, "cfid": 99.0},
    },
}

ASPECTS = (
    "what it optimizes",
    "likelihood on test images",
    "sample quality (cFID, lower is better)",
    "samples: sharpness",
    "training stability",
    "training speed on this CPU",
)


def test_comparison_uses_the_shipped_vae_results():
    shipped = compare.load_results("vae")
    assert shipped is not None, "aigc_helpers/assets/vae_results.json is missing"
    table = compare.model_comparison(gan_results=None, vae_results=shipped, load=False)
    assert list(table.columns) == ["GAN", "VAE"]
    for aspect in ASPECTS:
        assert aspect in table.index
    ours = shipped["models"].get("factorised", shipped["models"]["ours"])  # the shipped VAE's row
    vae_col = " ".join(table["VAE"])
    assert f"{ours['test_iw_nll_k100']:.2f}" in vae_col
    assert f"{ours['test_neg_elbo']:.2f}" in vae_col
    assert f"{ours['params']:,}" in vae_col
    assert "pending" not in vae_col


def test_gan_columns_say_pending_without_results():
    table = compare.model_comparison(gan_results=None, load=False)
    gan_col = table["GAN"]
    for aspect in ("parameters (course model)", "sample quality (cFID, lower is better)"):
        assert gan_col[aspect] == "pending: run benchmarks/dcgan.py"
    # what needs no measurement is stated anyway
    assert "no density" in gan_col["likelihood on test images"]
    assert table.loc["likelihood on test images", "VAE"] == "pending: run benchmarks/vae.py"


def test_gan_columns_show_the_measured_numbers():
    table = compare.model_comparison(gan_results=FAKE_GAN, vae_results=None, load=False)
    gan_col = table["GAN"]
    assert "pending" not in " ".join(gan_col)
    assert gan_col["sample quality (cFID, lower is better)"] == (
        "3.21 (real train vs test images: 0.42)"
    )
    assert (
        gan_col["sample quality (classifier Inception Score, higher is better)"]
        == "9.10 (at most 10)"
    )
    assert gan_col["parameters (course model)"] == (
        "1,234,567 (generator 1,000,000 + discriminator 234,567)"
    )
    assert gan_col["training speed on this CPU"] == "512 training images/s; 7.5 epochs in 15 min"
    assert "precision 0.71, recall 0.64" in gan_col["samples: diversity"]
    assert "0.012" in gan_col["samples: diversity"]


def test_gan_cfid_carries_its_spread_over_seeds():
    row = {**FAKE_GAN["models"]["ours"], "cfid_sd": 0.352, "n_seeds": 3}
    table = compare.model_comparison(
        gan_results={**FAKE_GAN, "models": {"ours": row}}, vae_results=None, load=False
    )
    assert table.loc["sample quality (cFID, lower is better)", "GAN"] == (
        "3.21 ± 0.35 (mean ± sd over 3 seeds; real train vs test images: 0.42)"
    )


def test_vae_sample_scores_fill_the_vae_sample_rows():
    table = compare.model_comparison(gan_results=FAKE_GAN, load=False)
    assert (
        table.loc["sample quality (cFID, lower is better)", "VAE"]
        == "pending: run benchmarks/vae.py"
    )
    shipped = compare.load_results("vae")
    table = compare.model_comparison(gan_results=FAKE_GAN, vae_results=shipped, load=False)
    assert "not measured" in table.loc["sample quality (cFID, lower is better)", "VAE"]
    scores = {
        "cfid": 12.5,
        "inception_score": 8.0,
        "precision": 0.5,
        "recall": 0.9,
        "coverage_kl": 0.01,
    }
    table = compare.model_comparison(FAKE_GAN, shipped, vae_scores=scores, load=False)
    assert table.loc["sample quality (cFID, lower is better)", "VAE"].startswith("12.50")
    assert "recall 0.90" in table.loc["samples: diversity", "VAE"]


def test_missing_keys_are_named_not_invented():
    table = compare.model_comparison(
        gan_results={"models": {"ours": {"params": 10}}}, vae_results=None, load=False
    )
    assert table.loc["sample quality (cFID, lower is better)", "GAN"] == "not in gan_results.json"


def test_load_results(tmp_path):
    assert compare.load_results("gan", tmp_path / "nothing.json") is None
    good = tmp_path / "gan_results.json"
    good.write_text(json.dumps(FAKE_GAN))
    assert compare.load_results("gan", good)["models"]["ours"]["cfid"] == 3.21
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ValueError, match="Fix: re-run"):
        compare.load_results("gan", bad)
    with pytest.raises(ValueError, match="'gan', 'vae', 'diffusion'"):
        compare.load_results("flow")


def test_mermaid_names_every_node_and_edge():
    text = compare.concept_map_mermaid()
    assert text.startswith("flowchart TB\n")  # left to right, it shrinks to unreadable labels
    for node in compare.CONCEPT_NODES:
        assert re.search(rf"^    {node.id}\[\"`", text, re.M), node.id
    # HTML export keeps newlines but swallows <br/>; a backtick would end the markdown string, and
    # * or _ would turn into emphasis.
    assert "<br" not in text
    assert all(not set("`*_") & set(n.label) for n in compare.CONCEPT_NODES)
    arrows = [ln for ln in text.splitlines() if "-->" in ln]
    assert len(arrows) == len(compare.CONCEPT_EDGES)
    # Mermaid breaks on an unquoted '|' or a reserved word as a node id.
    assert all(
        n.id not in {"end", "graph", "subgraph", "class", "style"} for n in compare.CONCEPT_NODES
    )
    assert all("|" not in e.label and '"' not in e.label for e in compare.CONCEPT_EDGES)


def test_static_drawing_has_every_box_and_label():
    fig = compare.draw_concept_map()
    texts = [t.get_text() for t in fig.axes[0].texts]
    for node in compare.CONCEPT_NODES:
        assert node.label in texts
    for edge in compare.CONCEPT_EDGES:
        if edge.label:
            assert edge.label in texts


@pytest.mark.skipif(not NOTEBOOK_02.is_file(), reason="notebook 02 not written yet")
def test_notebook_02_shows_the_current_mermaid_chart():
    cells = json.loads(NOTEBOOK_02.read_text())["cells"]
    md = "\n".join(
        "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        for c in cells
        if c["cell_type"] == "markdown"
    )
    blocks = re.findall(r"```mermaid\n(.*?)\n```", md, re.S)
    assert blocks == [compare.concept_map_mermaid()], (
        "notebook 02's Mermaid chart differs from compare.concept_map_mermaid(); "
        "Fix: regenerate the notebook's chart cell from it"
    )


def test_grey_fraction():
    assert compare.grey_fraction(np.array([[[0.0, 0.5], [1.0, 0.5]]])) == 0.5
    assert compare.grey_fraction(np.full((2, 4, 4), 255, np.uint8)) == 0.0  # uint8 rescaled
    with pytest.raises(ValueError, match="images.from_tanh"):  # [-1, 1] is never guessed
        compare.grey_fraction(np.zeros((1, 4, 4, 1)) - 1.0)
    assert compare.grey_fraction(np.full((1, 3, 3), 0.3)) == 1.0
    with pytest.raises(ValueError, match="No images"):
        compare.grey_fraction(np.zeros((0, 28, 28)))
    with pytest.raises(ValueError, match="low < high"):
        compare.grey_fraction(np.zeros((1, 2, 2)), low=0.9, high=0.1)


def test_layer_table_shapes():
    from aigc_helpers import vae

    table = compare.layer_table(vae.build_encoder(2, filters=(8,), hidden=16))
    assert table.loc["z_mean", "output shape"] == "(None, 2)"
    assert table.loc["conv0", "output shape"] == "(None, 14, 14, 8)"
    assert table["parameters"].sum() == vae.build_encoder(2, filters=(8,), hidden=16).count_params()
