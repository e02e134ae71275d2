"""Start the whole stack: PostgreSQL and NATS (embedded, or external addresses), migrations,
the demo organisation, every service and the web front door; stop all of it again."""

from __future__ import annotations

import json
import logging
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from stack.bootstrap import DATABASE, SERVICES, app_role, bootstrap, owner_role
from stack.nats import NatsServer
from stack.ports import free_port
from stack.postgres import EmbeddedPostgres
from stack.process import terminate_with_parent

log = logging.getLogger("stack")

DB_SERVICES = tuple(SERVICES)  # identity, routing, tickets, sla, audit
ALL_SERVICES = (*DB_SERVICES, "web")
SEEDED = ("identity", "routing", "sla")  # the services that own part of the demo organisation
DEMO_ORG = Path(__file__).with_name("demo_org.json")


def demo_users() -> list[tuple[str, str]]:
    """(username, what they do) of the demo organisation, for the launcher to print."""
    org = json.loads(DEMO_ORG.read_text())
    groups = {g["key"]: g["name"] for g in org["groups"]}
    return [
        (
            u["username"],
            ", ".join(r.replace("_", " ") for r in u["roles"])
            + (f" ({', '.join(groups[g] for g in u['groups'])})" if u["groups"] else ""),
        )
        for u in org["users"]
    ]


@dataclass
class ServiceProcess:
    name: str
    http_port: int
    grpc_port: int
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def grpc_target(self) -> str:
        return f"127.0.0.1:{self.grpc_port}"


@dataclass
class StackConfig:
    data_dir: Path
    web_port: int = 8080
    pg_admin_url: str | None = None
    """External PostgreSQL (a superuser or a role that may create roles and schemas)."""
    pg_host: str = "127.0.0.1"
    nats_url: str | None = None
    demo_password: str | None = None
    seed: bool = True
    extra_env: dict[str, str] = field(default_factory=dict)


