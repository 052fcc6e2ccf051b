"""GANs and VAEs side by side: the course's concept map, and a comparison backed by measured numbers.

- :data:`CONCEPT_NODES` / :data:`CONCEPT_EDGES` are the concept map of notebook 02 (the source article's
  map, corrected). :func:`concept_map_mermaid` writes it as a Mermaid flowchart (the notebook's Markdown
  cell) and :func:`draw_concept_map` draws the same graph with matplotlib, for viewers without Mermaid.
- :func:`model_comparison` builds the GAN-vs-VAE table from the two benchmark result files shipped in
  ``aigc_helpers/assets/``: ``vae_results.json`` (``benchmarks/vae.py``) and ``gan_results.json``
  (``benchmarks/dcgan.py``). A missing file gives cells that say which benchmark to run.
- :func:`grey_fraction` is a one-line sharpness measure: the share of pixels that are neither clearly
  black nor clearly white.

Example:
    >>> from aigc_helpers import compare
    >>> table = compare.model_comparison()  # doctest: +SKIP
    >>> table.loc["likelihood on test images", "VAE"]  # doctest: +SKIP

Taught in: notebooks/02_core_concepts.ipynb (and the FAQ of notebooks/15_faq_and_references.ipynb)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from aigc_helpers.assets import load_results
from aigc_helpers.images import to_unit

PENDING = {
    "gan": "pending: run benchmarks/dcgan.py",
    "vae": "pending: run benchmarks/vae.py",
}
COLUMNS = ("GAN", "VAE")

# --------------------------------------------------------------------------- the concept map


@dataclass(frozen=True)
class Node:
    """A box of the concept map: ``label`` (``\\n`` = line break), position (x, y) and colour group."""

    id: str
    label: str
    x: float
    y: float
    group: str


@dataclass(frozen=True)
class Edge:
    """An arrow ``source -> target`` with an optional label; ``bend`` curves it in the static drawing."""

    source: str
    target: str
    label: str = ""
    bend: float = 0.0


#: Colours of the groups (fill, border), shared by the Mermaid chart and the matplotlib drawing.
GROUP_STYLE: dict[str, tuple[str, str]] = {
    "idea": ("#f2f2f2", "#555555"),
    "data": ("#e8f0fe", "#1a56c4"),
    "gan": ("#fde8e4", "#c0392b"),
    "vae": ("#e6f4ea", "#1e8449"),
    "eval": ("#fff4d6", "#b7791f"),
    "diffusion": ("#efe6fb", "#6c3fb5"),
}

CONCEPT_NODES: tuple[Node, ...] = (
    Node("aigc", "AI-generated\ncontent", -0.6, 2.9, "idea"),
    Node("gan", "GAN", 2.6, 4.2, "gan"),
    Node("vae", "VAE", 2.6, 1.2, "vae"),
    Node("data", "Training data\n(MNIST images x)", 5.2, 2.9, "data"),
    Node("noise", "Noise\nz ~ N(0, I)", 5.2, 5.6, "gan"),
    Node("gen", "Generator G", 8.0, 5.6, "gan"),
    Node("disc", "Discriminator D", 8.0, 3.7, "gan"),
    Node("enc", "Encoder\nq(z|x)", 8.0, 1.6, "vae"),
    Node("latent", "Latent space\nz = μ + σ·ε", 11.1, 1.6, "vae"),
    Node("prior", "Prior\nN(0, I)", 11.1, 0.0, "vae"),
    Node("dec", "Decoder\np(x|z)", 14.2, 1.6, "vae"),
    Node("samples", "New samples", 17.2, 4.6, "eval"),
    Node("eval", "Evaluation\n(cFID, IS, nats)", 17.2, 2.9, "eval"),
    Node("apps", "Applications\n(mock-ups)", 17.2, 1.2, "idea"),
    Node("diff", "Diffusion /\nflow matching", 2.6, -0.9, "diffusion"),
)

CONCEPT_EDGES: tuple[Edge, ...] = (
    Edge("aigc", "gan", "one family"),
    Edge("aigc", "vae", "another family"),
    Edge("gan", "gen"),
    Edge("gan", "disc"),
    Edge("vae", "enc"),
    Edge("noise", "gen", "input"),
    Edge("gen", "disc", "fakes G(z)", bend=0.45),
    Edge("data", "disc", "real x"),
    Edge("disc", "gen", "training signal", bend=0.45),
    Edge("data", "enc", "x"),
    Edge("enc", "latent", "μ, log σ²"),
    Edge("latent", "dec", "z"),
    Edge("prior", "latent", "sampling"),
    Edge("dec", "enc", "−ELBO trains both", bend=0.7),
    Edge("gen", "samples", "after training"),
    Edge("dec", "samples", "after training"),
    Edge("samples", "eval", "vs test data"),
    Edge("eval", "apps", "if good enough"),
    Edge("aigc", "diff", "a third family"),
    Edge("diff", "latent", "draws codes z"),
)


def _node_map() -> dict[str, Node]:
    nodes = {n.id: n for n in CONCEPT_NODES}
    for e in CONCEPT_EDGES:
        for end in (e.source, e.target):
            if end not in nodes:  # pragma: no cover - guards edits of the tables above
                raise ValueError(f"Edge {e.source} -> {e.target} names an unknown node {end!r}.")
    return nodes


def concept_map_mermaid() -> str:
    """The concept map as a Mermaid flowchart (the text of a fenced ``mermaid`` block).

    JupyterLab 4 and GitHub render it from a Markdown cell; :func:`draw_concept_map` is the fallback.
    It runs top to bottom, so that it fits a notebook's width with labels at a readable size (left to
    right, it is far wider than a notebook cell and shrinks to fit). Box labels are Mermaid
    markdown strings, ``"`...`"``, which break lines at plain newlines: an HTML ``<br/>`` would be lost
    when the notebook is exported to HTML.

    Example:
        >>> concept_map_mermaid().splitlines()[0]
        'flowchart TB'
    """
    nodes = _node_map()
    lines = ["flowchart TB"]
    for n in nodes.values():
        lines.append(f'    {n.id}["`{n.label}`"]')
    for e in CONCEPT_EDGES:
        arrow = f'-->|"{e.label}"|' if e.label else "-->"
        lines.append(f"    {e.source} {arrow} {e.target}")
    for group, (fill, stroke) in GROUP_STYLE.items():
        lines.append(f"    classDef k_{group} fill:{fill},stroke:{stroke},color:#111")
        members = ",".join(n.id for n in nodes.values() if n.group == group)
        if members:
            lines.append(f"    class {members} k_{group}")
    return "\n".join(lines)


def draw_concept_map(ax=None, *, title: str | None = "The course's concept map"):
    """Draw the concept map with matplotlib (boxes, arrows, edge labels) and return the figure.

    Example:
        >>> fig = draw_concept_map()  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    nodes = _node_map()
    if ax is None:
        fig, ax = plt.subplots(figsize=(14, 6.2))
    else:
        fig = ax.figure
    box_w, box_h = 2.1, 1.0
    for n in nodes.values():
        fill, stroke = GROUP_STYLE[n.group]
        ax.add_patch(
            FancyBboxPatch(
                (n.x - box_w / 2, n.y - box_h / 2),
                box_w,
                box_h,
                boxstyle="round,pad=0.02,rounding_size=0.12",
                facecolor=fill,
                edgecolor=stroke,
                linewidth=1.4,
                zorder=2,
            )
        )
        ax.text(n.x, n.y, n.label, ha="center", va="center", fontsize=10, zorder=3)

    def border_point(n: Node, towards: Node) -> tuple[float, float]:
        dx, dy = towards.x - n.x, towards.y - n.y
        scale = min(
            (box_w / 2 + 0.04) / abs(dx) if dx else np.inf,
            (box_h / 2 + 0.04) / abs(dy) if dy else np.inf,
        )
        return n.x + dx * scale, n.y + dy * scale

    xs = [n.x for n in nodes.values()]
    ys = [n.y for n in nodes.values()]
    ax.set_xlim(min(xs) - 1.2, max(xs) + 1.2)
    ax.set_ylim(min(ys) - 0.7, max(ys) + 0.7)
    to_screen, to_data = ax.transData.transform, ax.transData.inverted().transform
    for e in CONCEPT_EDGES:
        a, b = nodes[e.source], nodes[e.target]
        start, end = border_point(a, b), border_point(b, a)
        ax.annotate(
            "",
            xy=end,
            xytext=start,
            arrowprops={
                "arrowstyle": "-|>",
                "color": "#444444",
                "lw": 1.1,
                "connectionstyle": f"arc3,rad={e.bend}",
                "shrinkA": 0,
                "shrinkB": 0,
            },
            zorder=1,
        )
        if e.label:
            # The middle of the arrow, computed on screen where matplotlib bends it (arc3 is a
            # quadratic Bezier curve whose control point sits bend x the chord length to its side).
            (sx, sy), (ex, ey) = to_screen(start), to_screen(end)
            ox, oy = e.bend * (ey - sy) / 2, -e.bend * (ex - sx) / 2
            mx, my = to_data(((sx + ex) / 2 + ox, (sy + ey) / 2 + oy))
            ha, va = "center", "center"
            if e.bend and abs(ox) > abs(oy):  # a bulge to the side: the label goes outside it
                ha = "left" if ox > 0 else "right"
            elif e.bend:
                va = "bottom" if oy > 0 else "top"
            elif abs(end[1] - start[1]) < 1e-9:  # horizontal: label above the line
                my, va = my + 0.08, "bottom"
            ax.text(
                mx,
                my,
                e.label,
                ha=ha,
                va=va,
                fontsize=8.5,
                color="#333333",
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1.0},
                zorder=4,
            )
    ax.axis("off")
    if title:
        ax.set_title(title)
    return fig


