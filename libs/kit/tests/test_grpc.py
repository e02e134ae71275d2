"""The server interceptors, on a real in-process gRPC server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
import pytest

from helpdesk.routing.v1 import routing_pb2, routing_pb2_grpc
from kit.errors import NotFound
from kit.grpc.client import call_metadata, channel
from kit.grpc.server import Context, build_server, mark_serving


class Routing(routing_pb2_grpc.RoutingServiceServicer):
    async def Route(
        self, request: routing_pb2.RouteRequest, context: Context
    ) -> routing_pb2.RouteResponse:
        if request.category_id == "missing":
            raise NotFound("no such category")
        meta = dict(context.invocation_metadata() or ())
        return routing_pb2.RouteResponse(group_id="g", rule=str(meta.get("authorization", "")))


@pytest.fixture
async def stub() -> AsyncIterator[routing_pb2_grpc.RoutingServiceStub]:
    from stack.ports import free_port

    port = free_port()
    server, health = build_server(
        port,
        [lambda s: routing_pb2_grpc.add_RoutingServiceServicer_to_server(Routing(), s)],
        ["helpdesk.routing.v1.RoutingService"],
    )
    await server.start()
    await mark_serving(health, ["helpdesk.routing.v1.RoutingService"])
    chan = channel(f"127.0.0.1:{port}", idempotent_services=["helpdesk.routing.v1.RoutingService"])
    yield routing_pb2_grpc.RoutingServiceStub(chan)
    await chan.close()
    await server.stop(None)


async def test_domain_errors_become_status_codes(stub: routing_pb2_grpc.RoutingServiceStub) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.Route(routing_pb2.RouteRequest(category_id="missing"), timeout=2)
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
    assert err.value.details() == "no such category"


async def test_calls_without_a_deadline_are_refused(
    stub: routing_pb2_grpc.RoutingServiceStub,
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.Route(routing_pb2.RouteRequest(category_id="x"))
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_the_callers_token_travels_in_metadata(
    stub: routing_pb2_grpc.RoutingServiceStub,
) -> None:
    reply = await stub.Route(
        routing_pb2.RouteRequest(category_id="x"), timeout=2, metadata=call_metadata("tok")
    )
    assert reply.rule == "Bearer tok"
