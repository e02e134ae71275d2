"""Alembic plumbing shared by every service: each tree sees only its own schema's tables."""

from __future__ import annotations

from typing import Any

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, create_engine, pool, text


def run_env(metadata: MetaData) -> None:
    """Body of a service's migrations/env.py: migrate its schema, version table inside it."""
    schema = metadata.schema
    assert schema, "service metadata must be bound to the service schema"
    url = context.config.get_main_option("sqlalchemy.url")
    assert url

    def include_object(
        obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
    ) -> bool:
        if type_ == "table":
            return getattr(obj, "schema", None) == schema
        return True

    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as conn:
        conn.execute(text(f'SET search_path TO "{schema}"'))
        context.configure(
            connection=conn,
            target_metadata=metadata,
            version_table_schema=schema,
            include_schemas=True,
            include_object=include_object,
        )
        with context.begin_transaction():
            context.run_migrations()
        conn.commit()
    engine.dispose()


def upgrade(script_location: str, url: str, revision: str = "head") -> None:
    """Apply a service's migrations, e.g. upgrade("tickets:migrations", url)."""
    cfg = Config()
    cfg.set_main_option("script_location", script_location)
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(cfg, revision)


def create_outbox(schema: str) -> None:
    """Migration step: the outbox table (see kit.events.outbox), frozen at its first version."""
    import sqlalchemy as sa
    from alembic import op
    from sqlalchemy.dialects.postgresql import UUID

    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("traceparent", sa.String(64)),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        schema=schema,
    )


def create_inbox(schema: str) -> None:
    """Migration step: the inbox table (see kit.events.consumer), frozen at its first version."""
    import sqlalchemy as sa
    from alembic import op
    from sqlalchemy.dialects.postgresql import UUID

    op.create_table(
        "inbox",
        sa.Column("consumer", sa.String(100), primary_key=True),
        sa.Column("event_id", UUID(as_uuid=True), primary_key=True),
        sa.Column(
            "received_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        schema=schema,
    )
