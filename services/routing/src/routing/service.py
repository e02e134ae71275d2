"""Routing use cases: which group owns a new ticket."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

from kit.db import Session
from kit.errors import NotFound
from kit.ids import seed_id
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from routing.models import categories
from routing.schemas import CategoryRead


@dataclass(frozen=True)
class Decision:
    group_id: uuid.UUID
    assignee_id: uuid.UUID | None
    category_name: str
    rule: str


async def list_categories(*, session: Session) -> list[CategoryRead]:
    """Active categories in display order."""
    rows = await session.execute(
        select(categories)
        .where(categories.c.active)
        .order_by(categories.c.position, categories.c.name)
    )
    return [CategoryRead.model_validate(r._mapping) for r in rows]


def route(category: CategoryRead | None, category_id: uuid.UUID) -> Decision:
    """A ticket goes to the group that owns its category (rules by department etc. come later)."""
    if category is None:
        raise NotFound(f"no active category {category_id}")
    return Decision(
        group_id=category.group_id,
        assignee_id=None,
        category_name=category.name,
        rule="category-owner",
    )


class CategoryCache:
    """Categories change a few times a year and are asked for on every new ticket: Route reads
    them from memory, refreshed after `ttl_s` (and at once on an unknown id)."""

    def __init__(self, ttl_s: float) -> None:
        self.ttl_s = ttl_s
        self._by_id: dict[uuid.UUID, CategoryRead] = {}
        self._loaded_at = float("-inf")

    async def get(self, session_factory: Any, category_id: uuid.UUID) -> CategoryRead | None:
        stale = time.monotonic() - self._loaded_at > self.ttl_s
        if stale or category_id not in self._by_id:
            async with session_factory() as session:
                self._by_id = {c.id: c for c in await list_categories(session=session)}
            self._loaded_at = time.monotonic()
        return self._by_id.get(category_id)


async def seed_categories(*, session: Session, org: dict[str, Any]) -> None:
    """Upsert the organisation file's categories, each owned by its group."""
    for position, c in enumerate(org.get("categories", [])):
        values = {
            "id": seed_id("category", c["key"]),
            "key": c["key"],
            "name": c["name"],
            "description": c.get("description", ""),
            "group_id": seed_id("group", c["group"]),
            "position": position,
        }
        stmt = insert(categories).values(**values)
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=["id"], set_={k: v for k, v in values.items() if k != "id"}
            )
        )
