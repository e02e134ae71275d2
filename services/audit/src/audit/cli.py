"""audit's own commands: `python -m audit verify`."""

from __future__ import annotations

from audit import service
from audit.config import AuditSettings
from audit.models import SCHEMA
from audit.signing import load_signer
from kit.db import Database


async def verify(settings: AuditSettings) -> int:
    """Re-walk the chain and its signed checkpoints; print the report; exit 1 if it fails."""
    db = Database(settings.database_url, SCHEMA, pool_size=1)
    try:
        async with db.read() as session:
            report = await service.verify(
                session=session, signer=load_signer(settings.audit_signing_key_file)
            )
    finally:
        await db.dispose()
    print(report.model_dump_json(indent=2))
    return 0 if report.ok else 1
