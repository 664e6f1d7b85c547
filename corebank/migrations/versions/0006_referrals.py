"""referral programmes and partner offers: invitation codes, attributions, welcome rewards,
partner promo codes, purchases at partners and their cashback

Revision ID: 0006_referrals
Revises: 0005_cards
Create Date: 2026-11-26 17:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_referrals"
down_revision = "0005_cards"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(18, 2)


def upgrade() -> None:
    op.create_table(
        "referral_codes",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("customer_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"]),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_index("ix_referral_codes_customer_id", "referral_codes", ["customer_id"])
    op.create_table(
        "referral_attributions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("inviter_id", sa.String(length=32), nullable=True),
        sa.Column("code", sa.String(length=16), nullable=True),
        sa.Column("campaign", sa.String(length=40), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("newcomer_identity", sa.String(length=200), nullable=True),
        sa.Column("newcomer_customer_id", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reward_amount", MONEY, nullable=True),
        sa.Column("reward_journal_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("rewarded_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["inviter_id"], ["customers.id"]),
        sa.ForeignKeyConstraint(["newcomer_customer_id"], ["customers.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("newcomer_identity"),
        sa.UniqueConstraint("newcomer_customer_id"),
    )
    op.create_index("ix_referral_attributions_inviter", "referral_attributions",
                    ["inviter_id", "rewarded_at"])
    op.create_table(
        "welcome_rewards",
        sa.Column("customer_id", sa.String(length=32), nullable=False),
        sa.Column("attribution_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("amount", MONEY, nullable=True),
        sa.Column("partner_id", sa.String(length=40), nullable=True),
        sa.Column("boost_percent", MONEY, nullable=True),
        sa.Column("valid_until", sa.DateTime(), nullable=True),
        sa.Column("journal_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["attribution_id"], ["referral_attributions.id"]),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"]),
        sa.PrimaryKeyConstraint("customer_id"),
    )
    op.create_table(
        "partner_promo_codes",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.String(length=32), nullable=False),
        sa.Column("offer_id", sa.String(length=40), nullable=False),
        sa.Column("partner_id", sa.String(length=40), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("partner_ref", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("customer_id", "offer_id", name="uq_promo_customer_offer"),
    )
    op.create_table(
        "partner_purchases",
        sa.Column("journal_id", sa.String(length=32), nullable=False),
        sa.Column("partner_id", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"]),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"]),
        sa.PrimaryKeyConstraint("journal_id"),
    )
    op.create_index("ix_partner_purchases_partner_id", "partner_purchases", ["partner_id"])
    op.create_index("ix_partner_purchases_customer_id", "partner_purchases", ["customer_id"])
    op.create_table(
        "partner_cashback",
        sa.Column("purchase_journal_id", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.String(length=32), nullable=False),
        sa.Column("offer_id", sa.String(length=40), nullable=False),
        sa.Column("percent", MONEY, nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("journal_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"]),
        sa.ForeignKeyConstraint(["purchase_journal_id"], ["partner_purchases.journal_id"]),
        sa.PrimaryKeyConstraint("purchase_journal_id"),
    )
    op.create_index("ix_partner_cashback_customer_id", "partner_cashback", ["customer_id"])


def downgrade() -> None:
    op.drop_table("partner_cashback")
    op.drop_table("partner_purchases")
    op.drop_table("partner_promo_codes")
    op.drop_table("welcome_rewards")
    op.drop_table("referral_attributions")
    op.drop_table("referral_codes")
