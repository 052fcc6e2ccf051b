"""What a reader sees: notebooks 02, 07 and 12 opened in JupyterLab in headless Chromium, as committed
(saved outputs, nothing executed), with a screenshot of each under test-artifacts/browser/.

- 02: the Mermaid concept map is drawn as an SVG whose labels are readable (at least 11 px tall);
- 07: every formula is typeset by MathJax, and none is a MathJax error;
- 12: the saved explorer shows its one-line summary in a notebook that is not trusted (a fresh clone),
  and its sliders, drawn from the widget state saved in the notebook, once the notebook is trusted.

Chromium is driven over its DevTools protocol (a websocket, with tornado), so no extra package is
needed; the test skips when no Chromium is installed (Debian: apt-get install chromium).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "test-artifacts" / "browser"
WINDOW = (1280, 900)  # the reader's window, in CSS pixels
MIN_LABEL_PX = 11.0
NOTEBOOKS = ("02_core_concepts.ipynb", "07_vae_math.ipynb", "12_art_and_design.ipynb")


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


# --------------------------------------------------------------------------- Chromium over DevTools


class Browser:
    """A headless Chromium process with its DevTools HTTP endpoint on ``port``."""

    def __init__(self, executable: str, profile: Path):
        profile.mkdir(parents=True, exist_ok=True)
        log = profile.parent / "chromium.log"
        with open(log, "w") as out:
            self.proc = self._start(executable, profile, out)
        port_file = profile / "DevToolsActivePort"
        deadline = time.time() + 30
        while not (port_file.is_file() and port_file.read_text().strip()):
            if self.proc.poll() is not None or time.time() > deadline:
                self.close()
                pytest.fail(
                    f"headless Chromium ({executable}) did not open its DevTools port:\n"
                    + log.read_text()[-2000:]
                )
            time.sleep(0.1)
        self.port = int(port_file.read_text().splitlines()[0])

    @staticmethod
    def _start(executable: str, profile: Path, out) -> subprocess.Popen:
        return subprocess.Popen(
            [
                executable,
                "--headless=new",
                "--remote-debugging-port=0",
                f"--user-data-dir={profile}",
                f"--window-size={WINDOW[0]},{WINDOW[1]}",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-extensions",
                "--hide-scrollbars",
                "--mute-audio",
                *(["--no-sandbox"] if os.geteuid() == 0 else []),
                "about:blank",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: close() ends the renderers too
        )

    def http(self, path: str, method: str = "GET") -> dict:
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", method=method)
        with urllib.request.urlopen(req, timeout=30) as resp:
            text = resp.read().decode()
            return json.loads(text) if text.startswith(("{", "[")) else {}

    def close(self) -> None:
        """End the browser and every process it started (its process group)."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                continue
            try:  # helpers that outlived the main process
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            break


