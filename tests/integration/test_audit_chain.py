"""The audit chain on the real database: signed checkpoints, and tampering that verify names.

Tampering runs as the superuser inside a transaction that is rolled back, so the shared stack's
log stays intact for the other tests."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from audit import service
from audit.chain import link
from audit.signing import Signer, load_signer
from kit.db import Database, Session
from stack.bootstrap import DATABASE
from tests.support import wait_for


@pytest.fixture(scope="module")
def signed_log(api: httpx.Client, login: Any) -> dict[str, Any]:
    """A log with a few entries and at least one signed checkpoint."""
    h = login("employee")
    category = api.get("/categories", headers=h).json()["items"][0]
    for i in range(3):
        api.post(
            "/tickets",
            headers=h,
            json={"title": f"Chain test {i}", "description": "d", "category_id": category["id"]},
        )
    auditor = login("auditor")
    return wait_for(
        lambda: api.get("/audit/verify", headers=auditor).json(),
        lambda r: r["ok"] and r["checkpoints_checked"] >= 1 and r["entries_checked"] >= 6,
    )


@pytest.fixture
async def superuser_session(stack: Any) -> AsyncIterator[Session]:
    url = (
        stack.admin_url().replace("postgresql://", "postgresql+psycopg://").rsplit("/", 1)[0]
        + "/"
        + DATABASE
    )
    db = Database(url, "audit", pool_size=1)
    async with db.engine.connect() as session:
        await session.execute(text("ALTER TABLE audit.entries DISABLE TRIGGER USER"))
        await session.execute(text("ALTER TABLE audit.checkpoints DISABLE TRIGGER USER"))
        try:
            yield session
        finally:
            await session.rollback()
    await db.dispose()


@pytest.fixture
def signer(stack: Any) -> Signer:
    return load_signer(str(stack.audit_key()))


async def test_an_intact_log_verifies(
    signed_log: dict[str, Any], superuser_session: Session, signer: Signer
) -> None:
    report = await service.verify(session=superuser_session, signer=signer)
    assert report.ok and report.checkpoints_checked >= 1


async def test_an_edited_entry_is_named(
    signed_log: dict[str, Any], superuser_session: Session, signer: Signer
) -> None:
    await superuser_session.execute(
        text(
            "UPDATE audit.entries SET body = replace(body, 'Chain test 1', 'Chain test X') WHERE body LIKE '%Chain test 1%'"
        )
    )
    victim = (
        await superuser_session.execute(
            text("SELECT seq FROM audit.entries WHERE body LIKE '%Chain test X%'")
        )
    ).scalar_one()
    report = await service.verify(session=superuser_session, signer=signer)
    assert not report.ok
    assert report.first_bad_seq == victim
    assert report.problem == "hash does not match the entry's content"


async def test_a_rewritten_chain_is_caught_by_the_signed_checkpoint(
    signed_log: dict[str, Any], superuser_session: Session, signer: Signer
) -> None:
    """Edit the first entry and recompute every hash after it: links all match, the signature does not."""
    rows = (
        await superuser_session.execute(text("SELECT seq, body FROM audit.entries ORDER BY seq"))
    ).all()
    prev = "0" * 64
    for seq, body in rows:
        if seq == 1:
            body = body.replace('"type"', '"type" ', 1)
        digest = link(prev, body)
        await superuser_session.execute(
            text("UPDATE audit.entries SET body = :b, prev_hash = :p, hash = :h WHERE seq = :s"),
            {"b": body, "p": prev, "h": digest, "s": seq},
        )
        prev = digest
    report = await service.verify(session=superuser_session, signer=signer)
    assert not report.ok
    assert report.problem == "the chain differs from what a signed checkpoint recorded"


async def test_a_cut_off_tail_is_caught(
    signed_log: dict[str, Any], superuser_session: Session, signer: Signer
) -> None:
    last_mark = (
        await superuser_session.execute(text("SELECT max(seq) FROM audit.checkpoints"))
    ).scalar_one()
    await superuser_session.execute(
        text("DELETE FROM audit.entries WHERE seq >= :s"), {"s": last_mark}
    )
    report = await service.verify(session=superuser_session, signer=signer)
    assert not report.ok
    assert report.first_bad_seq == last_mark


async def test_a_forged_signature_is_caught(
    signed_log: dict[str, Any], superuser_session: Session, signer: Signer
) -> None:
    await superuser_session.execute(
        text("UPDATE audit.checkpoints SET signature = repeat('0', 128)")
    )
    report = await service.verify(session=superuser_session, signer=signer)
    assert report.problem == "a checkpoint's signature does not verify"


def test_verify_from_the_command_line(signed_log: dict[str, Any], stack: Any) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "audit", "verify"],
        env=stack.env_for("audit"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert '"ok": true' in result.stdout