# --------------------------------------------------------------------------- measured comparison


def _model(results: Mapping | None, preferred: tuple[str, ...] = ("ours",)) -> Mapping | None:
    """The entry of our own model in a results file (the first of ``preferred`` present, else the first)."""
    if not results:
        return None
    models = results.get("models", results)
    if not isinstance(models, Mapping) or not models:
        return None
    for name in preferred:
        if isinstance(models.get(name), Mapping):
            return models[name]
    first = next(iter(models.values()))
    return first if isinstance(first, Mapping) else None


def _first(entry: Mapping | None, *keys: str) -> Any:
    """The value of the first of ``keys`` present (and not None) in ``entry``."""
    if not entry:
        return None
    for key in keys:
        if entry.get(key) is not None:
            return entry[key]
    return None


# Keys of a sample evaluation (``aigc_helpers.metrics.evaluate``, as stored by benchmarks/dcgan.py); the
# first key present wins, so small naming differences between result files do not matter.
SCORE_KEYS: dict[str, tuple[str, ...]] = {
    "cfid": ("cfid", "cFID", "fid"),
    "inception_score": ("inception_score", "cis", "is"),
    "precision": ("precision",),
    "recall": ("recall",),
    "coverage_kl": ("coverage_kl", "class_kl", "class_coverage_kl"),
}


