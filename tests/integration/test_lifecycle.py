"""The launcher's promises: stopping leaves no process behind, and a restart keeps the data."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil

from stack.launcher import Stack, StackConfig
from stack.ports import free_port


def alive(pids: dict[str, int]) -> dict[str, int]:
    return {
        name: pid
        for name, pid in pids.items()
        if psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    }


def employee(api: str) -> dict[str, str]:
    """Headers with a fresh token of the demo employee."""
    resp = httpx.post(
        f"{api}/auth/token", data={"username": "employee", "password": "lifecycle-pass-1"}
    )
    return {"Authorization": f"Bearer {resp.json()['access_token']}"}


def test_stop_leaves_nothing_running_and_restart_keeps_the_data() -> None:
    data = Path(tempfile.mkdtemp(prefix="helpdesk-lifecycle-"))
    os.environ.setdefault("XDG_RUNTIME_DIR", str(data))
    config = StackConfig(data_dir=data, web_port=free_port(), demo_password="lifecycle-pass-1")
    try:
        first = Stack(config)
        first.start(timeout=180)
        try:
            api = first.web_url + "/api/v1"
            h = employee(api)
            category = httpx.get(f"{api}/categories", headers=h).json()["items"][0]
            ticket = httpx.post(
                f"{api}/tickets",
                headers=h,
                json={
                    "title": "Survives a restart",
                    "description": "d",
                    "category_id": category["id"],
                },
            ).json()
            pids = first.pids()
            assert {"postgres", "nats", "tickets", "web"} <= set(pids)
        finally:
            first.stop()
        assert alive(pids) == {}
        assert not any(
            str(data) in " ".join(p.info["cmdline"] or []) for p in psutil.process_iter(["cmdline"])
        )

        second = Stack(
            StackConfig(data_dir=data, web_port=free_port())
        )  # no password given: the stored one
        second.start(timeout=180)
        try:
            api = second.web_url + "/api/v1"
            again = httpx.get(f"{api}/tickets/{ticket['id']}", headers=employee(api))
            assert again.status_code == 200
            assert again.json()["title"] == "Survives a restart"
            pids = second.pids()
        finally:
            second.stop()
        assert alive(pids) == {}
    finally:
        shutil.rmtree(data, ignore_errors=True)


def start_launcher(data: Path, port: int) -> tuple[subprocess.Popen[str], list[str]]:
    """`python -m stack run`, as `make run` starts it; returns once it printed its logins."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "stack", "run", "--data", str(data), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "HELPDESK_DEMO_PASSWORD": "launcher-pass-1"},
    )
    assert proc.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 180
    for line in proc.stdout:
        lines.append(line)
        if "stop: Ctrl-C" in line or time.monotonic() > deadline:
            break
    assert any("helpdesk is ready" in line for line in lines), "".join(lines)
    return proc, lines


def test_the_launcher_prints_logins_and_nothing_outlives_it() -> None:
    data = Path(tempfile.mkdtemp(prefix="helpdesk-launcher-"))
    try:
        # Killed outright (no chance to clean up): the services and NATS go with it.
        proc, lines = start_launcher(data, free_port())
        assert "demo logins (password for all: launcher-pass-1)\n" in lines
        assert any(line.split()[:2] == ["employee", "requester"] for line in lines)
        children = psutil.Process(proc.pid).children(recursive=True)
        assert len(children) >= 7  # six services and NATS
        proc.kill()
        proc.wait(10)
        _, alive = psutil.wait_procs(children, timeout=20)
        assert alive == [], [p.cmdline() for p in alive]

        # PostgreSQL, started by pg_ctl, outlives a SIGKILL: the next start must cope with it,
        # keep the data, and a Ctrl-C must then stop everything.
        proc, lines = start_launcher(data, free_port())
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
        assert proc.returncode == 0, out
        assert "helpdesk: stopped" in out
        leftover = [
            p
            for p in psutil.process_iter(["cmdline"])
            if str(data) in " ".join(p.info["cmdline"] or [])
        ]
        assert leftover == [], [p.info["cmdline"] for p in leftover]
    finally:
        for p in psutil.process_iter(["cmdline"]):
            if str(data) in " ".join(p.info["cmdline"] or []):
                p.kill()
        shutil.rmtree(data, ignore_errors=True)
