"""What routing subscribes to: new tickets that could not be routed when they were filed."""

from __future__ import annotations

from collections.abc import Sequence

from kit.db import Session
from kit.events.consumer import Consumer
from kit.events.envelope import Envelope
from kit.runtime import Runtime
from routing import service
from routing.models import inbox


async def on_ticket_created(session: Session, events: Sequence[Envelope]) -> None:
    await service.route_unrouted(session=session, events=events)


def consumers(rt: Runtime) -> list[Consumer]:
    return [
        Consumer(
            js=rt.js,
            db=rt.db,
            inbox=inbox,
            durable="routing-ticket-created",
            stream="TICKETS",
            subject="tickets.ticket.created",
            handler=on_ticket_created,
        )
    ]
