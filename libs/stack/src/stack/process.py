"""Child processes of the launcher."""

from __future__ import annotations

import contextlib
import signal


def terminate_with_parent() -> None:
    """In the child, before exec: ask Linux to send SIGTERM when the launcher dies, even by
    SIGKILL, so that no service outlives it. (Services run in their own sessions, so that a
    Ctrl-C reaches the launcher alone, which then stops them in order.)"""
    import ctypes

    pr_set_pdeathsig = 1
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
