"""gRPC server side: health and reflection services, and interceptors that require a deadline,
continue the caller's trace, and turn domain errors into status codes."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from opentelemetry import trace

from kit import telemetry
from kit.auth import Principal, TokenVerifier, bearer_token
from kit.errors import DomainError, Unauthenticated
from kit.metrics import GRPC_REQUESTS

_tracer = trace.get_tracer(__name__)

if TYPE_CHECKING:
    Context = grpc.aio.ServicerContext[Any, Any]
    Handler = grpc.RpcMethodHandler[Any, Any]
else:
    Context = grpc.aio.ServicerContext
    Handler = grpc.RpcMethodHandler

STATUS_FOR_HTTP = {
    400: grpc.StatusCode.INVALID_ARGUMENT,
    401: grpc.StatusCode.UNAUTHENTICATED,
    403: grpc.StatusCode.PERMISSION_DENIED,
    404: grpc.StatusCode.NOT_FOUND,
    409: grpc.StatusCode.ABORTED,
    422: grpc.StatusCode.INVALID_ARGUMENT,
    503: grpc.StatusCode.UNAVAILABLE,
}
_EXEMPT = ("/grpc.health.", "/grpc.reflection.")


Unary = Callable[[Any, Context], Awaitable[Any]]


class _UnaryInterceptor(grpc.aio.ServerInterceptor):
    """Wraps the unary handlers of our services (not health or reflection). The wrapped handler
    is built once per method and reused: interception runs on every call."""

    def __init__(self) -> None:
        self._wrapped: dict[str, Handler] = {}

    async def intercept_service(self, continuation: Any, details: grpc.HandlerCallDetails) -> Any:
        handler = await continuation(details)
        if handler is None or handler.unary_unary is None or details.method.startswith(_EXEMPT):
            return handler
        wrapped = self._wrapped.get(details.method)
        if wrapped is None:
            wrapped = grpc.unary_unary_rpc_method_handler(
                self.wrap(details.method, handler.unary_unary),  # type: ignore[arg-type]
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
            self._wrapped[details.method] = wrapped
        return wrapped

    def wrap(self, method: str, inner: Unary) -> Unary:
        raise NotImplementedError


class DeadlineInterceptor(_UnaryInterceptor):
    """Refuses calls that carry no deadline: a call without one can hang a whole chain."""

    def wrap(self, method: str, inner: Unary) -> Unary:
        async def call(request: Any, context: Context) -> Any:
            if context.time_remaining() is None:
                await context.abort(
                    grpc.StatusCode.INVALID_ARGUMENT, "every call must carry a deadline"
                )
            return await inner(request, context)

        return call


class ErrorInterceptor(_UnaryInterceptor):
    """Continues the trace from metadata, records latency, and maps DomainError to a status."""

    def wrap(self, method: str, inner: Unary) -> Unary:
        async def call(request: Any, context: Context) -> Any:
            started = time.perf_counter()
            code = "OK"
            meta = {k: v for k, v in (context.invocation_metadata() or ()) if isinstance(v, str)}
            with _tracer.start_as_current_span(
                method, context=telemetry.extract(meta), kind=trace.SpanKind.SERVER
            ):
                try:
                    return await inner(request, context)
                except DomainError as exc:
                    status = STATUS_FOR_HTTP.get(exc.status, grpc.StatusCode.UNKNOWN)
                    code = status.name
                    await context.abort(status, exc.detail)
                finally:
                    GRPC_REQUESTS.labels(method, code).observe(time.perf_counter() - started)

        return call


def build_server(
    port: int,
    add_servicers: Iterable[Callable[[grpc.aio.Server], None]],
    service_names: Sequence[str],
    host: str = "127.0.0.1",
) -> tuple[grpc.aio.Server, health.aio.HealthServicer]:
    """A server with our interceptors, the health service (all SERVING) and reflection."""
    server = grpc.aio.server(
        interceptors=[DeadlineInterceptor(), ErrorInterceptor()],
        options=[("grpc.so_reuseport", 0), ("grpc.max_receive_message_length", 8 * 1024 * 1024)],
    )
    for add in add_servicers:
        add(server)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection(
        [*service_names, health.SERVICE_NAME, reflection.SERVICE_NAME], server
    )
    server.add_insecure_port(f"{host}:{port}")
    return server, health_servicer


async def mark_serving(
    health_servicer: health.aio.HealthServicer, service_names: Sequence[str]
) -> None:
    for name in ("", *service_names):
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)


async def caller(context: Context, verifier: TokenVerifier) -> Principal:
    """The end user on whose behalf the call is made (their token travels in the metadata)."""
    for key, value in context.invocation_metadata() or ():
        if key == "authorization" and isinstance(value, str):
            return await verifier.verify(bearer_token(value))
    raise Unauthenticated("missing bearer token in metadata")