class Page:
    """A browser tab, driven over its DevTools websocket (one command at a time)."""

    def __init__(self, conn, target_id: str):
        self.conn, self.target_id, self.next_id = conn, target_id, 0

    @classmethod
    async def attach(cls, browser: Browser, target_id: str) -> Page:
        from tornado.websocket import websocket_connect

        url = f"ws://127.0.0.1:{browser.port}/devtools/page/{target_id}"
        conn = await asyncio.wait_for(websocket_connect(url, max_message_size=1 << 28), 30)
        page = cls(conn, target_id)
        await page.send("Page.enable")
        await page.send(
            "Emulation.setDeviceMetricsOverride",
            width=WINDOW[0],
            height=WINDOW[1],
            deviceScaleFactor=1,
            mobile=False,
        )
        return page

    async def send(self, method: str, timeout: float = 30, **params) -> dict:
        self.next_id += 1
        msg_id = self.next_id
        self.conn.write_message(json.dumps({"id": msg_id, "method": method, "params": params}))
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"Chromium did not answer {method} within {timeout:g} s")
            raw = await asyncio.wait_for(self.conn.read_message(), timeout=left)
            if raw is None:
                raise ConnectionError(f"Chromium closed the DevTools connection during {method}")
            msg = json.loads(raw)
            if msg.get("id") == msg_id:  # anything else is an event; none is needed
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg["result"]

    async def js(self, expression: str, timeout: float = 30):
        """Evaluate JavaScript in the page (promises awaited) and return its JSON value."""
        result = await self.send(
            "Runtime.evaluate",
            timeout=timeout,
            expression=expression,
            returnByValue=True,
            awaitPromise=True,
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            error = details.get("exception", {}).get("description") or details.get("text")
            raise RuntimeError(f"JavaScript failed: {error}\n{expression[:500]}")
        return result["result"].get("value")

    async def poll(self, expression: str, done, timeout: float = 60):
        """Evaluate ``expression`` until ``done(value)`` holds or ``timeout`` s pass; the last value."""
        deadline = time.monotonic() + timeout
        while True:
            value = await self.js(expression)
            if done(value) or time.monotonic() > deadline:
                return value
            await asyncio.sleep(0.25)

    async def screenshot(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        shot = await self.send("Page.captureScreenshot", format="png", timeout=60)
        path.write_bytes(base64.b64decode(shot["data"]))


# --------------------------------------------------------------------------- JupyterLab in that tab

#: User settings of the served lab. Every cell is kept in the page (not only those near the viewport),
#: so that checks over a whole notebook see all of its cells; nothing is fetched from the internet.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
}

OPEN_NOTEBOOK = """(async () => {
  const app = window.jupyterapp;
  const panel = await app.commands.execute('docmanager:open', {path: %s, factory: 'Notebook'});
  await panel.context.ready;
  app.shell.activateById(panel.id);
  return panel.id;
})()"""

# Whether the notebook panel shows all its cells, with every Markdown cell rendered.
RENDERED = """(() => {
  const node = document.getElementById(%s);
  if (!node || node.classList.contains('lm-mod-hidden')) return false;
  const cells = node.querySelectorAll('.jp-Notebook .jp-Cell').length;
  const md = node.querySelectorAll('.jp-MarkdownCell').length;
  const done = node.querySelectorAll('.jp-MarkdownCell.jp-mod-rendered').length;
  return cells === %d && md === done;
})()"""


class Reader:
    """JupyterLab serving copies of the notebooks, loaded once in a Chromium tab; ``session`` runs a
    coroutine against that tab (each test in its own event loop)."""

    def __init__(self, lab, browser: Browser, root: Path, workdir: Path):
        self.lab, self.browser, self.root, self.workdir = lab, browser, root, workdir
        self.target_id = browser.http("/json/new?about:blank", method="PUT")["id"]
        self.session(self._load)

    async def _load(self, page: Page) -> None:
        await page.send("Page.navigate", url=f"{self.lab.base}/lab?reset&token={self.lab.token}")
        ready = await page.poll(
            "window.jupyterapp ? window.jupyterapp.restored.then(() => true) : false",
            bool,
            timeout=90,
        )
        assert ready, "JupyterLab did not load in Chromium within 90 s"

    def session(self, work):
        async def run():
            page = await Page.attach(self.browser, self.target_id)
            try:
                return await work(page)
            finally:
                page.conn.close()

        return asyncio.run(run())

    async def open(self, page: Page, path: str) -> str:
        """Open a notebook (relative to the served folder) as a reader does; the panel's element id."""
        n_cells = len(nbformat.read(self.root / path, as_version=4).cells)
        panel_id = await page.js(OPEN_NOTEBOOK % json.dumps(path), timeout=60)
        rendered = await page.poll(RENDERED % (json.dumps(panel_id), n_cells), bool, timeout=60)
        assert rendered, f"{path}: not all {n_cells} cells rendered within 60 s"
        return panel_id

    async def shoot(self, page: Page, panel_id: str, selector: str, name: str, nth: int = 0):
        """Scroll the ``nth`` match of ``selector`` in the panel into view; save a screenshot ``name``."""
        await page.js(
            f"document.getElementById({json.dumps(panel_id)})"
            f".querySelectorAll({json.dumps(selector)})[{nth}]?.scrollIntoView({{block: 'center'}})"
        )
        await asyncio.sleep(0.5)  # let the scroll settle
        await page.screenshot(ARTIFACTS / name)


@pytest.fixture(scope="module")
def reader(tmp_path_factory, start_lab) -> Iterator[Reader]:
    executable = find_chromium()
    if executable is None:
        pytest.skip("headless Chromium not found: apt-get install chromium")
    workdir = tmp_path_factory.mktemp("browser")
    # copies, so that nothing the lab does (it marks a notebook changed on opening) can reach the course
    root = workdir / "course"
    for name in NOTEBOOKS:
        (root / "notebooks").mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / "notebooks" / name, root / "notebooks" / name)
    settings = workdir / "settings"
    for plugin, values in LAB_SETTINGS.items():
        path = settings / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    env = {
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(workdir / "workspaces"),
    }
    # window.jupyterapp, to open one notebook after another without reloading the lab
    args = ["--LabApp.expose_app_in_browser=True"]
    with start_lab(workdir, root=root, env=env, args=args) as lab:
        browser = Browser(executable, workdir / "chromium")
        try:
            yield Reader(lab, browser, root, workdir)
        finally:
            browser.close()