def _scores(entry: Mapping | None) -> dict[str, Any]:
    return {name: _first(entry, *keys) for name, keys in SCORE_KEYS.items()}


def _params_text(entry: Mapping | None) -> str | None:
    g, d = _first(entry, "params_generator"), _first(entry, "params_discriminator")
    if g is not None and d is not None:
        return f"{g + d:,} (generator {g:,} + discriminator {d:,})"
    p = _first(entry, "params", "parameters")
    return None if p is None else f"{p:,}"


def _training_text(entry: Mapping | None) -> str | None:
    images_per_s = _first(entry, "images_per_s")
    if images_per_s is None:
        return None
    text = f"{images_per_s:,.0f} training images/s"
    epochs, seconds = _first(entry, "epochs"), _first(entry, "train_seconds")
    if epochs is not None and seconds:
        text += f"; {epochs:.1f} epochs in {seconds / 60:.0f} min"
    return text


def _diversity_text(scores: Mapping[str, Any]) -> str | None:
    parts = []
    if scores["precision"] is not None and scores["recall"] is not None:
        parts.append(f"precision {scores['precision']:.2f}, recall {scores['recall']:.2f}")
    if scores["coverage_kl"] is not None:
        parts.append(f"class-coverage KL {scores['coverage_kl']:.3f} nats")
    return "; ".join(parts) or None


