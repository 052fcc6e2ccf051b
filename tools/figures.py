"""Check (and rewrite) every figure the course's prose quotes, from where it was measured (repository tooling).

A number in a notebook's Markdown, ``README.md`` or ``README.zh-CN.md`` that reports one of the course's own
runs is followed by an invisible HTML comment that names its source::

    cFID 3.80<!--= gan.models.ours.cfid -->, 7.35<!--= gan.models.ours.epochs --> epochs
    the ci run takes 13<!--= t("00", "ci") --> s
    2·log 2 ≈ 1.386<!--= 2 * log(2) --> nats
    the IWAE paper's 85.33<!--= lit.iwae_vae_two_layer_nll --> nats
    all 8 modes, 59%<!--out--> of the samples          (a figure printed by this notebook's outputs)
    1.25%<!--= 100 * gan.ratios.cfid_ours_over_tutorial --> of its cFID     (a % or × may sit before the mark)
    a 95%<!--const--> confidence interval              (a setting or definition, not a measurement)

``<!--= EXPR -->`` is a Python expression over the shipped results (``gan``, ``vae``, ``evaluator``: the
``aigc_helpers/assets/*_results.json`` files, read with dots), the measured run times (``t("08", "cpu")``:
seconds from ``notebooks/timings.json``), the literature registry (``lit.<key>``:
:mod:`aigc_helpers.literature`) and ``math``'s functions. The quoted number must equal the expression's
value rounded to the decimals it is written with. ``<!--out-->`` says the number, as written, appears in an
output of the same notebook. ``<!--const-->`` marks a setting, a definition or a count that is not a
measurement.

A figure-like number (two or more decimals; a percentage; a ratio like ``4.31×``; a number of nats, bits,
epochs, images/s, MFLOPs or MB; a decimal number of seconds or minutes) without one of these marks is
*untraced*, and ``check`` reports it. So is every table that shows run times (cells calling
``course.course_table``) whose times disagree with ``timings.json``.

    python tools/figures.py check     # list every problem (exit 1 if any); tests/test_claims.py runs this
    python tools/figures.py write     # rewrite the numbers of <!--= ... --> marks from their sources

Not shipped with ``aigc_helpers``: learners never need it.
"""

from __future__ import annotations

import argparse
import html.parser
import json
import math
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
ASSETS = ROOT / "aigc_helpers" / "assets"
RESULTS = {
    "gan": ASSETS / "gan_results.json",
    "vae": ASSETS / "vae_results.json",
    "diffusion": ASSETS / "diffusion_results.json",
    "evaluator": ASSETS / "mnist_evaluator_results.json",
}
TIMINGS = NOTEBOOK_DIR / "timings.json"
READMES = ("README.md", "README.zh-CN.md")

_NUM = r"[−-]?\d[\d,]*(?:\.\d+)?"
MARK = re.compile(
    rf"(?P<num>{_NUM})(?P<suffix>\s?%|×)?<!--\s*(?P<kind>=|out\b|const\b)\s*(?P<expr>.*?)\s*-->",
    re.S,
)

# What counts as a figure when it carries no mark (see the module docstring).
_UNITS = r"nats?|bits?|epochs?|images/s|img/s|MFLOPs|MB|奈特|个轮次"
UNTRACED = re.compile(
    r"(?<![\w.,/#-])(?:"
    r"\d[\d,]*\.\d{2,}(?![\d.])"  # two or more decimals
    r"|\d[\d,]*(?:\.\d+)?\s?%"  # a percentage
    r"|\d+\.\d+\s?×|\d+\.\d+\s?倍"  # a measured-looking ratio
    rf"|\d[\d,]*(?:\.\d+)?\s?(?:{_UNITS})(?![A-Za-z])"  # a number with a measurement unit
    r"|\d+\.\d+\s?(?:s|sec|seconds|min|minutes|h|hours|秒|分钟)(?![A-Za-z])"  # a decimal run time
    r")"
)


@dataclass(frozen=True)
class Problem:
    """One figure that does not trace to its source."""

    place: str  # "notebooks/08_vae_mnist.ipynb, cell 26" or "README.md, line 82"
    quoted: str
    message: str

    def __str__(self) -> str:
        return f"{self.place}: {self.quoted!r}: {self.message}"


class Dotted:
    """Read a JSON object with dots: ``gan.models.ours.cfid``, and its lists by index:
    ``diffusion.models.ours.runs[0].cfid`` or in a loop; a missing key or index names the file and the path."""

    def __init__(self, data, name: str) -> None:
        self._data, self._name = data, name

    def __getattr__(self, key: str):
        if key.startswith("__"):
            raise AttributeError(key)
        return self._get(key, f"{self._name}.{key}")

    def __getitem__(self, key):
        if isinstance(self._data, list):
            return self._get(key, f"{self._name}[{key}]")
        return self.__getattr__(key)

    def __iter__(self):
        """A list's items (``max(r.cfid for r in gan.models.ours.runs)``); an object is not iterable."""
        if not isinstance(self._data, list):
            raise TypeError(f"{self._name} is an object, not a list: name one of its keys")
        return (self._get(i, f"{self._name}[{i}]") for i in range(len(self._data)))

    def _get(self, key, name: str):
        try:
            value = self._data[key]
        except (KeyError, IndexError, TypeError):
            raise LookupError(f"{self._name} has no {key!r}") from None
        return Dotted(value, name) if isinstance(value, (dict, list)) else value


