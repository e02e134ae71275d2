from __future__ import annotations

from kit.config import ServiceSettings, load_settings


class RoutingSettings(ServiceSettings):
    category_cache_s: float = 5.0
    """How long Route trusts its in-memory copy of the categories before reading them again."""


def load() -> RoutingSettings:
    return load_settings(RoutingSettings)
