"""What sla subscribes to."""

from __future__ import annotations

from collections.abc import Sequence

from kit.db import Session
from kit.events.consumer import Consumer
from kit.events.envelope import Envelope
from kit.runtime import Runtime
from sla import service
from sla.models import inbox


async def on_ticket_created(session: Session, events: Sequence[Envelope]) -> None:
    await service.start_clocks(session=session, events=events)


def consumers(rt: Runtime) -> list[Consumer]:
    return [
        Consumer(
            js=rt.js,
            db=rt.db,
            inbox=inbox,
            durable="sla-ticket-created",
            stream="TICKETS",
            subject="tickets.ticket.created",
            handler=on_ticket_created,
        )
    ]
