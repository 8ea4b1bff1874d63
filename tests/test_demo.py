"""`shopstar demo` end to end: simulate, ingest, score, demo logins, and a live web app."""

from __future__ import annotations

import csv
import io
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_demo_builds_scores_and_serves_with_working_logins(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "SHOPSTAR_HOME": str(tmp_path)}
    args = ["demo", "--creators", "120", "--weeks", "6", "--port", str(port)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "shopstar", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        lines: list[str] = []
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("ShopStar on http://"):
                break
        out = "".join(lines)
        assert f"http://127.0.0.1:{port}/" in out, out + (proc.stderr.read() if proc.stderr else "")
        # the summary (CSV off a terminal) and the demo logins are printed before the URL
        summary = list(csv.DictReader(io.StringIO(out.split("role,email")[0])))
        assert summary and all(row["currency"] == "USD" for row in summary)
        assert sum(int(row["order_lines"]) for row in summary) > 0
        logins = re.findall(r"^([\w-]+),(\S+@demo\.shopstar\.test),(\S+),", out, re.M)
        assert {role for role, _, _ in logins} == {
            "program-admin",
            "program-manager",
            "agency-admin",
            "shop-admin",
            "creator",
        }
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                httpx.get(f"{base}/login", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        for role, email, password in logins:
            with httpx.Client(base_url=base, follow_redirects=True, timeout=10) as client:
                form = client.get("/login").text
                token = re.search(r'name="csrf" value="([^"]+)"', form)
                assert token, form
                home = client.post(
                    "/login", data={"email": email, "password": password, "csrf": token[1]}
                )
                assert home.status_code == 200, (role, home.text[:500])
                assert email in home.text, role
    finally:
        proc.terminate()
        proc.wait(timeout=30)
