"""Tables of the audit schema: an append-only, hash-chained log."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Index, String, Table, Text, func
from sqlalchemy.dialects.postgresql import UUID

from kit.db import schema_metadata
from kit.events.consumer import inbox_table

SCHEMA = "audit"
metadata = schema_metadata(SCHEMA)

entries = Table(
    "entries",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
    Column("type", String(200), nullable=False),
    Column("entity_id", String(100), nullable=False),
    Column("actor_id", String(100), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("body", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_entries_entity_id_seq", "entity_id", "seq"),
)

checkpoints = Table(
    "checkpoints",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", String(64), nullable=False),
    Column("key_id", String(16), nullable=False),
    Column("signature", String(128), nullable=False),
    Column("signed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

inbox = inbox_table(metadata)
