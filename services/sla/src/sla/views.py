"""sla's REST API under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter, Request

from kit.http import CurrentUser
from sla import service
from sla.schemas import PolicyPage

router = APIRouter(prefix="/api/v1", tags=["sla"])


@router.get("/sla-policies", response_model=PolicyPage)
async def list_policies(request: Request, principal: CurrentUser) -> PolicyPage:
    """Response and resolution targets per priority."""
    async with request.app.state.runtime.db.read() as session:
        return PolicyPage(items=await service.list_policies(session=session))
