"""Audit use cases: append events to the chain, read an entity's history, verify the chain."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence

from kit.events.envelope import Envelope, from_timestamp
from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from audit.chain import GENESIS, canonical_body, link
from audit.models import entries
from audit.schemas import EntryRead, VerifyReport

# Every appender (consumer, replica) takes this lock, so the chain has exactly one head.
_CHAIN_LOCK = 0x41554449  # "AUDI"


async def append(*, session: AsyncSession, events: Sequence[Envelope]) -> int:
    """Append events to the chain in order, under the chain lock; returns how many."""
    if not events:
        return 0
    await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHAIN_LOCK})
    head = (
        await session.execute(
            select(entries.c.seq, entries.c.hash).order_by(entries.c.seq.desc()).limit(1)
        )
    ).first()
    seq, prev = (head.seq, head.hash) if head else (0, GENESIS)
    rows = []
    for env in events:
        body = canonical_body(env)
        seq += 1
        digest = link(prev, body)
        rows.append(
            {
                "seq": seq,
                "event_id": uuid.UUID(env.event_id),
                "type": env.type,
                "entity_id": env.entity_id,
                "actor_id": env.actor.user_id,
                "occurred_at": from_timestamp(env.occurred_at),
                "body": body,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
    await session.execute(insert(entries), rows)
    return len(rows)


def _read(row: object) -> EntryRead:
    data = dict(row._mapping)  # type: ignore[attr-defined]
    data["event"] = json.loads(data.pop("body"))
    return EntryRead.model_validate(data)


async def history(
    *, session: AsyncSession, entity_id: str | None, after_seq: int = 0, limit: int = 100
) -> list[EntryRead]:
    """Entries in chain order, optionally of one entity (a ticket, a user)."""
    query = select(entries).where(entries.c.seq > after_seq).order_by(entries.c.seq).limit(limit)
    if entity_id:
        query = query.where(entries.c.entity_id == entity_id)
    return [_read(r) for r in await session.execute(query)]


async def verify(*, session: AsyncSession, chunk: int = 5000) -> VerifyReport:
    """Re-walk the chain from the start and name the first entry that does not match."""
    prev, expected_seq, checked, last = GENESIS, 1, 0, 0
    while True:
        rows = (
            await session.execute(
                select(entries.c.seq, entries.c.body, entries.c.prev_hash, entries.c.hash)
                .where(entries.c.seq > last)
                .order_by(entries.c.seq)
                .limit(chunk)
            )
        ).all()
        if not rows:
            break
        for r in rows:
            problem = None
            if r.seq != expected_seq:
                problem = f"entry {expected_seq} is missing"
            elif r.prev_hash != prev:
                problem = "prev_hash does not match the previous entry's hash"
            elif link(prev, r.body) != r.hash:
                problem = "hash does not match the entry's content"
            if problem:
                return VerifyReport(
                    ok=False,
                    entries_checked=checked,
                    head_seq=last or None,
                    head_hash=prev if last else None,
                    first_bad_seq=expected_seq if r.seq != expected_seq else r.seq,
                    problem=problem,
                )
            prev, last, expected_seq, checked = r.hash, r.seq, r.seq + 1, checked + 1
    return VerifyReport(
        ok=True, entries_checked=checked, head_seq=last or None, head_hash=prev if last else None
    )


async def count(*, session: AsyncSession) -> int:
    return int((await session.execute(select(func.count()).select_from(entries))).scalar_one())
