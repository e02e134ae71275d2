"""Tables of the tickets schema."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import UUID

from kit.db import schema_metadata
from kit.events.consumer import inbox_table
from kit.events.outbox import outbox_table

SCHEMA = "tickets"
metadata = schema_metadata(SCHEMA)

tickets = Table(
    "tickets",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("number", BigInteger, Identity(), nullable=False, unique=True),
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=False),
    Column("category_id", UUID(as_uuid=True), nullable=False),
    Column("priority", String(10), nullable=False),
    Column("status", String(20), nullable=False),
    Column("requester_id", UUID(as_uuid=True), nullable=False),
    Column("department_id", UUID(as_uuid=True)),
    Column("group_id", UUID(as_uuid=True)),  # NULL: not routed yet
    Column("assignee_id", UUID(as_uuid=True)),
    Column("idempotency_key", String(100)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("version", Integer, nullable=False, server_default="1"),
    CheckConstraint("priority IN ('low', 'normal', 'high')", name="priority"),
    CheckConstraint(
        "status IN ('new', 'assigned', 'in_progress', 'pending', 'resolved', 'closed', 'reopened')",
        name="status",
    ),
    UniqueConstraint("requester_id", "idempotency_key", name="uq_tickets_requester_idempotency"),
    Index("ix_tickets_requester_created", "requester_id", "created_at"),
    Index("ix_tickets_group_created", "group_id", "created_at"),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
