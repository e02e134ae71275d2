"""The tickets REST API under /api/v1."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response

from kit.errors import Forbidden
from kit.http import CurrentUser
from tickets import service
from tickets.clients import RoutingClient, SlaClient
from tickets.schemas import TicketCreate, TicketPage, TicketRead

router = APIRouter(prefix="/api/v1", tags=["tickets"])
CREATORS = ("requester", "agent", "group_lead", "admin")


@router.post("/tickets", status_code=201, response_model=TicketRead)
async def create_ticket(
    request: Request,
    response: Response,
    body: TicketCreate,
    principal: CurrentUser,
    idempotency_key: Annotated[str | None, Header(max_length=100)] = None,
) -> TicketRead:
    """File a request. It is routed to the group owning its category; a repeated
    Idempotency-Key answers the ticket the first request created (200)."""
    if not principal.has_any(*CREATORS):
        raise Forbidden("your roles do not allow filing requests")
    state = request.app.state
    routing: RoutingClient = state.routing
    decision = await routing.route(
        category_id=body.category_id,
        priority=body.priority,
        requester_id=principal.user_id,
        department_id=principal.department_id,
        token=principal.token,
    )
    async with state.runtime.db.begin() as session:
        ticket, created = await service.create_ticket(
            session=session,
            data=body,
            requester=principal,
            routing=decision,
            idempotency_key=idempotency_key,
        )
    if created:
        state.relay.wake()
    else:
        response.status_code = 200
    response.headers["Location"] = f"/api/v1/tickets/{ticket.id}"
    return ticket


@router.get("/tickets/{ticket_id}", response_model=TicketRead)
async def get_ticket(request: Request, ticket_id: uuid.UUID, principal: CurrentUser) -> TicketRead:
    """One ticket with its SLA due times; 404 when it does not exist or is not yours to see."""
    state = request.app.state
    async with state.runtime.db.read() as session:
        ticket = await service.get_ticket(session=session, ticket_id=ticket_id, viewer=principal)
    sla: SlaClient = state.sla
    ticket.sla = (await sla.due_times([ticket.id], principal.token)).get(ticket.id)
    return ticket


@router.get("/tickets", response_model=TicketPage)
async def list_tickets(
    request: Request,
    principal: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> TicketPage:
    """The tickets the caller may see, newest first: a requester's own, an agent's groups'."""
    state = request.app.state
    async with state.runtime.db.read() as session:
        items, next_cursor = await service.list_tickets(
            session=session, viewer=principal, limit=limit, cursor=cursor
        )
    sla: SlaClient = state.sla
    clocks = await sla.due_times([t.id for t in items], principal.token)
    for t in items:
        t.sla = clocks.get(t.id)
    return TicketPage(items=items, next_cursor=next_cursor)
