"""`python -m aigc_helpers`: one command line for the package. Every subcommand is listed by --help,
the converted ones (references, distributed-demo) parse their flags, and repository chores (badges,
notebook runs) are not part of it. `generate` has its own file, tests/test_cli_generate.py."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from aigc_helpers import cli, references

REPO = Path(__file__).resolve().parent.parent


def run_cli(*args: str, env_extra: dict | None = None, cwd: Path = REPO):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "-m", "aigc_helpers", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
    )


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = cli.build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_subcommand_is_in_the_help():
    r = run_cli("--help")
    assert r.returncode == 0, r.stderr
    names = subcommands()
    assert {"env", "check-data", "references", "distributed-demo", "generate"} <= set(names)
    for name in names:
        assert name in r.stdout, f"`{name}` is missing from python -m aigc_helpers --help"


@pytest.mark.parametrize("gone", ["badges", "run-notebooks"])
def test_repository_chores_are_not_package_commands(gone, capsys):
    assert gone not in subcommands()
    with pytest.raises(SystemExit) as exc:
        cli.build_parser().parse_args([gone])
    assert exc.value.code == 2


def test_references_parses_its_flags():
    parse = cli.build_parser().parse_args
    args = parse(["references"])
    assert (args.write, args.check, args.doc) == (False, False, "docs/references.md")
    assert parse(["references", "--check"]).check
    assert parse(["references", "--write", "--doc", "x.md"]).doc == "x.md"
    with pytest.raises(SystemExit):
        parse(["references", "--write", "--check"])  # one or the other


def test_references_prints_writes_and_checks(tmp_path, capsys):
    assert cli.main(["references"]) == 0
    assert capsys.readouterr().out == references.render_document()
    doc = tmp_path / "docs" / "references.md"
    assert cli.main(["references", "--check", "--doc", str(doc)]) == 1
    assert "Fix: python -m aigc_helpers references --write" in capsys.readouterr().err
    assert cli.main(["references", "--write", "--doc", str(doc)]) == 0
    assert doc.read_text(encoding="utf-8") == references.render_document()
    assert cli.main(["references", "--check", "--doc", str(doc)]) == 0
    doc.write_text("stale", encoding="utf-8")
    assert cli.main(["references", "--check", "--doc", str(doc)]) == 1


def test_distributed_demo_parses_its_flags():
    args = cli.build_parser().parse_args(
        ["distributed-demo", "--replicas", "3", "--global-batch", "96", "--latent-dim", "8"]
    )
    assert (args.replicas, args.global_batch, args.latent_dim) == (3, 96, 8)
    assert (args.steps, args.warmup, args.train_images, args.seed) == (20, 3, 4096, 0)
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["distributed-demo", "--steps", "many"])


def test_distributed_demo_reports_a_batch_that_does_not_split():
    r = run_cli("distributed-demo", "--replicas", "3", "--global-batch", "32", "--steps", "1")
    assert r.returncode == 2
    assert r.stderr.startswith("error:") and "multiple of the replica count" in r.stderr
    assert not r.stdout.strip()


def test_run_demo_uses_the_package_command(monkeypatch):
    """distributed.run_demo starts `python -m aigc_helpers distributed-demo` and reads its JSON line."""
    from aigc_helpers import distributed

    seen = {}

    def fake_run(cmd, **kwargs):
        seen["cmd"] = cmd
        return subprocess.CompletedProcess(cmd, 0, stdout=json.dumps({"replicas": 2}) + "\n")

    monkeypatch.setattr(distributed.subprocess, "run", fake_run)
    assert distributed.run_demo(2, steps=5, global_batch=64) == {"replicas": 2}
    assert seen["cmd"][1:] == [
        "-m",
        "aigc_helpers",
        "distributed-demo",
        "--replicas",
        "2",
        "--steps",
        "5",
        "--global-batch",
        "64",
    ]
    with pytest.raises(ValueError, match="positive integer"):
        distributed.run_demo(0)


def test_check_data(real_mnist_path):
    r = run_cli("check-data", "--offline", env_extra={"AIGC_DATA_DIR": str(real_mnist_path.parent)})
    assert r.returncode == 0, r.stderr
    assert "MNIST OK" in r.stdout and "60000 train + 10000 test" in r.stdout


def test_check_data_reports_a_bad_file(tmp_path):
    (tmp_path / "mnist.npz").write_bytes(b"broken")
    r = run_cli("check-data", "--offline", env_extra={"AIGC_DATA_DIR": str(tmp_path)})
    assert r.returncode == 1 and "error:" in r.stderr and "Fix:" in r.stderr
    assert (tmp_path / "mnist.npz").read_bytes() == b"broken"


def test_env_with_bad_profile(capsys):
    assert cli.main(["env", "--profile", "huge"]) == 2
    assert "Valid profiles: ci, cpu, binder, gpu" in capsys.readouterr().err


# --------------------------------------------------------------------------- check-data, as a learner reads it


def assert_for_learners(text: str) -> None:
    for banned in ("../shared", "/work", "/tmp", "/root", "download=False"):
        assert banned not in text, f"{banned!r} in what check-data printed: {text}"


def test_check_data_offline_speaks_of_the_flag(course, capsys):
    assert cli.main(["check-data", "--offline"]) == 1
    out = capsys.readouterr()
    assert not out.out
    err = out.err.strip()
    assert err.startswith("error: MNIST (mnist.npz) was not found")
    assert "downloading was switched off (--offline)" in err
    assert "run `python -m aigc_helpers check-data` again without --offline" in err
    assert "put a copy at data/mnist.npz in the course folder" in err and "AIGC_DATA_DIR" in err
    assert "load_mnist()" not in err  # a Python call means nothing at the shell
    assert_for_learners(err)


def test_check_data_online_failure_says_run_it_again(course, capsys):
    assert cli.main(["check-data"]) == 1
    err = capsys.readouterr().err
    assert "the Keras download failed" in err
    assert "connect to the internet and run `python -m aigc_helpers check-data` again" in err
    assert "data/mnist.npz" in err and "AIGC_DATA_DIR" in err and "--offline" not in err
    assert_for_learners(err)


def test_check_data_offline_bad_copy_speaks_of_the_flag(course, capsys):
    (course["data"] / "mnist.npz").write_bytes(b"broken")
    assert cli.main(["check-data", "--offline"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: The MNIST file data/mnist.npz cannot be used")
    assert "run `python -m aigc_helpers check-data` again without --offline" in err
    assert_for_learners(err)


def test_check_data_blames_a_bad_env_dir(course, real_mnist_path, capsys, monkeypatch):
    (course["env"] / "mnist.npz").write_bytes(b"broken")
    os.symlink(real_mnist_path, course["data"] / "mnist.npz")
    monkeypatch.setenv("AIGC_DATA_DIR", str(course["env"]))
    assert cli.main(["check-data", "--offline"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: AIGC_DATA_DIR points at ~/mnist-copies/mnist.npz, which is not a")
    assert "data/mnist.npz in the course folder is a good copy" in err
    assert err.endswith("Fix: correct AIGC_DATA_DIR or unset it to use data/mnist.npz.")
    assert (course["env"] / "mnist.npz").read_bytes() == b"broken"
    assert_for_learners(err)


def test_check_data_blames_a_bad_env_dir_for_real(tmp_path):
    """The real command, in a fresh process, with the course's own data/mnist.npz (what CI provides)."""
    if not (REPO / "data" / "mnist.npz").is_file():
        pytest.skip("no data/mnist.npz in this checkout (.ci/run copies it there)")
    home = tmp_path / "home"
    (home / "mnist-copies").mkdir(parents=True)
    (home / "mnist-copies" / "mnist.npz").write_bytes(b"broken")
    r = run_cli(
        "check-data",
        "--offline",
        env_extra={"AIGC_DATA_DIR": str(home / "mnist-copies"), "HOME": str(home)},
    )
    assert r.returncode == 1 and not r.stdout
    assert r.stderr.startswith("error: AIGC_DATA_DIR points at ~/mnist-copies/mnist.npz")
    assert "data/mnist.npz in the course folder is a good copy" in r.stderr
    assert_for_learners(r.stderr)
