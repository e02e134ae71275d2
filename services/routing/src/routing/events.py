"""What routing subscribes to: new tickets that could not be routed when they were filed."""

from __future__ import annotations

from kit.events.consumer import Consumer
from kit.runtime import Runtime
from routing import service
from routing.models import inbox


def consumers(rt: Runtime) -> list[Consumer]:
    return [
        Consumer(
            js=rt.js,
            db=rt.db,
            inbox=inbox,
            durable="routing-ticket-created",
            stream="TICKETS",
            subject="tickets.ticket.created",
            handler=service.route_unrouted,
        )
    ]