def sources(root: Path = ROOT) -> dict:
    """The names an ``<!--= EXPR -->`` mark may use, read from the files under ``root``."""
    from aigc_helpers import literature

    names: dict = {k: getattr(math, k) for k in ("log", "log2", "log10", "sqrt", "exp", "pi", "e")}
    names.update(abs=abs, min=min, max=max, round=round, sum=sum, len=len)
    for key, path in RESULTS.items():
        path = root / path.relative_to(ROOT)
        names[key] = Dotted(json.loads(path.read_text(encoding="utf-8")), path.name)
    timings = json.loads((root / TIMINGS.relative_to(ROOT)).read_text(encoding="utf-8"))

    def t(prefix: str, profile: str = "cpu") -> float:
        """Measured seconds of the notebook whose name starts with ``prefix`` under ``profile``."""
        for name, times in timings.items():
            if name.startswith(prefix):
                if profile not in times:
                    raise LookupError(f"timings.json has no {profile!r} time for {name}")
                return times[profile]
        raise LookupError(f"timings.json has no notebook starting with {prefix!r}")

    names["t"] = t
    names["lit"] = Dotted({f.key: f.value for f in literature.FIGURES}, "literature")
    return names


def evaluate(expr: str, names: dict) -> float:
    return float(eval(expr, {"__builtins__": {}}, names))  # noqa: S307 - our own files only


def decimals(quoted: str) -> int:
    return len(quoted.split(".")[1]) if "." in quoted else 0


def as_number(quoted: str) -> float:
    return float(quoted.replace("−", "-").replace(",", ""))


def render(value: float, like: str) -> str:
    """``value`` written the way ``like`` is: same decimals, thousands commas and minus sign."""
    text = f"{value:,.{decimals(like)}f}" if "," in like else f"{value:.{decimals(like)}f}"
    if text.startswith("-") and like.startswith("−"):
        text = "−" + text[1:]
    if text in ("-0", "−0") or re.fullmatch(r"[−-]0\.0+", text):
        text = text[1:]
    return text


def prose(text: str) -> str:
    """Text with code, maths, link targets and HTML comments blanked (they are not prose figures)."""

    def blank(m: re.Match) -> str:
        return " " * len(m.group(0))

    for pattern in (r"```.*?```", r"`[^`\n]*`", r"\$\$.*?\$\$", r"\$[^$\n]*\$", r"<!--.*?-->",
                    r"\]\([^)\s]*\)", r"https?://\S+", r"<[^>\n]+>", r"Python \d+\.\d+"):  # fmt: skip
        text = re.sub(pattern, blank, text, flags=re.S)
    return text


def documents(root: Path = ROOT) -> Iterator[tuple[str, str, str, str]]:
    """(place, text, kind, outputs) for every Markdown cell of every notebook and every README line."""
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        outputs = notebook_outputs(nb)
        for i, cell in enumerate(nb["cells"]):
            if cell["cell_type"] == "markdown":
                source = "".join(cell["source"])
                yield f"notebooks/{path.name}, cell {i}", source, "notebook", outputs
    for name in READMES:
        path = root / name
        text = path.read_text(encoding="utf-8")
        # Fenced code spans lines; blank it in the whole file, then report per line.
        text = re.sub(r"```.*?```", lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.S)
        for n, line in enumerate(text.splitlines(), start=1):
            yield f"{name}, line {n}", line, "readme", ""


def notebook_outputs(nb: dict) -> str:
    """Every text output of a notebook, joined (what ``<!--out-->`` marks are checked against)."""
    parts = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            if "text" in out:
                parts.append("".join(out["text"]))
            for mime in ("text/plain", "text/markdown", "text/html"):
                if mime in out.get("data", {}):
                    parts.append("".join(out["data"][mime]))
    return "\n".join(parts)


