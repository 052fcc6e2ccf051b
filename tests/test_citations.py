"""Every author–year citation in the learner-facing text names a work of the course's one reference list.

The notebooks' markdown cells and the READMEs cite works as "Goodfellow et al. (2014)", "(Karras, Laine &
Aila, 2018)", "Kingma & Welling (2013)" or, in Chinese, "（Ho、Jain 与 Abbeel，2020）". Each cited pair
(first author's surname, year) must be an entry of :data:`aigc_helpers.references.REFERENCES` — same
first author, same year — and co-authors named in the citation must be that entry's authors, in order.
A citation the list lacks, or one whose year disagrees with it, fails with the notebook, the cell and the
citation, and the fix.

The years follow the list's rule (the year of first public appearance: the arXiv year for papers that
appeared there first); the last test checks the list itself against its arXiv identifiers.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from aigc_helpers import references

REPO = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = REPO / "notebooks"
DOCUMENTS = [REPO / "README.md", REPO / "README.zh-CN.md", REPO / "docs" / "glossary.md"]

FIX = (
    "Fix: add it to aigc_helpers/references.py and run python -m aigc_helpers references --write, "
    "or correct the year (or the authors) in the text."
)

# A surname: capitalized, letters only (accents allowed), optionally hyphenated (Sohl-Dickstein), with a
# Mc/Mac/Le/De prefix before a second capital (McAuliffe, LeCun), after lowercase particles (van den Oord).
_UPPER = "A-ZÀ-ÖØ-ÞŁ"
_LOWER = "a-zß-öø-ÿł"
_WORD = rf"(?:Mc|Mac|Le|De|Di)?[{_UPPER}][{_LOWER}]+(?:-[{_UPPER}]?[{_LOWER}]+)*"
_NAME = rf"(?:(?:van|von|de|der|den|du|da|le|la)\s+){{0,2}}{_WORD}"
_GROUP = (
    rf"(?P<group>{_NAME}(?:(?:,\s*|、){_NAME})*(?:,?\s*(?:&|\band\b|与)\s*{_NAME})?)"
    r"(?P<etal>\s+et\s+al\.|\s*等)?"
)
# A citation does not start inside a word (Chinese characters may stand right before it).
_NOT_AFTER = rf"(?<![{_UPPER}{_LOWER}0-9_'’-])"
_YEAR = r"(?P<year>1[89]\d\d|20\d\d)[a-z]?(?!\d)"
# Narrative: 'Kingma & Welling (2013)', 'Metz et al. (2016, *title*)', 'Kingma 与 Welling（2013）'.
NARRATIVE = re.compile(rf"{_NOT_AFTER}{_GROUP}\s*[(（]{_YEAR}\s*[)）,，;；]")
# Parenthetical: '(Goodfellow et al., 2014)', '(DCGAN, Radford, Metz & Chintala, 2015)', '（Heusel 等，2017）'.
PARENTHETICAL = re.compile(rf"{_NOT_AFTER}{_GROUP}\s*[,，]\s*{_YEAR}")
NAME = re.compile(_NAME)
OPENING, CLOSING = "(（[", ")）]"
# Capitalized words that can stand before a year without being an author.
NOT_SURNAMES = {
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December", "In", "See", "Since", "From", "Until", "Before", "After", "Figure", "Table",
    "Section", "Part", "Notebook", "Version", "Release", "Python",
}  # fmt: skip


@dataclass(frozen=True)
class Citation:
    """One author–year citation found in a text."""

    text: str  # as written, whitespace collapsed
    names: tuple[str, ...]  # the surnames it names, first author first
    et_al: bool
    year: int


@dataclass(frozen=True)
class Problem:
    where: str  # "notebooks/15_faq_and_references.ipynb, cell 22"
    citation: Citation
    why: str

    def __str__(self) -> str:
        return f"{self.where}: {self.citation.text!r} — {self.why}"


def _first_authors() -> dict[str, list[references.Reference]]:
    by_first: dict[str, list[references.Reference]] = {}
    for r in references.REFERENCES:
        by_first.setdefault(r.surnames()[0].casefold(), []).append(r)
    return by_first


def _strip_code(text: str) -> str:
    """The text without fenced code blocks, inline code and HTML comments (they cite nothing)."""
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    return re.sub(r"`[^`\n]*`", " ", text)


def _inside_brackets(text: str, pos: int) -> bool:
    """Whether ``pos`` lies inside an open bracket of its paragraph."""
    start = text.rfind("\n\n", 0, pos) + 1
    depth = 0
    for ch in text[start:pos]:
        if ch in OPENING:
            depth += 1
        elif ch in CLOSING:
            depth = max(0, depth - 1)
    return depth > 0


def find_citations(text: str) -> list[Citation]:
    """The author–year citations in a markdown text, in order.

    A parenthetical citation ("Goodfellow et al., 2014") counts only inside brackets, so that prose such
    as "Paris, 2019" is not taken for one. When a bracket opens with a label ("DCGAN, Radford, Metz &
    Chintala, 2015"), the citation starts at the first name that is a first author of the list.
    """
    text = _strip_code(text)
    known = _first_authors()
    found: dict[int, Citation] = {}
    matches = [(m, False) for m in NARRATIVE.finditer(text)]
    matches += [(m, True) for m in PARENTHETICAL.finditer(text)]
    for m, parenthetical in matches:
        if parenthetical and not _inside_brackets(text, m.start()):
            continue
        names = [n.group(0) for n in NAME.finditer(m.group("group"))]
        start = next((i for i, n in enumerate(names) if n.casefold() in known), 0)
        names = names[start:]
        if names[0] in NOT_SURNAMES:
            continue
        first = re.search(re.escape(names[0]), text[m.start() : m.end()])
        begin = m.start() + (first.start() if first else 0)
        if any(begin <= k < m.end() for k in found):  # the same citation, matched both ways
            continue
        shown = " ".join(text[begin : m.end()].split()).rstrip(")）,，;；")
        if shown.count("(") > shown.count(")"):
            shown += ")"
        elif shown.count("（") > shown.count("）"):
            shown += "）"
        found[begin] = Citation(
            text=shown,
            names=tuple(names),
            et_al=bool(m.group("etal")),
            year=int(m.group("year")),
        )
    return [found[k] for k in sorted(found)]


def check(citation: Citation) -> str | None:
    """Why the citation does not match the list, or None when it does."""
    candidates = _first_authors().get(citation.names[0].casefold(), [])
    if not candidates:
        return f"no work by {citation.names[0]} in the reference list"
    same_year = [r for r in candidates if r.year == citation.year]
    if not same_year:
        listed = ", ".join(r.cite() for r in candidates)
        return f"the reference list has {listed}, not {citation.year}"
    for r in same_year:
        surnames = [s.casefold() for s in r.surnames()]
        named = [n.casefold() for n in citation.names]
        if named == surnames[: len(named)] and (citation.et_al or len(named) == len(surnames)):
            return None
    listed = ", ".join(r.cite() for r in same_year)
    return f"the authors differ from the reference list's {listed}"


def markdown_texts() -> list[tuple[str, str]]:
    """(where, text) for every markdown cell of every notebook and for the documents."""
    texts = []
    for path in sorted(NOTEBOOK_DIR.glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for i, cell in enumerate(cells):
            if cell["cell_type"] == "markdown":
                source = cell["source"]
                text = "".join(source) if isinstance(source, list) else source
                texts.append((f"{path.relative_to(REPO)}, cell {i}", text))
    for path in DOCUMENTS:
        if path.is_file():
            texts.append((str(path.relative_to(REPO)), path.read_text(encoding="utf-8")))
    return texts


def problems_in(where: str, text: str) -> list[Problem]:
    out = []
    for citation in find_citations(text):
        why = check(citation)
        if why:
            out.append(Problem(where, citation, why))
    return out


# --------------------------------------------------------------------------- the course's texts


def test_the_course_cites_something():
    cited = [c for _, text in markdown_texts() for c in find_citations(text)]
    assert len(cited) >= 30, f"only {len(cited)} citations found: is the scanner broken?"


def test_every_citation_is_in_the_reference_list():
    problems = [p for where, text in markdown_texts() for p in problems_in(where, text)]
    assert not problems, (
        "These citations do not match aigc_helpers/references.py:\n  "
        + "\n  ".join(map(str, problems))
        + "\n"
        + FIX
    )


# --------------------------------------------------------------------------- the scanner itself


@pytest.mark.parametrize(
    ("text", "first", "year"),
    [
        ("as Goodfellow et al. (2014) showed", "Goodfellow", 2014),
        ("a GAN (Goodfellow et al., 2014, *Generative Adversarial Nets*)", "Goodfellow", 2014),
        ("StyleGAN (Karras, Laine & Aila, 2018) mixes styles", "Karras", 2018),
        ("the ELBO of Kingma & Welling (2013), which", "Kingma", 2013),
        ("the ELBO of Kingma and Welling (2013)", "Kingma", 2013),
        ("the formula of Shoemake (1985)", "Shoemake", 1985),
        ("(DCGAN, Radford, Metz & Chintala, 2015) learns", "Radford", 2015),
        ("(Shoemake's formula, used for GAN latents by White, 2016)", "White", 2016),
        ("(Theis, van den Oord & Bethge, 2015)", "Theis", 2015),
        ("images (Kynkäänniemi et al., 2019).", "Kynkäänniemi", 2019),
        ("on quality (Dhariwal & Nichol,\n  2021) while", "Dhariwal", 2021),
        ("the ring of Metz et al. (2016, *Unrolled GANs*)", "Metz", 2016),
        ("扩散模型**（Ho、Jain 与 Abbeel，2020），大", "Ho", 2020),
        ("学习率 （Heusel 等，2017）、对", "Heusel", 2017),
        ("Kingma 与 Welling（2013）提出", "Kingma", 2013),
    ],
)
def test_the_scanner_finds_citations(text, first, year):
    (citation,) = find_citations(text)
    assert (citation.names[0], citation.year) == (first, year)


@pytest.mark.parametrize(
    "text",
    [
        "Claude Shannon generated English-like text from letter and word statistics in 1948",
        "Boltzmann machines (1985) were neural networks; deep belief nets (2006)",
        "StyleGAN (2019) and DCGAN (2015) are milestones",
        "an identifier 1511 = November 2015, trained on 2026-11-02",
        "a VAE reproduces statistical patterns of a 1990s table",
        "Paris, 2019, was sunny",
        "seeds (1, 0, 0) and (0, 1, 1), 2000 images",
        "inline code is not prose: `(see Goodfellow et al., 2099)`",
        "```python\n# Goodfellow et al. (2099)\n```",
        "the 2 → 7 morph (Section 2, 2021 runs)",
    ],
)
def test_the_scanner_ignores_what_is_not_a_citation(text):
    assert find_citations(text) == []


def test_a_planted_wrong_year_is_reported():
    """Take a copy of a real cell that cites the list correctly, change one citation's year to one the
    list does not have for that author, and expect the scanner to report exactly that citation."""
    cited = [
        (where, text, c)
        for where, text in markdown_texts()
        for c in find_citations(text)
        if check(c) is None
    ]
    assert cited, "no correct citation found in any notebook"
    where, text, citation = cited[0]
    years = {r.year for r in _first_authors()[citation.names[0].casefold()]}
    wrong_year = next(y for y in range(citation.year + 1, 2100) if y not in years)
    assert citation.text in " ".join(text.split()), citation.text
    planted_citation = citation.text.replace(str(citation.year), str(wrong_year))
    planted = " ".join(text.split()).replace(citation.text, planted_citation, 1)
    assert planted != " ".join(text.split())
    before = {(p.citation.text, p.citation.year) for p in problems_in(where, text)}
    after = {(p.citation.text, p.citation.year): p for p in problems_in(where, planted)}
    assert set(after) - before == {(planted_citation, wrong_year)}, (
        f"planting {wrong_year} for {citation.text!r} in {where} was not reported: {list(after)}"
    )
    problem = after[(planted_citation, wrong_year)]
    assert f"not {wrong_year}" in problem.why and citation.names[0] in str(problem)


def test_problems_name_the_place_the_citation_and_the_list_entry():
    (problem,) = problems_in("notebooks/xx.ipynb, cell 3", "a hybrid (Larsen et al., 1999).")
    message = str(problem)
    assert "notebooks/xx.ipynb, cell 3" in message and "Larsen et al., 1999" in message
    assert references.get("vae_gan").cite() in message
    (missing,) = problems_in("README.md", "as Nobody & Else (2001) showed")
    assert "no work by Nobody" in str(missing)
    (wrong_authors,) = problems_in("README.md", "(Kingma & Bottou, 2013)")
    assert "authors differ" in str(wrong_authors)


# --------------------------------------------------------------------------- the list's own years


def test_reference_years_follow_the_first_appearance_rule():
    """An arXiv identifier starts with the year and month of the first version (1812 = December 2018):
    the entry's year is that year, or the one before for a January identifier (papers submitted on the
    last days of December get the next month's number)."""
    wrong = []
    for r in references.REFERENCES:
        m = re.fullmatch(r"arXiv:(\d\d)(\d\d)\.\d{4,5}", r.link)
        if not m:
            continue
        yy, mm = 2000 + int(m.group(1)), int(m.group(2))
        if not (r.year == yy or (mm == 1 and r.year == yy - 1)):
            wrong.append(f"{r.key}: year {r.year}, but {r.link} first appeared in {yy}")
    assert not wrong, (
        "Years are the year of first public appearance (the arXiv year for papers that appeared "
        "there first):\n  " + "\n  ".join(wrong)
    )
