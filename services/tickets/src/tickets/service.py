"""Ticket use cases: plain functions over a session; the caller owns the transaction."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.sql import ColumnElement

from helpdesk.events.v1 import routing_pb2, tickets_pb2
from kit.auth import Principal
from kit.db import Session
from kit.errors import Invalid, NotFound
from kit.events.envelope import Envelope, new_event, timestamp, unpack
from kit.events.outbox import add_events
from kit.ids import new_id
from tickets.models import outbox, tickets
from tickets.schemas import TicketCreate, TicketRead


@dataclass(frozen=True)
class Routing:
    """Where routing sent the ticket; group None means routing did not answer in time."""

    group_id: uuid.UUID | None
    assignee_id: uuid.UUID | None = None


def ticket_number(n: int) -> str:
    return f"HD-{n:06d}"


def _read(row: Any) -> TicketRead:
    data = dict(row._mapping)
    data["number"] = ticket_number(data["number"])
    return TicketRead.model_validate(data)


def _uuid_or_none(value: str) -> uuid.UUID | None:
    return uuid.UUID(value) if value else None


async def create_ticket(
    *,
    session: Session,
    data: TicketCreate,
    requester: Principal,
    routing: Routing,
    idempotency_key: str | None = None,
) -> tuple[TicketRead, bool]:
    """Store a new ticket and its `tickets.ticket.created` event; returns (ticket, created).
    With an idempotency key already used by this requester, answers the first ticket instead."""
    ticket_id = new_id()
    status = "assigned" if routing.assignee_id else "new"
    values = {
        "id": ticket_id,
        "title": data.title,
        "description": data.description,
        "category_id": data.category_id,
        "priority": data.priority,
        "status": status,
        "requester_id": uuid.UUID(requester.user_id),
        "department_id": _uuid_or_none(requester.department_id),
        "group_id": routing.group_id,
        "assignee_id": routing.assignee_id,
        "idempotency_key": idempotency_key,
    }
    stmt = insert(tickets).values(**values)
    if idempotency_key:
        stmt = stmt.on_conflict_do_nothing(constraint="uq_tickets_requester_idempotency")
    row = (await session.execute(stmt.returning(*tickets.c))).first()
    if row is None:
        existing = (
            await session.execute(
                select(tickets).where(
                    tickets.c.requester_id == values["requester_id"],
                    tickets.c.idempotency_key == idempotency_key,
                )
            )
        ).one()
        return _read(existing), False
    ticket = _read(row)
    payload = tickets_pb2.TicketCreated(
        ticket_id=str(ticket.id),
        number=ticket.number,
        title=ticket.title,
        category_id=str(ticket.category_id),
        priority=ticket.priority,
        requester_id=str(ticket.requester_id),
        group_id=str(ticket.group_id or ""),
        assignee_id=str(ticket.assignee_id or ""),
        status=ticket.status,
        department_id=str(ticket.department_id or ""),
    )
    payload.created_at.CopyFrom(timestamp(ticket.created_at))
    event = new_event(
        "tickets.ticket.created",
        ticket.id,
        payload,
        actor_id=requester.user_id,
        actor_roles=sorted(requester.roles),
        at=ticket.created_at,
    )
    await add_events(session, outbox, event)
    return ticket, True


def visible_to(viewer: Principal) -> ColumnElement[bool] | None:
    """The tickets a viewer may see: an admin all; anyone their own; agents and leads their
    groups' queues. None means no restriction."""
    if "admin" in viewer.roles:
        return None
    own = tickets.c.requester_id == uuid.UUID(viewer.user_id)
    if viewer.has_any("agent", "group_lead") and viewer.group_ids:
        return or_(own, tickets.c.group_id.in_([uuid.UUID(g) for g in viewer.group_ids]))
    return own


async def get_ticket(*, session: Session, ticket_id: uuid.UUID, viewer: Principal) -> TicketRead:
    """One ticket, if the viewer may see it; otherwise NotFound (its existence is not revealed)."""
    query = select(tickets).where(tickets.c.id == ticket_id)
    scope = visible_to(viewer)
    if scope is not None:
        query = query.where(scope)
    row = (await session.execute(query)).first()
    if row is None:
        raise NotFound(f"ticket {ticket_id} not found")
    return _read(row)


def encode_cursor(ticket: TicketRead) -> str:
    raw = f"{ticket.created_at.isoformat()}|{ticket.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        created, _, ident = raw.partition("|")
        return datetime.fromisoformat(created), uuid.UUID(ident)
    except (ValueError, UnicodeDecodeError):
        raise Invalid(
            "cursor is not one this API issued",
            errors=[{"loc": ["query", "cursor"], "msg": "invalid cursor"}],
        ) from None


async def list_tickets(
    *, session: Session, viewer: Principal, limit: int = 50, cursor: str | None = None
) -> tuple[list[TicketRead], str | None]:
    """The viewer's visible tickets, newest first, one keyset page at a time."""
    query = (
        select(tickets).order_by(tickets.c.created_at.desc(), tickets.c.id.desc()).limit(limit + 1)
    )
    scope = visible_to(viewer)
    if scope is not None:
        query = query.where(scope)
    if cursor:
        created, ident = decode_cursor(cursor)
        query = query.where(tuple_(tickets.c.created_at, tickets.c.id) < tuple_(created, ident))
    rows = [_read(r) for r in await session.execute(query)]
    more = len(rows) > limit
    page = rows[:limit]
    return page, encode_cursor(page[-1]) if more and page else None


async def apply_routing(*, session: Session, events: Sequence[Envelope]) -> int:
    """Give tickets accepted unrouted the group routing has since decided; a ticket that already
    has a group keeps it. Returns how many tickets changed."""
    changed = 0
    for env in events:
        routed = unpack(env, routing_pb2.TicketRouted)
        assignee = uuid.UUID(routed.assignee_id) if routed.assignee_id else None
        result = await session.execute(
            update(tickets)
            .where(tickets.c.id == uuid.UUID(routed.ticket_id), tickets.c.group_id.is_(None))
            .values(
                group_id=uuid.UUID(routed.group_id),
                assignee_id=assignee,
                status="assigned" if assignee else tickets.c.status,
                updated_at=func.now(),
                version=tickets.c.version + 1,
            )
        )
        changed += result.rowcount
    return changed
