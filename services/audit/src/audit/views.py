"""audit's REST API under /api/v1: for auditors and admins only."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from audit import service
from audit.schemas import EntryPage, VerifyReport
from kit.auth import Principal
from kit.http import require_roles

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])
Auditor = Annotated[Principal, Depends(require_roles("auditor", "admin"))]


@router.get("/entries", response_model=EntryPage)
async def list_entries(
    request: Request,
    principal: Auditor,
    ticket_id: uuid.UUID | None = None,
    entity_id: Annotated[str | None, Query(max_length=100)] = None,
    cursor: Annotated[
        int, Query(ge=0, description="seq of the last entry of the previous page")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> EntryPage:
    """Entries in chain order, optionally those of one ticket (or any entity id)."""
    entity = str(ticket_id) if ticket_id else entity_id
    async with request.app.state.runtime.db.read() as session:
        items = await service.history(
            session=session, entity_id=entity, after_seq=cursor, limit=limit + 1
        )
    more = len(items) > limit
    items = items[:limit]
    return EntryPage(items=items, next_cursor=str(items[-1].seq) if more and items else None)


@router.get("/verify", response_model=VerifyReport)
async def verify(request: Request, principal: Auditor) -> VerifyReport:
    """Re-walk the whole chain; names the first entry that does not match."""
    async with request.app.state.runtime.db.read() as session:
        return await service.verify(session=session, signer=request.app.state.signer)
