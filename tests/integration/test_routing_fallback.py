"""A request is never lost: with routing down, the ticket is accepted without a group, and
routed from its event once routing is back."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support import wait_for


def test_ticket_filed_while_routing_is_down_is_routed_afterwards(
    stack: Any, api: httpx.Client, login: Any
) -> None:
    h = login("employee")
    category = next(
        c
        for c in api.get("/categories", headers=h).json()["items"]
        if c["name"] == "Payroll question"
    )
    routing = stack.services["routing"]
    routing.proc.terminate()
    routing.proc.wait(15)
    try:
        resp = api.post(
            "/tickets",
            headers=h,
            json={
                "title": "Salary missing",
                "description": "November",
                "category_id": category["id"],
                "priority": "high",
            },
        )
        assert resp.status_code == 201, resp.text
        ticket = resp.json()
        assert ticket["group_id"] is None
    finally:
        stack._spawn("routing")
        wait_for(lambda: _ready(routing.url), lambda ok: ok, timeout=60)
        # tickets' channel reconnects by itself (within its 1 s reconnect backoff): new requests
        # are routed when filed again.
        probe = {"title": "Probe", "description": "d", "category_id": category["id"]}
        wait_for(
            lambda: api.post("/tickets", headers=login("agent.supply"), json=probe).json()[
                "group_id"
            ],
            lambda group: group == category["group_id"],
            timeout=10,
        )
    routed = wait_for(
        lambda: api.get(f"/tickets/{ticket['id']}", headers=h).json(),
        lambda t: t["group_id"] is not None,
        timeout=30,
    )
    assert routed["group_id"] == category["group_id"]
    assert routed["version"] == 2
    # The HR agent now sees it in their queue; the routing decision is in the audit log.
    assert api.get(f"/tickets/{ticket['id']}", headers=login("agent.hr")).status_code == 200
    entries = wait_for(
        lambda: api.get(
            "/audit/entries", params={"ticket_id": ticket["id"]}, headers=login("auditor")
        ).json()["items"],
        lambda items: any(e["type"] == "routing.ticket.routed" for e in items),
    )
    routed_entry = next(e for e in entries if e["type"] == "routing.ticket.routed")
    assert routed_entry["event"]["payload"]["group_id"] == category["group_id"]


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
