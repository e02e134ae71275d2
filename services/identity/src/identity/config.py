from __future__ import annotations

from kit.config import ServiceSettings, load_settings


class IdentitySettings(ServiceSettings):
    access_token_ttl_s: int = 3600
    max_roles_per_user: int = 3
    demo_password: str = ""
    """Password given to seeded demo users (the launcher passes HELPDESK_DEMO_PASSWORD)."""


def load() -> IdentitySettings:
    return load_settings(IdentitySettings)
