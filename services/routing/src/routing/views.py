"""Routing's REST API under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter, Request

from kit.http import CurrentUser
from routing import service
from routing.schemas import CategoryPage

router = APIRouter(prefix="/api/v1")


@router.get("/categories", response_model=CategoryPage, tags=["categories"])
async def list_categories(request: Request, principal: CurrentUser) -> CategoryPage:
    """The categories a requester picks from when filing a request."""
    async with request.app.state.runtime.db.read() as session:
        return CategoryPage(items=await service.list_categories(session=session))
