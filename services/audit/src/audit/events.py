"""audit subscribes to every stream and appends each event to the chain."""

from __future__ import annotations

from audit import service
from audit.models import inbox
from kit.events.consumer import Consumer
from kit.events.streams import STREAMS
from kit.runtime import Runtime


def consumers(rt: Runtime) -> list[Consumer]:
    return [
        Consumer(
            js=rt.js,
            db=rt.db,
            inbox=inbox,
            durable=f"audit-{stream.lower()}",
            stream=stream,
            subject=subject,
            handler=service.append,
            batch_size=200,
        )
        for stream, subject in STREAMS.items()
    ]
