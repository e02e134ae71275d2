"""Loading an organisation file (departments, groups, users) into identity."""

from __future__ import annotations

from typing import Any

from identity import keys, service
from identity.config import IdentitySettings
from kit.db import Session


async def load_file(*, session: Session, settings: IdentitySettings, org: dict[str, Any]) -> None:
    """Upsert the organisation and make sure a token signing key exists."""
    await service.seed_organisation(
        session=session,
        org=org,
        demo_password=settings.demo_password,
        max_roles=settings.max_roles_per_user,
    )
    await keys.active_key(session=session)
