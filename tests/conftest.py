"""The real stack, started once per test session with the same launcher as `make run`, on free
ports and a throw-away data directory, and stopped (every process) at the end."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from stack.launcher import Stack, StackConfig
from stack.ports import free_port


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    data = Path(tempfile.mkdtemp(prefix="helpdesk-test-"))
    os.environ.setdefault("XDG_RUNTIME_DIR", str(data))
    s = Stack(
        StackConfig(
            data_dir=data,
            web_port=free_port(),
            demo_password="demo-pass-1234",
            extra_env={"HELPDESK_AUDIT_CHECKPOINT_INTERVAL_S": "0.5"},
        )
    )
    s.start(timeout=180)
    try:
        yield s
    finally:
        s.stop()
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(scope="session")
def api(stack: Stack) -> Iterator[httpx.Client]:
    """A client of the front door, as a browser or curl would use it."""
    with httpx.Client(base_url=stack.web_url + "/api/v1", timeout=15) as client:
        yield client


@pytest.fixture(scope="session")
def login(api: httpx.Client, stack: Stack):  # type: ignore[no-untyped-def]
    """login("agent.it") -> headers with that demo user's bearer token (cached per user)."""
    tokens: dict[str, str] = {}

    def headers(username: str) -> dict[str, str]:
        if username not in tokens:
            resp = api.post(
                "/auth/token", data={"username": username, "password": stack.demo_password}
            )
            assert resp.status_code == 200, resp.text
            tokens[username] = resp.json()["access_token"]
        return {"Authorization": f"Bearer {tokens[username]}"}

    return headers