def add_notebook(reader: Reader, path: str, *markdown: str) -> str:
    """Write a notebook of Markdown cells into the served folder (for the checks of the checks)."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(md) for md in markdown])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    (reader.root / path).parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, reader.root / path)
    return path


# --------------------------------------------------------------------------- 02: the Mermaid map

# The rendered map, measured: JupyterLab shows the diagram as an <img> of its SVG, scaled down to the
# cell when wider. The SVG is laid out again at the width shown, and each label is measured there:
# its font size times the scale, and its box height per line.
MEASURE_MAP = """(() => {
  const node = document.getElementById(%s);
  const img = node.querySelector('.jp-RenderedMermaid img');
  if (!img || !img.complete || !img.naturalWidth) {
    const error = node.querySelector('.jp-RenderedMermaid-Details, .jp-RenderedMermaid.jp-mod-warning');
    return error ? {error: error.textContent.slice(0, 2000)} : null;
  }
  const shown = img.getBoundingClientRect();
  const cell = img.closest('.jp-MarkdownOutput').getBoundingClientRect();
  const source = decodeURIComponent(img.src.slice(img.src.indexOf(',') + 1));
  const svg = new DOMParser().parseFromString(source, 'image/svg+xml').querySelector('svg');
  const viewBoxWidth = parseFloat(svg.getAttribute('viewBox').trim().split(/[\\s,]+/)[2]);
  const host = document.createElement('div');
  host.style.cssText = `position: absolute; left: 0; top: 0; width: ${shown.width}px; visibility: hidden`;
  const copy = document.importNode(svg, true);
  copy.removeAttribute('height');
  copy.style.maxWidth = 'none';
  copy.style.width = `${shown.width}px`;
  host.appendChild(copy);
  document.body.appendChild(host);
  const scale = copy.getBoundingClientRect().width / viewBoxWidth;
  const labels = [...copy.querySelectorAll('span.nodeLabel, span.edgeLabel')]
    .filter((e) => e.textContent.trim())
    .map((e) => {
      const lines = e.querySelectorAll('br').length + 1;
      return {
        kind: e.classList.contains('nodeLabel') ? 'node' : 'edge',
        text: e.textContent,
        lines,
        fontPx: parseFloat(getComputedStyle(e).fontSize) * scale,
        linePx: e.getBoundingClientRect().height / lines,
      };
    });
  host.remove();
  return {shownWidth: shown.width, cellWidth: cell.width, viewBoxWidth, scale, labels};
})()"""


async def measure_map(reader: Reader, page: Page, path: str) -> tuple[str, dict]:
    panel_id = await reader.open(page, path)
    found = await page.poll(MEASURE_MAP % json.dumps(panel_id), bool, timeout=60)
    assert found, f"{path}: no Mermaid diagram was drawn within 60 s"
    assert "error" not in found, f"{path}: Mermaid could not draw the map:\n{found['error']}"
    assert found["labels"], f"{path}: the diagram has no HTML labels to measure: {found}"
    return panel_id, found


def mermaid_block(markdown: str) -> str:
    blocks = re.findall(r"```mermaid\n(.*?)\n```", markdown, re.S)
    assert len(blocks) == 1, f"expected one Mermaid block, found {len(blocks)}"
    return blocks[0]


def map_cell() -> str:
    nb = nbformat.read(REPO / "notebooks" / "02_core_concepts.ipynb", as_version=4)
    cells = [c.source for c in nb.cells if c.cell_type == "markdown" and "```mermaid" in c.source]
    assert len(cells) == 1, "notebook 02 should have one Markdown cell with the Mermaid map"
    return cells[0]


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_02_concept_map_is_drawn_with_readable_labels(reader):
    from aigc_helpers import compare

    async def check(page):
        panel_id, found = await measure_map(reader, page, "notebooks/02_core_concepts.ipynb")
        await reader.shoot(page, panel_id, ".jp-RenderedMermaid", "02_concept_map.png")
        return found

    found = reader.session(check)
    smallest = min(found["labels"], key=lambda label: label["fontPx"])
    print(
        f"02 map: {found['viewBoxWidth']:.0f} px wide, shown at {found['shownWidth']:.0f} px "
        f"(scale {found['scale']:.2f}); smallest label {smallest['fontPx']:.1f} px font, "
        f"{smallest['linePx']:.1f} px per line"
    )
    assert found["shownWidth"] <= found["cellWidth"] + 1, "the map overflows its cell"
    assert smallest["fontPx"] >= MIN_LABEL_PX, (
        f"the map's labels are drawn at {smallest['fontPx']:.1f} px ('{smallest['text']}'), under "
        f"{MIN_LABEL_PX:g} px: the chart ({found['viewBoxWidth']:.0f} px wide) is shrunk to the cell. "
        "Fix: lay it out top to bottom (flowchart TB) in compare.concept_map_mermaid()"
    )
    nodes = {squeezed(label["text"]): label for label in found["labels"] if label["kind"] == "node"}
    edges = {squeezed(label["text"]) for label in found["labels"] if label["kind"] == "edge"}
    for node in compare.CONCEPT_NODES:
        shown = nodes.get(squeezed(node.label))
        assert shown is not None, f"box '{node.label}' is missing from the drawn map"
        assert shown["lines"] == node.label.count("\n") + 1, f"line breaks lost in '{node.label}'"
    for edge in compare.CONCEPT_EDGES:
        assert not edge.label or squeezed(edge.label) in edges, f"arrow '{edge.label}' is missing"


class MermaidText(HTMLParser):
    """The text of an HTML page's ``<pre class="mermaid">``, as Mermaid reads it there (textContent:
    the text nodes only, so a tag inside is gone)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth, self.text = 0, None

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += tag == "pre"
        elif tag == "pre" and "mermaid" in (dict(attrs).get("class") or "").split():
            self.depth, self.text = 1, ""

    def handle_endtag(self, tag):
        if self.depth and tag == "pre":
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.text += data


