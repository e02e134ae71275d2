"""What tickets subscribes to: routing decisions for tickets filed while routing was away."""

from __future__ import annotations

from kit.events.consumer import Subscription
from tickets import service

SUBSCRIPTIONS = [
    Subscription(
        durable="tickets-ticket-routed",
        stream="ROUTING",
        subject="routing.ticket.routed",
        handler=service.apply_routing,
    )
]
