"""SLA use cases: start clocks for new tickets, answer due times."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from helpdesk.events.v1 import sla_pb2, tickets_pb2
from kit.db import Session
from kit.events.envelope import Envelope, from_timestamp, new_event, timestamp, unpack
from kit.events.outbox import add_events
from kit.ids import seed_id
from sla.models import clocks, outbox, policies
from sla.schemas import PolicyRead


@dataclass(frozen=True)
class Clock:
    ticket_id: uuid.UUID
    policy_id: uuid.UUID
    response_due_at: datetime
    resolution_due_at: datetime
    warn_at: datetime

    def state(self, now: datetime) -> str:
        if now >= self.resolution_due_at:
            return "breached"
        if now >= self.warn_at:
            return "warning"
        return "on_track"


def plan_clock(policy: PolicyRead, ticket_id: uuid.UUID, started_at: datetime) -> Clock:
    """Due times for a ticket under a policy. Targets count wall-clock time for now; business
    calendars (working hours, holidays) replace this function's arithmetic later."""
    resolution = timedelta(minutes=policy.resolution_minutes)
    return Clock(
        ticket_id=ticket_id,
        policy_id=policy.id,
        response_due_at=started_at + timedelta(minutes=policy.response_minutes),
        resolution_due_at=started_at + resolution,
        warn_at=started_at + resolution * policy.warn_ratio,
    )


async def list_policies(*, session: Session) -> list[PolicyRead]:
    rows = await session.execute(select(policies).order_by(policies.c.resolution_minutes))
    return [PolicyRead.model_validate(r._mapping) for r in rows]


async def start_clocks(*, session: Session, events: Sequence[Envelope]) -> int:
    """Start response and resolution clocks for each `tickets.ticket.created`; returns how many."""
    by_priority = {p.priority: p for p in await list_policies(session=session)}
    rows: list[dict[str, Any]] = []
    started: list[Envelope] = []
    for env in events:
        created = unpack(env, tickets_pb2.TicketCreated)
        policy = by_priority.get(created.priority)
        if policy is None:
            continue  # no policy for this priority: no clock, nothing to breach
        clock = plan_clock(policy, uuid.UUID(created.ticket_id), from_timestamp(created.created_at))
        rows.append(
            {
                "ticket_id": clock.ticket_id,
                "policy_id": clock.policy_id,
                "priority": created.priority,
                "group_id": uuid.UUID(created.group_id) if created.group_id else None,
                "category_id": uuid.UUID(created.category_id) if created.category_id else None,
                "started_at": from_timestamp(created.created_at),
                "response_due_at": clock.response_due_at,
                "resolution_due_at": clock.resolution_due_at,
                "warn_at": clock.warn_at,
            }
        )
        payload = sla_pb2.SlaClocksStarted(
            ticket_id=created.ticket_id,
            policy_id=str(policy.id),
            priority=created.priority,
        )
        payload.response_due_at.CopyFrom(timestamp(clock.response_due_at))
        payload.resolution_due_at.CopyFrom(timestamp(clock.resolution_due_at))
        started.append(new_event("sla.clocks.started", created.ticket_id, payload))
    if rows:
        await session.execute(
            insert(clocks).values(rows).on_conflict_do_nothing(index_elements=["ticket_id"])
        )
        await add_events(session, outbox, *started)
    return len(rows)


async def get_clocks(*, session: Session, ticket_ids: Sequence[uuid.UUID]) -> list[Clock]:
    rows = await session.execute(
        select(
            clocks.c.ticket_id,
            clocks.c.policy_id,
            clocks.c.response_due_at,
            clocks.c.resolution_due_at,
            clocks.c.warn_at,
        ).where(clocks.c.ticket_id.in_(list(ticket_ids)))
    )
    return [Clock(**r._mapping) for r in rows]


async def seed_policies(*, session: Session, org: dict[str, Any]) -> None:
    """Upsert one policy per priority from the organisation file."""
    for p in org.get("sla_policies", []):
        values = {
            "id": seed_id("sla-policy", p["priority"]),
            "priority": p["priority"],
            "response_minutes": p["response_minutes"],
            "resolution_minutes": p["resolution_minutes"],
            "warn_ratio": p.get("warn_ratio", 0.8),
        }
        stmt = insert(policies).values(**values)
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=["priority"], set_={k: v for k, v in values.items() if k != "id"}
            )
        )
