"""The JetStream streams: one per publishing service, named after it, holding its subjects."""

from __future__ import annotations

import asyncio
import logging

from nats.js import JetStreamContext
from nats.js.api import RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import BadRequestError

STREAMS: dict[str, str] = {
    "TICKETS": "tickets.>",
    "ROUTING": "routing.>",
    "SLA": "sla.>",
    "IDENTITY": "identity.>",
}

# How long JetStream remembers a Nats-Msg-Id to drop a re-published duplicate.
DUPLICATE_WINDOW_S = 600.0
log = logging.getLogger(__name__)


def stream_for(subject: str) -> str:
    """The stream that holds a subject: its first token, upper-cased."""
    return subject.split(".", 1)[0].upper()


async def ensure_stream(
    js: JetStreamContext, name: str, *, replicas: int = 1, attempts: int = 50
) -> None:
    """Create the stream if missing; JetStream may not be ready right after the server starts."""
    config = StreamConfig(
        name=name,
        subjects=[STREAMS[name]],
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        max_age=30 * 24 * 3600,
        duplicate_window=DUPLICATE_WINDOW_S,
        num_replicas=replicas,
    )
    for attempt in range(attempts):
        try:
            try:
                await js.add_stream(config)
            except BadRequestError:
                await js.update_stream(config)
            return
        except Exception as exc:
            if attempt == attempts - 1:
                raise
            log.info("waiting for JetStream", extra={"stream": name, "error": repr(exc)})
            await asyncio.sleep(0.2)
