"""OTP abuse limits: wrong-code lockouts per (identity, phone); an index for send limits

Revision ID: 0003_otp_limits
Revises: 0002_features
Create Date: 2026-11-26 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_otp_limits"
down_revision = "0002_features"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Lockouts are short-lived counters: the per-phone rows are dropped, not converted (a
    # phone-wide lock is exactly what let a stranger lock the owner out).
    op.drop_table("otp_lockouts")
    op.create_table(
        "otp_lockouts",
        sa.Column("identity", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("identity", "phone"),
    )
    with op.batch_alter_table("otp_challenges", schema=None) as batch_op:
        batch_op.create_index("ix_otp_challenges_identity_created", ["identity", "created_at"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("otp_challenges", schema=None) as batch_op:
        batch_op.drop_index("ix_otp_challenges_identity_created")
    op.drop_table("otp_lockouts")
    op.create_table(
        "otp_lockouts",
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("phone"),
    )
