"""Durable JetStream pull consumers with an inbox table for idempotency.

A batch of messages is handled in one transaction: the inbox rows (event ids) and the effect
commit together, and only then are the messages acknowledged. A redelivered event finds its id
in the inbox and is skipped; a batch that fails is retried one message at a time so that one
poison message does not hold up the rest.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeout
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from opentelemetry import trace
from sqlalchemy import Column, DateTime, MetaData, String, Table, func
from sqlalchemy.dialects.postgresql import UUID, insert

from kit import telemetry
from kit.db import Database
from kit.events.envelope import Envelope
from kit.events.streams import ensure_stream
from kit.metrics import EVENTS_HANDLED

log = logging.getLogger(__name__)
_tracer = trace.get_tracer(__name__)

# A use case called as handler(session=..., events=...), inside the consumer's transaction.
Handler = Callable[..., Awaitable[object]]


def inbox_table(metadata: MetaData) -> Table:
    """Event ids already handled, per consumer, in the service's own schema."""
    return Table(
        "inbox",
        metadata,
        Column("consumer", String(100), primary_key=True),
        Column("event_id", UUID(as_uuid=True), primary_key=True),
        Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


@dataclass(frozen=True)
class Subscription:
    """What a service consumes: a durable consumer on a stream's subject, and the use case that
    applies a batch of its events (called as handler(session=..., events=...))."""

    durable: str
    stream: str
    subject: str
    handler: Handler
    batch_size: int = 100


class Consumer:
    def __init__(
        self,
        *,
        js: JetStreamContext,
        db: Database,
        inbox: Table,
        durable: str,
        stream: str,
        subject: str,
        handler: Handler,
        batch_size: int = 100,
        max_deliver: int = 20,
        after_commit: Callable[[], None] | None = None,
        stream_replicas: int = 1,
    ) -> None:
        self.js = js
        self.db = db
        self.inbox = inbox
        self.durable = durable
        self.stream = stream
        self.subject = subject
        self.handler = handler
        self.batch_size = batch_size
        self.max_deliver = max_deliver
        self.after_commit = after_commit
        self.stream_replicas = stream_replicas
        """Called after each committed batch, e.g. to wake the outbox relay for its events."""

    async def run(self, stop: asyncio.Event) -> None:
        await ensure_stream(self.js, self.stream, replicas=self.stream_replicas)
        sub = await self.js.pull_subscribe(
            self.subject,
            durable=self.durable,
            stream=self.stream,
            config=ConsumerConfig(
                ack_policy=AckPolicy.EXPLICIT,
                deliver_policy=DeliverPolicy.ALL,
                ack_wait=30,
                max_deliver=self.max_deliver,
                max_ack_pending=10_000,
            ),
        )
        while not stop.is_set():
            try:
                msgs = await sub.fetch(self.batch_size, timeout=0.5)
            except (TimeoutError, NatsTimeout):
                continue
            except Exception:
                if stop.is_set():
                    break
                log.exception("fetch failed", extra={"consumer": self.durable})
                await asyncio.sleep(0.5)
                continue
            await self.handle_batch(msgs)

    async def handle_batch(self, msgs: list[Msg]) -> None:
        envelopes: list[tuple[Msg, Envelope]] = []
        for msg in msgs:
            env = Envelope()
            try:
                env.ParseFromString(msg.data)
                uuid.UUID(env.event_id)
            except Exception:
                log.error("dropping undecodable message", extra={"subject": msg.subject})
                await msg.term()
                continue
            envelopes.append((msg, env))
        if not envelopes:
            return
        try:
            await self._apply([e for _, e in envelopes])
        except Exception:
            log.warning("batch failed; retrying one by one", exc_info=True)
            for msg, env in envelopes:
                try:
                    await self._apply([env])
                except Exception:
                    log.exception(
                        "event failed", extra={"event_id": env.event_id, "type": env.type}
                    )
                    await msg.nak(delay=2)
                else:
                    await msg.ack()
            return
        for msg, _ in envelopes:
            await msg.ack()

    async def _apply(self, envelopes: Sequence[Envelope]) -> None:
        ctx = telemetry.extract(envelopes[0].trace_context)
        with _tracer.start_as_current_span(f"consume {self.durable}", context=ctx):
            async with self.db.begin() as session:
                fresh = set(
                    (
                        await session.execute(
                            insert(self.inbox)
                            .values(
                                [
                                    {"consumer": self.durable, "event_id": e.event_id}
                                    for e in envelopes
                                ]
                            )
                            .on_conflict_do_nothing()
                            .returning(self.inbox.c.event_id)
                        )
                    ).scalars()
                )
                todo = [e for e in envelopes if uuid.UUID(e.event_id) in fresh]
                if todo:
                    await self.handler(session=session, events=todo)
        if todo and self.after_commit is not None:
            self.after_commit()
        EVENTS_HANDLED.labels(self.durable).inc(len(todo))
