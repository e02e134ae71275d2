"""The transactional outbox: an event is written in the same transaction as the change it reports."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    LargeBinary,
    MetaData,
    String,
    Table,
    func,
    insert,
)
from sqlalchemy.dialects.postgresql import UUID

from kit.db import Session
from kit.events.envelope import Envelope


def outbox_table(metadata: MetaData) -> Table:
    """The outbox table of a service, in its own schema."""
    return Table(
        "outbox",
        metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
        Column("subject", String(200), nullable=False),
        Column("body", LargeBinary, nullable=False),
        Column("traceparent", String(64)),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


async def add_events(session: Session, outbox: Table, *events: Envelope) -> None:
    """Stage events in the caller's transaction; the relay publishes them after commit."""
    if not events:
        return
    await session.execute(
        insert(outbox),
        [
            {
                "event_id": e.event_id,
                "subject": e.type,
                "body": e.SerializeToString(),
                "traceparent": e.trace_context.get("traceparent"),
            }
            for e in events
        ],
    )
