from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

from kit.config import ENV_PREFIX, load_settings


class WebSettings(BaseSettings):
    """The front door needs to know where each owning service listens; it has no database."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)

    http_host: str = "127.0.0.1"
    http_port: int = 8080
    identity_url: str
    tickets_url: str
    routing_url: str
    sla_url: str
    audit_url: str
    log_level: str = "INFO"
    upstream_timeout_s: float = 10.0


def load() -> WebSettings:
    return load_settings(WebSettings)
