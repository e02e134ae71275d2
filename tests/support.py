"""Small helpers shared by the test suites."""

from __future__ import annotations

import time
from typing import Any

import pytest


def wait_for(fetch: Any, ready: Any, timeout: float = 15.0) -> Any:
    """Poll fetch() until ready(result) holds; bounded, fails the test with the last result."""
    deadline = time.monotonic() + timeout
    while True:
        result = fetch()
        if ready(result):
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout}s; last result: {result!r}")
        time.sleep(0.1)