def model_comparison(
    gan_results: Mapping | None = None,
    vae_results: Mapping | None = None,
    *,
    vae_scores: Mapping | None = None,
    load: bool = True,
):
    """GAN and VAE side by side, one row per aspect, measured figures where the benchmarks produced them.

    Args:
        gan_results, vae_results: parsed result files; ``None`` reads the shipped one (when ``load``).
        vae_scores: sample scores of the VAE (the dict of ``aigc_helpers.metrics.evaluate``), so that
            both columns carry the same sample measures; without them the VAE's sample rows say so.
        load: read ``aigc_helpers/assets/*_results.json`` for results not given.

    Returns:
        a pandas DataFrame indexed by aspect with columns ``GAN`` and ``VAE``. Where a result file is
        missing, the measured cells say ``pending: run benchmarks/dcgan.py`` (or ``vae.py``).

    Example:
        >>> t = model_comparison(gan_results=None, load=False)
        >>> t.loc["sample quality (cFID, lower is better)", "GAN"]
        'pending: run benchmarks/dcgan.py'

    Taught in: notebooks/02_core_concepts.ipynb
    """
    import pandas as pd

    if load:
        gan_results = gan_results if gan_results is not None else load_results("gan")
        vae_results = vae_results if vae_results is not None else load_results("vae")
    # The VAE column describes the shipped VAE (vae_mnist.keras, the benchmark's "factorised" model),
    # whose samples notebook 02 scores; older result files call it "ours".
    g_entry, v_entry = _model(gan_results), _model(vae_results, ("factorised", "ours"))
    g_scores = _scores(g_entry)
    v_scores = _scores(vae_scores) if vae_scores is not None else _scores(v_entry)

    def gan_cell(text: str | None, missing: str = "not in gan_results.json") -> str:
        if g_entry is None:
            return PENDING["gan"]
        return text if text is not None else missing

    def vae_cell(text: str | None, missing: str = "not in vae_results.json") -> str:
        if v_entry is None:
            return PENDING["vae"]
        return text if text is not None else missing

    unscored = "not measured (needs the VAE's samples scored by aigc_helpers.metrics)"

    def vae_sample_cell(text: str | None) -> str:
        if text is not None:
            return text
        return PENDING["vae"] if v_entry is None and vae_scores is None else unscored

    vae_nll = None
    if _first(v_entry, "test_iw_nll_k100") is not None:
        k = vae_results.get("k", 100) if isinstance(vae_results, Mapping) else 100
        sem = _first(v_entry, "iw_nll_sem")
        vae_nll = f"−ELBO {_first(v_entry, 'test_neg_elbo'):.2f}; IW-NLL (k = {k}) {v_entry['test_iw_nll_k100']:.2f}"
        vae_nll += f" ± {sem:.2f}" if sem is not None else ""
        vae_nll += " nats/image"

    floor = (
        gan_results.get("cfid_floor_train_vs_test") if isinstance(gan_results, Mapping) else None
    )

    def cfid_text(scores: Mapping[str, Any], entry: Mapping | None = None) -> str | None:
        if scores["cfid"] is None:
            return None
        sd, seeds = _first(entry, "cfid_sd"), _first(entry, "n_seeds")
        text, notes = f"{scores['cfid']:.2f}", []
        if sd is not None and seeds:
            text, notes = f"{text} ± {sd:.2f}", [f"mean ± sd over {seeds} seeds"]
        if floor:
            notes.append(f"real train vs test images: {floor:.2f}")
        return text + (f" ({'; '.join(notes)})" if notes else "")

    def is_text(scores: Mapping[str, Any]) -> str | None:
        return (
            None
            if scores["inception_score"] is None
            else f"{scores['inception_score']:.2f} (at most 10)"
        )

    g_div, v_div = _diversity_text(g_scores), _diversity_text(v_scores)
    rows = {
        "what it optimizes": (
            "a two-player game: D minimizes −[log D(x) + log(1 − D(G(z)))]; "
            "G minimizes −log D(G(z)) (non-saturating)",
            "one loss: −ELBO = E_q[−log p(x|z)] + KL(q(z|x) ‖ N(0, I)), a bound on −log p(x)",
        ),
        "networks": (
            "generator (noise → image) and discriminator (image → real/fake logit)",
            "encoder (image → μ, log σ²) and decoder (code → pixel probabilities)",
        ),
        "parameters (course model)": (
            gan_cell(_params_text(g_entry)),
            vae_cell(_params_text(v_entry)),
        ),
        "likelihood on test images": (
            "none: a GAN defines no density, so it cannot report nats",
            vae_cell(vae_nll),
        ),
        "sample quality (cFID, lower is better)": (
            gan_cell(cfid_text(g_scores, g_entry)),
            vae_sample_cell(cfid_text(v_scores)),
        ),
        "sample quality (classifier Inception Score, higher is better)": (
            gan_cell(is_text(g_scores)),
            vae_sample_cell(is_text(v_scores)),
        ),
        "samples: sharpness": (
            "sharp: any blur is something D can detect",
            "blurry means: the decoder averages over what z leaves open",
        ),
        "samples: diversity": (
            gan_cell(
                f"{g_div} (mode collapse is the risk)" if g_div else None,
                "mode collapse is the risk (no diversity figure in gan_results.json)",
            ),
            f"{v_div} (the likelihood punishes missing digits)"
            if v_div
            else "covers the data: the likelihood punishes any digit it cannot produce",
        ),
        "training stability": (
            "delicate: the two losses do not simply decrease; watch D(x), D(G(z)) and samples",
            "stable: one loss that goes down; watch the KL term (posterior collapse)",
        ),
        "training speed on this CPU": (
            gan_cell(_training_text(g_entry)),
            vae_cell(_training_text(v_entry)),
        ),
        "image → code (encoder)": (
            "no: finding z for a given image needs an extra search",
            "yes: q(z|x) gives a code for any image (compression, interpolation)",
        ),
        "sampling a new image": (
            "one generator pass: G(z), z ~ N(0, I)",
            "one decoder pass: p(x|z), z ~ N(0, I)",
        ),
    }
    table = pd.DataFrame.from_dict(rows, orient="index", columns=list(COLUMNS))
    table.index.name = "aspect"
    return table


