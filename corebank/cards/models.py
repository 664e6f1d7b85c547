"""Plastic card orders (the cards themselves are in corebank/core/models.py)."""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, ForeignKey, String

from corebank.core.db import Base, utcnow


class PlasticOrder(Base):
    __tablename__ = "plastic_orders"

    id = Column(String(32), primary_key=True)
    customer_id = Column(String(32), ForeignKey("customers.id"), nullable=False, index=True)
    card_id = Column(String(32), ForeignKey("cards.id"), nullable=False, index=True)
    street = Column(String(120), nullable=False)
    city = Column(String(60), nullable=False)
    postal_code = Column(String(10))
    status = Column(String(16), nullable=False, default="ordered")  # ordered|shipped|delivered
    estimated_delivery = Column(Date, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)


__all__ = ["PlasticOrder"]
