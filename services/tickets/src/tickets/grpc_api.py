"""tickets.v1.TicketsService over gRPC."""

from __future__ import annotations

import uuid

from helpdesk.tickets.v1 import tickets_pb2, tickets_pb2_grpc
from kit.errors import Invalid
from kit.events.envelope import timestamp
from kit.grpc.server import Context, caller
from kit.runtime import Runtime
from tickets import service


class TicketsServicer(tickets_pb2_grpc.TicketsServiceServicer):
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    async def Get(
        self, request: tickets_pb2.GetTicketRequest, context: Context
    ) -> tickets_pb2.Ticket:
        viewer = await caller(context, self.rt.verifier)
        try:
            ticket_id = uuid.UUID(request.ticket_id)
        except ValueError:
            raise Invalid(f"ticket_id is not a UUID: {request.ticket_id!r}") from None
        async with self.rt.db.read() as session:
            t = await service.get_ticket(session=session, ticket_id=ticket_id, viewer=viewer)
        msg = tickets_pb2.Ticket(
            id=str(t.id),
            number=t.number,
            title=t.title,
            description=t.description,
            category_id=str(t.category_id),
            priority=t.priority,
            status=t.status,
            requester_id=str(t.requester_id),
            group_id=str(t.group_id or ""),
            assignee_id=str(t.assignee_id or ""),
        )
        msg.created_at.CopyFrom(timestamp(t.created_at))
        msg.updated_at.CopyFrom(timestamp(t.updated_at))
        return msg
