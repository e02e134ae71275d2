"""What sla subscribes to: new tickets, whose clocks it starts."""

from __future__ import annotations

from kit.events.consumer import Subscription
from sla import service

SUBSCRIPTIONS = [
    Subscription(
        durable="sla-ticket-created",
        stream="TICKETS",
        subject="tickets.ticket.created",
        handler=service.start_clocks,
    )
]
