"""Child processes of the launcher."""

from __future__ import annotations

import ctypes
import signal

_PR_SET_PDEATHSIG = 1
# Resolved here, in the parent: the hook below runs between fork and exec, where taking the
# import lock (which another thread may hold at the moment of the fork) could deadlock.
_prctl = ctypes.CDLL(None, use_errno=True).prctl


def terminate_with_parent() -> None:
    """In the child, before exec: ask Linux to send SIGTERM when the launcher dies, even by
    SIGKILL, so that no service outlives it. (Services run in their own sessions, so that a
    Ctrl-C reaches the launcher alone, which then stops them in order.)"""
    _prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
