"""The training steps that notebooks 03, 06 and 16 to 18 print are the ones the package runs.

Notebook 03 prints ``gan.GAN.train_step``, notebook 06 ``vae.VAE.train_step`` and ``_terms``, notebook 16
``diffusion.Diffusion.train_step`` and ``_noisy``, notebooks 17 and 18 ``diffusion.Diffusion.train_step``, each
with ``inspect.getsource``. The committed outputs must equal today's source, so a change to a training
step without re-running the notebook that shows it fails here; and every course model of each family
must train with that same step (no subclass overrides it).
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def _shown_code(notebook: str) -> list[str]:
    """The Python blocks a notebook's committed outputs display as Markdown."""
    nb = json.loads((NOTEBOOKS / notebook).read_text(encoding="utf-8"))
    shown = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            md = "".join(out.get("data", {}).get("text/markdown", []))
            if md.startswith("```python\n"):
                shown.append(md[len("```python\n") : -len("```")])
    return shown


@pytest.mark.parametrize(
    "notebook, blocks",
    [
        ("03_gan_toy.ipynb", [["gan.GAN.train_step"]]),
        ("06_vae_toy.ipynb", [["vae.VAE.train_step"], ["vae.VAE._terms"]]),
        (
            "16_diffusion_math.ipynb",
            [["diffusion.Diffusion.train_step", "diffusion.Diffusion._noisy"]],
        ),
        ("17_diffusion_mnist.ipynb", [["diffusion.Diffusion.train_step"]]),
        ("18_latent_diffusion.ipynb", [["diffusion.Diffusion.train_step"]]),
    ],
)
def test_notebook_shows_the_step_that_runs(notebook, blocks):
    """Each displayed block is the source of its methods, one after the other."""
    from aigc_helpers import diffusion, gan, vae

    namespace = {"gan": gan, "vae": vae, "diffusion": diffusion}
    expected = ["".join(inspect.getsource(eval(m, namespace)) for m in block) for block in blocks]
    names = ", ".join(m for block in blocks for m in block)
    assert _shown_code(notebook) == expected, (
        f"{notebook} shows another version of {names}: re-run it (make notebooks)."
    )


def test_every_course_model_trains_with_the_step_shown():
    from aigc_helpers import gan, vae

    for cls in (gan.ConditionalGAN, gan.SelfConditionedGAN):
        assert cls.train_step is gan.GAN.train_step, cls.__name__
    assert vae.ConditionalVAE.train_step is vae.VAE.train_step
    assert vae.ConditionalVAE._terms is vae.VAE._terms
    from aigc_helpers import diffusion

    for cls in (
        diffusion.ConditionalDiffusion,
        diffusion.LatentDiffusion,
        diffusion.ConditionalLatentDiffusion,
    ):
        assert cls.train_step is diffusion.Diffusion.train_step, cls.__name__


def test_the_gan_step_reads_in_about_twenty_lines():
    from aigc_helpers import gan

    lines = [ln for ln in inspect.getsource(gan.GAN.train_step).splitlines() if ln.strip()]
    assert len(lines) <= 22, f"GAN.train_step has {len(lines)} lines; keep extras in named methods"
