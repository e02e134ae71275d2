"""audit: hash-chained entries (append-only, enforced by trigger), inbox

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

from kit.migrations import create_inbox

revision = "0001"
down_revision = None
S = "audit"


def upgrade() -> None:
    op.create_table(
        "entries",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
        sa.Column("type", sa.String(200), nullable=False),
        sa.Column("entity_id", sa.String(100), nullable=False),
        sa.Column("actor_id", sa.String(100), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        schema=S,
    )
    op.create_index("ix_entries_entity_id_seq", "entries", ["entity_id", "seq"], schema=S)
    create_inbox(S)
    # Grants already leave the runtime role INSERT and SELECT only; the trigger also stops the
    # schema owner (and anyone granted more by mistake) from rewriting history.
    op.execute(
        f"""
        CREATE FUNCTION {S}.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'audit entries are append-only (% refused)', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END $$;
        CREATE TRIGGER entries_append_only BEFORE UPDATE OR DELETE ON {S}.entries
            FOR EACH ROW EXECUTE FUNCTION {S}.refuse_change();
        CREATE TRIGGER entries_no_truncate BEFORE TRUNCATE ON {S}.entries
            FOR EACH STATEMENT EXECUTE FUNCTION {S}.refuse_change();
        """
    )


def downgrade() -> None:
    op.execute(f"DROP TABLE {S}.entries CASCADE; DROP FUNCTION {S}.refuse_change()")
    op.drop_table("inbox", schema=S)
