"""A timeline of generative modelling, each milestone with a checked citation.

Works the course cites elsewhere are taken from :mod:`aigc_helpers.references` (one source of truth);
the few that only the timeline needs are in :data:`EXTRA_REFERENCES`, in the same form. Only entries
whose title, authors, year and venue are certain are listed.

``year`` is the year the course cites a work by: the year of its first public version (the arXiv
preprint where there is one, even when the work is better known by a later conference year) --
:func:`timeline` shows the arXiv identifier, whose first four digits are the preprint's year and month.

Example:
    >>> from aigc_helpers import timeline
    >>> df = timeline.timeline()
    >>> df.set_index("key").loc["dcgan", "authors"]
    'Radford, Metz & Chintala'

Taught in: notebooks/01_what_is_aigc.ipynb
"""

from __future__ import annotations

from dataclasses import dataclass

from . import references as refs
from .references import Reference

_OTHER = "Other generative model families"
_BACKGROUND = "Background: learning, optimization, information"

#: Works cited only by the timeline (same fields as :data:`aigc_helpers.references.REFERENCES`).
EXTRA_REFERENCES: tuple[Reference, ...] = (
    Reference(
        "shannon1948",
        ("Shannon, C. E.",),
        1948,
        "A Mathematical Theory of Communication",
        "Bell System Technical Journal 27",
        "",
        _BACKGROUND,
        "text generated from letter and word statistics (the timeline of notebook 01)",
    ),
    Reference(
        "boltzmann",
        ("Ackley, D. H.", "Hinton, G. E.", "Sejnowski, T. J."),
        1985,
        "A Learning Algorithm for Boltzmann Machines",
        "Cognitive Science 9(1)",
        "",
        _OTHER,
        "Boltzmann machines (the timeline of notebook 01)",
    ),
    Reference(
        "dbn",
        ("Hinton, G. E.", "Osindero, S.", "Teh, Y.-W."),
        2006,
        "A Fast Learning Algorithm for Deep Belief Nets",
        "Neural Computation 18(7)",
        "",
        _OTHER,
        "deep belief nets (the timeline of notebook 01)",
    ),
    Reference(
        "wavenet",
        (
            "van den Oord, A.",
            "Dieleman, S.",
            "Zen, H.",
            "Simonyan, K.",
            "Vinyals, O.",
            "Graves, A.",
            "Kalchbrenner, N.",
            "Senior, A.",
            "Kavukcuoglu, K.",
        ),
        2016,
        "WaveNet: A Generative Model for Raw Audio",
        "arXiv preprint",
        "arXiv:1609.03499",
        _OTHER,
        "autoregressive audio generation (the timeline of notebook 01)",
    ),
    Reference(
        "glow",
        ("Kingma, D. P.", "Dhariwal, P."),
        2018,
        "Glow: Generative Flow with Invertible 1x1 Convolutions",
        "Advances in Neural Information Processing Systems 31 (NeurIPS 2018)",
        "arXiv:1807.03039",
        _OTHER,
        "normalizing flows at high resolution (the timeline of notebook 01)",
    ),
    Reference(
        "gpt3",
        (
            "Brown, T. B.",
            "Mann, B.",
            "Ryder, N.",
            "Subbiah, M.",
            "Kaplan, J.",
            "Dhariwal, P.",
            "Neelakantan, A.",
            "Shyam, P.",
            "Sastry, G.",
            "Askell, A.",
            "Agarwal, S.",
            "Herbert-Voss, A.",
            "Krueger, G.",
            "Henighan, T.",
            "Child, R.",
            "Ramesh, A.",
            "Ziegler, D. M.",
            "Wu, J.",
            "Winter, C.",
            "Hesse, C.",
            "Chen, M.",
            "Sigler, E.",
            "Litwin, M.",
            "Gray, S.",
            "Chess, B.",
            "Clark, J.",
            "Berner, C.",
            "McCandlish, S.",
            "Radford, A.",
            "Sutskever, I.",
            "Amodei, D.",
        ),
        2020,
        "Language Models are Few-Shot Learners",
        "Advances in Neural Information Processing Systems 33 (NeurIPS 2020)",
        "arXiv:2005.14165",
        _OTHER,
        "GPT-3, large language models (the timeline of notebook 01)",
    ),
    Reference(
        "dalle",
        (
            "Ramesh, A.",
            "Pavlov, M.",
            "Goh, G.",
            "Gray, S.",
            "Voss, C.",
            "Radford, A.",
            "Chen, M.",
            "Sutskever, I.",
        ),
        2021,
        "Zero-Shot Text-to-Image Generation",
        "International Conference on Machine Learning (ICML) 2021",
        "arXiv:2102.12092",
        _OTHER,
        "DALL·E, images from text (the timeline of notebook 01)",
    ),
)


