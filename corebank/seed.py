"""Demo data: system accounts, four customers with cards and balances (docs/demo-data.md).

`seed_demo()` is idempotent (customers are matched by phone; opening balances carry journal
idempotency keys). `reset_and_seed()` wipes every table (corebank/schema.py) and seeds
again: for tests only (POST /sandbox/reset).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import delete, select, text

from corebank.core import ledger
from corebank.core.accounts import issue_card, open_account
from corebank.core.db import get_engine, new_id, session_scope, utcnow
from corebank.core.models import Account, Customer
from corebank.schema import metadata

log = logging.getLogger("corebank.seed")

SYSTEM_ACCOUNTS = [
    ("settlement", "UAH", "Settlement UAH"),
    ("settlement", "USD", "Settlement USD"),
    ("settlement", "EUR", "Settlement EUR"),
    # every currency a customer can send in: a network transfer's fee goes to the fee account of
    # its currency (a USD transfer had none and failed with 500)
    ("fees", "UAH", "Fee income UAH"),
    ("fees", "USD", "Fee income USD"),
    ("fees", "EUR", "Fee income EUR"),
    ("network", "UAH", "Card network clearing UAH"),
    ("network", "USD", "Card network clearing USD"),
    ("network", "EUR", "Card network clearing EUR"),
]


@dataclass(frozen=True)
class DemoCard:
    pan: str
    tariff: str
    status: str = "active"
    status_reason: str | None = None


@dataclass(frozen=True)
class DemoCustomer:
    phone: str
    first_name: str
    last_name: str
    kyc_level: str
    date_of_birth: date
    balances: dict
    credit_limit: Decimal
    cards: tuple


# Luhn-valid numbers in our BINs (the check digit is the last one).
DEMO_CUSTOMERS = [
    DemoCustomer("+380501112233", "Anna", "Ivanova", "verified", date(1994, 3, 12),
                 {"UAH": Decimal("25000.00"), "USD": Decimal("300.00")}, Decimal("10000.00"),
                 (DemoCard("5168740000000016", "tariff"),)),
    DemoCustomer("+380671234567", "Taras", "Shevchenko", "basic", date(1999, 3, 9),
                 {"UAH": Decimal("1500.00")}, Decimal("0.00"),
                 (DemoCard("4149490000000023", "basic"),)),
    DemoCustomer("+380931112233", "Olena", "Kovalenko", "basic", date(2001, 7, 21),
                 {"UAH": Decimal("3200.00")}, Decimal("0.00"),
                 (DemoCard("5351450000000035", "basic", "frozen", "temporary"),)),
    DemoCustomer("+380631234567", "Iryna", "Melnyk", "verified", date(1988, 11, 2),
                 {"UAH": Decimal("800.00")}, Decimal("5000.00"),
                 (DemoCard("4149490000000049", "tariff", "blocked", "stolen"),
                  DemoCard("4149490000000056", "tariff"))),
]

# Other banks' test cards (Luhn-valid, not ours) for transfers and top-ups.
OTHER_BANK_TEST_CARDS = ["4111111111111111", "5555555555554444"]


def _ensure_system_accounts(session) -> None:
    for kind, currency, name in SYSTEM_ACCOUNTS:
        exists = session.execute(
            select(Account.id).where(Account.kind == kind, Account.currency == currency,
                                     Account.customer_id.is_(None))
        ).first()
        if not exists:
            open_account(session, None, currency, kind, name=name)


def _seed_customer(session, demo: DemoCustomer) -> bool:
    if session.execute(select(Customer.id).where(Customer.phone == demo.phone)).first():
        return False
    customer = Customer(id=new_id("cus_"), phone=demo.phone, first_name=demo.first_name,
                        last_name=demo.last_name, date_of_birth=demo.date_of_birth,
                        kyc_level=demo.kyc_level, created_at=utcnow())
    session.add(customer)
    session.flush()
    for currency, amount in demo.balances.items():
        limit = demo.credit_limit if currency == "UAH" else Decimal("0.00")
        account = open_account(session, customer.id, currency, "customer", limit)
        settlement = ledger.system_account(session, "settlement", currency)
        ledger.transfer(session, settlement, account.id, amount, currency, "Opening balance",
                        kind="seed", idempotency_key=f"seed:{demo.phone}:{currency}")
        if currency != "UAH":
            continue
        for card in demo.cards:
            row = issue_card(session, customer, account, f"{demo.first_name} {demo.last_name}",
                             card.tariff, pan=card.pan, status=card.status)
            row.status_reason = card.status_reason
    return True


# Demo invitation codes (docs/demo-data.md): Anna's live code and an expired one of Taras's.
DEMO_REFERRAL_CODES = [("+380501112233", "INVANNA26", 365), ("+380671234567", "INVTARAS1", -1)]


def _seed_referral_codes(session) -> None:
    from datetime import timedelta

    from corebank.referrals.models import ReferralCode

    for phone, code, days in DEMO_REFERRAL_CODES:
        customer_id = session.execute(select(Customer.id).where(Customer.phone == phone)).scalar()
        if customer_id and session.get(ReferralCode, code) is None:
            now = utcnow()
            session.add(ReferralCode(code=code, customer_id=customer_id, created_at=now,
                                     expires_at=now + timedelta(days=days)))


def seed_demo() -> bool:
    """Create missing demo data; True if anything was added."""
    created = False
    with session_scope() as session:
        _ensure_system_accounts(session)
        session.flush()
        for demo in DEMO_CUSTOMERS:
            if _seed_customer(session, demo):
                created = True
                log.info("seeded demo customer %s %s", demo.first_name, demo.last_name)
        session.flush()
        _seed_referral_codes(session)
    return created


def reset_and_seed() -> None:
    tables = metadata.sorted_tables
    engine = get_engine()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                conn.execute(delete(table))
    seed_demo()


def _check_demo_pans() -> None:  # a typo in the table above must fail loudly
    from stdnum import luhn

    for demo in DEMO_CUSTOMERS:
        for card in demo.cards:
            assert luhn.is_valid(card.pan), card.pan[-4:]


_check_demo_pans()
