"""The launcher's promises: stopping leaves no process behind, and a restart keeps the data."""

from __future__ import annotations

import os
import shutil
import tempfile
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


def test_stop_leaves_nothing_running_and_restart_keeps_the_data() -> None:
    data = Path(tempfile.mkdtemp(prefix="helpdesk-lifecycle-"))
    os.environ.setdefault("XDG_RUNTIME_DIR", str(data))
    config = StackConfig(data_dir=data, web_port=free_port(), demo_password="lifecycle-pass-1")
    try:
        first = Stack(config)
        first.start(timeout=180)
        try:
            api = first.web_url + "/api/v1"
            token = httpx.post(
                f"{api}/auth/token", data={"username": "employee", "password": "lifecycle-pass-1"}
            ).json()["access_token"]
            h = {"Authorization": f"Bearer {token}"}
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
            token = httpx.post(
                f"{api}/auth/token", data={"username": "employee", "password": "lifecycle-pass-1"}
            ).json()["access_token"]
            again = httpx.get(
                f"{api}/tickets/{ticket['id']}", headers={"Authorization": f"Bearer {token}"}
            )
            assert again.status_code == 200
            assert again.json()["title"] == "Survives a restart"
            pids = second.pids()
        finally:
            second.stop()
        assert alive(pids) == {}
    finally:
        shutil.rmtree(data, ignore_errors=True)
