"""Every figure the course's prose states traces to where it was measured (tools/figures.py).

A number in a notebook's Markdown or a README that reports a course run carries a mark naming its source
(a shipped results file, timings.json, the notebook's own outputs, the literature registry, or the
formula that computes it); tables of run times are compared with timings.json. These tests check the
committed files, and that a changed source or an unmarked figure is caught, naming the place.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _load_tool():
    if "tools_figures" not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            "tools_figures", REPO / "tools" / "figures.py"
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules["tools_figures"] = module
        spec.loader.exec_module(module)
    return sys.modules["tools_figures"]


figures = _load_tool()

# The shipped DCGAN's cFID as the prose must quote it (two decimals), read from its results file.
OURS_CFID = "{:.2f}".format(
    json.loads((REPO / "aigc_helpers/assets/gan_results.json").read_text())["models"]["ours"][
        "cfid"
    ]
)


def test_every_figure_in_the_course_traces_to_its_source():
    problems = figures.check()
    assert not problems, f"{len(problems)} figure(s) do not trace to a source:\n" + "\n".join(
        map(str, problems)
    )


@pytest.fixture
def scratch(tmp_path) -> Path:
    """A copy of what the check reads: notebooks, READMEs, results files."""
    shutil.copytree(
        REPO / "notebooks", tmp_path / "notebooks", ignore=shutil.ignore_patterns("runs")
    )
    for name in figures.READMES:
        shutil.copy(REPO / name, tmp_path / name)
    (tmp_path / "aigc_helpers" / "assets").mkdir(parents=True)
    for path in figures.RESULTS.values():
        shutil.copy(path, tmp_path / "aigc_helpers" / "assets" / path.name)
    return tmp_path


def _edit_json(path: Path, keys: tuple[str, ...], change) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    node = data
    for key in keys[:-1]:
        node = node[key]
    node[keys[-1]] = change(node[keys[-1]])
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")


@pytest.mark.parametrize(
    "file, keys, quoted_in",
    [
        ("aigc_helpers/assets/gan_results.json", ("models", "ours", "cfid"), "README.md"),
        ("aigc_helpers/assets/gan_results.json", ("models", "ours", "epochs"), "README.zh-CN.md"),
        (
            "aigc_helpers/assets/vae_results.json",
            ("models", "ours", "test_iw_nll_k100"),
            "README.md",
        ),
        ("aigc_helpers/assets/vae_results.json", ("models", "factorised", "epochs"), "README.md"),
        ("notebooks/timings.json", ("08_vae_mnist.ipynb", "cpu"), "notebooks/00_index.ipynb"),
        ("notebooks/timings.json", ("01_what_is_aigc.ipynb", "cpu"), "notebooks/15_faq"),
    ],
)
def test_a_changed_measurement_is_caught_where_it_is_quoted(scratch, file, keys, quoted_in):
    assert figures.check(scratch) == []
    _edit_json(scratch / file, keys, lambda v: v * 1.5 + 1)
    problems = figures.check(scratch)
    assert problems, f"changing {'.'.join(keys)} in {file} went unnoticed"
    assert any(p.place.startswith(quoted_in) for p in problems), "\n".join(map(str, problems))


def _first_markdown_cell(path: Path) -> tuple[dict, dict]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return nb, next(c for c in nb["cells"] if c["cell_type"] == "markdown")


@pytest.mark.parametrize(
    "planted, expect",
    [
        ("Our model reaches cFID 3.80 in a quarter of an hour.", "untraced figure"),
        ("It saw 7.4 epochs.", "untraced figure"),
        ("About 59% of the samples are good.", "untraced figure"),
        ("It reaches 99.12<!--= gan.models.ours.cfid --> cFID.", f"the source says {OURS_CFID}"),
        ("A coin flip costs 0.694<!--= log(2) --> nats.", "the source says 0.693"),
        ("It prints 123.456<!--out--> somewhere.", "no output of this notebook shows it"),
        ("It reads 1.00<!--= gan.models.nobody.cfid -->.", "cannot evaluate"),
    ],
)
def test_a_wrong_or_unmarked_figure_in_prose_is_caught(scratch, planted, expect):
    path = scratch / "notebooks" / "03_gan_toy.ipynb"
    nb, cell = _first_markdown_cell(path)
    cell["source"] = "".join(cell["source"]) + "\n\n" + planted + "\n"
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False), encoding="utf-8")
    problems = figures.check(scratch)
    assert [p for p in problems if p.place.startswith("notebooks/03_gan_toy.ipynb, cell")]
    assert any(expect in p.message for p in problems), "\n".join(map(str, problems))


@pytest.mark.parametrize(
    "text",
    [
        "a 95%<!--const--> confidence interval",
        "the floor 1.386<!--= 2 * log(2) --> nats",
        "`x = 0.123` in code and $0.456$ in maths are not prose",
        "28×28 pixels and section 5.1 are not figures",
        "Python 3.11 is a version, not a figure",
    ],
)
def test_marked_figures_code_and_maths_pass(text):
    names = figures.sources()
    assert figures.check_text("here", text, "notebook", "", names) == []


def test_write_rewrites_marked_numbers_from_their_sources(scratch):
    names = figures.sources(scratch)
    text = "cFID 9.99<!--= gan.models.ours.cfid --> and 1,000<!--= t('08', 'cpu') --> s"
    new = figures.rewrite(text, names)
    assert new.startswith(f"cFID {OURS_CFID}<!--= gan.models.ours.cfid -->")
    assert figures.check_text("here", new, "notebook", "", names) == []


@pytest.mark.parametrize(
    "value, like, shown",
    [
        (3.7963, "3.80", "3.80"),
        (1309.6, "1,373", "1,310"),
        (-0.6831, "−0.68", "−0.68"),
        (0.4, "1", "0"),
    ],
)
def test_render_keeps_the_way_a_number_is_written(value, like, shown):
    assert figures.render(value, like) == shown


def test_literature_figures_cite_works_on_the_reference_list():
    from aigc_helpers import literature, references

    for fig in literature.FIGURES:
        assert references.get(fig.ref), fig.key
    with pytest.raises(KeyError, match="Fix: add a LiteratureFigure"):
        literature.get("nobody_2099")


def test_marks_read_lists_by_index_and_name_a_missing_one():
    """``runs[0]`` in a mark reads one seed's figures; an index past the end names the path."""
    dotted = figures.Dotted(
        {"runs": [{"cfid": 1.5, "vae": {"epochs": 3}}]}, "diffusion.models.ours"
    )
    assert dotted.runs[0].cfid == 1.5 and dotted.runs[0].vae.epochs == 3
    with pytest.raises(LookupError, match=r"diffusion\.models\.ours\.runs has no 1"):
        dotted.runs[1]


def test_marks_loop_over_a_list_but_not_over_an_object():
    """``max(r.cfid for r in gan.models.ours.runs)`` reads every seed; an object names the mistake."""
    dotted = figures.Dotted({"runs": [{"cfid": 1.5}, {"cfid": 4.0}], "n": 2}, "gan.models.ours")
    assert max(r.cfid for r in dotted.runs) == 4.0 and [r.cfid for r in dotted.runs] == [1.5, 4.0]
    with pytest.raises(TypeError, match="gan.models.ours is an object"):
        list(dotted)
