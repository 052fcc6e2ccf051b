"""The repository tooling in tools/ (not shipped with aigc_helpers): badges generated from one setting,
notebooks re-run in place with their run times recorded."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
TOOLS = ("badges", "notebooks")


def load_tool(name: str) -> ModuleType:
    """Import tools/<name>.py (a script, not a package) under the name ``tools_<name>``."""
    key = f"tools_{name}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, REPO / "tools" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module
        spec.loader.exec_module(module)
    return sys.modules[key]


badges = load_tool("badges")
notebooks = load_tool("notebooks")


@pytest.mark.parametrize("name", TOOLS)
def test_each_tool_runs_as_a_script_with_help(name):
    r = subprocess.run(
        [sys.executable, f"tools/{name}.py", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert f"python tools/{name}.py" in r.stdout


def test_notebooks_run_help_lists_its_flags():
    r = subprocess.run(
        [sys.executable, "tools/notebooks.py", "run", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    for flag in ("--profile", "--no-write", "--timings"):
        assert flag in r.stdout


# --------------------------------------------------------------------------- badges


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_badges_match_the_configured_repository(nb):
    assert badges.notebook_badge_problems(nb) == [], "Fix: make badges"


def test_badge_urls_use_the_setting():
    host = badges.hosting()
    md = badges.badge_markdown("00_index.ipynb", host)
    assert (
        f"colab.research.google.com/github/{host.repository}/blob/{host.branch}/notebooks/00_index.ipynb"
        in md
    )
    assert (
        f"mybinder.org/v2/gh/{host.repository}/{host.branch}?urlpath=lab/tree/notebooks/00_index.ipynb"
        in md
    )


@pytest.mark.parametrize("readme", ["README.md", "README.zh-CN.md"])
def test_both_readmes_carry_the_generated_badges(readme):
    assert badges.readme_badges(badges.hosting()) in (REPO / readme).read_text(encoding="utf-8"), (
        f"{readme}: the badges block is missing or stale. Fix: make badges"
    )


def copy_course(tmp_path: Path) -> Path:
    root = tmp_path / "course"
    (root / "notebooks").mkdir(parents=True)
    for nb in NOTEBOOKS:
        shutil.copy(nb, root / "notebooks" / nb.name)
    for name in ("README.md", "README.zh-CN.md", "pyproject.toml"):
        shutil.copy(REPO / name, root / name)
    return root


def test_rehosting_is_a_one_line_change(tmp_path):
    root = copy_course(tmp_path)
    badges.sync_badges(root=root)  # start from what `make badges` writes
    assert badges.sync_badges(check=True, root=root) == []
    pyproject = root / "pyproject.toml"
    old = badges.hosting(pyproject).repository
    pyproject.write_text(
        pyproject.read_text().replace(f'repository = "{old}"', 'repository = "someone/fork"')
    )
    stale = badges.sync_badges(check=True, root=root)
    assert {"README.md", "README.zh-CN.md"} <= set(stale) and len(stale) == len(NOTEBOOKS) + 2
    before = {p: p.read_text() for p in root.rglob("*") if p.is_file()}
    badges.sync_badges(root=root)
    assert badges.sync_badges(check=True, root=root) == []
    host = badges.hosting(pyproject)
    for nb in (root / "notebooks").glob("*.ipynb"):
        assert badges.notebook_badge_problems(nb, host) == []
        text = nb.read_text()
        assert "someone/fork" in text and old not in text
        json.loads(text)  # still a valid notebook
    assert "someone/fork" in (root / "README.md").read_text()
    assert sum(before[p] != p.read_text() for p in before) == len(NOTEBOOKS) + 2


def test_the_script_checks_and_rewrites(tmp_path):
    root = copy_course(tmp_path)
    script = [sys.executable, str(REPO / "tools" / "badges.py"), "--root", str(root)]
    run = dict(capture_output=True, text=True, timeout=120)
    subprocess.run(script, check=True, **run)
    assert subprocess.run([*script, "--check"], **run).returncode == 0
    nb = root / "notebooks" / "00_index.ipynb"
    nb.write_text(nb.read_text().replace("binder", "blinder"))
    r = subprocess.run([*script, "--check"], **run)
    assert r.returncode == 1 and "00_index.ipynb" in r.stderr and "make badges" in r.stderr
    r = subprocess.run(script, **run)
    assert r.returncode == 0 and "rewrote: notebooks/00_index.ipynb" in r.stdout


def test_malformed_repository_setting_names_the_fix(tmp_path):
    bad = tmp_path / "pyproject.toml"
    bad.write_text('[tool.aigc-course]\nrepository = "not a repo"\n')
    with pytest.raises(ValueError, match="owner/name"):
        badges.hosting(bad)


def test_badge_check_catches_a_hand_edited_badge(tmp_path):
    root = copy_course(tmp_path)
    nb = root / "notebooks" / "00_index.ipynb"
    nb.write_text(
        nb.read_text().replace(
            "colab-badge.svg)](https://colab.research.google.com/github/",
            "colab-badge.svg)](https://colab.research.google.com/github/x",
        )
    )
    assert badges.notebook_badge_problems(nb) != []


# --------------------------------------------------------------------------- notebooks


def test_run_rejects_non_notebooks(tmp_path, capsys):
    (tmp_path / "x.txt").write_text("")
    assert notebooks.main(["run", str(tmp_path / "x.txt")]) == 2
    assert "not a notebook" in capsys.readouterr().err


def test_run_rejects_an_unknown_profile(tmp_path, capsys):
    path = tmp_path / "01_probe.ipynb"
    path.write_text("{}")
    assert notebooks.main(["run", "--profile", "huge", str(path)]) == 2
    assert "Valid profiles" in capsys.readouterr().err


def test_run_notebook_executes_and_records_time(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("import os\nprint(os.environ['AIGC_PROFILE'], 6 * 7)"),
        ]
    )
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = tmp_path / "01_probe.ipynb"
    nbformat.write(nb, path)
    timings = tmp_path / "timings.json"
    done = notebooks.run_notebooks([path], "binder", timings_file=timings)
    out = nbformat.read(path, as_version=4).cells[0].outputs[0]["text"]
    assert out.strip() == "binder 42"
    recorded = json.loads(timings.read_text())["01_probe.ipynb"]
    assert recorded["binder"] == round(done["01_probe.ipynb"].seconds, 1)
    if sys.platform.startswith(
        "linux"
    ):  # the kernel's high-water mark: a Python kernel needs > 20 MB
        assert 20 < recorded["peak_mb"]["binder"] == round(done["01_probe.ipynb"].peak_mb, 1) < 2000


def test_memory_only_keeps_the_recorded_time(tmp_path):
    """A run on a shared machine records its peak memory without overwriting a measured time."""
    timings = tmp_path / "timings.json"
    timings.write_text(json.dumps({"01_probe.ipynb": {"binder": 12.0}}))
    notebooks.record_timing(timings, "01_probe.ipynb", "binder", None, 812.34)
    notebooks.record_timing(timings, "01_probe.ipynb", "cpu", 30.04)
    assert json.loads(timings.read_text()) == {
        "01_probe.ipynb": {"binder": 12.0, "cpu": 30.0, "peak_mb": {"binder": 812.3}}
    }


def test_kernel_peak_reads_the_high_water_mark_of_a_process():
    if not sys.platform.startswith("linux"):
        pytest.skip("VmHWM is read from /proc, which only Linux has")
    import resource

    mine = notebooks.kernel_peak_mb(os.getpid())
    # ru_maxrss is this process's peak in kB on Linux: the same high-water mark
    assert mine == pytest.approx(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6, rel=0.05
    )
    assert notebooks.kernel_peak_mb(None) is None
    assert notebooks.kernel_peak_mb(2**22 + 12345) is None  # no such process


def test_tidy_outputs_merges_streams_and_drops_only_known_noise():
    import nbformat

    noise = (
        "E0000 00:00:17.6 5398 node_def_util.cc:682] NodeDef mentions attribute "
        "use_unbounded_threadpool which is not in the op definition\n"
    )
    cell = nbformat.v4.new_code_cell("pass")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="Epoch 1/2\n"),
        nbformat.v4.new_output("stream", name="stdout", text="10/10 - 1s\n"),
        nbformat.v4.new_output("stream", name="stderr", text=noise),
        nbformat.v4.new_output("stream", name="stderr", text=noise + "real warning\n"),
        nbformat.v4.new_output("stream", name="stdout", text="done\n"),
        nbformat.v4.new_output("execute_result", data={"text/plain": "3"}, execution_count=1),
        nbformat.v4.new_output("stream", name="stdout", text="after\n"),
    ]
    nb = nbformat.v4.new_notebook(cells=[cell])
    assert notebooks.tidy_outputs(nb) == 2  # 7 outputs in, 5 out
    kinds = [(o["output_type"], o.get("name"), o.get("text")) for o in nb.cells[0].outputs]
    assert kinds == [
        ("stream", "stdout", "Epoch 1/2\n10/10 - 1s\n"),
        ("stream", "stderr", "real warning\n"),
        ("stream", "stdout", "done\n"),
        ("execute_result", None, None),
        ("stream", "stdout", "after\n"),
    ]


def test_notebooks_that_show_run_times_run_last_and_again_with_the_new_times(tmp_path):
    """The index shows timings.json; run first and only once it would show the times from before this
    run (its own included), which is how the committed course table drifted from the measurements."""
    import nbformat

    def notebook(source: str):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
        nb.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        return nb

    index, work = tmp_path / "00_index.ipynb", tmp_path / "01_work.ipynb"
    # the index reads the timings file the way course.course_table( does
    nbformat.write(notebook("import json\nprint(sorted(json.load(open('timings.json'))))"), index)
    nbformat.write(notebook("print('working')"), work)
    assert notebooks.shows_timings(index) is False
    nb = nbformat.read(index, as_version=4)
    nb.cells[0].source = "# course_table( reads this file\n" + nb.cells[0].source
    nbformat.write(nb, index)
    assert notebooks.shows_timings(index) and not notebooks.shows_timings(work)

    done = notebooks.run_notebooks([index, work], "cpu", timings_file=tmp_path / "timings.json")
    assert list(done) == ["01_work.ipynb", "00_index.ipynb"]  # the index last
    shown = nbformat.read(index, as_version=4).cells[0].outputs[0]["text"]
    assert shown.strip() == "['00_index.ipynb', '01_work.ipynb']"  # its own time too: it ran again


def test_every_notebook_header_states_its_prerequisites_and_measured_run_time():
    from aigc_helpers.course import COURSE_MAP, load_timings

    timings = load_timings(REPO / "notebooks" / "timings.json")
    for lesson in COURSE_MAP:
        nb = json.loads((REPO / "notebooks" / lesson.filename).read_text(encoding="utf-8"))
        first = "".join(nb["cells"][0]["source"])
        assert lesson.header(timings) in first.split("\n")[:3], (
            f"{lesson.filename}: its header is not the one the course map and timings.json give. "
            "Fix: python tools/notebooks.py headers"
        )
        # prerequisites come earlier in the course and exist
        number = int(lesson.stem[:2])
        assert all(int(r) < number for r in lesson.requires), lesson.stem
        assert all(any((REPO / "notebooks").glob(f"{r}_*.ipynb")) for r in lesson.requires)


def test_header_is_placed_under_the_title_and_replaced_not_repeated():
    text = "# Title\n\nFirst paragraph.\n"
    once = notebooks.with_header(
        text, "*Before you start:* notebook 03. *Run time:* about 1.0 min."
    )
    assert once.split("\n")[:4] == [
        "# Title",
        "",
        "*Before you start:* notebook 03. *Run time:* about 1.0 min.",
        "",
    ]
    twice = notebooks.with_header(
        once, "*Before you start:* notebook 03. *Run time:* about 2.0 min."
    )
    assert twice.count("*Before you start:*") == 1 and "about 2.0 min" in twice
    assert twice.endswith("First paragraph.\n")
