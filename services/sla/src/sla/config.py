from __future__ import annotations

from kit.config import ServiceSettings, load_settings


class SlaSettings(ServiceSettings):
    pass


def load() -> SlaSettings:
    return load_settings(SlaSettings)
