"""aigc_helpers.course: the course map, and the table the index notebook shows (status, run times)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from aigc_helpers import course

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
        status = "ready" if lesson.path_in(REPO / "notebooks").is_file() else "planned"
        assert row.rstrip().endswith(f"| {status} |"), (
            f"README status of {lesson.filename}: {status}"
        )


def test_course_map_numbers_are_unique_and_in_order():
    stems = [lesson.stem for lesson in course.COURSE_MAP]
    numbers = [int(s[:2]) for s in stems]
    assert numbers == list(range(len(stems)))


def test_course_table_reports_only_measured_times():
    timings = {"00_index.ipynb": {"ci": 12.3, "cpu": 150.0}}
    table = course.course_table(timings, REPO / "notebooks").set_index("notebook")
    assert table.loc["00_index.ipynb", "time (ci)"] == "12 s"
    assert table.loc["00_index.ipynb", "time (cpu)"] == "2.5 min"
    assert table.loc["00_index.ipynb", "time (gpu)"] == "not measured"
    assert table.loc["05_dcgan_mnist.ipynb", "time (ci)"] == "not measured"
    assert table.loc["00_index.ipynb", "status"] == "ready"


def make_folder(tmp_path: Path, *stems: str, timings: dict | None = None) -> Path:
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for stem in stems:
        (folder / f"{stem}.ipynb").write_text("{}")
    if timings is not None:
        (folder / course.TIMINGS_NAME).write_text(json.dumps(timings))
    return folder


def test_the_index_notebook_reads_the_folder_it_runs_in(tmp_path, monkeypatch):
    """A notebook's kernel runs in notebooks/: status and times come from there, not the package."""
    folder = make_folder(
        tmp_path, "00_index", "03_gan_toy", timings={"03_gan_toy.ipynb": {"cpu": 30}}
    )
    monkeypatch.chdir(folder)
    table = course.course_table().set_index("notebook")
    assert table.loc["03_gan_toy.ipynb", "status"] == "ready"
    assert table.loc["05_dcgan_mnist.ipynb", "status"] == "planned"
    assert table.loc["03_gan_toy.ipynb", "time (cpu)"] == "30 s"
    assert course.COURSE_MAP[3].path == folder / "03_gan_toy.ipynb"
    monkeypatch.chdir(tmp_path)  # the repository root: ./notebooks is found too
    assert course.notebooks_dir() == Path.cwd() / "notebooks"
    assert course.COURSE_MAP[3].available and not course.COURSE_MAP[5].available


def test_missing_timings_warn_and_show_not_measured(tmp_path):
    folder = make_folder(tmp_path, "00_index")
    with pytest.warns(UserWarning, match="timings.json does not exist.*make notebooks"):
        table = course.course_table(notebooks=folder)
    assert set(table["time (cpu)"]) == {"not measured"}
    with pytest.raises(FileNotFoundError, match="Fix: `make notebooks`"):
        course.load_timings(folder)


