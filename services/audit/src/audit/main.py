"""Build and run the audit service from its settings; nothing happens at import time."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from fastapi import FastAPI

from audit import config, events, service, views
from audit.grpc_api import AuditServicer
from audit.models import SCHEMA, inbox
from audit.signing import load_signer
from helpdesk.audit.v1 import audit_pb2_grpc
from kit.runtime import Background, Runtime, ServiceSpec

log = logging.getLogger(__name__)


def _settings(rt: Runtime) -> config.AuditSettings:
    assert isinstance(rt.settings, config.AuditSettings)
    return rt.settings


async def _setup(rt: Runtime, app: FastAPI) -> None:
    app.state.signer = load_signer(_settings(rt).audit_signing_key_file)


def _checkpointer(rt: Runtime) -> list[Background]:
    """Signs the head of the chain every checkpoint interval, when it moved."""
    settings = _settings(rt)
    signer = load_signer(settings.audit_signing_key_file)

    async def sign_head(stop: asyncio.Event) -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), settings.audit_checkpoint_interval_s)
            try:
                async with rt.db.begin() as session:
                    seq = await service.take_checkpoint(session=session, signer=signer)
                if seq is not None:
                    log.info("checkpoint signed", extra={"seq": seq})
            except Exception:
                log.exception("checkpoint failed; will retry")

    return [sign_head]


SPEC = ServiceSpec(
    name="audit",
    schema=SCHEMA,
    description="The append-only, hash-chained record of every action",
    routers=[views.router],
    grpc_services=["helpdesk.audit.v1.AuditService"],
    grpc_servicers=lambda rt: [
        lambda server: audit_pb2_grpc.add_AuditServiceServicer_to_server(AuditServicer(rt), server)
    ],
    inbox=inbox,
    subscriptions=events.SUBSCRIPTIONS,
    tasks=_checkpointer,
    setup=_setup,
)
