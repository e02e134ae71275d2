"""What sla subscribes to: new tickets, whose clocks it starts."""

from __future__ import annotations

from kit.events.consumer import Consumer
from kit.runtime import Runtime
from sla import service
from sla.models import inbox


def consumers(rt: Runtime) -> list[Consumer]:
    return [
        Consumer(
            js=rt.js,
            db=rt.db,
            inbox=inbox,
            durable="sla-ticket-created",
            stream="TICKETS",
            subject="tickets.ticket.created",
            handler=service.start_clocks,
        )
    ]
