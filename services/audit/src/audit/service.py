"""Audit use cases: append events to the chain, read an entity's history, verify the chain."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, func, insert, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert

from audit.chain import GENESIS, canonical_body, link
from audit.models import checkpoints, entries
from audit.schemas import EntryRead, VerifyReport
from audit.signing import Signer
from kit.db import Session
from kit.events.envelope import Envelope, from_timestamp

# Every appender (consumer, replica) takes this lock, so the chain has exactly one head.
_CHAIN_LOCK = 0x41554449  # "AUDI"


async def append(*, session: Session, events: Sequence[Envelope]) -> int:
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


def _read(row: Row[Any]) -> EntryRead:
    data = dict(row._mapping)
    data["event"] = json.loads(data.pop("body"))
    return EntryRead.model_validate(data)


async def history(
    *, session: Session, entity_id: str | None, after_seq: int = 0, limit: int = 100
) -> list[EntryRead]:
    """Entries in chain order, optionally of one entity (a ticket, a user)."""
    query = select(entries).where(entries.c.seq > after_seq).order_by(entries.c.seq).limit(limit)
    if entity_id:
        query = query.where(entries.c.entity_id == entity_id)
    return [_read(r) for r in await session.execute(query)]


async def take_checkpoint(*, session: Session, signer: Signer) -> int | None:
    """Sign the head of the chain if it moved since the last checkpoint; returns its seq."""
    head = (
        await session.execute(
            select(entries.c.seq, entries.c.hash).order_by(entries.c.seq.desc()).limit(1)
        )
    ).first()
    last = (await session.execute(select(func.max(checkpoints.c.seq)))).scalar()
    if head is None or (last is not None and head.seq <= last):
        return None
    await session.execute(
        pg_insert(checkpoints)
        .values(
            seq=head.seq,
            hash=head.hash,
            key_id=signer.key_id,
            signature=signer.sign(head.seq, head.hash),
        )
        .on_conflict_do_nothing(index_elements=["seq"])
    )
    return int(head.seq)


async def verify(*, session: Session, signer: Signer, chunk: int = 5000) -> VerifyReport:
    """Re-walk the chain from the start, checking every link and every signed checkpoint, and
    name the first entry that does not match."""
    prev, last, checked, signed = GENESIS, 0, 0, 0

    def report(problem: str | None = None, bad_seq: int | None = None) -> VerifyReport:
        return VerifyReport(
            ok=problem is None,
            entries_checked=checked,
            checkpoints_checked=signed,
            head_seq=last or None,
            head_hash=prev if last else None,
            first_bad_seq=bad_seq,
            problem=problem,
        )

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
        marks = {
            c.seq: c
            for c in await session.execute(
                select(checkpoints).where(checkpoints.c.seq.between(rows[0].seq, rows[-1].seq))
            )
        }
        for r in rows:
            if r.seq != last + 1:
                return report(f"entry {last + 1} is missing", last + 1)
            if r.prev_hash != prev:
                return report("prev_hash does not match the previous entry's hash", r.seq)
            if link(prev, r.body) != r.hash:
                return report("hash does not match the entry's content", r.seq)
            mark = marks.get(r.seq)
            if mark is not None:
                if mark.hash != r.hash:
                    return report("the chain differs from what a signed checkpoint recorded", r.seq)
                if mark.key_id != signer.key_id or not signer.verify(
                    mark.seq, mark.hash, mark.signature
                ):
                    return report("a checkpoint's signature does not verify", r.seq)
                signed += 1
            prev, last, checked = r.hash, r.seq, checked + 1
    beyond = (
        await session.execute(select(func.max(checkpoints.c.seq)).where(checkpoints.c.seq > last))
    ).scalar()
    if beyond is not None:
        return report(
            f"a signed checkpoint covers entry {beyond}, but the chain ends at {last}", last + 1
        )
    return report()
