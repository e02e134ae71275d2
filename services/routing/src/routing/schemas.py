"""Shapes of routing's public API."""

from __future__ import annotations

import uuid

from pydantic import BaseModel


class CategoryRead(BaseModel):
    id: uuid.UUID
    key: str
    name: str
    description: str
    group_id: uuid.UUID


class CategoryPage(BaseModel):
    items: list[CategoryRead]
