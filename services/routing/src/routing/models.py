"""Tables of the routing schema."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Integer, String, Table, Text, func
from sqlalchemy.dialects.postgresql import UUID

from kit.db import schema_metadata
from kit.events.consumer import inbox_table
from kit.events.outbox import outbox_table

SCHEMA = "routing"
metadata = schema_metadata(SCHEMA)

categories = Table(
    "categories",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("key", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    Column("group_id", UUID(as_uuid=True), nullable=False),  # identity's group, by id only
    Column("active", Boolean, nullable=False, server_default="true"),
    Column("position", Integer, nullable=False, server_default="0"),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
