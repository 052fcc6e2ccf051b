"""`make lab`, tested rather than assumed: a real JupyterLab server lists the notebooks, and a kernel
started through its REST API can import aigc_helpers and load MNIST."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# The server itself (the `lab_server` fixture, serve_lab) lives in conftest.py: tests/test_browser.py
# opens the notebooks in a browser from the same server.


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
    listing = lab_server.api("/api/contents/notebooks")
    served = {item["name"] for item in listing["content"]}
    on_disk = {p.name for p in (REPO / "notebooks").glob("*.ipynb")}
    assert on_disk and on_disk <= served

    # The lab front end itself is served (what `make lab` opens in the browser).
    req = urllib.request.Request(f"{base}/lab?token={token}")
    with urllib.request.urlopen(req, timeout=30) as resp:
        assert resp.status == 200 and "JupyterLab" in resp.read().decode()

    kernel = lab_server.api("/api/kernels", method="POST", body={"name": "python3"})
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
        lab_server.api(f"/api/kernels/{kernel['id']}", method="DELETE")
