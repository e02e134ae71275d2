"""sla.v1.SlaService over gRPC."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from helpdesk.sla.v1 import sla_pb2, sla_pb2_grpc
from kit.errors import Invalid
from kit.events.envelope import timestamp
from kit.grpc.server import Context, caller
from kit.runtime import Runtime
from sla import service

MAX_BATCH = 500


class SlaServicer(sla_pb2_grpc.SlaServiceServicer):
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    async def GetTicketSla(
        self, request: sla_pb2.GetTicketSlaRequest, context: Context
    ) -> sla_pb2.GetTicketSlaResponse:
        await caller(context, self.rt.verifier)
        if len(request.ticket_ids) > MAX_BATCH:
            raise Invalid(f"at most {MAX_BATCH} ticket ids per call")
        try:
            ids = [uuid.UUID(t) for t in request.ticket_ids]
        except ValueError:
            raise Invalid("ticket_ids must be UUIDs") from None
        async with self.rt.db.read() as session:
            found = await service.get_clocks(session=session, ticket_ids=ids)
        now = datetime.now(UTC)
        reply = sla_pb2.GetTicketSlaResponse()
        for c in found:
            item = reply.items.add(
                ticket_id=str(c.ticket_id), policy_id=str(c.policy_id), state=c.state(now)
            )
            item.response_due_at.CopyFrom(timestamp(c.response_due_at))
            item.resolution_due_at.CopyFrom(timestamp(c.resolution_due_at))
        return reply