def test_02_concept_map_survives_html_export():
    """nbconvert's HTML puts the chart's text into the page unescaped: an HTML tag in it (``<br/>``)
    becomes an element there, and the text Mermaid draws from loses it. (No browser needed.)"""
    from nbconvert import HTMLExporter

    markdown = map_cell()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(markdown)])
    html, _ = HTMLExporter().from_notebook_node(nb)
    parser = MermaidText()
    parser.feed(html)
    assert parser.text is not None, "nbconvert's HTML has no Mermaid block"
    assert parser.text.strip() == mermaid_block(markdown).strip(), (
        "the exported chart reads differently from the notebook's (an HTML tag such as <br/> in a "
        "label?). Fix: break label lines with newlines inside Mermaid markdown strings"
    )


# --------------------------------------------------------------------------- 07: the formulas


def count_formulas(nb) -> int:
    """Formulas in the Markdown cells: $$...$$ blocks and $...$ spans, outside code."""
    count = 0
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        text = re.sub(r"```.*?```", "", cell.source, flags=re.S)
        text = re.sub(r"`[^`\n]*`", "", text)
        blocks = re.findall(r"\$\$.*?\$\$", text, re.S)
        text = re.sub(r"\$\$.*?\$\$", "", text, flags=re.S)
        count += len(blocks) + len(re.findall(r"\$[^$]+\$", text))
    return count