@dataclass(frozen=True)
class Milestone:
    """One entry of the timeline: what happened, in which family and medium, and where it was published.

    Attributes:
        key: the work's key in :mod:`aigc_helpers.references` or :data:`EXTRA_REFERENCES`.
        name: a short name (``"DCGAN"``).
        milestone: what it did, in a few words.
        family: the kind of generative model.
        modality: what it generated.
    """

    key: str
    name: str
    milestone: str
    family: str
    modality: str

    @property
    def reference(self) -> Reference:
        return reference(self.key)


#: The milestones, in chronological order.
MILESTONES: tuple[Milestone, ...] = (
    Milestone(
        "shannon1948",
        "n-gram text",
        "text generated from letter and word statistics (n-gram approximations of English)",
        "statistical (n-gram)",
        "text",
    ),
    Milestone(
        "boltzmann",
        "Boltzmann machine",
        "Boltzmann machines: a neural network that learns a probability distribution",
        "energy-based",
        "binary data",
    ),
    Milestone(
        "dbn",
        "deep belief net",
        "deep belief nets: a deep generative model trained layer by layer; it draws digits",
        "energy-based",
        "images",
    ),
    Milestone(
        "vae",
        "VAE",
        "variational autoencoder (VAE): an encoder and a decoder trained on a likelihood bound",
        "VAE",
        "images",
    ),
    Milestone(
        "gan",
        "GAN",
        "generative adversarial networks (GAN): a generator trained against a discriminator",
        "GAN",
        "images",
    ),
    Milestone(
        "diffusion2015",
        "diffusion model",
        "the first diffusion model: learning to undo a gradual noising process",
        "diffusion",
        "images",
    ),
    Milestone(
        "dcgan",
        "DCGAN",
        "DCGAN: convolutional GANs that train reliably; arithmetic on latent vectors",
        "GAN",
        "images",
    ),
    Milestone(
        "pixelrnn",
        "PixelRNN",
        "PixelRNN: images generated one pixel at a time (autoregressive)",
        "autoregressive",
        "images",
    ),
    Milestone(
        "realnvp",
        "Real NVP",
        "Real NVP: invertible networks with an exact likelihood (normalizing flows)",
        "flow",
        "images",
    ),
    Milestone(
        "wavenet",
        "WaveNet",
        "WaveNet: raw audio generated one sample at a time",
        "autoregressive",
        "audio",
    ),
    Milestone(
        "transformer",
        "Transformer",
        "the transformer: a sequence model built on attention alone",
        "transformer",
        "text",
    ),
    Milestone(
        "biggan",
        "BigGAN",
        "BigGAN: class-conditional GANs trained at ImageNet scale",
        "GAN",
        "images",
    ),
    Milestone(
        "glow",
        "Glow",
        "Glow: a flow with invertible 1x1 convolutions, for high-resolution faces",
        "flow",
        "images",
    ),
    Milestone(
        "stylegan",
        "StyleGAN",
        "StyleGAN: a style-based generator with controllable attributes",
        "GAN",
        "images",
    ),
    Milestone(
        "stylegan2",
        "StyleGAN2",
        "StyleGAN2: StyleGAN's artifacts analysed and removed",
        "GAN",
        "images",
    ),
    Milestone(
        "ddpm",
        "DDPM",
        "denoising diffusion probabilistic models: high-quality images from diffusion",
        "diffusion",
        "images",
    ),
    Milestone(
        "ddim",
        "DDIM",
        "DDIM: a deterministic diffusion sampler that needs far fewer network evaluations",
        "diffusion",
        "images",
    ),
    Milestone(
        "score_sde",
        "score SDE",
        "diffusion as a stochastic differential equation, with a deterministic probability-flow ODE",
        "diffusion",
        "images",
    ),
    Milestone(
        "gpt3",
        "GPT-3",
        "GPT-3: a 175-billion-parameter language model that learns tasks from examples in its prompt",
        "transformer",
        "text",
    ),
    Milestone(
        "dalle",
        "DALL·E",
        "DALL·E: images from text descriptions, with a transformer over text and image tokens",
        "transformer",
        "text → images",
    ),
    Milestone(
        "latent_diffusion",
        "latent diffusion",
        "latent diffusion: diffusion in an autoencoder's latent space (the basis of Stable Diffusion)",
        "diffusion",
        "text → images",
    ),
    Milestone(
        "cfg",
        "classifier-free guidance",
        "classifier-free guidance: one network, conditional and not, mixed to follow a prompt harder",
        "diffusion",
        "images",
    ),
    Milestone(
        "rectified_flow",
        "rectified flow",
        "rectified flow: a velocity field trained along straight lines from noise to data",
        "flow matching",
        "images",
    ),
    Milestone(
        "flow_matching",
        "flow matching",
        "flow matching: regress the velocity of a chosen probability path (the course's notebooks 16, 17)",
        "flow matching",
        "images",
    ),
)

