"""Each service's roles reach their own schema only; the audit log cannot be rewritten."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from stack.bootstrap import DATABASE, SERVICES, app_role, owner_role
from tests.support import wait_for

# One table per schema to try to read.
TABLES = {
    "identity": "users",
    "routing": "categories",
    "tickets": "tickets",
    "sla": "clocks",
    "audit": "entries",
}


def connect(stack: Any, role: str) -> psycopg.Connection[Any]:
    return psycopg.connect(
        host="127.0.0.1",
        port=stack.pg_port,
        dbname=DATABASE,
        user=role,
        password=stack.secrets[role],
        autocommit=True,
    )


@pytest.mark.parametrize("service", list(SERVICES))
def test_roles_are_refused_on_every_other_schema(stack: Any, service: str) -> None:
    for role in (app_role(service), owner_role(service)):
        with connect(stack, role) as conn:
            conn.execute(f"SELECT count(*) FROM {service}.{TABLES[service]}")  # its own: fine
            for other, table in TABLES.items():
                if other == service:
                    continue
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(f"SELECT 1 FROM {other}.{table} LIMIT 1")
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(f"CREATE TABLE {other}.intruder (x int)")
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("CREATE TABLE public.intruder (x int)")


def test_audit_log_is_append_only(stack: Any, login: Any) -> None:
    login("auditor")  # a login is an audited event: the log is not empty
    with connect(stack, app_role("audit")) as conn:
        wait_for(
            lambda: conn.execute("SELECT count(*) FROM audit.entries").fetchone()[0],
            lambda n: n > 0,
        )
        for stmt in (
            "UPDATE audit.entries SET type = 'x'",
            "DELETE FROM audit.entries",
            "TRUNCATE audit.entries",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(stmt)
    # Even the schema owner, who could grant itself anything, is stopped by the trigger.
    with connect(stack, owner_role("audit")) as conn:
        for stmt in (
            "UPDATE audit.entries SET type = 'x'",
            "DELETE FROM audit.entries",
            "TRUNCATE audit.entries",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
                conn.execute(stmt)


def test_runtime_roles_cannot_change_their_schema(stack: Any) -> None:
    with (
        connect(stack, app_role("tickets")) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute("DROP TABLE tickets.tickets")
