"""Build and run the routing service from its settings; nothing happens at import time."""

from __future__ import annotations

from collections.abc import Callable

import grpc

from helpdesk.routing.v1 import routing_pb2_grpc
from kit.runtime import Runtime, ServiceSpec
from routing import config, events, service, views
from routing.grpc_api import RoutingServicer
from routing.models import SCHEMA, inbox, outbox


def _servicers(rt: Runtime) -> list[Callable[[grpc.aio.Server], None]]:
    settings = rt.settings
    assert isinstance(settings, config.RoutingSettings)
    servicer = RoutingServicer(rt, service.CategoryCache(settings.category_cache_s))
    return [lambda server: routing_pb2_grpc.add_RoutingServiceServicer_to_server(servicer, server)]


SPEC = ServiceSpec(
    name="routing",
    schema=SCHEMA,
    description="Categories and the rules that send each request to its group",
    routers=[views.router],
    outbox=outbox,
    grpc_services=["helpdesk.routing.v1.RoutingService"],
    grpc_servicers=_servicers,
    inbox=inbox,
    subscriptions=events.SUBSCRIPTIONS,
)
