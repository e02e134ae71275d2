"""`python -m stack run`: the whole helpdesk on this machine (see README)."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import time
from pathlib import Path
from types import FrameType

from stack.launcher import Stack, StackConfig, demo_users


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m stack")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="start everything and wait for Ctrl-C")
    run.add_argument("--data", default=os.environ.get("HELPDESK_DATA_DIR", "var"))
    run.add_argument("--port", type=int, default=int(os.environ.get("HELPDESK_PORT", "8080")))
    run.add_argument(
        "--pg-url",
        default=os.environ.get("HELPDESK_PG_ADMIN_URL"),
        help="external PostgreSQL admin URL instead of the embedded server",
    )
    run.add_argument(
        "--nats-url",
        default=os.environ.get("HELPDESK_EXTERNAL_NATS_URL"),
        help="external NATS (JetStream) URL instead of the embedded server",
    )
    args = parser.parse_args()

    stack = Stack(
        StackConfig(
            data_dir=Path(args.data),
            web_port=args.port,
            pg_admin_url=args.pg_url,
            nats_url=args.nats_url,
            demo_password=os.environ.get("HELPDESK_DEMO_PASSWORD"),
        )
    )

    def on_signal(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    started = time.monotonic()
    failed = False
    say("helpdesk: starting PostgreSQL, NATS and the services...")
    try:
        stack.start()
        say(f"\nhelpdesk is ready in {time.monotonic() - started:.1f}s: {stack.web_url}\n")
        say("demo logins (password for all: " + stack.demo_password + ")")
        for user, roles in demo_users():
            say(f"  {user:<14} {roles}")
        say(f"\nlogs: {stack.logs}    stop: Ctrl-C\n")
        while True:
            for name, svc in stack.services.items():
                if svc.proc is not None and svc.proc.poll() is not None:
                    say(
                        f"helpdesk: {name} exited ({svc.proc.returncode}); see {stack.logs}/{name}.log"
                    )
                    raise KeyboardInterrupt
            time.sleep(1)
    except KeyboardInterrupt:
        say("\nhelpdesk: stopping...")
    except Exception as exc:
        failed = True
        say(f"helpdesk: failed to start: {exc}", err=True)
    finally:
        # Whatever ended the wait, stop everything, and let no second Ctrl-C interrupt that.
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        stack.stop()
    say("helpdesk: stopped")
    if failed:
        sys.exit(1)


def say(text: str, *, err: bool = False) -> None:
    """Print, but never fail: the terminal (or a pipe) may be gone while we shut down."""
    with contextlib.suppress(OSError):
        print(text, file=sys.stderr if err else sys.stdout, flush=True)


if __name__ == "__main__":
    main()