# MathJax's output in a panel: typeset formulas, errors, and TeX left as text outside them.
MATH = """(() => {
  const node = document.getElementById(%s);
  const leftovers = [];
  for (const md of node.querySelectorAll('.jp-MarkdownOutput')) {
    const copy = md.cloneNode(true);
    copy.querySelectorAll('mjx-container, code, pre, script').forEach((e) => e.remove());
    leftovers.push(...(copy.textContent.match(/\\\\[A-Za-z]+|\\$/g) || []));
  }
  // a TeX error is an <merror>; an unknown command is kept as red text (MathJax's noundefined)
  const errors = [...node.querySelectorAll('mjx-assistive-mml merror, mjx-assistive-mml [mathcolor="red"]')];
  return {
    typeset: node.querySelectorAll('mjx-container').length,
    errors: errors.map((e) => e.getAttribute('data-mjx-error') || e.textContent).slice(0, 5),
    inputErrors: node.innerText.includes('Math input error'),
    leftovers: leftovers.slice(0, 10),
  };
})()"""


async def read_math(reader: Reader, page: Page, path: str, expected: int) -> tuple[str, dict]:
    panel_id = await reader.open(page, path)
    math = await page.poll(
        MATH % json.dumps(panel_id), lambda m: m["typeset"] >= expected, timeout=60
    )
    return panel_id, math


def test_07_formulas_are_typeset_without_errors(reader):
    path = "notebooks/07_vae_math.ipynb"
    expected = count_formulas(nbformat.read(reader.root / path, as_version=4))

    async def check(page):
        panel_id, math = await read_math(reader, page, path, expected)
        await reader.shoot(page, panel_id, "mjx-container[display='true']", "07_formulas.png")
        return math

    math = reader.session(check)
    assert expected > 100, f"07 should teach with formulas; counted only {expected}"
    assert math["typeset"] == expected, (
        f"MathJax typeset {math['typeset']} of the {expected} formulas in 07's Markdown"
    )
    assert not math["errors"] and not math["inputErrors"], f"MathJax errors: {math['errors']}"
    assert not math["leftovers"], f"TeX shown as text, not typeset: {math['leftovers']}"


# --------------------------------------------------------------------------- 12: the saved explorer


def explorer_cell(nb) -> tuple[int, str]:
    """Index of the cell whose saved output is the explorer widget, and its saved text form."""
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if "application/vnd.jupyter.widget-view+json" in out.get("data", {}):
                return i, out["data"].get("text/plain", "")
    raise AssertionError("notebook 12 has no saved widget output (the latent explorer)")


# What a code cell's output area shows: its text, and how many widgets and sliders it draws.
OUTPUT = """(() => {
  const cell = document.getElementById(%s).querySelectorAll('.jp-Notebook .jp-Cell')[%d];
  const area = cell.querySelector('.jp-OutputArea');
  const image = area.querySelector('.widget-image');
  return {
    text: area.innerText,
    widgets: area.querySelectorAll('.jupyter-widgets').length,
    sliders: [...area.querySelectorAll('.widget-slider .widget-label')].map((e) => e.textContent),
    menus: area.querySelectorAll('.widget-dropdown select').length,
    image: image ? image.naturalWidth : 0,
  };
})()"""


