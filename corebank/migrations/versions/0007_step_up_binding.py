"""step-up codes bound to what they confirm (amount, recipient); codes asked by a chat already
linked to the phone's customer marked, so strangers cannot use up the phone's limit

Revision ID: 0007_step_up_binding
Revises: 0006_referrals
Create Date: 2026-12-08 04:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_step_up_binding"
down_revision = "0006_referrals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("otp_challenges", schema=None) as batch_op:
        batch_op.add_column(sa.Column("step_up_amount", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("step_up_target", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("trusted", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("otp_challenges", schema=None) as batch_op:
        batch_op.drop_column("trusted")
        batch_op.drop_column("step_up_target")
        batch_op.drop_column("step_up_amount")
