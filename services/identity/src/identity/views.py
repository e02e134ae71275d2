"""Identity's REST API under /api/v1."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request

from identity import keys, service
from identity.schemas import GroupPage, TokenRead, UserRead
from kit.errors import Unauthenticated
from kit.http import CurrentUser
from kit.runtime import Runtime

router = APIRouter(prefix="/api/v1")


def _rt(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


@router.post("/auth/token", response_model=TokenRead, tags=["auth"])
async def login(
    request: Request,
    username: Annotated[str, Form(min_length=1, max_length=100)],
    password: Annotated[str, Form(min_length=1, max_length=1024)],
) -> TokenRead:
    """OAuth2 password login: answers a signed access token, or 401."""
    rt = _rt(request)
    client = request.client.host if request.client else ""
    async with rt.db.begin() as session:
        result = await service.authenticate(
            session=session, username=username, password=password, client_address=client
        )
        token = None
        if result.user is not None:
            key = await keys.active_key(session=session)
            ttl = request.app.state.settings.access_token_ttl_s
            token = key.sign(
                keys.access_claims(
                    user_id=result.user.id,
                    username=result.user.username,
                    roles=result.user.roles,
                    group_ids=[g.id for g in result.user.groups],
                    department_id=result.user.department_id,
                    ttl_s=ttl,
                )
            )
    request.app.state.relay.wake()
    if token is None:
        raise Unauthenticated("wrong username or password")
    return TokenRead(access_token=token, expires_in=ttl)


@router.get("/auth/jwks", tags=["auth"])
async def jwks(request: Request) -> dict[str, Any]:
    """The public keys that verify access tokens."""
    async with _rt(request).db.read() as session:
        return await keys.jwks(session=session)


@router.get("/me", response_model=UserRead, tags=["users"])
async def me(request: Request, principal: CurrentUser) -> UserRead:
    """The caller's own profile: roles and groups."""
    async with _rt(request).db.read() as session:
        return await service.get_user(session=session, user_id=uuid.UUID(principal.user_id))


@router.get("/groups", response_model=GroupPage, tags=["groups"])
async def list_groups(request: Request, principal: CurrentUser) -> GroupPage:
    """The groups that own categories and work queues."""
    async with _rt(request).db.read() as session:
        return GroupPage(items=await service.list_groups(session=session))
