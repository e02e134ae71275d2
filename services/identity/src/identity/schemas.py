"""Shapes of identity's public API."""

from __future__ import annotations

import uuid

from pydantic import BaseModel


class TokenRead(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class GroupRead(BaseModel):
    id: uuid.UUID
    key: str
    name: str


class UserRead(BaseModel):
    id: uuid.UUID
    username: str
    display_name: str
    email: str
    department_id: uuid.UUID | None
    roles: list[str]
    groups: list[GroupRead]
    active: bool


class GroupPage(BaseModel):
    items: list[GroupRead]
