"""routing.v1.RoutingService over gRPC."""

from __future__ import annotations

import uuid

from helpdesk.routing.v1 import routing_pb2, routing_pb2_grpc
from kit.errors import Invalid
from kit.grpc.server import Context, caller
from kit.runtime import Runtime
from routing import service


class RoutingServicer(routing_pb2_grpc.RoutingServiceServicer):
    def __init__(self, rt: Runtime, cache: service.CategoryCache) -> None:
        self.rt = rt
        self.cache = cache

    async def Route(
        self, request: routing_pb2.RouteRequest, context: Context
    ) -> routing_pb2.RouteResponse:
        await caller(context, self.rt.verifier)
        try:
            category_id = uuid.UUID(request.category_id)
        except ValueError:
            raise Invalid(f"category_id is not a UUID: {request.category_id!r}") from None
        category = await self.cache.get(self.rt.db.read, category_id)
        decision = service.route(category, category_id)
        return routing_pb2.RouteResponse(
            group_id=str(decision.group_id),
            assignee_id=str(decision.assignee_id or ""),
            category_name=decision.category_name,
            rule=decision.rule,
        )
