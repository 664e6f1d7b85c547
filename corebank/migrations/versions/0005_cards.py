"""Card management: the chat that asked for a secure link (told by webhook when the PIN or the
password is set there)

Revision ID: 0005_cards
Revises: 0004_bills
Create Date: 2026-11-26 17:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_cards"
down_revision = "0004_bills"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("secure_links", schema=None) as batch_op:
        batch_op.add_column(sa.Column("identity", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("secure_links", schema=None) as batch_op:
        batch_op.drop_column("identity")
