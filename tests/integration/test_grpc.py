"""The internal gRPC APIs, called as another service would: token in metadata, with a deadline."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import grpc
import httpx
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from helpdesk.audit.v1 import audit_pb2, audit_pb2_grpc
from helpdesk.identity.v1 import identity_pb2, identity_pb2_grpc
from helpdesk.routing.v1 import routing_pb2, routing_pb2_grpc
from helpdesk.sla.v1 import sla_pb2, sla_pb2_grpc
from helpdesk.tickets.v1 import tickets_pb2, tickets_pb2_grpc
from tests.support import wait_for


@pytest.fixture(scope="module")
def channels(stack: Any) -> Iterator[dict[str, grpc.Channel]]:
    chans = {
        n: grpc.insecure_channel(s.grpc_target) for n, s in stack.services.items() if n != "web"
    }
    yield chans
    for c in chans.values():
        c.close()


def bearer(login: Any, user: str) -> tuple[tuple[str, str]]:
    return (("authorization", login(user)["Authorization"]),)


def test_every_server_reports_serving(channels: dict[str, grpc.Channel]) -> None:
    for name, chan in channels.items():
        reply = health_pb2_grpc.HealthStub(chan).Check(health_pb2.HealthCheckRequest(), timeout=2)
        assert reply.status == health_pb2.HealthCheckResponse.SERVING, name


def test_route_picks_the_owning_group(
    channels: dict[str, grpc.Channel], api: httpx.Client, login: Any
) -> None:
    cats = {c["name"]: c for c in api.get("/categories", headers=login("employee")).json()["items"]}
    stub = routing_pb2_grpc.RoutingServiceStub(channels["routing"])
    reply = stub.Route(
        routing_pb2.RouteRequest(category_id=cats["Payroll question"]["id"], priority="low"),
        timeout=2,
        metadata=bearer(login, "employee"),
    )
    assert reply.group_id == cats["Payroll question"]["group_id"]
    assert reply.category_name == "Payroll question"
    with pytest.raises(grpc.RpcError) as err:
        stub.Route(
            routing_pb2.RouteRequest(category_id=str(uuid.uuid4())),
            timeout=2,
            metadata=bearer(login, "employee"),
        )
    assert err.value.code() == grpc.StatusCode.NOT_FOUND


def test_calls_need_a_deadline_and_a_token(channels: dict[str, grpc.Channel], login: Any) -> None:
    stub = routing_pb2_grpc.RoutingServiceStub(channels["routing"])
    with pytest.raises(grpc.RpcError) as no_deadline:
        stub.Route(
            routing_pb2.RouteRequest(category_id=str(uuid.uuid4())),
            metadata=bearer(login, "employee"),
        )
    assert no_deadline.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.RpcError) as no_token:
        stub.Route(routing_pb2.RouteRequest(category_id=str(uuid.uuid4())), timeout=2)
    assert no_token.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_identity_get_user_and_authorize(
    channels: dict[str, grpc.Channel], api: httpx.Client, login: Any
) -> None:
    stub = identity_pb2_grpc.IdentityServiceStub(channels["identity"])
    me = api.get("/me", headers=login("agent.it")).json()
    user = stub.GetUser(
        identity_pb2.GetUserRequest(user_id=me["id"]), timeout=2, metadata=bearer(login, "agent.it")
    )
    assert user.username == "agent.it"
    assert set(user.roles) == {"agent", "requester"}
    it_group = me["groups"][0]["id"]
    allowed = stub.Authorize(
        identity_pb2.AuthorizeRequest(action="tickets.read_queue", group_id=it_group),
        timeout=2,
        metadata=bearer(login, "agent.it"),
    )
    assert allowed.allowed
    other = stub.Authorize(
        identity_pb2.AuthorizeRequest(action="tickets.read_queue", group_id=str(uuid.uuid4())),
        timeout=2,
        metadata=bearer(login, "agent.it"),
    )
    assert not other.allowed
    denied = stub.Authorize(
        identity_pb2.AuthorizeRequest(action="audit.read"),
        timeout=2,
        metadata=bearer(login, "employee"),
    )
    assert not denied.allowed and denied.reason


def test_tickets_sla_and_audit_over_grpc(
    channels: dict[str, grpc.Channel], api: httpx.Client, login: Any
) -> None:
    h = login("employee")
    cat = next(
        c
        for c in api.get("/categories", headers=h).json()["items"]
        if c["name"] == "Printer or scanner"
    )
    ticket = api.post(
        "/tickets",
        json={
            "title": "Printer jam",
            "description": "Paper stuck",
            "category_id": cat["id"],
            "priority": "low",
        },
        headers=h,
    ).json()

    got = tickets_pb2_grpc.TicketsServiceStub(channels["tickets"]).Get(
        tickets_pb2.GetTicketRequest(ticket_id=ticket["id"]),
        timeout=2,
        metadata=bearer(login, "employee"),
    )
    assert (got.number, got.group_id) == (ticket["number"], cat["group_id"])
    with pytest.raises(grpc.RpcError) as hidden:
        tickets_pb2_grpc.TicketsServiceStub(channels["tickets"]).Get(
            tickets_pb2.GetTicketRequest(ticket_id=ticket["id"]),
            timeout=2,
            metadata=bearer(login, "agent.hr"),
        )
    assert hidden.value.code() == grpc.StatusCode.NOT_FOUND

    sla_stub = sla_pb2_grpc.SlaServiceStub(channels["sla"])
    clocks = wait_for(
        lambda: (
            sla_stub.GetTicketSla(
                sla_pb2.GetTicketSlaRequest(ticket_ids=[ticket["id"]]),
                timeout=2,
                metadata=bearer(login, "employee"),
            ).items
        ),
        lambda items: len(items) == 1,
    )
    assert clocks[0].state == "on_track"
    assert (
        clocks[0].resolution_due_at.ToSeconds() - clocks[0].response_due_at.ToSeconds()
        == (4320 - 480) * 60
    )

    audit_stub = audit_pb2_grpc.AuditServiceStub(channels["audit"])
    history = wait_for(
        lambda: (
            audit_stub.History(
                audit_pb2.HistoryRequest(entity_id=ticket["id"]),
                timeout=2,
                metadata=bearer(login, "auditor"),
            ).entries
        ),
        lambda entries: len(entries) >= 2,
    )
    assert [e.type for e in history][:1] == ["tickets.ticket.created"]
    with pytest.raises(grpc.RpcError) as refused:
        audit_stub.History(
            audit_pb2.HistoryRequest(entity_id=ticket["id"]),
            timeout=2,
            metadata=bearer(login, "employee"),
        )
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
