"""`python -m stack run`: the whole helpdesk on this machine (see README)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path
from types import FrameType

from stack.launcher import DEMO_USERS, Stack, StackConfig


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
    stopping = False

    def on_signal(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        if not stopping:
            stopping = True
            raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    started = time.monotonic()
    print("helpdesk: starting PostgreSQL, NATS and the services...", flush=True)
    try:
        stack.start()
        print(f"\nhelpdesk is ready in {time.monotonic() - started:.1f}s: {stack.web_url}\n")
        print("demo logins (password for all: " + stack.demo_password + ")")
        for user in DEMO_USERS:
            print(f"  {user}")
        print(f"\nlogs: {stack.logs}    stop: Ctrl-C\n", flush=True)
        while True:
            for name, svc in stack.services.items():
                if svc.proc is not None and svc.proc.poll() is not None:
                    print(
                        f"helpdesk: {name} exited ({svc.proc.returncode}); see {stack.logs}/{name}.log"
                    )
                    raise KeyboardInterrupt
            time.sleep(1)
    except KeyboardInterrupt:
        print("\nhelpdesk: stopping...", flush=True)
    except Exception as exc:
        print(f"helpdesk: failed to start: {exc}", file=sys.stderr)
        stack.stop()
        sys.exit(1)
    stack.stop()
    print("helpdesk: stopped")


if __name__ == "__main__":
    main()
