"""tickets: tickets, outbox, inbox

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

from kit.migrations import create_inbox, create_outbox

revision = "0001"
down_revision = None
S = "tickets"


def upgrade() -> None:
    op.create_table(
        "tickets",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("number", sa.BigInteger, sa.Identity(), nullable=False, unique=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("category_id", UUID(as_uuid=True), nullable=False),
        sa.Column("priority", sa.String(10), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("requester_id", UUID(as_uuid=True), nullable=False),
        sa.Column("department_id", UUID(as_uuid=True)),
        sa.Column("group_id", UUID(as_uuid=True)),
        sa.Column("assignee_id", UUID(as_uuid=True)),
        sa.Column("idempotency_key", sa.String(100)),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.CheckConstraint("priority IN ('low', 'normal', 'high')", name="ck_tickets_priority"),
        sa.CheckConstraint(
            "status IN ('new', 'assigned', 'in_progress', 'pending', 'resolved', 'closed', 'reopened')",
            name="ck_tickets_status",
        ),
        sa.UniqueConstraint(
            "requester_id", "idempotency_key", name="uq_tickets_requester_idempotency"
        ),
        schema=S,
    )
    op.create_index(
        "ix_tickets_requester_created", "tickets", ["requester_id", "created_at"], schema=S
    )
    op.create_index("ix_tickets_group_created", "tickets", ["group_id", "created_at"], schema=S)
    create_outbox(S)
    create_inbox(S)


def downgrade() -> None:
    for table in ("inbox", "outbox", "tickets"):
        op.drop_table(table, schema=S)
