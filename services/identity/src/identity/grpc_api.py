"""identity.v1.IdentityService over gRPC."""

from __future__ import annotations

import uuid

from helpdesk.identity.v1 import identity_pb2, identity_pb2_grpc
from identity import service
from identity.schemas import UserRead
from kit.errors import Invalid
from kit.grpc.server import Context, caller
from kit.runtime import Runtime


def _to_proto(user: UserRead) -> identity_pb2.User:
    return identity_pb2.User(
        id=str(user.id),
        username=user.username,
        display_name=user.display_name,
        email=user.email,
        roles=user.roles,
        group_ids=[str(g.id) for g in user.groups],
        department_id=str(user.department_id or ""),
        active=user.active,
    )


def _uuid(value: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise Invalid(f"{field} is not a UUID: {value!r}") from None


class IdentityServicer(identity_pb2_grpc.IdentityServiceServicer):
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    async def GetUser(
        self, request: identity_pb2.GetUserRequest, context: Context
    ) -> identity_pb2.User:
        await caller(context, self.rt.verifier)
        async with self.rt.db.read() as session:
            user = await service.get_user(
                session=session, user_id=_uuid(request.user_id, "user_id")
            )
        return _to_proto(user)

    async def Authorize(
        self, request: identity_pb2.AuthorizeRequest, context: Context
    ) -> identity_pb2.AuthorizeResponse:
        principal = await caller(context, self.rt.verifier)
        user_id = _uuid(request.user_id or principal.user_id, "user_id")
        async with self.rt.db.read() as session:
            user = await service.get_user(session=session, user_id=user_id)
        allowed, reason = service.authorize(user, request.action, request.group_id)
        return identity_pb2.AuthorizeResponse(allowed=allowed, reason=reason)
