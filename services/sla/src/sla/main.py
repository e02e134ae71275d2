"""Build and run the sla service from its settings; nothing happens at import time."""

from __future__ import annotations

from helpdesk.sla.v1 import sla_pb2_grpc
from kit.runtime import ServiceSpec
from sla import events, views
from sla.grpc_api import SlaServicer
from sla.models import SCHEMA, inbox, outbox

SPEC = ServiceSpec(
    name="sla",
    schema=SCHEMA,
    description="SLA policies and the response/resolution clocks of every ticket",
    routers=[views.router],
    outbox=outbox,
    grpc_services=["helpdesk.sla.v1.SlaService"],
    grpc_servicers=lambda rt: [
        lambda server: sla_pb2_grpc.add_SlaServiceServicer_to_server(SlaServicer(rt), server)
    ],
    inbox=inbox,
    subscriptions=events.SUBSCRIPTIONS,
)
