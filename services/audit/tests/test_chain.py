from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from audit.chain import GENESIS, canonical_body, link
from helpdesk.events.v1 import tickets_pb2
from kit.events.envelope import new_event


def event(title: str = "Printer jam") -> object:
    return new_event(
        "tickets.ticket.created",
        "t-1",
        tickets_pb2.TicketCreated(ticket_id="t-1", title=title),
        actor_id="u-1",
        actor_roles=["requester"],
        at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    )


def test_canonical_body_is_sorted_compact_json_without_trace_context() -> None:
    body = canonical_body(event())  # type: ignore[arg-type]
    assert body.startswith('{"actor":{"roles":["requester"],"user_id":"u-1"}')
    assert " " not in body.replace("Printer jam", "")
    assert "trace" not in body
    assert '"title":"Printer jam"' in body


def test_each_hash_covers_the_previous_one() -> None:
    body = canonical_body(event())  # type: ignore[arg-type]
    first = link(GENESIS, body)
    assert len(first) == 64
    assert link(first, body) != first
    assert link(GENESIS, body) == first


@given(st.text(min_size=1, max_size=50), st.text(min_size=1, max_size=50))
def test_any_change_of_content_changes_the_hash(a: str, b: str) -> None:
    body_a = canonical_body(event(a))  # type: ignore[arg-type]
    body_b = canonical_body(event(b))  # type: ignore[arg-type]
    assert (link(GENESIS, body_a) == link(GENESIS, body_b)) == (body_a == body_b)
