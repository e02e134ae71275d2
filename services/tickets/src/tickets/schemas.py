"""Shapes of the tickets API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Priority = Literal["low", "normal", "high"]


class TicketCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)]
    description: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)
    ]
    category_id: uuid.UUID
    priority: Priority = "normal"


class SlaRead(BaseModel):
    policy_id: str
    response_due_at: datetime
    resolution_due_at: datetime
    state: str


class TicketRead(BaseModel):
    id: uuid.UUID
    number: str
    title: str
    description: str
    category_id: uuid.UUID
    priority: Priority
    status: str
    requester_id: uuid.UUID
    department_id: uuid.UUID | None
    group_id: uuid.UUID | None = Field(
        description="the group that owns the ticket; null while unrouted"
    )
    assignee_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
    version: int
    sla: SlaRead | None = Field(
        default=None, description="due times; null until sla has started the clocks"
    )


class TicketPage(BaseModel):
    items: list[TicketRead]
    next_cursor: str | None = Field(
        description="pass as ?cursor= for the next page; null on the last"
    )