def test_without_a_notebooks_folder_the_table_says_unknown(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # e.g. Colab's /content with one notebook opened from GitHub
    with pytest.warns(UserWarning, match="no course notebooks found.*Fix:"):
        table = course.course_table()
    assert set(table["status"]) == {"unknown"}
    assert set(table["time (ci)"]) == {"not measured"}
    with pytest.raises(FileNotFoundError, match="pass the notebooks folder"):
        course.COURSE_MAP[0].path  # noqa: B018


def test_timings_file_can_be_passed(tmp_path):
    path = tmp_path / "t.json"
    path.write_text('{"01_what_is_aigc.ipynb": {"binder": 12.0}}')
    assert course.load_timings(path) == {"01_what_is_aigc.ipynb": {"binder": 12.0}}


def test_the_committed_timings_are_read_from_the_notebooks_folder():
    timings = course.load_timings(REPO / "notebooks")
    assert "00_index.ipynb" in timings
    assert all(isinstance(v, dict) for v in timings.values())


def test_an_installed_package_does_not_reach_into_the_repository(tmp_path):
    """course works from a copy of the package outside the repository (as after `pip install`)."""
    import subprocess
    import sys

    shutil.copytree(
        REPO / "aigc_helpers",
        tmp_path / "aigc_helpers",
        ignore=shutil.ignore_patterns("assets", "__pycache__"),
    )
    folder = make_folder(tmp_path, "00_index", timings={})
    r = subprocess.run(
        [
            sys.executable,
            "-c",
            "import aigc_helpers, warnings; warnings.simplefilter('error');"
            "from aigc_helpers import course; print(aigc_helpers.__file__);"
            "print(course.course_table()['status'].value_counts().to_dict())",
        ],
        cwd=folder,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert str(tmp_path) in r.stdout
    assert "'ready': 1" in r.stdout


def test_every_notebook_fits_a_lab_under_the_cpu_profile():
    """Each notebook's committed `cpu` run time (timings.json, written by `make notebooks`) is within
    its lab budget: 300 s, and 480 s for the two notebooks that train the main models."""
    timings = course.load_timings(REPO / "notebooks")
    assert not course.over_budget(timings), course.over_budget(timings)
    for lesson in course.COURSE_MAP:
        assert "cpu" in timings.get(lesson.filename, {}), f"{lesson.filename} has no cpu run time"
    total = sum(t["cpu"] for t in timings.values() if "cpu" in t)
    print(f"whole course under cpu: {total / 60:.1f} min")


def test_every_notebook_stays_under_2_gb_under_the_binder_profile():
    """Each notebook's peak memory under `binder` (the kernel's high-water mark, recorded in
    timings.json by `python tools/notebooks.py run --profile binder`) is within free Binder's 2 GB."""
    timings = course.load_timings(REPO / "notebooks")
    lessons = {lesson.filename: timings.get(lesson.filename, {}) for lesson in course.COURSE_MAP}
    assert not course.over_memory(lessons), course.over_memory(lessons)
    worst = max(lessons, key=lambda n: lessons[n][course.PEAK_KEY]["binder"])
    print(f"largest peak under binder: {worst}, {lessons[worst][course.PEAK_KEY]['binder']:.0f} MB")


def test_over_memory_names_each_notebook_over_2_gb_or_unmeasured():
    timings = {
        "05_dcgan_mnist.ipynb": {"cpu": 470.0, "peak_mb": {"binder": 1999.9, "cpu": 3000.0}},
        "08_vae_mnist.ipynb": {"peak_mb": {"binder": 2000.1}},
        "09_lab_to_production.ipynb": {"binder": 120.0},
    }
    assert course.over_memory(timings) == [
        "08_vae_mnist.ipynb: peak memory 2000 MB under binder, budget 2000 MB",
        "09_lab_to_production.ipynb: peak memory not measured under binder",
    ]
    assert course.over_memory(timings, "cpu") == [
        "05_dcgan_mnist.ipynb: peak memory 3000 MB under cpu, budget 2000 MB",
        "08_vae_mnist.ipynb: peak memory not measured under cpu",
        "09_lab_to_production.ipynb: peak memory not measured under cpu",
    ]


def test_over_budget_names_each_slow_notebook():
    timings = {
        "05_dcgan_mnist.ipynb": {"cpu": 470.0, "ci": 900.0},  # within 480; ci is not judged
        "08_vae_mnist.ipynb": {"cpu": 481.0},
        "09_lab_to_production.ipynb": {"cpu": 300.5},
        "07_vae_math.ipynb": {"cpu": 300.0},
    }
    assert course.over_budget(timings) == [
        "08_vae_mnist.ipynb: 481 s under cpu, budget 480 s",
        "09_lab_to_production.ipynb: 300 s under cpu, budget 300 s",
    ]
    assert course.over_budget(timings, "ci") == [
        "05_dcgan_mnist.ipynb: 900 s under ci, budget 480 s"
    ]
