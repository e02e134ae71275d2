"""Process lifecycle shared by every service: one asyncio loop (uvloop) running the HTTP server,
the gRPC server and background tasks (outbox relay, consumers), stopped together on SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import grpc
import uvicorn
from fastapi import FastAPI
from nats.aio.client import Client
from nats.js import JetStreamContext

from kit.auth import TokenVerifier
from kit.config import ServiceSettings
from kit.db import Database
from kit.events import bus
from kit.events.consumer import Consumer, Subscription

log = logging.getLogger(__name__)

Background = Callable[[asyncio.Event], Coroutine[Any, Any, None]]


@dataclass
class Runtime:
    """What a running service holds: its database, the bus, the token verifier, the stop signal."""

    name: str
    settings: ServiceSettings
    db: Database
    nc: Client
    js: JetStreamContext
    verifier: TokenVerifier
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def nats_ready(self) -> None:
        if not self.nc.is_connected:
            raise ConnectionError("not connected to NATS")

    async def close(self) -> None:
        # Not drain(): it waits out pull subscriptions for its full timeout. Everything worth
        # keeping is either acknowledged by JetStream already or still in an outbox table.
        with contextlib.suppress(Exception):
            await self.nc.close()
        await self.db.dispose()


async def open_runtime(name: str, settings: ServiceSettings, schema: str) -> Runtime:
    db = Database(settings.database_url, schema, pool_size=settings.db_pool_size)
    nc = await bus.connect(settings.nats_url, f"helpdesk-{name}")
    return Runtime(
        name=name,
        settings=settings,
        db=db,
        nc=nc,
        js=nc.jetstream(timeout=5),
        verifier=TokenVerifier(settings.identity_url),
    )


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # Signals are handled by serve(), which stops HTTP, gRPC and background work together.
        yield


def http_server(app: FastAPI, host: str, port: int) -> uvicorn.Server:
    """A uvicorn server on the running loop that leaves signal handling to its caller."""
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        loop="none",
        lifespan="on",
        access_log=False,
        log_config=None,
        server_header=False,
    )
    return _Server(config)


async def serve_http(app: FastAPI, host: str, port: int) -> None:
    """Serve one FastAPI app until SIGINT/SIGTERM (the web front door has nothing else)."""
    server = http_server(app, host, port)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, lambda: setattr(server, "should_exit", True))
    await server.serve()


async def serve(
    rt: Runtime,
    app: FastAPI,
    grpc_server: grpc.aio.Server | None = None,
    background: Sequence[Background] = (),
    on_started: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Run until SIGINT/SIGTERM, or until any part fails (then exit non-zero)."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, rt.stop.set)
    http = http_server(app, rt.settings.http_host, rt.settings.http_port)
    if grpc_server is not None:
        await grpc_server.start()
    tasks = [asyncio.create_task(http.serve(), name="http")]
    tasks += [
        asyncio.create_task(fn(rt.stop), name=getattr(fn, "__qualname__", "task"))
        for fn in background
    ]
    if on_started is not None:
        await on_started()
    log.info(
        "started", extra={"http_port": rt.settings.http_port, "grpc_port": rt.settings.grpc_port}
    )
    stopper = asyncio.create_task(rt.stop.wait())
    done, _ = await asyncio.wait([stopper, *tasks], return_when=asyncio.FIRST_COMPLETED)
    failed = [t for t in done if t is not stopper]
    for t in failed:
        exc = t.exception() if not t.cancelled() else None
        log.error(
            "a part of the service ended; stopping",
            extra={"task": t.get_name(), "error": repr(exc)},
        )
    rt.stop.set()
    http.should_exit = True
    if grpc_server is not None:
        await grpc_server.stop(grace=2)
    _, pending = await asyncio.wait(tasks, timeout=5)
    for t in pending:
        t.cancel()
    await rt.close()
    log.info("stopped")
    if failed:
        raise SystemExit(1)


@dataclass
class ServiceSpec:
    """Everything that differs between services; run_service wires the rest the same way."""

    name: str
    schema: str
    routers: Sequence[Any]
    description: str = ""
    outbox: Any = None
    """The service's outbox Table, when it publishes events."""
    grpc_services: Sequence[str] = ()
    grpc_servicers: Callable[[Runtime], Sequence[Callable[[grpc.aio.Server], None]]] | None = None
    inbox: Any = None
    """The service's inbox Table, when it consumes events."""
    subscriptions: Sequence[Subscription] = ()
    setup: Callable[[Runtime, FastAPI], Awaitable[None]] | None = None
    tasks: Callable[[Runtime], Sequence[Background]] | None = None
    """Other background work of the service (periodic jobs)."""


async def run_service(spec: ServiceSpec, settings: ServiceSettings) -> None:
    """Open the runtime, build HTTP, gRPC, relay and consumers from the spec, serve until stopped."""
    from kit.events.relay import OutboxRelay
    from kit.grpc.server import build_server, mark_serving
    from kit.http import create_app

    rt = await open_runtime(spec.name, settings, spec.schema)
    app = create_app(
        service=spec.name,
        verifier=rt.verifier,
        readiness=[rt.db.ping, rt.nats_ready],
        description=spec.description,
    )
    for router in spec.routers:
        app.include_router(router)
    app.state.runtime = rt
    app.state.settings = settings
    background: list[Background] = []
    relay = None
    if spec.outbox is not None:
        relay = OutboxRelay(rt.db, spec.outbox, rt.js, stream_replicas=settings.stream_replicas)
        app.state.relay = relay
        background.append(relay.run)
    if spec.subscriptions and spec.inbox is None:
        raise ValueError(f"{spec.name} subscribes to events but names no inbox table")
    for sub in spec.subscriptions:
        consumer = Consumer(
            js=rt.js,
            db=rt.db,
            inbox=spec.inbox,
            durable=sub.durable,
            stream=sub.stream,
            subject=sub.subject,
            handler=sub.handler,
            batch_size=sub.batch_size,
            after_commit=relay.wake if relay is not None else None,
            stream_replicas=settings.stream_replicas,
        )
        background.append(consumer.run)
    if spec.tasks is not None:
        background.extend(spec.tasks(rt))
    if spec.setup is not None:
        await spec.setup(rt, app)
    grpc_server = None
    health = None
    if spec.grpc_servicers is not None:
        grpc_server, health = build_server(
            settings.grpc_port, spec.grpc_servicers(rt), spec.grpc_services, settings.http_host
        )

    async def started() -> None:
        if health is not None:
            await mark_serving(health, spec.grpc_services)

    await serve(rt, app, grpc_server, background, on_started=started)
