"""tickets' view of routing and sla over gRPC, with short deadlines and graceful degradation."""

from __future__ import annotations

import logging
import uuid

import grpc

from helpdesk.routing.v1 import routing_pb2, routing_pb2_grpc
from helpdesk.sla.v1 import sla_pb2, sla_pb2_grpc
from kit.errors import Invalid
from kit.events.envelope import from_timestamp
from kit.grpc.client import call_metadata, channel
from tickets.schemas import SlaRead
from tickets.service import Routing

log = logging.getLogger(__name__)


class RoutingClient:
    def __init__(self, target: str, deadline_s: float) -> None:
        self.channel = channel(target, idempotent_services=["helpdesk.routing.v1.RoutingService"])
        self.stub = routing_pb2_grpc.RoutingServiceStub(self.channel)
        self.deadline_s = deadline_s

    async def route(
        self,
        *,
        category_id: uuid.UUID,
        priority: str,
        requester_id: str,
        department_id: str,
        token: str,
    ) -> Routing:
        """Ask routing for the group. An unknown category is the caller's mistake (422); routing
        being slow or down is ours, and the ticket is then accepted unrouted."""
        request = routing_pb2.RouteRequest(
            category_id=str(category_id),
            priority=priority,
            requester_id=requester_id,
            department_id=department_id,
        )
        try:
            # wait_for_ready: while the channel reconnects (routing restarting), wait within the
            # deadline instead of failing at once.
            reply = await self.stub.Route(
                request, timeout=self.deadline_s, metadata=call_metadata(token), wait_for_ready=True
            )
        except grpc.aio.AioRpcError as exc:
            if exc.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT):
                raise Invalid(
                    f"unknown category: {exc.details()}",
                    errors=[
                        {
                            "loc": ["body", "category_id"],
                            "msg": "no such active category",
                            "type": "value_error",
                        }
                    ],
                ) from None
            log.warning(
                "routing unavailable; storing the ticket unrouted", extra={"code": exc.code().name}
            )
            return Routing(group_id=None)
        return Routing(
            group_id=uuid.UUID(reply.group_id) if reply.group_id else None,
            assignee_id=uuid.UUID(reply.assignee_id) if reply.assignee_id else None,
        )


class SlaClient:
    def __init__(self, target: str, deadline_s: float) -> None:
        self.channel = channel(target, idempotent_services=["helpdesk.sla.v1.SlaService"])
        self.stub = sla_pb2_grpc.SlaServiceStub(self.channel)
        self.deadline_s = deadline_s

    async def due_times(self, ticket_ids: list[uuid.UUID], token: str) -> dict[uuid.UUID, SlaRead]:
        """The clocks of many tickets in one call; empty when sla cannot answer in time."""
        if not ticket_ids:
            return {}
        try:
            reply = await self.stub.GetTicketSla(
                sla_pb2.GetTicketSlaRequest(ticket_ids=[str(t) for t in ticket_ids]),
                timeout=self.deadline_s,
                metadata=call_metadata(token),
                wait_for_ready=True,
            )
        except grpc.aio.AioRpcError as exc:
            log.warning(
                "sla unavailable; answering without due times", extra={"code": exc.code().name}
            )
            return {}
        return {
            uuid.UUID(item.ticket_id): SlaRead(
                policy_id=item.policy_id,
                response_due_at=from_timestamp(item.response_due_at),
                resolution_due_at=from_timestamp(item.resolution_due_at),
                state=item.state,
            )
            for item in reply.items
        }
