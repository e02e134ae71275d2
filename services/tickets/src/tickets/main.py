"""Build and run the tickets service from its settings; nothing happens at import time."""

from __future__ import annotations

from fastapi import FastAPI

from helpdesk.tickets.v1 import tickets_pb2_grpc
from kit.runtime import Runtime, ServiceSpec
from tickets import config, events, views
from tickets.clients import RoutingClient, SlaClient
from tickets.grpc_api import TicketsServicer
from tickets.models import SCHEMA, inbox, outbox


async def _setup(rt: Runtime, app: FastAPI) -> None:
    settings = rt.settings
    assert isinstance(settings, config.TicketsSettings)
    app.state.routing = RoutingClient(settings.routing_target, settings.route_deadline_s)
    app.state.sla = SlaClient(settings.sla_target, settings.sla_deadline_s)


SPEC = ServiceSpec(
    name="tickets",
    schema=SCHEMA,
    description="Requests: filing, reading and listing them",
    routers=[views.router],
    outbox=outbox,
    grpc_services=["helpdesk.tickets.v1.TicketsService"],
    grpc_servicers=lambda rt: [
        lambda server: tickets_pb2_grpc.add_TicketsServiceServicer_to_server(
            TicketsServicer(rt), server
        )
    ],
    setup=_setup,
    inbox=inbox,
    subscriptions=events.SUBSCRIPTIONS,
)
