"""sla: policies, clocks, outbox, inbox

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

from kit.migrations import create_inbox, create_outbox

revision = "0001"
down_revision = None
S = "sla"


def upgrade() -> None:
    op.create_table(
        "policies",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("priority", sa.String(10), nullable=False, unique=True),
        sa.Column("response_minutes", sa.Integer, nullable=False),
        sa.Column("resolution_minutes", sa.Integer, nullable=False),
        sa.Column("warn_ratio", sa.Float, nullable=False, server_default="0.8"),
        schema=S,
    )
    op.create_table(
        "clocks",
        sa.Column("ticket_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("policy_id", UUID(as_uuid=True), nullable=False),
        sa.Column("priority", sa.String(10), nullable=False),
        sa.Column("group_id", UUID(as_uuid=True)),
        sa.Column("category_id", UUID(as_uuid=True)),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("response_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolution_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("warn_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(20), nullable=False, server_default="running"),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        schema=S,
    )
    op.create_index("ix_clocks_resolution_due_at", "clocks", ["resolution_due_at"], schema=S)
    create_outbox(S)
    create_inbox(S)


def downgrade() -> None:
    for table in ("inbox", "outbox", "clocks", "policies"):
        op.drop_table(table, schema=S)
