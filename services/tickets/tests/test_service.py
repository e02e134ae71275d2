from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlalchemy.dialects import postgresql

from kit.auth import Principal
from kit.errors import Invalid
from tickets.schemas import TicketCreate, TicketRead
from tickets.service import decode_cursor, encode_cursor, ticket_number, visible_to


def principal(*roles: str, groups: tuple[str, ...] = ()) -> Principal:
    return Principal(
        user_id=str(uuid.uuid4()),
        username="u",
        roles=frozenset(roles),
        group_ids=frozenset(groups),
        department_id="",
        token="t",
    )


def sql(p: Principal) -> str:
    clause = visible_to(p)
    return "" if clause is None else str(clause.compile(dialect=postgresql.dialect()))


def test_visibility() -> None:
    assert visible_to(principal("admin")) is None
    assert sql(principal("requester")) == "tickets.tickets.requester_id = %(requester_id_1)s::UUID"
    agent = sql(principal("agent", groups=(str(uuid.uuid4()),)))
    assert "requester_id" in agent and "group_id IN" in agent
    # An agent without groups sees only their own requests.
    assert "group_id" not in sql(principal("agent"))


@given(st.datetimes(timezones=st.just(UTC)), st.uuids())
def test_cursor_round_trips(created: datetime, ident: uuid.UUID) -> None:
    ticket = TicketRead(
        id=ident,
        number="HD-000001",
        title="t",
        description="d",
        category_id=ident,
        priority="low",
        status="new",
        requester_id=ident,
        department_id=None,
        group_id=None,
        assignee_id=None,
        created_at=created,
        updated_at=created,
        version=1,
    )
    assert decode_cursor(encode_cursor(ticket)) == (created, ident)


@pytest.mark.parametrize("bad", ["", "!!!", "bm90IGEgY3Vyc29y"])
def test_foreign_cursors_are_refused(bad: str) -> None:
    with pytest.raises(Invalid):
        decode_cursor(bad)


def test_ticket_numbers_are_padded() -> None:
    assert ticket_number(42) == "HD-000042"


def test_create_shape_trims_and_rejects() -> None:
    ok = TicketCreate(title="  Broken PC  ", description=" d ", category_id=uuid.uuid4())
    assert (ok.title, ok.priority) == ("Broken PC", "normal")
    for bad in ({"title": "ab"}, {"priority": "urgent"}, {"unexpected": 1}, {"description": "   "}):
        with pytest.raises(ValidationError):
            TicketCreate(
                **{"title": "Broken PC", "description": "d", "category_id": uuid.uuid4(), **bad}
            )
