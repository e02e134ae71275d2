"""Routing use cases: which group owns a new ticket."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from helpdesk.events.v1 import routing_pb2, tickets_pb2
from kit.db import Session
from kit.errors import NotFound
from kit.events.envelope import Envelope, new_event, unpack
from kit.events.outbox import add_events
from kit.ids import seed_id
from routing.models import categories, outbox
from routing.schemas import CategoryRead

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Decision:
    group_id: uuid.UUID
    assignee_id: uuid.UUID | None
    category_name: str
    rule: str


async def get_category(*, session: Session, category_id: uuid.UUID) -> CategoryRead | None:
    """One active category, or None."""
    row = (
        await session.execute(
            select(categories).where(categories.c.id == category_id, categories.c.active)
        )
    ).first()
    return CategoryRead.model_validate(row._mapping) if row else None


async def route_unrouted(*, session: Session, events: Sequence[Envelope]) -> int:
    """Route tickets that were accepted without a group because Route did not answer in time;
    each decision is published as `routing.ticket.routed`. Returns how many were routed."""
    routed = []
    for env in events:
        created = unpack(env, tickets_pb2.TicketCreated)
        if created.group_id:
            continue  # routed when it was filed
        category_id = uuid.UUID(created.category_id)
        try:
            decision = route(
                await get_category(session=session, category_id=category_id), category_id
            )
        except NotFound:
            log.warning(
                "cannot route ticket: unknown category", extra={"ticket_id": created.ticket_id}
            )
            continue
        payload = routing_pb2.TicketRouted(
            ticket_id=created.ticket_id,
            category_id=created.category_id,
            group_id=str(decision.group_id),
            assignee_id=str(decision.assignee_id or ""),
            rule=decision.rule,
        )
        routed.append(new_event("routing.ticket.routed", created.ticket_id, payload))
    await add_events(session, outbox, *routed)
    return len(routed)


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