#: Colours of the families in :func:`plot_timeline`.
FAMILY_COLORS: dict[str, str] = {
    "statistical (n-gram)": "tab:gray",
    "energy-based": "tab:brown",
    "VAE": "tab:blue",
    "GAN": "tab:red",
    "autoregressive": "tab:olive",
    "flow": "tab:cyan",
    "diffusion": "tab:purple",
    "flow matching": "tab:pink",
    "transformer": "tab:green",
}

_EXTRA_BY_KEY = {r.key: r for r in EXTRA_REFERENCES}


def reference(key: str) -> Reference:
    """The reference of a timeline entry: from the course's list, else from :data:`EXTRA_REFERENCES`.

    Example:
        >>> reference("gpt3").cite()
        'Brown et al. (2020)'

    Taught in: machinery behind timeline.timeline (notebook 01)
    """
    if key in _EXTRA_BY_KEY:
        return _EXTRA_BY_KEY[key]
    return refs.get(key)


def authors_short(ref: Reference) -> str:
    """Authors as cited in the text, without the year: ``Radford, Metz & Chintala``, ``Goodfellow et al.``

    Example:
        >>> authors_short(reference("vae"))
        'Kingma & Welling'
    """
    return ref.cite().rsplit(" (", 1)[0]


def timeline():
    """The milestones as a pandas DataFrame, sorted by year (stable within a year).

    Columns: year, name, milestone, family, modality, paper (exact title), authors (as cited), first author,
    venue, link (arXiv identifier or empty), key.

    Example:
        >>> timeline().columns.tolist()[:5]
        ['year', 'name', 'milestone', 'family', 'modality']

    Taught in: notebooks/01_what_is_aigc.ipynb
    """
    import pandas as pd

    rows = []
    for m in MILESTONES:
        r = m.reference
        rows.append(
            {
                "year": r.year,
                "name": m.name,
                "milestone": m.milestone,
                "family": m.family,
                "modality": m.modality,
                "paper": r.title,
                "authors": authors_short(r),
                "first author": r.surnames()[0],
                "venue": r.venue,
                "link": r.link,
                "key": m.key,
            }
        )
    df = pd.DataFrame(rows)
    return df.sort_values("year", kind="stable").reset_index(drop=True)


def plot_timeline(df=None, *, split_year: int = 2010):
    """Draw the timeline: one row per milestone, the year on a broken horizontal axis.

    Early years (before ``split_year``) get a narrow panel, so the crowded last decade stays readable.
    Returns the matplotlib Figure.

    Example:
        >>> fig = plot_timeline()  # doctest: +SKIP

    Taught in: notebooks/01_what_is_aigc.ipynb
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    df = timeline() if df is None else df
    if len(df) == 0:
        raise ValueError("The timeline is empty.")
    years = df["year"].to_numpy()
    early = years < split_year
    y = -df.index.to_numpy()
    fig, (ax0, ax1) = plt.subplots(
        1,
        2,
        sharey=True,
        figsize=(11, 0.32 * len(df) + 1.2),
        gridspec_kw={"width_ratios": [1, 3], "wspace": 0.04},
    )
    colors = [FAMILY_COLORS.get(f, "black") for f in df["family"]]
    for ax, sel in ((ax0, early), (ax1, ~early)):
        ax.scatter(years[sel], y[sel], c=[c for c, s in zip(colors, sel, strict=True) if s], s=45)
        ax.grid(axis="x", alpha=0.3)
        for yy in y:
            ax.axhline(yy, color="0.92", lw=0.6, zorder=0)
    lo = years[early].min() if early.any() else split_year - 5
    ax0.set_xlim(lo - 5, split_year)
    ax1.set_xlim(split_year + 1.5, years.max() + 6.5)  # room for the labels of the latest entries
    ax0.spines["right"].set_visible(False)
    ax1.spines["left"].set_visible(False)
    ax1.tick_params(left=False)
    ax1.set_facecolor("none")  # labels of early entries run on across the break
    last = int(years.max())
    ax1.set_xticks(range(last - 2 * ((last - split_year - 2) // 2), last + 1, 2))
    ax0.set_yticks([])
    for row, yy, is_early in zip(df.itertuples(), y, early, strict=True):
        ax = ax0 if is_early else ax1
        ax.annotate(
            f"{row.name} ({row.authors}, {row.year})",
            (row.year, yy),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
            annotation_clip=False,
        )
    ax1.set_xlabel("year (the axis is broken: the last decade is drawn wider)")
    handles = [
        Line2D([], [], marker="o", ls="", color=c, label=f)
        for f, c in FAMILY_COLORS.items()
        if f in set(df["family"])
    ]
    ax1.legend(handles=handles, fontsize=8, loc="upper right", title="family", title_fontsize=8)
    ax0.set_title("Milestones of generative modelling", loc="left", fontsize=11)
    fig.subplots_adjust(left=0.03, right=0.99, top=0.94, bottom=0.12)
    return fig


__all__ = [
    "EXTRA_REFERENCES",
    "FAMILY_COLORS",
    "MILESTONES",
    "Milestone",
    "authors_short",
    "plot_timeline",
    "reference",
    "timeline",
]
