"""Bill payments: the payments made (history, "pay it again") and saved payment templates

Revision ID: 0004_bills
Revises: 0003_otp_limits
Create Date: 2026-11-26 17:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_bills"
down_revision = "0003_otp_limits"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(18, 2)


def upgrade() -> None:
    op.create_table(
        "bill_payments",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.String(length=32), nullable=False),
        sa.Column("provider_id", sa.String(length=40), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("account", sa.String(length=40), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("fee", MONEY, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("receipt_no", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_bill_payments_customer_created", "bill_payments",
                    ["customer_id", "created_at"], unique=False)
    op.create_table(
        "bill_templates",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("provider_id", sa.String(length=40), nullable=False),
        sa.Column("account", sa.String(length=40), nullable=False),
        sa.Column("amount", MONEY, nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("customer_id", "name", name="uq_bill_templates_name"),
    )
    op.create_index("ix_bill_templates_customer_id", "bill_templates", ["customer_id"],
                    unique=False)


def downgrade() -> None:
    op.drop_index("ix_bill_templates_customer_id", table_name="bill_templates")
    op.drop_table("bill_templates")
    op.drop_index("ix_bill_payments_customer_created", table_name="bill_payments")
    op.drop_table("bill_payments")
