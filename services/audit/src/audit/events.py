"""audit subscribes to every stream."""

from __future__ import annotations

from collections.abc import Sequence

from audit import service
from audit.models import inbox
from kit.db import Session
from kit.events.consumer import Consumer
from kit.events.envelope import Envelope
from kit.events.streams import STREAMS
from kit.runtime import Runtime


async def record(session: Session, events: Sequence[Envelope]) -> None:
    await service.append(session=session, events=events)


def consumers(rt: Runtime) -> list[Consumer]:
    return [
        Consumer(
            js=rt.js,
            db=rt.db,
            inbox=inbox,
            durable=f"audit-{stream.lower()}",
            stream=stream,
            subject=subject,
            handler=record,
            batch_size=200,
        )
        for stream, subject in STREAMS.items()
    ]
