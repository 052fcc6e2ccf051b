"""`make lab`, tested rather than assumed: a real JupyterLab server lists the notebooks, and a kernel
started through its REST API can import aigc_helpers and load MNIST."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api(base: str, token: str, path: str, method: str = "GET", body: dict | None = None):
    req = urllib.request.Request(
        f"{base}{path}",
        method=method,
        headers={"Authorization": f"token {token}"},
        data=json.dumps(body).encode() if body is not None else None,
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        text = resp.read().decode()
        return json.loads(text) if text else None


@pytest.fixture
def lab_server(tmp_path, real_mnist_path):
    port, token = free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_DATA_DIR": str(tmp_path / "data"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "IPYTHONDIR": str(tmp_path / "ipython"),
        "AIGC_DATA_DIR": str(real_mnist_path.parent),
        "AIGC_PROFILE": "ci",
    }
    log = open(tmp_path / "lab.log", "w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={port}",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={REPO}",
            "--ServerApp.open_browser=False",
            *(["--allow-root"] if os.geteuid() == 0 else []),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while True:
        try:
            api(base, token, "/api/status")
            break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                pytest.fail(
                    "JupyterLab did not start:\n" + (tmp_path / "lab.log").read_text()[-3000:]
                )
            time.sleep(0.5)
    yield base, token
    try:
        api(base, token, "/api/shutdown", method="POST")
        proc.wait(timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        proc.kill()
    log.close()


async def execute(base: str, token: str, kernel_id: str, code: str, timeout: float = 120) -> dict:
    """Run code in a kernel over the server's websocket; collect stdout, errors and the final status."""
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    url = base.replace("http", "ws") + f"/api/kernels/{kernel_id}/channels"
    conn = await websocket_connect(HTTPRequest(url, headers={"Authorization": f"token {token}"}))
    msg_id = uuid.uuid4().hex
    conn.write_message(
        json.dumps(
            {
                "header": {
                    "msg_id": msg_id,
                    "username": "test",
                    "session": uuid.uuid4().hex,
                    "msg_type": "execute_request",
                    "version": "5.3",
                },
                "parent_header": {},
                "metadata": {},
                "channel": "shell",
                "content": {
                    "code": code,
                    "silent": False,
                    "store_history": False,
                    "user_expressions": {},
                    "allow_stdin": False,
                    "stop_on_error": True,
                },
            }
        )
    )
    result = {"stdout": "", "error": None, "status": None}
    deadline = time.time() + timeout
    while time.time() < deadline:
        raw = await asyncio.wait_for(conn.read_message(), timeout=deadline - time.time())
        if raw is None:
            break
        msg = json.loads(raw)
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind, content = msg["header"]["msg_type"], msg["content"]
        if kind == "stream" and content["name"] == "stdout":
            result["stdout"] += content["text"]
        elif kind == "error":
            result["error"] = f"{content['ename']}: {content['evalue']}"
        elif kind == "execute_reply":
            result["status"] = content["status"]
            break
    conn.close()
    return result


def test_served_lab_lists_notebooks_and_runs_the_course_kernel(lab_server):
    base, token = lab_server
    listing = api(base, token, "/api/contents/notebooks")
    served = {item["name"] for item in listing["content"]}
    on_disk = {p.name for p in (REPO / "notebooks").glob("*.ipynb")}
    assert on_disk and on_disk <= served

    # The lab front end itself is served (what `make lab` opens in the browser).
    req = urllib.request.Request(f"{base}/lab?token={token}")
    with urllib.request.urlopen(req, timeout=30) as resp:
        assert resp.status == 200 and "JupyterLab" in resp.read().decode()

    kernel = api(base, token, "/api/kernels", method="POST", body={"name": "python3"})
    try:
        code = (
            "import aigc_helpers\n"
            "from aigc_helpers import data\n"
            "m = data.load_mnist(download=False)\n"
            "print('OK', aigc_helpers.__version__, m.x_train.shape, m.y_test.shape)\n"
        )
        result = asyncio.run(execute(base, token, kernel["id"], code))
        assert result["error"] is None and result["status"] == "ok", result
        assert "OK" in result["stdout"] and "(60000, 28, 28) (10000,)" in result["stdout"]
    finally:
        api(base, token, f"/api/kernels/{kernel['id']}", method="DELETE")
