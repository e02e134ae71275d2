"""Build and run the audit service from its settings; nothing happens at import time."""

from __future__ import annotations

from helpdesk.audit.v1 import audit_pb2_grpc
from kit.runtime import ServiceSpec

from audit import events, views
from audit.grpc_api import AuditServicer
from audit.models import SCHEMA

SPEC = ServiceSpec(
    name="audit",
    schema=SCHEMA,
    description="The append-only, hash-chained record of every action",
    routers=[views.router],
    grpc_services=["helpdesk.audit.v1.AuditService"],
    grpc_servicers=lambda rt: [
        lambda server: audit_pb2_grpc.add_AuditServiceServicer_to_server(AuditServicer(rt), server)
    ],
    consumers=events.consumers,
)
