"""What tickets subscribes to: routing decisions for tickets filed while routing was away."""

from __future__ import annotations

from collections.abc import Sequence

from kit.db import Session
from kit.events.consumer import Consumer
from kit.events.envelope import Envelope
from kit.runtime import Runtime
from tickets import service
from tickets.models import inbox


async def on_ticket_routed(session: Session, events: Sequence[Envelope]) -> None:
    await service.apply_routing(session=session, events=events)


def consumers(rt: Runtime) -> list[Consumer]:
    return [
        Consumer(
            js=rt.js,
            db=rt.db,
            inbox=inbox,
            durable="tickets-ticket-routed",
            stream="ROUTING",
            subject="routing.ticket.routed",
            handler=on_ticket_routed,
        )
    ]