def check_text(place: str, text: str, kind: str, outputs: str, names: dict) -> list[Problem]:
    problems = []
    for m in MARK.finditer(text):
        quoted, mark = m.group("num"), m.group("kind")
        if mark == "=":
            try:
                value = evaluate(m.group("expr"), names)
            except Exception as exc:  # noqa: BLE001 - reported, with the expression
                problems.append(
                    Problem(place, quoted, f"cannot evaluate {m.group('expr')!r}: {exc}")
                )
                continue
            if render(value, quoted) != quoted:
                problems.append(
                    Problem(
                        place,
                        quoted,
                        f"the source says {render(value, quoted)} ({m.group('expr')} = {value!r}). "
                        "Fix: python tools/figures.py write, then re-read the sentence around it",
                    )
                )
        elif mark == "out":
            if kind != "notebook":
                problems.append(Problem(place, quoted, "<!--out--> only works in a notebook"))
            elif not re.search(
                rf"(?<![\d.]){re.escape(quoted + (m.group('suffix') or ''))}(?!\d)", outputs
            ):
                problems.append(
                    Problem(
                        place,
                        quoted,
                        "no output of this notebook shows it. Fix: re-read the outputs and correct the "
                        "text, or print the figure from code instead of typing it",
                    )
                )
    bare = prose(MARK.sub(lambda m: " " * len(m.group(0)), text))
    for m in UNTRACED.finditer(bare):
        problems.append(
            Problem(
                place,
                m.group(0).strip(),
                "untraced figure. Fix: mark its source (<!--= results expression -->, <!--out--> for a "
                "figure this notebook prints, <!--const--> for a setting or definition), or render it "
                "from the results in a code cell",
            )
        )
    return problems


class _Tables(html.parser.HTMLParser):
    """Rows of the HTML tables in an output, as lists of cell texts (header row included)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self.rows:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def check_timing_tables(root: Path = ROOT) -> list[Problem]:
    """Every shown course table (a cell calling ``course_table``) must show the times and peak memory
    of timings.json."""
    from aigc_helpers import course

    expected = course.course_table(notebooks=root / "notebooks")
    problems = []
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for i, cell in enumerate(nb["cells"]):
            if cell["cell_type"] != "code" or "course_table(" not in "".join(cell["source"]):
                continue
            shown = 0
            for out in cell.get("outputs", []):
                page = "".join(out.get("data", {}).get("text/html", ""))
                if not page:
                    continue
                parser = _Tables()
                parser.feed(page)
                header = next((r for r in parser.rows if "notebook" in r), None)
                if header is None:
                    continue
                shown += 1
                for row in parser.rows:
                    if row is header or not row:
                        continue
                    # a DataFrame's HTML starts each row with its index cell; a Styler without index does not
                    cells = row[-len(header) :] if len(row) >= len(header) else row
                    record = dict(zip(header[-len(cells) :], cells, strict=True))
                    name = record.get("notebook")
                    want = expected[expected["notebook"] == name]
                    for col, text in record.items():
                        if not col.startswith(("time (", "peak memory (")) or want.empty:
                            continue
                        if want.iloc[0][col] != text:
                            problems.append(
                                Problem(
                                    f"notebooks/{path.name}, cell {i}",
                                    f"{name} {col}: {text}",
                                    f"timings.json says {want.iloc[0][col]}. Fix: re-run this notebook "
                                    "after the others (python tools/notebooks.py run does so)",
                                )
                            )
            if not shown:
                problems.append(
                    Problem(
                        f"notebooks/{path.name}, cell {i}",
                        "course_table",
                        "no table in its outputs",
                    )
                )
    return problems


def check(root: Path = ROOT) -> list[Problem]:
    """Every problem with the figures of the notebooks and READMEs under ``root``."""
    names = sources(root)
    problems: list[Problem] = []
    for place, text, kind, outputs in documents(root):
        problems += check_text(place, text, kind, outputs, names)
    problems += check_timing_tables(root)
    return problems


def rewrite(text: str, names: dict) -> str:
    def one(m: re.Match) -> str:
        if m.group("kind") != "=":
            return m.group(0)
        new = render(evaluate(m.group("expr"), names), m.group("num"))
        return new + m.group(0)[len(m.group("num")) :]  # the suffix and the mark as they were

    return MARK.sub(one, text)


def write(root: Path = ROOT) -> int:
    """Rewrite every ``<!--= ... -->`` figure from its source; returns how many changed."""
    names = sources(root)
    changed = 0
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        raw = path.read_text(encoding="utf-8")
        nb = json.loads(raw)
        touched = False
        for cell in nb["cells"]:
            if cell["cell_type"] != "markdown":
                continue
            old = "".join(cell["source"])
            new = rewrite(old, names)
            if new != old:
                changed += sum(
                    a != b for a, b in zip(MARK.findall(old), MARK.findall(new), strict=True)
                )
                cell["source"] = new.splitlines(keepends=True)
                touched = True
        if touched:
            path.write_text(
                json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n",
                encoding="utf-8",
            )
    for name in READMES:
        path = root / name
        old = path.read_text(encoding="utf-8")
        new = rewrite(old, names)
        if new != old:
            changed += sum(
                a != b for a, b in zip(MARK.findall(old), MARK.findall(new), strict=True)
            )
            path.write_text(new, encoding="utf-8")
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("check", "write"))
    args = parser.parse_args(argv)
    if args.command == "write":
        print(f"{write()} figure(s) rewritten from their sources")
    problems = check()
    for p in problems:
        print(p)
    print(f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
