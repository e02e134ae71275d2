"""audit.v1.AuditService over gRPC."""

from __future__ import annotations

from audit import service
from helpdesk.audit.v1 import audit_pb2, audit_pb2_grpc
from kit.errors import Forbidden
from kit.events.envelope import timestamp
from kit.grpc.server import Context, caller
from kit.runtime import Runtime


class AuditServicer(audit_pb2_grpc.AuditServiceServicer):
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    async def History(
        self, request: audit_pb2.HistoryRequest, context: Context
    ) -> audit_pb2.HistoryResponse:
        principal = await caller(context, self.rt.verifier)
        if not principal.has_any("auditor", "admin"):
            raise Forbidden("requires one of the roles: auditor, admin")
        limit = min(max(request.limit or 100, 1), 1000)
        async with self.rt.db.read() as session:
            items = await service.history(
                session=session, entity_id=request.entity_id or None, limit=limit
            )
        reply = audit_pb2.HistoryResponse()
        for e in items:
            entry = reply.entries.add(
                seq=e.seq,
                event_id=str(e.event_id),
                type=e.type,
                entity_id=e.entity_id,
                actor_id=e.actor_id,
                hash=e.hash,
                prev_hash=e.prev_hash,
            )
            entry.occurred_at.CopyFrom(timestamp(e.occurred_at))
        return reply
