"""identity: departments, groups, users, role grants, memberships, signing keys, outbox, inbox

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

from kit.migrations import create_inbox, create_outbox

revision = "0001"
down_revision = None
S = "identity"


def upgrade() -> None:
    op.create_table(
        "departments",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("key", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        schema=S,
    )
    op.create_table(
        "groups",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("key", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        schema=S,
    )
    op.create_table(
        "users",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("username", sa.String(100), nullable=False, unique=True),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(254), nullable=False, server_default=""),
        sa.Column("password_hash", sa.Text),
        sa.Column("department_id", UUID(as_uuid=True), sa.ForeignKey(f"{S}.departments.id")),
        sa.Column("active", sa.Boolean, nullable=False, server_default="true"),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.CheckConstraint("username = lower(username)", name="ck_users_username_lower"),
        schema=S,
    )
    op.create_table(
        "role_grants",
        sa.Column(
            "user_id",
            UUID(as_uuid=True),
            sa.ForeignKey(f"{S}.users.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("role", sa.String(32), primary_key=True),
        sa.CheckConstraint(
            "role IN ('requester', 'agent', 'group_lead', 'admin', 'auditor')",
            name="ck_role_grants_known_role",
        ),
        schema=S,
    )
    op.create_table(
        "group_members",
        sa.Column(
            "user_id",
            UUID(as_uuid=True),
            sa.ForeignKey(f"{S}.users.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "group_id",
            UUID(as_uuid=True),
            sa.ForeignKey(f"{S}.groups.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        schema=S,
    )
    op.create_index("ix_group_members_group_id", "group_members", ["group_id"], schema=S)
    op.create_table(
        "signing_keys",
        sa.Column("kid", sa.String(64), primary_key=True),
        sa.Column("private_pem", sa.Text, nullable=False),
        sa.Column("public_jwk", JSONB, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default="true"),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        schema=S,
    )
    create_outbox(S)
    create_inbox(S)


def downgrade() -> None:
    for table in (
        "inbox",
        "outbox",
        "signing_keys",
        "group_members",
        "role_grants",
        "users",
        "groups",
        "departments",
    ):
        op.drop_table(table, schema=S)
