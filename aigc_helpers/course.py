"""The course itself: its map of notebooks and the table the index notebook shows.

- :data:`COURSE_MAP` lists every notebook in teaching order with what it teaches; the index notebook and
  the READMEs are checked against it.
- :func:`course_table` shows the map with each notebook's status (in the notebooks folder or still
  planned) and its measured run time per profile, read from ``timings.json`` in that folder.

The notebooks folder is the one a notebook runs in (Jupyter starts a notebook's kernel in its own
folder), or ``notebooks/`` under the current directory, or a folder you pass. Re-running the notebooks
and re-writing their Colab/Binder badges are repository chores done by ``make notebooks`` and
``make badges`` (the scripts in the repository's ``tools/`` folder), not part of this package.

Example:
    >>> from aigc_helpers import course
    >>> course.COURSE_MAP[5].filename
    '05_dcgan_mnist.ipynb'

Taught in: notebooks/00_index.ipynb (the course map and how to run it).
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from pathlib import Path

TIMINGS_NAME = "timings.json"
PEAK_KEY = "peak_mb"  # in timings.json: {notebook: {profile: seconds, "peak_mb": {profile: MB}}}


def notebooks_dir(folder: str | Path | None = None) -> Path:
    """The folder that holds the course notebooks: ``folder`` if given, else the current directory when
    it holds the index notebook (a notebook's kernel runs in its own folder), else ``./notebooks``.

    Raises ``FileNotFoundError`` naming the fix when none of them holds the index notebook.

    Example:
        >>> notebooks_dir().joinpath("00_index.ipynb").is_file()  # doctest: +SKIP
        True

    Taught in: machinery behind course.course_table
    """
    index = "00_index.ipynb"
    if folder is not None:
        candidates = [Path(folder)]
    else:
        candidates = [Path.cwd(), Path.cwd() / "notebooks"]
    for candidate in candidates:
        if (candidate / index).is_file():
            return candidate
    tried = " or ".join(str(c) for c in candidates)
    raise FileNotFoundError(
        f"no course notebooks found ({index} is not in {tried}). Fix: run from the course "
        "repository or its notebooks/ folder, or pass the notebooks folder explicitly."
    )


@dataclass(frozen=True)
class Lesson:
    """One notebook of the course map: file stem, title, what it teaches, and the part it belongs to.

    Example:
        >>> COURSE_MAP[0].filename, COURSE_MAP[0].part
        ('00_index.ipynb', 'Start')

    Taught in: machinery behind course.COURSE_MAP
    """

    stem: str
    title: str
    teaches: str
    part: str
    requires: tuple[str, ...] = ()  # numbers ("03") of the notebooks to take first

    def header(self, timings: dict[str, dict[str, float]]) -> str:
        """The line under the notebook's title: what to take first and its measured run time.

        The run time carries the mark that ``tools/figures.py`` checks against ``timings.json``.

        Example:
            >>> COURSE_MAP[5].header({"05_dcgan_mnist.ipynb": {"cpu": 133.2}})
            '*Before you start:* notebooks 03 and 04. *Run time:* about 2.2<!--= t("05", "cpu") / 60 --> min under the `cpu` profile on a 2-core CPU (measured; the index lists every profile).'
        """
        if self.requires:
            names = [f"{n}" for n in self.requires]
            listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
            first = f"notebook{'s' if len(names) > 1 else ''} {listed}"
        else:
            first = (
                "nothing, this is where the course begins"
                if self.stem.startswith("00")
                else ("nothing; read it in any order")
            )
        number = self.stem[:2]
        secs = timings.get(self.filename, {}).get("cpu")
        if secs is None:
            time = "not measured yet under the `cpu` profile"
        else:
            time = (
                f'about {secs / 60:.1f}<!--= t("{number}", "cpu") / 60 --> min under the `cpu` profile '
                "on a 2-core CPU (measured; the index lists every profile)"
            )
        return f"*Before you start:* {first}. *Run time:* {time}."

    @property
    def filename(self) -> str:
        return f"{self.stem}.ipynb"

    def path_in(self, folder: str | Path | None = None) -> Path:
        """Where this notebook is (or will be) in the notebooks folder (see :func:`notebooks_dir`)."""
        return notebooks_dir(folder) / self.filename

    @property
    def path(self) -> Path:
        """:meth:`path_in` the notebooks folder found from the current directory."""
        return self.path_in()

    @property
    def available(self) -> bool:
        """Whether the notebook exists in the notebooks folder found from the current directory."""
        return self.path.is_file()


COURSE_MAP: tuple[Lesson, ...] = (
    Lesson(
        "00_index",
        "Course index and environment check",
        "the course map, running locally/Colab/Binder, loading and checking MNIST",
        "Start",
    ),
    Lesson(
        "01_what_is_aigc",
        "What AIGC is",
        "definition, a timeline of generative models, the data-driven idea measured",
        "Background",
        requires=("00",),
    ),
    Lesson(
        "02_core_concepts",
        "Core concepts and connections",
        "generator/discriminator, encoder/latent/decoder as live tiny models; GAN vs VAE",
        "Background",
        requires=("01",),
    ),
    Lesson(
        "03_gan_toy",
        "A GAN on 2-D toy data",
        "adversarial training in seconds, mode collapse, minimax vs non-saturating loss",
        "GANs",
        requires=("02",),
    ),
    Lesson(
        "04_gan_math",
        "GAN mathematics",
        "the minimax game, optimal discriminator, JS divergence, the correct losses",
        "GANs",
        requires=("03",),
    ),
    Lesson(
        "05_dcgan_mnist",
        "DCGAN on MNIST",
        "a convolutional GAN trained, checkpointed, resumed and measured (cFID, IS)",
        "GANs",
        requires=(
            "03",
            "04",
        ),
    ),
    Lesson(
        "06_vae_toy",
        "A VAE on 2-D toy data",
        "encoder posteriors, prior samples, what beta trades",
        "VAEs",
        requires=("02",),
    ),
    Lesson(
        "07_vae_math",
        "VAE mathematics",
        "the ELBO, closed-form KL, the reparameterization trick, Bernoulli vs MSE",
        "VAEs",
        requires=("06",),
    ),
    Lesson(
        "08_vae_mnist",
        "Convolutional VAE on MNIST",
        "a VAE with likelihoods in nats, latent maps, compression",
        "VAEs",
        requires=(
            "06",
            "07",
        ),
    ),
    Lesson(
        "09_lab_to_production",
        "From lab to production",
        "splits, model selection, monitoring, export and a command-line generator",
        "Practice",
        requires=("08",),
    ),
    Lesson(
        "10_marketing",
        "Mock-up: personalized marketing",
        "conditional creatives and a simulated bandit experiment",
        "Business mock-ups",
        requires=("08",),
    ),
    Lesson(
        "11_newsroom",
        "Mock-up: newsroom data-to-text",
        "generated earnings briefs with an automatic fact checker",
        "Business mock-ups",
        requires=("02",),
    ),
    Lesson(
        "12_art_and_design",
        "Mock-up: art and design",
        "latent interpolation, arithmetic and an interactive explorer",
        "Business mock-ups",
        requires=(
            "05",
            "08",
        ),
    ),
    Lesson(
        "13_healthcare",
        "Mock-up: synthetic patient records",
        "a tabular VAE measured for fidelity, utility and privacy",
        "Business mock-ups",
        requires=("08",),
    ),
    Lesson(
        "14_challenges_and_outlook",
        "Challenges and outlook",
        "privacy (memorization), provenance detection, compute and energy",
        "Outlook",
        requires=(
            "05",
            "08",
        ),
    ),
    Lesson(
        "15_faq_and_references",
        "FAQ and references",
        "the questions learners hit, answered; a checked reference list",
        "Outlook",
    ),
    Lesson(
        "16_diffusion_math",
        "Diffusion and flow-matching mathematics",
        "the forward process, DDPM as a hierarchical VAE, Tweedie's formula, flow matching and its "
        "samplers, checked on toy data",
        "Beyond: diffusion",
        requires=(
            "04",
            "07",
        ),
    ),
    Lesson(
        "17_diffusion_mnist",
        "Diffusion on MNIST's pixels",
        "a small U-Net trained by flow matching and by the noise objective, samplers against steps, "
        "classifier-free guidance, memorization",
        "Beyond: diffusion",
        requires=(
            "05",
            "16",
        ),
    ),
    Lesson(
        "18_latent_diffusion",
        "Latent diffusion on MNIST",
        "a flow model in the VAE's latent space: the prior hole, guidance, Stable Diffusion's recipe",
        "Beyond: diffusion",
        requires=(
            "08",
            "17",
        ),
    ),
)


def load_timings(path: str | Path | None = None) -> dict[str, dict[str, float]]:
    """Measured run times in seconds, ``{notebook: {profile: seconds}}``, from ``timings.json``; each
    notebook's peak memory in MB per profile is under its ``"peak_mb"`` key (:data:`PEAK_KEY`).

    ``path`` is the file, or a folder holding it; by default the notebooks folder's (see
    :func:`notebooks_dir`). A missing file raises ``FileNotFoundError`` that says how to create it.

    Example:
        >>> load_timings()["00_index.ipynb"]["cpu"]  # doctest: +SKIP
        44.4

    Taught in: machinery behind course.course_table
    """
    path = Path(path) if path is not None else notebooks_dir() / TIMINGS_NAME
    if path.is_dir():
        path = path / TIMINGS_NAME
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} does not exist, so no run times are known. Fix: `make notebooks` records them "
            "(run it in the course repository), or pass the timings.json file to use."
        )
    return json.loads(path.read_text(encoding="utf-8"))


# A notebook must fit a classroom lab under the default `cpu` profile on a 2-core CPU: five minutes, and
# eight for the two notebooks that train the course's main models on all of MNIST.
LAB_BUDGET_S = 300.0
TRAINING_BUDGET_S = {"05": 480.0, "08": 480.0}


def lab_budget(stem: str) -> float:
    """Seconds a notebook may take under the `cpu` profile on a 2-core CPU (``stem``: "08" or the name).

    Example:
        >>> lab_budget("08_vae_mnist"), lab_budget("07")
        (480.0, 300.0)

    Taught in: machinery behind course.over_budget
    """
    return TRAINING_BUDGET_S.get(stem[:2], LAB_BUDGET_S)


def over_budget(timings: dict[str, dict[str, float]], profile: str = "cpu") -> list[str]:
    """The notebooks whose measured ``profile`` run time exceeds :func:`lab_budget`, as readable lines.

    Example:
        >>> over_budget({"08_vae_mnist.ipynb": {"cpu": 1188.3}, "07_vae_math.ipynb": {"cpu": 14.0}})
        ['08_vae_mnist.ipynb: 1188 s under cpu, budget 480 s']

    Taught in: machinery behind course.course_table (tests/test_course.py keeps the course inside it)
    """
    return [
        f"{name}: {t[profile]:.0f} s under {profile}, budget {lab_budget(name):.0f} s"
        for name, t in sorted(timings.items())
        if profile in t and t[profile] > lab_budget(name)
    ]


# Free Binder machines stop a kernel that uses more than 2 GB: every notebook stays under it there.
MEMORY_BUDGET_MB = 2000.0


def over_memory(timings: dict[str, dict], profile: str = "binder") -> list[str]:
    """The notebooks whose peak memory under ``profile`` exceeds :data:`MEMORY_BUDGET_MB`, or that
    have no peak recorded under it, as readable lines.

    Example:
        >>> over_memory({"08_vae_mnist.ipynb": {"peak_mb": {"binder": 2530.0}}, "07_vae_math.ipynb": {}})
        ['07_vae_math.ipynb: peak memory not measured under binder', '08_vae_mnist.ipynb: peak memory 2530 MB under binder, budget 2000 MB']

    Taught in: machinery behind course.course_table (tests/test_course.py keeps the course inside it)
    """
    lines = []
    for name, entry in sorted(timings.items()):
        mb = entry.get(PEAK_KEY, {}).get(profile)
        if mb is None:
            lines.append(f"{name}: peak memory not measured under {profile}")
        elif mb > MEMORY_BUDGET_MB:
            lines.append(
                f"{name}: peak memory {mb:.0f} MB under {profile}, budget {MEMORY_BUDGET_MB:.0f} MB"
            )
    return lines


def course_table(
    timings: dict[str, dict[str, float]] | None = None, notebooks: str | Path | None = None
):
    """The course map as a pandas DataFrame, with status, measured run times per profile and the peak
    memory under ``binder`` (the profile that must stay under free Binder's 2 GB).

    ``timings`` defaults to ``timings.json`` in the notebooks folder (``notebooks``, or the one found
    from the current directory); when it or the folder is missing, a warning says why and the times
    read "not measured" (and the status "unknown" without a folder) -- nothing is guessed.

    Example:
        >>> table = course_table({"00_index.ipynb": {"cpu": 150.0}})  # doctest: +SKIP
        >>> table.loc[0, "time (cpu)"]  # doctest: +SKIP
        '2.5 min'

    Taught in: notebooks/00_index.ipynb, notebooks/15_faq_and_references.ipynb
    """
    import pandas as pd

    from .config import PROFILE_NAMES

    try:
        folder = notebooks_dir(notebooks)
    except FileNotFoundError as exc:
        warnings.warn(str(exc), stacklevel=2)
        folder = None
    if timings is None and folder is not None:
        try:
            timings = load_timings(folder / TIMINGS_NAME)
        except FileNotFoundError as exc:
            warnings.warn(str(exc), stacklevel=2)
    timings = timings or {}

    def fmt(stem: str, prof: str) -> str:
        secs = timings.get(f"{stem}.ipynb", {}).get(prof)
        if secs is None:
            return "not measured"
        return f"{secs:.0f} s" if secs < 90 else f"{secs / 60:.1f} min"

    def memory(stem: str) -> str:
        mb = timings.get(f"{stem}.ipynb", {}).get(PEAK_KEY, {}).get("binder")
        return "not measured" if mb is None else f"{mb / 1000:.2f} GB"

    def status(lesson: Lesson) -> str:
        if folder is None:
            return "unknown"
        return "ready" if lesson.path_in(folder).is_file() else "planned"

    rows = [
        {
            "notebook": lesson.filename,
            "part": lesson.part,
            "title": lesson.title,
            "what it teaches": lesson.teaches,
            "status": status(lesson),
            **{f"time ({prof})": fmt(lesson.stem, prof) for prof in PROFILE_NAMES},
            "peak memory (binder)": memory(lesson.stem),
        }
        for lesson in COURSE_MAP
    ]
    return pd.DataFrame(rows)


__all__ = [
    "COURSE_MAP",
    "LAB_BUDGET_S",
    "MEMORY_BUDGET_MB",
    "PEAK_KEY",
    "TRAINING_BUDGET_S",
    "Lesson",
    "course_table",
    "lab_budget",
    "load_timings",
    "notebooks_dir",
    "over_budget",
    "over_memory",
]
