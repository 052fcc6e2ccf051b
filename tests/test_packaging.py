"""The dependency files agree, and the commands the README promises exist and do what it says."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

REPO = Path(__file__).resolve().parent.parent


def parse_pins(lines: list[str]) -> dict[str, str]:
    pins = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        m = re.fullmatch(r"([A-Za-z0-9_.\-\[\]]+)==([A-Za-z0-9_.+\-]+)", line)
        assert m, f"not an exact pin: {line!r}"
        pins[m.group(1).lower().replace("_", "-")] = m.group(2)
    return pins


def requirements_pins() -> dict[str, str]:
    return parse_pins((REPO / "requirements.txt").read_text().splitlines())


def environment_yml() -> tuple[list[str], dict[str, str]]:
    """(conda dependencies, pip pins) from environment.yml, read without a YAML library."""
    conda, pip_lines, in_pip = [], [], False
    for raw in (REPO / "environment.yml").read_text().splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        indent = len(raw) - len(raw.lstrip())
        item = raw.strip()
        if item == "- pip:":
            in_pip = True
            continue
        if in_pip and indent > 4 and item.startswith("- "):
            pip_lines.append(item[2:])
        elif item.startswith("- ") and indent >= 2:
            in_pip = False
            conda.append(item[2:])
    return conda, parse_pins(pip_lines) | ({"-e .": ""} if "-e ." in pip_lines else {})


def test_environment_yml_matches_requirements_exactly():
    conda, pip = environment_yml()
    req = requirements_pins()
    assert pip.pop("-e .", None) == "", "environment.yml must install the course with `-e .`"
    missing = sorted(set(req) - set(pip))
    extra = sorted(set(pip) - set(req))
    differ = sorted(f"{k}: {req[k]} vs {pip[k]}" for k in set(req) & set(pip) if req[k] != pip[k])
    assert not (missing or extra or differ), (
        f"environment.yml and requirements.txt disagree: missing in yml {missing}, extra in yml {extra}, "
        f"different versions {differ}. Fix: make the pip: section repeat requirements.txt."
    )
    assert "python=3.11" in conda


def test_the_parser_notices_a_disagreement():
    a = parse_pins(["numpy==2.4.6", "keras==3.15.1"])
    b = parse_pins(["numpy==2.4.5", "keras==3.15.1"])
    assert a != b


def test_requirements_pin_the_tested_set():
    req = requirements_pins()
    for name in (
        "tensorflow",
        "keras",
        "numpy",
        "matplotlib",
        "pandas",
        "scikit-learn",
        "jupyterlab",
        "ipywidgets",
        "imageio",
        "nbval",
        "pytest",
        "ruff",
    ):
        assert name in req, f"{name} is not pinned in requirements.txt"
    assert req["tensorflow"].startswith("2.21.")
    assert req["keras"].startswith("3.")


def test_pyproject_has_loose_lower_bounds_satisfied_by_the_pins():
    meta = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    pins = requirements_pins()
    deps = [Requirement(d) for d in meta["dependencies"] + meta["optional-dependencies"]["dev"]]
    for r in deps:
        specs = list(r.specifier)
        assert specs and all(s.operator == ">=" for s in specs), (
            f"{r}: pyproject.toml keeps only lower bounds, so Colab's TensorFlow is never downgraded"
        )
        name = r.name.lower().replace("_", "-")
        assert name in pins, f"{r.name} is a dependency but not pinned in requirements.txt"
        assert Version(pins[name]) in r.specifier, f"pin {name}=={pins[name]} violates {r}"


def test_installed_versions_are_the_pins():
    from importlib.metadata import version

    for name, pinned in requirements_pins().items():
        assert version(name) == pinned, f"{name} {version(name)} installed, {pinned} pinned"


def makefile_targets() -> dict[str, str]:
    text = (REPO / "Makefile").read_text()
    targets, current = {}, None
    for line in text.splitlines():
        m = re.match(r"^([a-z-]+):", line)
        if m:
            current = m.group(1)
            targets[current] = line + "\n"
        elif current and line.startswith("\t"):
            targets[current] += line + "\n"
        else:
            current = None
    return targets


@pytest.mark.parametrize("target", ["lab", "test", "notebooks", "badges", "bench", "lint"])
def test_make_targets_set_themselves_up(target):
    targets = makefile_targets()
    assert target in targets, f"make {target} is missing"
    assert "$(STAMP)" in targets[target].splitlines()[0], (
        f"make {target} must depend on the venv stamp"
    )


def test_make_test_runs_lint_units_and_notebooks_under_ci():
    body = makefile_targets()["test"]
    assert "ruff check ." in body
    assert "pytest tests/" in body
    assert "ruff format --check ." in body, "make test checks the layout (ruff format)"
    assert body.index("ruff format --check .") < body.index("pytest tests/"), "layout first"
    assert "--doctest-modules aigc_helpers" in body  # the docstring examples run too
    assert "AIGC_PROFILE=ci" in body and "$(NBVAL) notebooks/" in body


def test_make_test_runs_in_parallel_one_file_per_worker():
    """Both test commands run on pytest-xdist workers, each file on one worker: a notebook's cells share a
    kernel and run in order, so splitting a notebook across workers would break it."""
    text = (REPO / "Makefile").read_text()
    m = re.search(r"^XDIST\s*:=\s*(.+)$", text, re.M)
    assert m, "the Makefile has no XDIST flags"
    flags = m.group(1).split()
    assert flags[:2] == ["-n", "$(JOBS)"] and "--dist" in flags
    assert flags[flags.index("--dist") + 1] in ("loadfile", "loadscope"), (
        "each notebook on one worker"
    )
    assert re.search(r"^JOBS\s*\?=\s*\d+$", text, re.M), "JOBS is overridable: make test JOBS=0"
    for target in ("test", "test-oldest"):
        pytest_lines = [ln for ln in makefile_targets()[target].splitlines() if "-m pytest" in ln]
        assert pytest_lines and all("$(XDIST)" in ln for ln in pytest_lines), target
    assert "pytest-xdist" in requirements_pins()


def test_ci_runs_the_readme_test_command():
    readme = (REPO / "README.md").read_text()
    ci = (REPO / ".ci" / "run").read_text()
    assert "make test" in readme and "make lab" in readme
    assert ci.splitlines()[-1].strip() == "make test"
    assert "\nmake test-oldest\n" in ci, "CI also runs the oldest declared versions"
    assert "set -euo pipefail" in ci and "../shared/data/mnist.npz" in ci


def test_binder_start_sets_profile():
    start = REPO / "start"
    text = start.read_text()
    assert "export AIGC_PROFILE=binder" in text and text.rstrip().endswith('exec "$@"')
    assert start.stat().st_mode & 0o111, "start must be executable"


def test_mnist_is_not_tracked():
    ignore = (REPO / ".gitignore").read_text()
    assert "data/*.npz" in ignore


def test_every_subpackage_ships_in_a_regular_install():
    """A non-editable install (Colab's pip install from git) must carry every sub-package."""
    import tomllib

    from setuptools import find_packages

    conf = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    include = conf["packages"]["find"]["include"]
    found = set(find_packages(where=str(REPO), include=include))
    on_disk = {
        ".".join(p.parent.relative_to(REPO).parts)
        for p in (REPO / "aigc_helpers").rglob("__init__.py")
    }
    assert on_disk <= found, f"not packaged: {sorted(on_disk - found)}"
    assert "assets/*" in conf["package-data"]["aigc_helpers"]


def test_make_lint_checks_the_layout_too():
    body = makefile_targets()["lint"]
    assert "ruff check ." in body and "ruff format --check ." in body


@pytest.mark.parametrize(
    ("target", "script"),
    [("notebooks", "tools/notebooks.py run --profile cpu"), ("badges", "tools/badges.py")],
)
def test_maintenance_targets_run_the_tools_scripts(target, script):
    body = makefile_targets()[target]
    assert f"$(BIN)/python {script}" in body
    assert (REPO / script.split()[0]).is_file()


def test_repository_tools_are_not_shipped():
    """tools/ (re-running notebooks, badges) is for maintainers: `pip install` must not carry it."""
    from setuptools import find_packages

    conf = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = set(find_packages(where=str(REPO), include=conf["packages"]["find"]["include"]))
    assert found and all(p == "aigc_helpers" or p.startswith("aigc_helpers.") for p in found)
    assert not (REPO / "tools" / "__init__.py").exists()


# import name of each runtime dependency, where it differs from the distribution's name
IMPORT_NAMES = {"scikit-learn": "sklearn"}


def test_every_runtime_dependency_is_used():
    """A declared dependency that nothing imports is weight a learner downloads for nothing."""
    meta = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    code = "\n".join(
        p.read_text(encoding="utf-8")
        for p in [*(REPO / "aigc_helpers").rglob("*.py"), *(REPO / "notebooks").glob("*.ipynb")]
    )
    for dep in meta["dependencies"]:
        name = Requirement(dep).name.lower()
        module = IMPORT_NAMES.get(name, name.replace("-", "_"))
        assert re.search(rf"\b(import|from) {module}\b", code), (
            f"{name} is declared in pyproject.toml but nothing in aigc_helpers/ or notebooks/ imports "
            f"{module}. Fix: drop it from pyproject.toml, requirements.txt and environment.yml."
        )


# What loads a shipped model (aigc_helpers/assets/*.keras): the loaders, and the evaluator behind metrics.
LOADS_SHIPPED = re.compile(
    r"load_pretrained\(|load_shipped\(|load_evaluator\(|load_generator\(|"
    r"\b(metrics|M)\.(evaluate|predict_proba|features|cfid|cfid_floor|inception_score)\("
)


def make_variable(name: str) -> list[str]:
    m = re.search(rf"^{name}\s*:=\s*(.+)$", (REPO / "Makefile").read_text(), re.M)
    assert m, f"the Makefile has no {name} list"
    return m.group(1).split()


def test_make_test_oldest_covers_everything_that_loads_a_shipped_model():
    """`make test-oldest` runs, on the lowest declared versions, every test file and notebook that
    loads a shipped model (a new one that is left out would go untested on old Keras)."""
    body = makefile_targets()["test-oldest"]
    assert "$(OLDEST_TESTS)" in body and "AIGC_PROFILE=ci" in body and "$(OLDEST_NBS)" in body
    assert "--resolution lowest-direct" in (REPO / "tools" / "oldest_env.sh").read_text()
    listed_tests, listed_nbs = set(make_variable("OLDEST_TESTS")), set(make_variable("OLDEST_NBS"))
    for path in listed_tests | listed_nbs:
        assert (REPO / path).is_file(), f"{path} is listed in the Makefile but does not exist"
    files = sorted(REPO.glob("tests/test_*.py")) + sorted(REPO.glob("notebooks/*.ipynb"))
    for path in files:
        rel = path.relative_to(REPO).as_posix()
        if LOADS_SHIPPED.search(path.read_text(encoding="utf-8")):
            assert rel in listed_tests | listed_nbs, (
                f"{rel} loads a shipped model: add it to OLDEST_TESTS/OLDEST_NBS in the Makefile"
            )
    assert {"tests/test_cli.py", "tests/test_cli_generate.py"} <= listed_tests  # the CLI too


def test_the_declared_floors_read_the_shipped_models():
    """The Keras floor is at least the version that wrote the shipped models (an older one cannot
    read them), so that installing the course upgrades such a Keras instead of breaking."""
    from aigc_helpers import assets

    floors = {}
    for dep in tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]:
        r = Requirement(dep)
        floors[r.name] = min(Version(s.version) for s in r.specifier if s.operator == ">=")
    for model in sorted((REPO / "aigc_helpers" / "assets").glob("*.keras")):
        saved = Version(assets.saved_with(model))
        assert floors["keras"] >= Version(f"{saved.major}.{saved.minor}"), (
            f"{model.name} was written by Keras {saved}; raise the floor in pyproject.toml"
        )
