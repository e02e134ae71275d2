"""What tickets subscribes to: routing decisions for tickets filed while routing was away."""

from __future__ import annotations

from kit.events.consumer import Consumer
from kit.runtime import Runtime
from tickets import service
from tickets.models import inbox


def consumers(rt: Runtime) -> list[Consumer]:
    return [
        Consumer(
            js=rt.js,
            db=rt.db,
            inbox=inbox,
            durable="tickets-ticket-routed",
            stream="ROUTING",
            subject="routing.ticket.routed",
            handler=service.apply_routing,
        )
    ]
