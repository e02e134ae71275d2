"""Shapes of audit's public API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel


class EntryRead(BaseModel):
    seq: int
    event_id: uuid.UUID
    type: str
    entity_id: str
    actor_id: str
    occurred_at: datetime
    recorded_at: datetime
    prev_hash: str
    hash: str
    event: dict[str, Any]


class EntryPage(BaseModel):
    items: list[EntryRead]
    next_cursor: str | None


class VerifyReport(BaseModel):
    ok: bool
    entries_checked: int
    checkpoints_checked: int
    head_seq: int | None
    head_hash: str | None
    first_bad_seq: int | None = None
    problem: str | None = None
