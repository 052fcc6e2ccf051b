"""The documents stay in step: README.md and README.zh-CN.md list the same notebooks and commands, the
glossary is bilingual and large enough, and docs/references.md is the generated, corrected list."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from aigc_helpers import course, references

REPO = Path(__file__).resolve().parent.parent
README_EN = REPO / "README.md"
README_ZH = REPO / "README.zh-CN.md"
GLOSSARY = REPO / "docs" / "glossary.md"
REFERENCES = REPO / "docs" / "references.md"
NOTEBOOK_15 = REPO / "notebooks" / "15_faq_and_references.ipynb"

CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")


def read(path: Path) -> str:
    assert path.is_file(), f"{path.relative_to(REPO)} is missing"
    return path.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- the two READMEs


def notebook_rows(text: str) -> dict[str, tuple[str, str]]:
    """{number: (notebook file name, status)} from the '| NN | ... | status |' rows of a README."""
    rows = {}
    for line in text.splitlines():
        m = re.match(r"\|\s*(\d\d)\s*\|", line)
        if not m:
            continue
        names = re.findall(r"\d\d_[a-z0-9_]+\.ipynb", line)
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        rows[m.group(1)] = (names[0] if names else "", cells[-1])
    return rows


def code_texts(text: str) -> list[str]:
    """Inline code spans and the lines of fenced code blocks (comments after '#' removed)."""
    out = []
    for block in re.findall(r"```[a-z]*\n(.*?)```", text, re.S):
        out += [ln.split("#", 1)[0].strip() for ln in block.splitlines()]
    without_blocks = re.sub(r"```.*?```", "", text, flags=re.S)
    out += re.findall(r"`([^`\n]+)`", without_blocks)
    return [t for t in out if t]


def commands(text: str) -> set[str]:
    """The `make ...` and `python -m aigc_helpers ...` commands a README tells the reader to run."""
    found = set()
    for t in code_texts(text):
        for m in re.finditer(r"(?:^|\s)(make [a-z][a-z-]*)", t):
            found.add(m.group(1))
        for m in re.finditer(r"(python -m aigc_helpers(?![.\w])(?: [a-z-][^\s`]*)*)", t):
            found.add(m.group(1).strip())
    return found


def test_both_readmes_list_the_same_notebooks_with_the_same_status():
    en, zh = notebook_rows(read(README_EN)), notebook_rows(read(README_ZH))
    assert en, "README.md has no notebook table rows ('| NN | ... |')"
    problems = []
    for number in sorted(set(en) | set(zh)):
        if number not in zh:
            problems.append(
                f"row {number} ({en[number][0]}) is in README.md but not README.zh-CN.md"
            )
        elif number not in en:
            problems.append(
                f"row {number} ({zh[number][0]}) is in README.zh-CN.md but not README.md"
            )
        elif en[number] != zh[number]:
            problems.append(
                f"row {number}: README.md has {en[number][0]} '{en[number][1]}', "
                f"README.zh-CN.md has {zh[number][0]} '{zh[number][1]}'"
            )
    assert not problems, (
        "The notebook tables differ:\n  "
        + "\n  ".join(problems)
        + "\nFix: edit README.zh-CN.md's table to match README.md (file names and the status column)."
    )


def test_the_chinese_readme_lists_every_notebook_of_the_course_map():
    # Statuses are checked against README.md above, and README.md's against the files by test_course.py.
    zh = notebook_rows(read(README_ZH))
    for lesson in course.COURSE_MAP:
        assert zh.get(lesson.stem[:2], ("",))[0] == lesson.filename, (
            f"README.zh-CN.md has no row {lesson.stem[:2]} for {lesson.filename}"
        )


def test_both_readmes_give_the_same_commands():
    en, zh = commands(read(README_EN)), commands(read(README_ZH))
    assert {"make lab", "make test", "make notebooks", "make bench"} <= en
    assert any(c.startswith("python -m aigc_helpers") for c in en)
    assert en == zh, (
        "The READMEs give different commands.\n"
        f"  only in README.md: {sorted(en - zh)}\n"
        f"  only in README.zh-CN.md: {sorted(zh - en)}\n"
        "Fix: add or remove the command in README.zh-CN.md (as `inline code` or in a ```bash block)."
    )


def test_every_command_the_readmes_give_exists():
    """`make X` is a Makefile target and `python -m aigc_helpers X` a subcommand (badges: test_tools)."""
    import argparse

    from aigc_helpers import cli

    targets = set(re.findall(r"^([a-z][a-z-]*):", read(REPO / "Makefile"), re.M))
    parser = cli.build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    missing = []
    for path in (README_EN, README_ZH):
        for command in sorted(commands(read(path))):
            words = command.split()
            if words[0] == "make" and words[1] not in targets:
                missing.append(f"{path.name}: `{command}` (no such Makefile target)")
            elif words[0] == "python" and (len(words) < 4 or words[3] not in action.choices):
                missing.append(f"{path.name}: `{command}` (not a python -m aigc_helpers command)")
    assert not missing, "\n".join(missing)


def test_readmes_link_each_other_and_the_documents():
    en, zh = read(README_EN), read(README_ZH)
    assert "README.zh-CN.md" in en and "README.md" in zh
    for doc in ("docs/glossary.md", "docs/references.md"):
        assert doc in en, f"README.md does not link {doc}"
        assert doc in zh, f"README.zh-CN.md does not link {doc}"


def test_commands_parser_finds_what_it_should():
    text = "Run `make lab` then\n```bash\nmake test   # all\npython -m aigc_helpers env\n```\n"
    text += "and `python -m aigc_helpers check-data --offline`; make sure you read it."
    assert commands(text) == {
        "make lab",
        "make test",
        "python -m aigc_helpers env",
        "python -m aigc_helpers check-data --offline",
    }


# --------------------------------------------------------------------------- glossary


def glossary_entries() -> list[list[str]]:
    entries = []
    for line in read(GLOSSARY).splitlines():
        if not line.startswith("|") or re.match(r"\|\s*-", line):
            continue
        cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        if cells[:2] == ["English", "中文"]:
            continue
        entries.append(cells)
    return entries


def test_glossary_has_forty_bilingual_entries():
    entries = glossary_entries()
    assert len(entries) >= 40, f"glossary has {len(entries)} entries; the course needs 40 or more"
    for cells in entries:
        assert len(cells) == 4, (
            f"glossary row needs 4 cells (term, 术语, definition, 定义): {cells}"
        )
        term, zh, definition, zh_definition = cells
        assert LATIN.search(term), f"English term missing: {cells}"
        assert CJK.search(zh), f"Chinese term missing for {term!r}"
        assert LATIN.search(definition) and not CJK.search(definition), (
            f"English definition: {term!r}"
        )
        assert CJK.search(zh_definition), f"Chinese definition missing for {term!r}"
    terms = [c[0].lower() for c in entries]
    assert len(terms) == len(set(terms)), "a glossary term appears twice"


@pytest.mark.parametrize(
    "term",
    [
        "generative adversarial network (GAN)",
        "variational autoencoder (VAE)",
        "latent space",
        "evidence lower bound (ELBO)",
        "KL divergence",
        "reparameterization trick",
        "mode collapse",
    ],
)
def test_glossary_has_the_core_terms(term):
    assert term in [c[0] for c in glossary_entries()]


# --------------------------------------------------------------------------- references

REQUIRED = [  # corrected citations the course must carry, as rendered in docs/references.md
    "Goodfellow, I., Pouget-Abadie, J.",
    "(2014). *Generative Adversarial Nets*",
    "Kingma, D. P., & Welling, M. (2013). *Auto-Encoding Variational Bayes*",
    "Radford, A., Metz, L., & Chintala, S. (2015)",
    "Brock, A., Donahue, J., & Simonyan, K. (2018). *Large Scale GAN Training for High Fidelity Natural Image Synthesis*",
    "(2019). *Analyzing and Improving the Image Quality of StyleGAN*",
    "Goodfellow, I., Bengio, Y., & Courville, A. (2016). *Deep Learning*",
    "Burda, Y., Grosse, R., & Salakhutdinov, R. (2015)",
    "Higgins, I.",
    "Salimans, T.",
    "Heusel, M.",
    "Kynkäänniemi, T.",
    "Miyato, T.",
    "Zhao, S.",
    "Mescheder, L., Geiger, A., & Nowozin, S. (2018)",
    "Sohn, K., Lee, H., & Yan, X. (2015)",
    "Mirza, M., & Osindero, S. (2014)",
    "LeCun, Y., Bottou, L., Bengio, Y., & Haffner, P. (1998)",
    "Williams, R. J. (1992)",
    "Arjovsky, M., Chintala, S., & Bottou, L. (2017)",
]

SEED_ERRORS = [  # the source article's wrong attributions and unverifiable items
    "Irwan",
    "Bulla",
    "Shao-Lan",
    "Huang",
    "Sutskever",
    "GANlib",
    "Efficient Image Synthesis",
    "High-Quality Image Synthesis",
    "GANs, VAEs, and Beyond",
    "Udacity",
    "edX",
    "Theano",
]


def test_references_file_is_generated_from_the_module():
    assert read(REFERENCES) == references.render_document(), (
        "docs/references.md is out of date. Fix: python -m aigc_helpers references --write"
    )


@pytest.mark.parametrize("text", REQUIRED)
def test_references_carry_the_corrected_citations(text):
    assert text in read(REFERENCES)


@pytest.mark.parametrize("wrong", SEED_ERRORS)
def test_references_do_not_repeat_the_seed_errors(wrong):
    assert wrong not in read(REFERENCES)


def test_reference_entries_are_complete_and_unique():
    keys = [r.key for r in references.REFERENCES]
    assert len(keys) == len(set(keys))
    titles = [r.title.lower() for r in references.REFERENCES]
    assert len(titles) == len(set(titles))
    for r in references.REFERENCES:
        assert r.authors and r.title and r.venue and r.used_in and r.topic in references.TOPICS
        assert r.year is None or 1900 < r.year < 2100
        assert not r.link or r.url().startswith("https://"), r.key
    for c in references.SEED_CORRECTIONS:
        assert c.key is None or references.get(c.key)


def test_cite_formats():
    assert references.get("dcgan").cite() == "Radford, Metz & Chintala (2015)"
    assert references.get("vae").cite() == "Kingma & Welling (2013)"
    assert references.get("gan").cite() == "Goodfellow et al. (2014)"
    assert references.get("reinforce").cite() == "Williams (1992)"
    with pytest.raises(KeyError, match="Valid keys"):
        references.get("nope")


@pytest.mark.skipif(not NOTEBOOK_15.is_file(), reason="notebook 15 not written yet")
def test_notebook_15_shows_the_current_list():
    cells = json.loads(NOTEBOOK_15.read_text(encoding="utf-8"))["cells"]
    shown = [
        "".join(out["data"]["text/markdown"])
        for c in cells
        if c["cell_type"] == "code"
        for out in c.get("outputs", [])
        if "text/markdown" in out.get("data", {})
    ]
    assert references.references_markdown() in shown, (
        "notebook 15's rendered reference list is stale. Fix: re-run it "
        "(python tools/notebooks.py run --profile cpu notebooks/15_faq_and_references.ipynb)"
    )
