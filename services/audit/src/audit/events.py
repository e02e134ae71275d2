"""audit subscribes to every stream and appends each event to the chain."""

from __future__ import annotations

from audit import service
from kit.events.consumer import Subscription
from kit.events.streams import STREAMS

SUBSCRIPTIONS = [
    Subscription(
        durable=f"audit-{stream.lower()}",
        stream=stream,
        subject=subject,
        handler=service.append,
        batch_size=200,
    )
    for stream, subject in STREAMS.items()
]
