"""Events on the real JetStream: duplicates are dropped by the broker and, failing that, by each
consumer's inbox; an event is applied once."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import nats
import psycopg
from nats.js.api import DeliverPolicy

from helpdesk.events.v1 import tickets_pb2
from kit.events.envelope import Envelope, new_event
from stack.bootstrap import DATABASE
from tests.support import wait_for


def created_event(group_id: str) -> Any:
    ticket_id = str(uuid.uuid4())
    payload = tickets_pb2.TicketCreated(
        ticket_id=ticket_id,
        number="HD-999999",
        title="Replayed",
        priority="normal",
        group_id=group_id,
        status="new",
    )
    payload.created_at.GetCurrentTime()
    return new_event("tickets.ticket.created", ticket_id, payload)


async def test_a_redelivered_event_is_applied_once(
    stack: Any, api: httpx.Client, login: Any
) -> None:
    group = api.get("/groups", headers=login("employee")).json()["items"][0]["id"]
    env = created_event(group)
    nc = await nats.connect(stack.nats_url)
    try:
        js = nc.jetstream()
        first = await js.publish(
            env.type, env.SerializeToString(), headers={"Nats-Msg-Id": env.event_id}
        )
        same_id = await js.publish(
            env.type, env.SerializeToString(), headers={"Nats-Msg-Id": env.event_id}
        )
        assert same_id.duplicate and not first.duplicate
        # The same event under another message id gets past the broker, as after a relay crash
        # outside the duplicate window: the consumers' inboxes must still apply it once.
        await js.publish(
            env.type, env.SerializeToString(), headers={"Nats-Msg-Id": str(uuid.uuid4())}
        )
    finally:
        await nc.close()

    with psycopg.connect(
        stack.admin_url().rsplit("/", 1)[0] + "/" + DATABASE, autocommit=True
    ) as conn:

        def counts() -> tuple[int, int, int]:
            audit = conn.execute(
                "SELECT count(*) FROM audit.entries WHERE event_id = %s", (env.event_id,)
            ).fetchone()
            clocks = conn.execute(
                "SELECT count(*) FROM sla.clocks WHERE ticket_id = %s", (env.entity_id,)
            ).fetchone()
            seen = conn.execute(
                "SELECT count(*) FROM audit.inbox WHERE event_id = %s", (env.event_id,)
            ).fetchone()
            return audit[0], clocks[0], seen[0]  # type: ignore[index]

        wait_for(counts, lambda c: c[0] == 1 and c[1] == 1)
        # Once every consumer has acknowledged everything, the duplicate has been seen: look again.
        wait_for(lambda: _pending(stack), lambda p: p == 0)
        assert counts() == (1, 1, 1)


def _pending(stack: Any) -> int:
    """Messages not yet acknowledged by any consumer of the TICKETS stream."""
    info = httpx.get(
        f"http://127.0.0.1:{stack.nats.monitor_port}/jsz",
        params={"consumers": "true", "streams": "true"},
        timeout=5,
    ).json()
    total = 0
    for account in info.get("account_details", []):
        for stream in account.get("stream_detail", []):
            for consumer in stream.get("consumer_detail", []):
                total += consumer.get("num_pending", 0) + consumer.get("num_ack_pending", 0)
    return total


async def test_the_trace_travels_from_http_to_the_event(
    stack: Any, api: httpx.Client, login: Any
) -> None:
    trace_id = uuid.uuid4().hex
    h = {**login("employee"), "traceparent": f"00-{trace_id}-{uuid.uuid4().hex[:16]}-01"}
    category = api.get("/categories", headers=h).json()["items"][0]
    ticket = api.post(
        "/tickets",
        headers=h,
        json={"title": "Traced", "description": "d", "category_id": category["id"]},
    ).json()

    nc = await nats.connect(stack.nats_url)
    try:
        js = nc.jetstream()
        # The relay publishes after the commit: read from the latest message on until this
        # ticket's event arrives.
        sub = await js.subscribe(
            "tickets.ticket.created", ordered_consumer=True, deliver_policy=DeliverPolicy.LAST
        )
        env = Envelope()
        for _ in range(100):
            msg = await sub.next_msg(timeout=10)
            env.ParseFromString(msg.data)
            if env.entity_id == ticket["id"]:
                break
        await sub.unsubscribe()
    finally:
        await nc.close()
    assert env.entity_id == ticket["id"]
    assert msg.headers is not None
    assert msg.headers["Nats-Msg-Id"] == env.event_id
    assert msg.headers["traceparent"].split("-")[1] == trace_id
    assert env.trace_context["traceparent"].split("-")[1] == trace_id
