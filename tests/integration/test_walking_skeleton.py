"""One request travels through all five services: REST in, gRPC between, events on JetStream."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.support import wait_for

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def catalog(api: httpx.Client, login: Any) -> dict[str, Any]:
    h = login("employee")
    cats = {c["name"]: c for c in api.get("/categories", headers=h).json()["items"]}
    groups = {g["name"]: g["id"] for g in api.get("/groups", headers=h).json()["items"]}
    return {"categories": cats, "groups": groups}


def file_ticket(
    api: httpx.Client, headers: dict[str, str], category_id: str, **extra: Any
) -> httpx.Response:
    body = {
        "title": "Test request",
        "description": "Details of the request",
        "category_id": category_id,
        "priority": "normal",
        **extra,
    }
    return api.post("/tickets", json=body, headers=headers)


@pytest.mark.parametrize(
    ("category", "group"),
    [("Computer not working", "IT"), ("Office supplies", "Supply"), ("Payroll question", "HR")],
)
def test_request_lands_with_the_group_owning_its_category(
    api: httpx.Client, login: Any, catalog: dict[str, Any], category: str, group: str
) -> None:
    resp = file_ticket(
        api, login("employee"), catalog["categories"][category]["id"], priority="high"
    )
    assert resp.status_code == 201, resp.text
    ticket = resp.json()
    assert ticket["group_id"] == catalog["groups"][group]
    assert ticket["status"] == "new"
    assert ticket["number"].startswith("HD-")
    assert resp.headers["location"] == f"/api/v1/tickets/{ticket['id']}"


def test_sla_due_times_and_audit_entries_appear(
    api: httpx.Client, login: Any, catalog: dict[str, Any]
) -> None:
    h = login("employee")
    ticket = file_ticket(
        api, h, catalog["categories"]["Office supplies"]["id"], priority="high"
    ).json()
    read = wait_for(
        lambda: api.get(f"/tickets/{ticket['id']}", headers=h).json(),
        lambda t: t["sla"] is not None,
    )
    created = datetime.fromisoformat(read["created_at"])
    # The demo policy for "high": respond within 30 minutes, resolve within 4 hours.
    assert datetime.fromisoformat(read["sla"]["response_due_at"]) - created == timedelta(minutes=30)
    assert datetime.fromisoformat(read["sla"]["resolution_due_at"]) - created == timedelta(hours=4)
    assert read["sla"]["state"] == "on_track"

    auditor = login("auditor")
    entries = wait_for(
        lambda: api.get(
            "/audit/entries", params={"ticket_id": ticket["id"]}, headers=auditor
        ).json()["items"],
        lambda items: (
            {e["type"] for e in items} >= {"tickets.ticket.created", "sla.clocks.started"}
        ),
    )
    created_entry = next(e for e in entries if e["type"] == "tickets.ticket.created")
    assert created_entry["actor_id"] == read["requester_id"]
    assert created_entry["event"]["payload"]["title"] == "Test request"
    report = api.get("/audit/verify", headers=auditor).json()
    assert report["ok"] is True, report
    assert report["entries_checked"] >= 2


def test_login_events_are_audited(api: httpx.Client, login: Any, stack: Any) -> None:
    bad = api.post("/auth/token", data={"username": "employee", "password": "wrong password"})
    assert bad.status_code == 401
    auditor = login("auditor")
    wait_for(
        lambda: api.get("/audit/entries", params={"limit": 500}, headers=auditor).json()["items"],
        lambda items: any(e["type"] == "identity.login.failed" for e in items),
    )


def test_wrong_password_is_a_401_problem(api: httpx.Client) -> None:
    resp = api.post("/auth/token", data={"username": "employee", "password": "not-it"})
    assert resp.status_code == 401
    assert resp.headers["content-type"] == PROBLEM
    assert resp.json()["status"] == 401
    assert "access_token" not in resp.json()
    unknown = api.post("/auth/token", data={"username": "nobody", "password": "x"})
    assert unknown.status_code == 401


def test_missing_or_bad_token_is_a_401_problem(api: httpx.Client) -> None:
    assert api.get("/tickets").status_code == 401
    resp = api.get("/tickets", headers={"Authorization": "Bearer not.a.token"})
    assert resp.status_code == 401
    assert resp.headers["content-type"] == PROBLEM


def my_ticket_ids(api: httpx.Client, headers: dict[str, str]) -> set[str]:
    ids: set[str] = set()
    cursor = None
    for _ in range(100):
        params = {"limit": 200, **({"cursor": cursor} if cursor else {})}
        page = api.get("/tickets", params=params, headers=headers).json()
        ids |= {t["id"] for t in page["items"]}
        cursor = page["next_cursor"]
        if not cursor:
            return ids
    raise AssertionError("pagination did not end")


@pytest.mark.parametrize(
    "body",
    [
        {"title": "x"},
        {"title": "Valid title", "description": "d", "category_id": "not-a-uuid"},
        {
            "title": "Valid title",
            "description": "d",
            "category_id": str(uuid.uuid4()),
            "priority": "urgent",
        },
        {"title": "Valid title", "description": "d", "category_id": str(uuid.uuid4()), "extra": 1},
    ],
)
def test_malformed_body_is_a_422_problem_and_stores_nothing(
    api: httpx.Client, login: Any, body: dict[str, Any]
) -> None:
    h = login("employee")
    before = my_ticket_ids(api, h)
    resp = api.post("/tickets", json=body, headers=h)
    assert resp.status_code == 422
    assert resp.headers["content-type"] == PROBLEM
    problem = resp.json()
    assert problem["errors"], problem
    assert all("loc" in e and "msg" in e for e in problem["errors"])
    assert my_ticket_ids(api, h) == before


def test_unknown_category_is_a_422_naming_the_field(api: httpx.Client, login: Any) -> None:
    h = login("employee")
    before = my_ticket_ids(api, h)
    resp = file_ticket(api, h, str(uuid.uuid4()))
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["loc"] == ["body", "category_id"]
    assert my_ticket_ids(api, h) == before


def test_not_json_at_all_is_a_422_problem(api: httpx.Client, login: Any) -> None:
    h = {**login("employee"), "content-type": "application/json"}
    resp = api.post("/tickets", content=b"{not json", headers=h)
    assert resp.status_code == 422
    assert resp.headers["content-type"] == PROBLEM


def test_requester_cannot_read_another_requesters_ticket(
    api: httpx.Client, login: Any, catalog: dict[str, Any]
) -> None:
    # agent.hr files a request of their own, as any employee may.
    theirs = file_ticket(
        api, login("agent.hr"), catalog["categories"]["Office supplies"]["id"]
    ).json()
    resp = api.get(f"/tickets/{theirs['id']}", headers=login("employee"))
    assert resp.status_code in (403, 404)
    assert resp.headers["content-type"] == PROBLEM
    assert theirs["id"] not in my_ticket_ids(api, login("employee"))


def test_agent_sees_own_groups_queue_only(
    api: httpx.Client, login: Any, catalog: dict[str, Any]
) -> None:
    h = login("employee")
    it_ticket = file_ticket(api, h, catalog["categories"]["Computer not working"]["id"]).json()
    hr_ticket = file_ticket(api, h, catalog["categories"]["Payroll question"]["id"]).json()
    agent = login("agent.it")
    assert api.get(f"/tickets/{it_ticket['id']}", headers=agent).status_code == 200
    assert api.get(f"/tickets/{hr_ticket['id']}", headers=agent).status_code in (403, 404)
    visible = my_ticket_ids(api, agent)
    assert it_ticket["id"] in visible
    assert hr_ticket["id"] not in visible
    # An admin sees everything.
    assert api.get(f"/tickets/{hr_ticket['id']}", headers=login("admin")).status_code == 200


def test_requester_cannot_read_the_audit_log(api: httpx.Client, login: Any) -> None:
    for path in ("/audit/entries", "/audit/verify"):
        resp = api.get(path, headers=login("employee"))
        assert resp.status_code == 403
        assert resp.headers["content-type"] == PROBLEM
    assert api.get("/audit/verify", headers=login("admin")).status_code == 200


def test_idempotency_key_files_one_ticket(
    api: httpx.Client, login: Any, catalog: dict[str, Any]
) -> None:
    h = {**login("employee"), "Idempotency-Key": str(uuid.uuid4())}
    first = file_ticket(api, h, catalog["categories"]["Office supplies"]["id"])
    again = file_ticket(api, h, catalog["categories"]["Office supplies"]["id"])
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]


def test_list_paginates_newest_first(
    api: httpx.Client, login: Any, catalog: dict[str, Any]
) -> None:
    h = login("employee")
    for _ in range(3):
        file_ticket(api, h, catalog["categories"]["Leave and certificates"]["id"])
    first = api.get("/tickets", params={"limit": 2}, headers=h).json()
    assert len(first["items"]) == 2
    assert first["next_cursor"]
    second = api.get(
        "/tickets", params={"limit": 2, "cursor": first["next_cursor"]}, headers=h
    ).json()
    assert not {t["id"] for t in first["items"]} & {t["id"] for t in second["items"]}
    stamps = [t["created_at"] for t in first["items"] + second["items"]]
    assert stamps == sorted(stamps, reverse=True)
    assert api.get("/tickets", params={"cursor": "garbage!"}, headers=h).status_code == 422


def test_me_shows_roles_and_groups(api: httpx.Client, login: Any) -> None:
    me = api.get("/me", headers=login("lead.it")).json()
    assert me["username"] == "lead.it"
    assert set(me["roles"]) == {"group_lead", "agent", "requester"}
    assert [g["name"] for g in me["groups"]] == ["IT"]


def test_health_readiness_metrics_and_openapi(stack: Any) -> None:
    with httpx.Client(timeout=5) as client:
        for name, svc in stack.services.items():
            assert client.get(f"{svc.url}/healthz").status_code == 200, name
            assert client.get(f"{svc.url}/readyz").status_code == 200, name
            metrics = client.get(f"{svc.url}/metrics")
            assert "helpdesk_http_request_duration_seconds" in metrics.text, name
            if name != "web":
                assert (
                    client.get(f"{svc.url}/api/v1/openapi.json").json()["info"]["title"]
                    == f"helpdesk {name}"
                )


def test_jetstream_syncs_every_write(stack: Any) -> None:
    assert stack.nats is not None
    jsz = httpx.get(f"http://127.0.0.1:{stack.nats.monitor_port}/jsz", timeout=5).json()
    assert jsz["config"]["sync_always"] is True
