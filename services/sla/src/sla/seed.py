"""Loading an organisation file (SLA targets per priority) into sla."""

from __future__ import annotations

from typing import Any

from kit.config import ServiceSettings
from kit.db import Session
from sla import service


async def load_file(*, session: Session, settings: ServiceSettings, org: dict[str, Any]) -> None:
    await service.seed_policies(session=session, org=org)
