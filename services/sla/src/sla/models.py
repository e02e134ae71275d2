"""Tables of the sla schema."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Float, Index, Integer, String, Table, func
from sqlalchemy.dialects.postgresql import UUID

from kit.db import schema_metadata
from kit.events.consumer import inbox_table
from kit.events.outbox import outbox_table

SCHEMA = "sla"
metadata = schema_metadata(SCHEMA)

policies = Table(
    "policies",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("priority", String(10), nullable=False, unique=True),
    Column("response_minutes", Integer, nullable=False),
    Column("resolution_minutes", Integer, nullable=False),
    Column("warn_ratio", Float, nullable=False, server_default="0.8"),
)

clocks = Table(
    "clocks",
    metadata,
    Column("ticket_id", UUID(as_uuid=True), primary_key=True),
    Column("policy_id", UUID(as_uuid=True), nullable=False),
    Column("priority", String(10), nullable=False),
    Column("group_id", UUID(as_uuid=True)),
    Column("category_id", UUID(as_uuid=True)),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("response_due_at", DateTime(timezone=True), nullable=False),
    Column("resolution_due_at", DateTime(timezone=True), nullable=False),
    Column("warn_at", DateTime(timezone=True), nullable=False),
    Column("state", String(20), nullable=False, server_default="running"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_clocks_resolution_due_at", "resolution_due_at"),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
