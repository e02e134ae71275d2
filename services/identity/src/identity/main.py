"""Build and run the identity service from its settings; nothing happens at import time."""

from __future__ import annotations

from helpdesk.identity.v1 import identity_pb2_grpc
from identity import views
from identity.grpc_api import IdentityServicer
from identity.models import SCHEMA, outbox
from kit.runtime import ServiceSpec

SPEC = ServiceSpec(
    name="identity",
    schema=SCHEMA,
    description="Users, groups, roles and access tokens",
    routers=[views.router],
    outbox=outbox,
    grpc_services=["helpdesk.identity.v1.IdentityService"],
    grpc_servicers=lambda rt: [
        lambda server: identity_pb2_grpc.add_IdentityServiceServicer_to_server(
            IdentityServicer(rt), server
        )
    ],
)
