"""Shapes of sla's public API."""

from __future__ import annotations

import uuid

from pydantic import BaseModel


class PolicyRead(BaseModel):
    id: uuid.UUID
    priority: str
    response_minutes: int
    resolution_minutes: int
    warn_ratio: float


class PolicyPage(BaseModel):
    items: list[PolicyRead]
