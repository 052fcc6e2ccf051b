"""aigc_helpers.course and the CLI: course map, badges generated from one setting, notebook runs."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from aigc_helpers import cli, course

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def test_every_notebook_is_on_the_course_map_and_in_the_readme():
    names = {lesson.filename for lesson in course.COURSE_MAP}
    readme = (REPO / "README.md").read_text()
    for nb in NOTEBOOKS:
        assert nb.name in names, f"{nb.name} is not in aigc_helpers.course.COURSE_MAP"
    for lesson in course.COURSE_MAP:
        assert lesson.filename in readme, f"README.md does not list {lesson.filename}"
        row = next(
            line for line in readme.splitlines() if line.startswith(f"| {lesson.stem[:2]} |")
        )
        status = "ready" if lesson.available else "planned"
        assert row.rstrip().endswith(f"| {status} |"), (
            f"README status of {lesson.filename}: {status}"
        )


def test_course_map_numbers_are_unique_and_in_order():
    stems = [lesson.stem for lesson in course.COURSE_MAP]
    numbers = [int(s[:2]) for s in stems]
    assert numbers == list(range(len(stems)))


def test_course_table_reports_only_measured_times(tmp_path):
    timings = {"00_index.ipynb": {"ci": 12.3, "cpu": 150.0}}
    table = course.course_table(timings).set_index("notebook")
    assert table.loc["00_index.ipynb", "time (ci)"] == "12 s"
    assert table.loc["00_index.ipynb", "time (cpu)"] == "2.5 min"
    assert table.loc["00_index.ipynb", "time (gpu)"] == "not measured"
    assert table.loc["05_dcgan_mnist.ipynb", "time (ci)"] == "not measured"


# --------------------------------------------------------------------------- badges


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_badges_match_the_configured_repository(nb):
    assert course.notebook_badge_problems(nb) == []


def test_badge_urls_use_the_setting():
    host = course.hosting()
    md = course.badge_markdown("00_index.ipynb", host)
    assert (
        f"colab.research.google.com/github/{host.repository}/blob/{host.branch}/notebooks/00_index.ipynb"
        in md
    )
    assert (
        f"mybinder.org/v2/gh/{host.repository}/{host.branch}?urlpath=lab/tree/notebooks/00_index.ipynb"
        in md
    )


def test_readme_badges_match(tmp_path):
    assert course.readme_badges() in (REPO / "README.md").read_text()


def copy_course(tmp_path: Path) -> Path:
    root = tmp_path / "course"
    (root / "notebooks").mkdir(parents=True)
    for nb in NOTEBOOKS:
        shutil.copy(nb, root / "notebooks" / nb.name)
    for name in ("README.md", "pyproject.toml"):
        shutil.copy(REPO / name, root / name)
    return root


def test_rehosting_is_a_one_line_change(tmp_path):
    root = copy_course(tmp_path)
    assert course.sync_badges(check=True, root=root) == []
    pyproject = root / "pyproject.toml"
    old = course.hosting(pyproject).repository
    pyproject.write_text(
        pyproject.read_text().replace(f'repository = "{old}"', 'repository = "someone/fork"')
    )
    stale = course.sync_badges(check=True, root=root)
    assert "README.md" in stale and len(stale) == len(NOTEBOOKS) + 1
    before = {p: p.read_text() for p in root.rglob("*") if p.is_file()}
    course.sync_badges(root=root)
    assert course.sync_badges(check=True, root=root) == []
    host = course.hosting(pyproject)
    for nb in (root / "notebooks").glob("*.ipynb"):
        assert course.notebook_badge_problems(nb, host) == []
        text = nb.read_text()
        assert "someone/fork" in text and old not in text
        json.loads(text)  # still a valid notebook
    assert "someone/fork" in (root / "README.md").read_text()
    assert sum(before[p] != p.read_text() for p in before) == len(NOTEBOOKS) + 1


def test_malformed_repository_setting_names_the_fix(tmp_path):
    bad = tmp_path / "pyproject.toml"
    bad.write_text('[tool.aigc-course]\nrepository = "not a repo"\n')
    with pytest.raises(ValueError, match="owner/name"):
        course.hosting(bad)


def test_badge_check_catches_a_hand_edited_badge(tmp_path):
    root = copy_course(tmp_path)
    nb = root / "notebooks" / "00_index.ipynb"
    nb.write_text(
        nb.read_text().replace(
            "colab-badge.svg)](https://colab.research.google.com/github/",
            "colab-badge.svg)](https://colab.research.google.com/github/x",
        )
    )
    assert course.notebook_badge_problems(nb) != []


# --------------------------------------------------------------------------- CLI


def run_cli(*args: str, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "-m", "aigc_helpers", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=300,
    )


def test_cli_check_data(real_mnist_path):
    r = run_cli("check-data", "--offline", env_extra={"AIGC_DATA_DIR": str(real_mnist_path.parent)})
    assert r.returncode == 0, r.stderr
    assert "MNIST OK" in r.stdout and "60000 train + 10000 test" in r.stdout


def test_cli_check_data_reports_a_bad_file(tmp_path):
    (tmp_path / "mnist.npz").write_bytes(b"broken")
    r = run_cli("check-data", "--offline", env_extra={"AIGC_DATA_DIR": str(tmp_path)})
    assert r.returncode == 1 and "error:" in r.stderr and "Fix:" in r.stderr
    assert (tmp_path / "mnist.npz").read_bytes() == b"broken"


def test_cli_badges_check_passes_on_the_repo():
    assert cli.main(["badges", "--check"]) == 0


def test_cli_env_with_bad_profile(capsys):
    assert cli.main(["env", "--profile", "huge"]) == 2
    assert "Valid profiles: ci, cpu, binder, gpu" in capsys.readouterr().err


def test_cli_run_notebooks_rejects_non_notebooks(tmp_path, capsys):
    (tmp_path / "x.txt").write_text("")
    assert cli.main(["run-notebooks", str(tmp_path / "x.txt")]) == 2
    assert "not a notebook" in capsys.readouterr().err


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
    done = course.run_notebooks([path], "binder", timings_file=timings)
    out = nbformat.read(path, as_version=4).cells[0].outputs[0]["text"]
    assert out.strip() == "binder 42"
    assert json.loads(timings.read_text())["01_probe.ipynb"]["binder"] == round(
        done["01_probe.ipynb"], 1
    )


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
    assert course.tidy_outputs(nb) == 2  # 7 outputs in, 5 out
    kinds = [(o["output_type"], o.get("name"), o.get("text")) for o in nb.cells[0].outputs]
    assert kinds == [
        ("stream", "stdout", "Epoch 1/2\n10/10 - 1s\n"),
        ("stream", "stderr", "real warning\n"),
        ("stream", "stdout", "done\n"),
        ("execute_result", None, None),
        ("stream", "stdout", "after\n"),
    ]
