"""Publishes outbox rows to JetStream, in batches, then deletes them.

Rows are claimed with FOR UPDATE SKIP LOCKED, so several replicas can relay side by side; each
message carries Nats-Msg-Id = event_id, so a batch re-sent after a crash between publish and
delete is dropped by JetStream's duplicate window rather than delivered twice.
"""

from __future__ import annotations

import asyncio
import logging

from nats.js import JetStreamContext
from sqlalchemy import Table, delete, select

from kit.db import Database
from kit.events.streams import ensure_stream, stream_for
from kit.metrics import OUTBOX_PUBLISHED

log = logging.getLogger(__name__)


class OutboxRelay:
    def __init__(
        self,
        db: Database,
        outbox: Table,
        js: JetStreamContext,
        *,
        batch_size: int = 500,
        poll_interval_s: float = 0.5,
        ack_timeout_s: float = 10.0,
        stream_replicas: int = 1,
    ) -> None:
        self.db = db
        self.outbox = outbox
        self.js = js
        self.batch_size = batch_size
        self.poll_interval_s = poll_interval_s
        self.ack_timeout_s = ack_timeout_s
        self.stream_replicas = stream_replicas
        self._wake = asyncio.Event()
        self._streams_ready: set[str] = set()

    def wake(self) -> None:
        """Tell the relay that a transaction with events has just committed."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                sent = await self.publish_batch()
            except Exception:
                log.exception("outbox relay failed; retrying")
                sent = 0
                await asyncio.sleep(1.0)
            if sent >= self.batch_size:
                continue
            self._wake.clear()
            waiters = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())]
            _, pending = await asyncio.wait(
                waiters, timeout=self.poll_interval_s, return_when=asyncio.FIRST_COMPLETED
            )
            for w in pending:
                w.cancel()

    async def publish_batch(self) -> int:
        """Publish up to batch_size pending events, oldest first; returns how many."""
        o = self.outbox.c
        async with self.db.begin() as session:
            rows = (
                await session.execute(
                    select(o.id, o.event_id, o.subject, o.body, o.traceparent)
                    .order_by(o.id)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                return 0
            for subject in {r.subject for r in rows}:
                name = stream_for(subject)
                if name not in self._streams_ready:
                    await ensure_stream(self.js, name, replicas=self.stream_replicas)
                    self._streams_ready.add(name)
            # Pipelined: every message is on the wire before the first ack is awaited; an error
            # ack or no ack in time raises, and the rows stay for the next round.
            acks = [
                await self.js.publish_async(
                    r.subject, r.body, headers=_headers(r.event_id, r.traceparent)
                )
                for r in rows
            ]
            await asyncio.wait_for(asyncio.gather(*acks), timeout=self.ack_timeout_s)
            await session.execute(delete(self.outbox).where(o.id.in_([r.id for r in rows])))
        OUTBOX_PUBLISHED.inc(len(rows))
        return len(rows)


def _headers(event_id: object, traceparent: str | None) -> dict[str, str]:
    headers = {"Nats-Msg-Id": str(event_id)}
    if traceparent:
        headers["traceparent"] = traceparent
    return headers
