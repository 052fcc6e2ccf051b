"""aigc_helpers.timeline: the table's shape, order, and the citations of its entries."""

from __future__ import annotations

import re

import matplotlib
import pytest

matplotlib.use("Agg")

from aigc_helpers import references, timeline  # noqa: E402

COLUMNS = [
    "year",
    "name",
    "milestone",
    "family",
    "modality",
    "paper",
    "authors",
    "first author",
    "venue",
    "link",
    "key",
]

# key: (year, authors as cited, exact title) -- checked against the papers themselves
REQUIRED = {
    "vae": (2013, "Kingma & Welling", "Auto-Encoding Variational Bayes"),
    "gan": (2014, "Goodfellow et al.", "Generative Adversarial Nets"),
    "dcgan": (
        2015,
        "Radford, Metz & Chintala",
        "Unsupervised Representation Learning with Deep Convolutional Generative Adversarial "
        "Networks",
    ),
    "biggan": (
        2018,
        "Brock, Donahue & Simonyan",
        "Large Scale GAN Training for High Fidelity Natural Image Synthesis",
    ),
    "stylegan2": (2019, "Karras et al.", "Analyzing and Improving the Image Quality of StyleGAN"),
    "pixelrnn": (
        2016,
        "van den Oord, Kalchbrenner & Kavukcuoglu",
        "Pixel Recurrent Neural Networks",
    ),
    "wavenet": (2016, "van den Oord et al.", "WaveNet: A Generative Model for Raw Audio"),
    "glow": (2018, "Kingma & Dhariwal", "Glow: Generative Flow with Invertible 1x1 Convolutions"),
    "transformer": (2017, "Vaswani et al.", "Attention Is All You Need"),
    "ddpm": (2020, "Ho, Jain & Abbeel", "Denoising Diffusion Probabilistic Models"),
    "latent_diffusion": (
        2021,
        "Rombach et al.",
        "High-Resolution Image Synthesis with Latent Diffusion Models",
    ),
    "gpt3": (2020, "Brown et al.", "Language Models are Few-Shot Learners"),
    "boltzmann": (
        1985,
        "Ackley, Hinton & Sejnowski",
        "A Learning Algorithm for Boltzmann Machines",
    ),
}


@pytest.fixture(scope="module")
def df():
    return timeline.timeline()


def test_columns(df):
    assert df.columns.tolist() == COLUMNS
    assert len(df) == len(timeline.MILESTONES) and df["key"].is_unique


def test_years_are_sorted_integers(df):
    years = df["year"].tolist()
    assert all(isinstance(y, int) for y in years)
    assert years == sorted(years)
    assert years[0] < 1950 and years[-1] >= 2021


@pytest.mark.parametrize("key", sorted(REQUIRED))
def test_required_entries_are_cited_correctly(df, key):
    year, authors, title = REQUIRED[key]
    row = df.set_index("key").loc[key]
    assert row["year"] == year
    assert row["authors"] == authors
    assert row["paper"] == title
    assert row["first author"] == authors.split(",")[0].split(" &")[0].split(" et al.")[0]


def test_the_seed_articles_wrong_citations_are_not_repeated(df):
    # the source article named "Irwan" for DCGAN, "Huang" for BigGAN, and a made-up StyleGAN2 title
    text = df.to_string()
    assert "Irwan" not in text and "Huang" not in text
    assert "Efficient Image Synthesis" not in text
    assert df.set_index("key").loc["dcgan", "first author"] == "Radford"
    assert df.set_index("key").loc["biggan", "first author"] == "Brock"


def test_arxiv_identifiers_agree_with_the_years(df):
    # an arXiv id starts with YYMM of the first version; the course cites that year (first appearance)
    for row in df.itertuples():
        if not row.link:
            continue
        m = re.fullmatch(r"arXiv:(\d{2})(\d{2})\.\d{4,5}", row.link)
        assert m, f"{row.key}: malformed arXiv id {row.link!r}"
        yy, mm = 2000 + int(m.group(1)), int(m.group(2))
        assert 1 <= mm <= 12, f"{row.key}: malformed arXiv month in {row.link!r}"
        assert row.year == yy, f"{row.key}: cited {row.year}, first public version {yy}"


def test_references_are_consistent_with_the_course_list():
    course_keys = {r.key for r in references.REFERENCES}
    extra_keys = {r.key for r in timeline.EXTRA_REFERENCES}
    assert not course_keys & extra_keys, "an extra reference duplicates the course's list"
    for m in timeline.MILESTONES:
        ref = timeline.reference(m.key)
        assert ref.key == m.key
        if m.key in course_keys:
            assert ref is references.get(m.key)
        assert ref.topic in references.TOPICS
        assert ref.title and ref.venue and ref.authors
        assert m.family in timeline.FAMILY_COLORS
    with pytest.raises(KeyError, match="Valid keys"):
        timeline.reference("no_such_paper")


def test_authors_short():
    assert timeline.authors_short(references.get("dcgan")) == "Radford, Metz & Chintala"
    assert timeline.authors_short(timeline.reference("gpt3")) == "Brown et al."


def test_plot_timeline_returns_a_figure(df):
    from matplotlib.figure import Figure

    fig = timeline.plot_timeline(df)
    assert isinstance(fig, Figure)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert any(t.startswith("DCGAN (Radford, Metz & Chintala, 2015)") for t in texts)
    with pytest.raises(ValueError, match="empty"):
        timeline.plot_timeline(df.iloc[:0])


def test_doctests():
    import doctest

    assert doctest.testmod(timeline).failed == 0
