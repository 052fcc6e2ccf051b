"""Every "Taught in:" line of aigc_helpers is true: each notebook it names exists, and that notebook's
code uses the thing the docstring belongs to (its bare name, or module.name; a module's own name for a
module docstring). Lines that say "machinery behind ..." name no notebook and are not checked."""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import re
from functools import cache
from pathlib import Path

import pytest

import aigc_helpers

REPO = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = REPO / "notebooks"
NOTEBOOK = re.compile(r"\b(\d\d_[A-Za-z0-9_]+\.ipynb)")
# How a notebook uses a module other than by name: the CLI runs as `python -m aigc_helpers ...`.
ALIASES = {"aigc_helpers.cli": ("-m aigc_helpers",), "aigc_helpers.__main__": ("-m aigc_helpers",)}


def taught_in(doc: str | None) -> list[str]:
    """The notebook file names a docstring's "Taught in:" paragraph names (machinery lines: none)."""
    if not doc:
        return []
    names: list[str] = []
    for m in re.finditer(r"Taught in:(.*?)(?:\n\s*\n|\Z)", inspect.cleandoc(doc), re.S):
        text = m.group(1)
        if "machinery behind" in text.lower():
            continue
        names += NOTEBOOK.findall(text)
    return list(dict.fromkeys(names))


@cache
def code_of(notebook: str) -> str | None:
    path = NOTEBOOK_DIR / notebook
    if not path.is_file():
        return None
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n".join(
        "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        for c in cells
        if c["cell_type"] == "code"
    )


def mentions(code: str, module: str, name: str) -> bool:
    """``name`` in code, bare or qualified by the module or a package above it (``gan.GAN`` for
    ``aigc_helpers.gan.model.GAN``), but not as an attribute of something else (``keras.GAN``)."""
    parts = module.split(".")[1:]
    quals = [""] + [re.escape(p) + r"\." for p in parts] + [re.escape(module) + r"\."]
    pattern = rf"(?<![\w.])(?:{'|'.join(quals)}){re.escape(name)}(?!\w)"
    return re.search(pattern, code) is not None


def uses(code: str, module: str, name: str | None) -> bool:
    """Whether the code uses ``module.name``, or the module (by name or through its public objects)."""
    if name is not None:
        return mentions(code, module, name)
    if any(alias in code for alias in ALIASES.get(module, ())):
        return True
    parent, short = module.rsplit(".", 1)
    if mentions(code, parent, short):
        return True
    mod = importlib.import_module(module)
    public = [
        n
        for n, obj in vars(mod).items()
        if not n.startswith("_") and getattr(obj, "__module__", None) == module
    ]
    return any(mentions(code, module, n) for n in public)


def modules() -> tuple[list[str], list[tuple[str, str]]]:
    names, failed = [], []
    for info in pkgutil.walk_packages(aigc_helpers.__path__, prefix="aigc_helpers."):
        if info.name == "aigc_helpers.__main__":
            continue  # importing it runs the CLI
        names.append(info.name)
    loaded = ["aigc_helpers"]
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as exc:  # reported as a skip, with its reason
            failed.append((name, f"{type(exc).__name__}: {exc}"))
        else:
            loaded.append(name)
    return loaded, failed


def claims() -> list[tuple[str, str, str | None, str]]:
    """(module, object or None, notebook, qualified name) for every notebook a "Taught in:" names."""
    loaded, _ = modules()
    out = []
    for modname in loaded:
        module = importlib.import_module(modname)
        for nb in taught_in(module.__doc__):
            out.append((modname, None, nb))
        for name, obj in vars(module).items():
            if name.startswith("_") or not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue
            if getattr(obj, "__module__", None) != modname:
                continue  # imported from elsewhere: checked where it is defined
            for nb in taught_in(obj.__doc__):
                out.append((modname, name, nb))
    return out


CLAIMS = claims()
IDS = [f"{m.removeprefix('aigc_helpers.')}.{n or '(module)'}->{nb}" for m, n, nb in CLAIMS]


def test_the_parser_reads_taught_in_lines():
    doc = """Thing.

    Taught in: notebooks/05_dcgan_mnist.ipynb, notebooks/09_lab_to_production.ipynb
    (with a note)

    Taught in: machinery behind gan.GAN (notebooks/03_gan_toy.ipynb)
    """
    assert taught_in(doc) == ["05_dcgan_mnist.ipynb", "09_lab_to_production.ipynb"]
    assert uses("x = gan.GAN(2)", "aigc_helpers.gan", "GAN")
    assert not uses("x = gan.GANs(2)", "aigc_helpers.gan", "GAN")
    assert uses("from aigc_helpers import gan", "aigc_helpers.gan", None)


@pytest.mark.parametrize(("module", "name"), [(n, None) for n, _ in modules()[1]] or [(None, None)])
def test_every_module_imports(module, name):
    failed = dict(modules()[1])
    if module is None:
        return
    pytest.skip(
        f"{module} does not import, so its Taught-in lines are not checked: {failed[module]}"
    )


@pytest.mark.parametrize(("module", "name", "notebook"), CLAIMS, ids=IDS)
def test_taught_in_names_a_notebook_that_uses_it(module, name, notebook):
    code = code_of(notebook)
    what = f"{module}.{name}" if name else module
    assert code is not None, f"{what}: Taught in names {notebook}, which does not exist"
    assert uses(code, module, name), (
        f"{what}: Taught in names {notebook}, whose code never mentions "
        f"{name or module.rsplit('.', 1)[-1]}. Fix: name a notebook that uses it, or write "
        "'Taught in: machinery behind <the public thing that uses it>'."
    )
