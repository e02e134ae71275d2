"""Database ownership: one database, and per service one schema, an owner role (migrations)
and an application role (runtime) that can reach nothing but its own schema."""

from __future__ import annotations

import psycopg
from psycopg import sql

DATABASE = "helpdesk"
# Which table privileges each runtime role gets in its own schema. The audit log is append-only.
SERVICES: dict[str, str] = {
    "identity": "SELECT, INSERT, UPDATE, DELETE",
    "routing": "SELECT, INSERT, UPDATE, DELETE",
    "tickets": "SELECT, INSERT, UPDATE, DELETE",
    "sla": "SELECT, INSERT, UPDATE, DELETE",
    "audit": "SELECT, INSERT",
}


def owner_role(service: str) -> str:
    return f"{service}_owner"


def app_role(service: str) -> str:
    return f"{service}_app"


def bootstrap(admin_url: str, passwords: dict[str, str], database: str = DATABASE) -> None:
    """Create the database, roles, schemas and grants; safe to run on every start."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone():
            conn.execute(
                sql.SQL("CREATE DATABASE {} ENCODING 'UTF8'").format(sql.Identifier(database))
            )
        for service in SERVICES:
            for role in (owner_role(service), app_role(service)):
                ident = sql.Identifier(role)
                exists = conn.execute(
                    "SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)
                ).fetchone()
                verb = "ALTER" if exists else "CREATE"
                conn.execute(
                    sql.SQL(
                        verb + " ROLE {} LOGIN PASSWORD {} NOSUPERUSER NOCREATEDB NOCREATEROLE"
                    ).format(ident, sql.Literal(passwords[role]))
                )
    target = admin_url.rsplit("/", 1)[0] + "/" + database
    with psycopg.connect(target, autocommit=True) as conn:
        conn.execute(
            sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(sql.Identifier(database))
        )
        conn.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC")
        for service, privileges in SERVICES.items():
            owner, app, schema = (
                sql.Identifier(x) for x in (owner_role(service), app_role(service), service)
            )
            for grantee in (owner, app):
                conn.execute(
                    sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
                        sql.Identifier(database), grantee
                    )
                )
            conn.execute(
                sql.SQL("CREATE SCHEMA IF NOT EXISTS {} AUTHORIZATION {}").format(schema, owner)
            )
            conn.execute(sql.SQL("REVOKE ALL ON SCHEMA {} FROM PUBLIC").format(schema))
            conn.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, app))
            for stmt in (
                "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} GRANT "
                + privileges
                + " ON TABLES TO {app}",
                "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO {app}",
                "GRANT " + privileges + " ON ALL TABLES IN SCHEMA {schema} TO {app}",
                "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {app}",
            ):
                conn.execute(sql.SQL(stmt).format(owner=owner, schema=schema, app=app))