def layer_table(model):
    """Each layer of a Keras functional model: its output shape (``None`` = the batch axis) and
    parameter count, as a pandas DataFrame indexed by layer name.

    Example:
        >>> from aigc_helpers import vae
        >>> layer_table(vae.build_encoder(2)).loc["z_mean", "output shape"]  # doctest: +SKIP
        '(None, 2)'
    """
    import pandas as pd

    rows = []
    for layer in model.layers:
        out = layer.output
        shapes = [out] if not isinstance(out, (list, tuple)) else list(out)
        rows.append(
            {
                "layer": layer.name,
                "output shape": ", ".join(str(tuple(t.shape)) for t in shapes),
                "parameters": layer.count_params(),
            }
        )
    return pd.DataFrame(rows).set_index("layer")


def grey_fraction(images, low: float = 0.1, high: float = 0.9) -> float:
    """Share of pixels strictly between ``low`` and ``high`` -- neither clearly ink nor clearly paper.

    Images are (N, H, W) or (N, H, W, 1): uint8 0..255 or floats in [0, 1] (:func:`aigc_helpers.images.to_unit`). Real MNIST
    digits have few grey pixels; a blurry image has many.

    Example:
        >>> grey_fraction(np.array([[[0.0, 0.5], [1.0, 0.5]]]))
        0.5
    """
    x = to_unit(images)
    if x.size == 0:
        raise ValueError("No images given.")
    if not 0.0 <= low < high <= 1.0:
        raise ValueError(f"Need 0 <= low < high <= 1, got low={low}, high={high}.")
    return float(np.mean((x > low) & (x < high)))


__all__ = [
    "CONCEPT_EDGES",
    "CONCEPT_NODES",
    "PENDING",
    "concept_map_mermaid",
    "draw_concept_map",
    "grey_fraction",
    "layer_table",
    "load_results",
    "model_comparison",
]
