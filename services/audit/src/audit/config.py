from __future__ import annotations

from kit.config import ServiceSettings, load_settings


class AuditSettings(ServiceSettings):
    pass


def load() -> AuditSettings:
    return load_settings(AuditSettings)