class Stack:
    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.data = config.data_dir.resolve()
        self.logs = self.data / "log"
        self.secrets = self._load_secrets()
        self.postgres: EmbeddedPostgres | None = None
        self.nats: NatsServer | None = None
        self.pg_port = 0
        self.nats_url = config.nats_url or ""
        self.services = {
            name: ServiceProcess(
                name, config.web_port if name == "web" else free_port(), free_port()
            )
            for name in ALL_SERVICES
        }

    # -- secrets kept under the data dir so that a second start finds the same passwords -----
    def _load_secrets(self) -> dict[str, str]:
        self.data.mkdir(parents=True, exist_ok=True)
        path = self.data / "secrets.json"
        stored: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
        wanted = ["postgres"] + [r for s in DB_SERVICES for r in (owner_role(s), app_role(s))]
        for name in wanted:
            stored.setdefault(name, secrets.token_urlsafe(18))
        if self.config.demo_password:
            stored["demo"] = self.config.demo_password
        stored.setdefault("demo", secrets.token_urlsafe(9))
        path.write_text(json.dumps(stored, indent=2))
        path.chmod(0o600)
        return stored

    def audit_key(self) -> Path:
        """The Ed25519 key that signs audit checkpoints, made once (a Secret in deployments)."""
        path = self.data / "audit-signing-key.pem"
        if not path.exists():
            from cryptography.hazmat.primitives import serialization
            from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

            pem = Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            path.touch(mode=0o600)
            path.write_bytes(pem)
        return path

    @property
    def demo_password(self) -> str:
        return self.secrets["demo"]

    @property
    def web_url(self) -> str:
        return self.services["web"].url

    def db_url(self, role: str, driver: str = "postgresql+psycopg") -> str:
        return f"{driver}://{role}:{self.secrets[role]}@{self.config.pg_host}:{self.pg_port}/{DATABASE}"

    def admin_url(self) -> str:
        if self.config.pg_admin_url:
            return self.config.pg_admin_url
        assert self.postgres is not None
        return self.postgres.admin_url()

    # -- start -------------------------------------------------------------------------------
    def start(self, *, timeout: float = 90) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        try:
            self._start_infrastructure()
            bootstrap(self.admin_url(), self.secrets)
            self._for_each(DB_SERVICES, self._migrate)
            for name in ALL_SERVICES:
                self._spawn(name)
            self._wait_ready(deadline=started + timeout)
        except BaseException:
            self.stop()
            raise

    def _start_infrastructure(self) -> None:
        if self.config.pg_admin_url:
            from urllib.parse import urlsplit

            parts = urlsplit(self.config.pg_admin_url)
            self.config.pg_host = parts.hostname or "127.0.0.1"
            self.pg_port = parts.port or 5432
        else:
            self.pg_port = free_port()
            self.postgres = EmbeddedPostgres(
                self.data / "postgres", self.pg_port, self.secrets["postgres"]
            )
            self.postgres.start()
        if not self.config.nats_url:
            self.nats = NatsServer(self.data / "nats", free_port(), free_port())
            self.nats.start(self.logs / "nats.log")
            self.nats_url = self.nats.url

    def _for_each(self, names: tuple[str, ...], fn: Callable[[str], None]) -> None:
        with ThreadPoolExecutor(max_workers=len(names)) as pool:
            list(pool.map(fn, names))

    def env_for(self, name: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            HELPDESK_NATS_URL=self.nats_url,
            HELPDESK_HTTP_HOST="127.0.0.1",
            HELPDESK_HTTP_PORT=str(self.services[name].http_port),
            HELPDESK_GRPC_PORT=str(self.services[name].grpc_port),
            HELPDESK_IDENTITY_URL=self.services["identity"].url,
            HELPDESK_ROUTING_TARGET=self.services["routing"].grpc_target,
            HELPDESK_SLA_TARGET=self.services["sla"].grpc_target,
            HELPDESK_DEMO_PASSWORD=self.demo_password,
            PYTHONUNBUFFERED="1",
        )
        for svc in ALL_SERVICES:
            env[f"HELPDESK_{svc.upper()}_URL"] = self.services[svc].url
        if name == "audit":
            env["HELPDESK_AUDIT_SIGNING_KEY_FILE"] = str(self.audit_key())
        if name in DB_SERVICES:
            env["HELPDESK_DATABASE_URL"] = self.db_url(app_role(name))
            env["HELPDESK_MIGRATE_DATABASE_URL"] = self.db_url(owner_role(name))
        env.update(self.config.extra_env)
        return env

    def _migrate(self, name: str) -> None:
        seed = ("--seed", str(DEMO_ORG)) if self.config.seed and name in SEEDED else ()
        self._run_command(name, "migrate", *seed)

    def _run_command(self, name: str, *args: str) -> None:
        result = subprocess.run(
            [sys.executable, "-m", name, *args],
            env=self.env_for(name),
            capture_output=True,
            text=True,
            timeout=180,
        )
        if result.returncode != 0:
            raise RuntimeError(f"{name} {' '.join(args)} failed:\n{result.stderr[-4000:]}")

    def _spawn(self, name: str) -> None:
        svc = self.services[name]
        with (self.logs / f"{name}.log").open("ab") as out:
            svc.proc = subprocess.Popen(
                [sys.executable, "-m", name, "serve"],
                preexec_fn=terminate_with_parent,
                env=self.env_for(name),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def _wait_ready(self, deadline: float) -> None:
        pending = dict(self.services)
        with httpx.Client(timeout=2) as client:
            while pending:
                for name, svc in list(pending.items()):
                    assert svc.proc is not None
                    if svc.proc.poll() is not None:
                        tail = (self.logs / f"{name}.log").read_text()[-3000:]
                        raise RuntimeError(f"{name} exited with {svc.proc.returncode}:\n{tail}")
                    try:
                        if client.get(f"{svc.url}/readyz").status_code == 200:
                            del pending[name]
                    except httpx.HTTPError:
                        pass
                if pending and time.monotonic() > deadline:
                    raise TimeoutError(
                        f"not ready in time: {', '.join(pending)} (logs in {self.logs})"
                    )
                if pending:
                    time.sleep(0.2)

    # -- stop --------------------------------------------------------------------------------
    def stop(self) -> None:
        """Stop the services (SIGTERM, then SIGKILL after 10 s), then NATS, then PostgreSQL."""
        procs = [
            s.proc for s in self.services.values() if s.proc is not None and s.proc.poll() is None
        ]
        for p in procs:
            p.terminate()
        end = time.monotonic() + 10
        for p in procs:
            try:
                p.wait(max(0.1, end - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)
        if self.nats is not None:
            self.nats.stop()
        if self.postgres is not None:
            self.postgres.stop()

    def pids(self) -> dict[str, int]:
        """Process ids of everything this stack started, for memory figures and leak checks."""
        out = {n: s.proc.pid for n, s in self.services.items() if s.proc is not None}
        if self.nats is not None and self.nats.proc is not None:
            out["nats"] = self.nats.proc.pid
        if self.postgres is not None:
            pidfile = self.postgres.pgdata / "postmaster.pid"
            if pidfile.exists():
                out["postgres"] = int(pidfile.read_text().split()[0])
        return out
