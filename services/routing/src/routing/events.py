"""What routing subscribes to: new tickets that could not be routed when they were filed."""

from __future__ import annotations

from kit.events.consumer import Subscription
from routing import service

SUBSCRIPTIONS = [
    Subscription(
        durable="routing-ticket-created",
        stream="TICKETS",
        subject="tickets.ticket.created",
        handler=service.route_unrouted,
    )
]
