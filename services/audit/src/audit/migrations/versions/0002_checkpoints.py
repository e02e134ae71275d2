"""audit: signed checkpoints of the chain's head (append-only too)

Revision ID: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
S = "audit"


def upgrade() -> None:
    op.create_table(
        "checkpoints",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("signature", sa.String(128), nullable=False),
        sa.Column(
            "signed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        schema=S,
    )
    op.execute(
        f"""
        CREATE TRIGGER checkpoints_append_only BEFORE UPDATE OR DELETE ON {S}.checkpoints
            FOR EACH ROW EXECUTE FUNCTION {S}.refuse_change();
        CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON {S}.checkpoints
            FOR EACH STATEMENT EXECUTE FUNCTION {S}.refuse_change();
        """
    )


def downgrade() -> None:
    op.drop_table("checkpoints", schema=S)
