"""Typed settings, loaded once at start-up; a missing or bad variable stops the process at once."""

from __future__ import annotations

import sys
from typing import TypeVar

from pydantic import ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "HELPDESK_"


class ServiceSettings(BaseSettings):
    """What every service needs: where its database and the bus are, and where to listen."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)

    database_url: str
    """SQLAlchemy URL for the service's own login role, e.g. postgresql+psycopg://tickets:...@host/db"""
    migrate_database_url: str = ""
    """URL of the role owning the schema, used only by `migrate` (defaults to database_url)."""
    nats_url: str
    http_host: str = "127.0.0.1"
    http_port: int
    grpc_port: int
    identity_url: str
    """Base URL of the identity service; tokens are checked against its published JWKS."""
    stream_replicas: int = 1
    """Copies JetStream keeps of each stream the service creates: 3 on a 3-node NATS cluster."""
    log_level: str = "INFO"
    db_pool_size: int = 20
    grpc_deadline_s: float = 2.0
    trace_sample_ratio: float = 1.0


S = TypeVar("S", bound=BaseSettings)


def load_settings(cls: type[S]) -> S:
    """Build the settings from the environment or exit naming every missing/bad variable."""
    try:
        return cls()
    except ValidationError as exc:
        prefix = cls.model_config.get("env_prefix", "")
        lines = []
        for err in exc.errors():
            name = (prefix + "_".join(str(p) for p in err["loc"])).upper()
            lines.append(f"  {name}: {err['msg']}")
        sys.stderr.write(f"configuration error in {cls.__name__}:\n" + "\n".join(lines) + "\n")
        raise SystemExit(2) from None