def test_12_saved_explorer_reads_well_untrusted_and_draws_when_trusted(reader):
    """A fresh clone is not trusted: JupyterLab shows the output's text/plain (the widget view needs
    trust), which must be the explorer's summary, not ``VBox(children=...``. Once the notebook is
    trusted, the lab draws the widget from the state saved in the notebook's metadata."""
    from nbformat.sign import NotebookNotary

    path = "notebooks/12_art_and_design.ipynb"
    nb = nbformat.read(reader.root / path, as_version=4)
    index, summary = explorer_cell(nb)
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    models = state.get("state", {}).values()
    n_sliders = sum(m.get("model_name") == "FloatSliderModel" for m in models)
    assert summary.startswith("latent explorer:") and "VBox" not in summary, (
        f"cell {index}'s saved text form is {summary[:80]!r}. Fix: re-run notebook 12"
    )
    assert n_sliders > 0, "notebook 12 saved no widget state. Fix: re-run notebook 12"

    async def untrusted(page):
        panel_id = await reader.open(page, path)
        shown = await page.js(OUTPUT % (json.dumps(panel_id), index))
        await reader.shoot(page, panel_id, ".jp-Notebook .jp-Cell", "12_untrusted.png", nth=index)
        return shown

    shown = reader.session(untrusted)
    assert shown["widgets"] == 0, "an untrusted notebook drew the widget"
    assert summary in shown["text"] and "VBox(children" not in shown["text"], shown["text"]

    # trust it (what `jupyter trust` does, in the lab's data folder), then open it under a new name
    NotebookNotary(data_dir=str(reader.workdir / "data")).sign(nb)
    trusted = "trusted/12_art_and_design.ipynb"
    (reader.root / "trusted").mkdir(exist_ok=True)
    shutil.copy(reader.root / path, reader.root / trusted)

    async def trusted_view(page):
        panel_id = await reader.open(page, trusted)
        shown = await page.poll(
            OUTPUT % (json.dumps(panel_id), index),
            lambda s: len(s["sliders"]) >= n_sliders and s["image"] > 0,
            timeout=60,
        )
        await reader.shoot(page, panel_id, ".jp-Notebook .jp-Cell", "12_trusted.png", nth=index)
        return shown

    shown = reader.session(trusted_view)
    assert shown["sliders"] == [f"PC{i + 1}" for i in range(n_sliders)], shown
    assert shown["menus"] == 1 and shown["image"] > 0, shown
    assert "VBox(children" not in shown["text"]


# --------------------------------------------------------------------------- the checks can fail


def test_the_checks_catch_a_squeezed_map_and_broken_formulas(reader):
    """The same measurements on broken notebooks: the map laid out left to right (as it was) has
    labels under the limit; an unknown command, a missing brace and an unknown environment are each
    caught (red text, TeX left as text, a MathJax error)."""
    wide = mermaid_block(map_cell()).replace("flowchart TB", "flowchart LR", 1)
    wide_path = add_notebook(reader, "checks/wide_map.ipynb", f"```mermaid\n{wide}\n```")
    bad_path = add_notebook(
        reader,
        "checks/bad_formulas.ipynb",
        "An unknown command: $\\notacommand x^2$.",
        "A missing brace: $\\frac{1}{2$.",
        "An unknown environment:\n\n$$\\begin{align} x \\end{alig}$$",
    )
    expected = count_formulas(nbformat.read(reader.root / bad_path, as_version=4))

    async def check(page):
        _, found = await measure_map(reader, page, wide_path)
        panel_id, _ = await read_math(reader, page, bad_path, expected - 1)  # not the missing brace
        await asyncio.sleep(1)  # MathJax has had its chance with the third
        return found, await page.js(MATH % json.dumps(panel_id))

    found, math = reader.session(check)
    smallest = min(label["fontPx"] for label in found["labels"])
    print(f"the map laid out left to right: labels at {smallest:.1f} px")
    assert smallest < MIN_LABEL_PX
    assert expected == 3 and math["typeset"] == 2, math
    assert "\\notacommand" in math["errors"] and any("alig" in e for e in math["errors"]), math
    assert "\\frac" in math["leftovers"], math
