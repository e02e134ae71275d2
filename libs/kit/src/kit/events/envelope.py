"""Building and reading event envelopes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TypeVar

from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from helpdesk.events.v1 import envelope_pb2
from kit import telemetry
from kit.ids import new_id

Envelope = envelope_pb2.Envelope


def new_event(
    type_: str,
    entity_id: uuid.UUID | str,
    payload: Message,
    *,
    actor_id: uuid.UUID | str | None = None,
    actor_roles: Sequence[str] = (),
    at: datetime | None = None,
) -> envelope_pb2.Envelope:
    """An envelope with a fresh UUIDv7 id and the current trace context."""
    env = envelope_pb2.Envelope(
        event_id=str(new_id()),
        type=type_,
        entity_id=str(entity_id),
        actor=envelope_pb2.Actor(user_id=str(actor_id or ""), roles=list(actor_roles)),
    )
    env.occurred_at.CopyFrom(timestamp(at or datetime.now(UTC)))
    env.payload.Pack(payload)
    telemetry.inject(env.trace_context)
    return env


def timestamp(dt: datetime) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(dt if dt.tzinfo else dt.replace(tzinfo=UTC))
    return ts


def from_timestamp(ts: Timestamp) -> datetime:
    return ts.ToDatetime(tzinfo=UTC)


M = TypeVar("M", bound=Message)


def unpack(env: envelope_pb2.Envelope, cls: type[M]) -> M:
    """The payload as `cls`; raises ValueError when the envelope carries another type."""
    msg = cls()
    if not env.payload.Unpack(msg):
        raise ValueError(f"event {env.event_id} of type {env.type} does not carry {cls.__name__}")
    return msg
