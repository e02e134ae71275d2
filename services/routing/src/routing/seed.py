"""Loading an organisation file (categories and their owning groups) into routing."""

from __future__ import annotations

from typing import Any

from kit.config import ServiceSettings
from kit.db import Session
from routing import service


async def load_file(*, session: Session, settings: ServiceSettings, org: dict[str, Any]) -> None:
    await service.seed_categories(session=session, org=org)
