"""Double-entry ledger: journals, postings, balances, system accounts and the invariant check.

Rules: every journal's postings sum to zero (one currency per journal); a customer account never
goes below `-credit_limit`; system accounts (settlement, fees, network) may go negative.
Concurrency: balances are updated under row locks taken in account-id order
(`SELECT ... FOR UPDATE` on PostgreSQL; on SQLite every transaction is `BEGIN IMMEDIATE`, so
the database write lock serialises writers). All functions work inside the caller's transaction
and never commit: commit once the whole operation (and its stored response) is written.
A journal may carry an idempotency key of its own (a repeat returns the first journal); the
request-level Idempotency-Key scheme is in core/idempotency.py.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import DateTime, bindparam, func, select, text
from sqlalchemy.orm import Session

from corebank.core.db import new_id, utcnow
from corebank.core.errors import BankError
from corebank.core.models import MONEY, Account, JournalEntry, Posting
from corebank.core.money import CENT, CURRENCIES, to_decimal

SYSTEM_KINDS = ("settlement", "fees", "network")

_accounts = Account.__table__
_journals = JournalEntry.__table__
_postings = Posting.__table__

# Hot-path statements as plain SQL (same text on SQLite and PostgreSQL, compiled once).
# ON CONFLICT DO NOTHING makes a concurrent second insert of a keyed journal wait for the first
# transaction and then report "not inserted" instead of failing the whole transaction.
_JOURNAL_COLUMNS = ("(id, kind, description, currency, created_at, idempotency_key, request_hash) "
                    "VALUES (:id, :kind, :description, :currency, :created_at, :idempotency_key, "
                    ":request_hash)")
_INSERT_JOURNAL = text(f"INSERT INTO journal_entries {_JOURNAL_COLUMNS}").bindparams(
    bindparam("created_at", type_=DateTime()))
_INSERT_KEYED_JOURNAL = text(
    f"INSERT INTO journal_entries {_JOURNAL_COLUMNS} ON CONFLICT (idempotency_key) DO NOTHING"
).bindparams(bindparam("created_at", type_=DateTime()))
_INSERT_POSTING = text(
    "INSERT INTO postings (journal_id, account_id, amount, currency, balance_after) "
    "VALUES (:journal_id, :account_id, :amount, :currency, :balance_after)"
).bindparams(bindparam("amount", type_=MONEY), bindparam("balance_after", type_=MONEY))
# Built once: constructing an IN (...) expression per call costs more than the query.
_LOCK_ACCOUNTS = (
    select(_accounts.c.id, _accounts.c.currency, _accounts.c.balance,
           _accounts.c.credit_limit, _accounts.c.kind)
    .where(_accounts.c.id.in_(bindparam("ids", expanding=True)))
    .order_by(_accounts.c.id)
    .with_for_update()
)
_INSERT_TWO_POSTINGS = text(
    "INSERT INTO postings (journal_id, account_id, amount, currency, balance_after) VALUES "
    "(:journal_id, :a1, :m1, :currency, :b1), (:journal_id, :a2, :m2, :currency, :b2)"
).bindparams(*(bindparam(n, type_=MONEY) for n in ("m1", "b1", "m2", "b2")))
_SET_TWO_BALANCES = text(
    "UPDATE accounts SET balance = CASE WHEN id = :id1 THEN :bal1 ELSE :bal2 END "
    "WHERE id IN (:id1, :id2)"
).bindparams(bindparam("bal1", type_=MONEY), bindparam("bal2", type_=MONEY))
_JOURNAL_BY_KEY = select(_journals).where(_journals.c.idempotency_key == bindparam("key"))
_SET_BALANCE = text("UPDATE accounts SET balance = :balance WHERE id = :id").bindparams(
    bindparam("balance", type_=MONEY))
_FROZEN_CARD_ON = text("SELECT masked FROM cards WHERE account_id = :id AND status = 'frozen' "
                       "LIMIT 1")


@dataclass
class PostedLine:
    account_id: str
    amount: Decimal
    balance_after: Decimal


@dataclass
class JournalResult:
    journal_id: str
    kind: str
    description: str
    currency: str
    created_at: datetime
    lines: list[PostedLine] = field(default_factory=list)
    replayed: bool = False  # True: the idempotency key was already used; nothing new posted

    def balance_after(self, account_id: str) -> Decimal | None:
        found = [line.balance_after for line in self.lines if line.account_id == account_id]
        return found[-1] if found else None


# --- journals ------------------------------------------------------------------------------

def _normalise(postings, currency: str) -> list[tuple[str, Decimal]]:
    if currency not in CURRENCIES:
        raise BankError("unknown_currency", f"Currency '{currency}' is not supported.")
    lines = []
    for account_id, amount in postings:
        if not isinstance(amount, Decimal):
            raise TypeError("posting amounts must be Decimal")
        if amount != amount.quantize(CENT) or amount == 0:
            raise BankError("invalid_amount", "Posting amounts must be non-zero with 2 decimals.")
        lines.append((str(account_id), amount.quantize(CENT)))
    if len(lines) < 2:
        raise ValueError("a journal needs at least two postings")
    if sum(amount for _, amount in lines) != 0:
        raise ValueError("postings of a journal must sum to zero")
    return lines


def _existing_journal(session: Session, idempotency_key: str, request_hash_: str | None):
    row = session.execute(_JOURNAL_BY_KEY, {"key": idempotency_key}).one_or_none()
    if row is None:
        return None
    if request_hash_ is not None and row.request_hash not in (None, request_hash_):
        raise BankError("idempotency_conflict",
                        "This Idempotency-Key was already used with a different request.")
    lines = session.execute(
        select(_postings.c.account_id, _postings.c.amount, _postings.c.balance_after)
        .where(_postings.c.journal_id == row.id).order_by(_postings.c.id)
    ).all()
    return JournalResult(
        journal_id=row.id, kind=row.kind, description=row.description, currency=row.currency,
        created_at=row.created_at, replayed=True,
        lines=[PostedLine(a, to_decimal(m), to_decimal(b)) for a, m, b in lines],
    )


def lock_accounts(session: Session, account_ids) -> dict[str, object]:
    """Rows of the given accounts, locked for update in id order (deadlock-free). Missing
    accounts are simply absent from the result."""
    ids = sorted(set(account_ids))
    return {row.id: row for row in session.execute(_LOCK_ACCOUNTS, {"ids": ids})}


def post_journal(
    session: Session,
    postings,
    currency: str,
    description: str,
    idempotency_key: str | None = None,
    request_hash: str | None = None,
    kind: str = "transfer",
    allow_overdraft: bool = False,
) -> JournalResult:
    """Post one balanced journal and update balances; returns a JournalResult.

    postings: [(account_id, Decimal amount)], negative debits, positive credits, summing to zero
      (a programming error raises ValueError/TypeError, not a BankError).
    currency: every account must hold it (else 422 invalid_request).
    idempotency_key: optional, globally unique among journals (prefix it with your scope, e.g.
      "topup:<id>"); a repeat returns the first journal with `replayed=True` and posts nothing
      (409 idempotency_conflict if request_hash differs from the stored one).
    Errors: 404 not_found (unknown account), 409 insufficient_funds (a customer account would go
      below -credit_limit; `allow_overdraft` lifts that, for corrections only), 409 card_frozen
      (a debit of an account whose card its owner froze: nothing leaves it until unfrozen).
    Runs in the caller's transaction; does not commit.
    """
    lines = _normalise(postings, currency)
    locked = lock_accounts(session, [account_id for account_id, _ in lines])
    if idempotency_key is not None:
        # Checked after taking the locks: a concurrent first attempt has committed by now.
        existing = _existing_journal(session, idempotency_key, request_hash)
        if existing is not None:
            return existing

    balances: dict[str, Decimal] = {}
    for account_id, _ in lines:
        row = locked.get(account_id)
        if row is None:
            raise BankError("not_found", "Account not found.", account_id=account_id)
        if row.currency != currency:
            raise BankError("currency_mismatch", "The account holds another currency.", 422,
                            account_id=account_id, account_currency=row.currency)
        balances[account_id] = to_decimal(row.balance)

    net: OrderedDict[str, Decimal] = OrderedDict()
    for account_id, amount in lines:
        net[account_id] = net.get(account_id, Decimal("0.00")) + amount
    for account_id, delta in net.items():
        row = locked[account_id]
        if delta < 0 and row.kind == "customer" and not allow_overdraft:
            refuse_if_frozen(session, account_id)
            available = balances[account_id] + to_decimal(row.credit_limit)
            if available + delta < 0:
                raise BankError("insufficient_funds", "Not enough money on the account.",
                                account_id=account_id)

    now = utcnow()
    journal_id = new_id("jrn_")
    values = dict(id=journal_id, kind=kind, description=description[:300], currency=currency,
                  created_at=now, idempotency_key=idempotency_key, request_hash=request_hash)
    if idempotency_key is not None:
        if session.execute(_INSERT_KEYED_JOURNAL, values).rowcount != 1:
            # lost a race we could not see: replay the winner
            return _existing_journal(session, idempotency_key, request_hash)
    else:
        session.execute(_INSERT_JOURNAL, values)

    posted: list[PostedLine] = []
    running = dict(balances)
    for account_id, amount in lines:
        running[account_id] += amount
        posted.append(PostedLine(account_id, amount, running[account_id]))
    if len(posted) == 2 and len(net) == 2:  # the common case: one statement each
        (p1, p2), (a1, a2) = posted, list(net)
        session.execute(_INSERT_TWO_POSTINGS, dict(
            journal_id=journal_id, currency=currency, a1=p1.account_id, m1=p1.amount,
            b1=p1.balance_after, a2=p2.account_id, m2=p2.amount, b2=p2.balance_after))
        session.execute(_SET_TWO_BALANCES, dict(id1=a1, bal1=running[a1], id2=a2,
                                                bal2=running[a2]))
    else:
        session.execute(_INSERT_POSTING, [
            dict(journal_id=journal_id, account_id=p.account_id, amount=p.amount,
                 currency=currency, balance_after=p.balance_after) for p in posted
        ])
        session.execute(_SET_BALANCE, [dict(id=a, balance=running[a]) for a in net])
    return JournalResult(journal_id=journal_id, kind=kind, description=values["description"],
                         currency=currency, created_at=now, lines=posted)


def refuse_if_frozen(session: Session, account_id: str) -> None:
    """409 card_frozen when a card on the account is frozen: the chat promises its owner that no
    payment or withdrawal goes through until it is unfrozen, so no debit of any kind does."""
    masked = session.execute(_FROZEN_CARD_ON, {"id": account_id}).scalar()
    if masked is not None:
        raise BankError("card_frozen", f"The card {masked} is frozen: no payments go through "
                        "until it is unfrozen.", account_id=account_id, masked=masked)


def transfer(session: Session, from_account: str, to_account: str, amount: Decimal,
             currency: str, description: str, **kwargs) -> JournalResult:
    """Shorthand for a two-line journal moving `amount` from one account to another."""
    if from_account == to_account:
        raise BankError("same_account", "Source and destination accounts are the same.", 422)
    return post_journal(session, [(from_account, -amount), (to_account, amount)], currency,
                        description, **kwargs)


def system_account(session: Session, kind: str, currency: str) -> str:
    """Id of the system account of `kind` (settlement | fees | network) in `currency`."""
    account_id = session.execute(
        select(_accounts.c.id).where(_accounts.c.kind == kind, _accounts.c.currency == currency,
                                     _accounts.c.customer_id.is_(None))
        .order_by(_accounts.c.created_at).limit(1)
    ).scalar_one_or_none()
    if account_id is None:
        raise BankError("internal_error", f"No {kind} account in {currency}.", 500)
    return account_id


# --- invariant check -----------------------------------------------------------------------

_TOLERANCE = Decimal("0.001")  # SQLite sums NUMERIC as floats; PostgreSQL is exact


def check_ledger(session) -> dict:  # a Session or a Core Connection
    """Every journal sums to zero, every balance equals its postings, totals per currency are
    zero, no customer account is below -credit_limit."""
    journals = session.execute(select(func.count()).select_from(_journals)).scalar_one()
    postings = session.execute(select(func.count()).select_from(_postings)).scalar_one()
    unbalanced = [
        {"journal_id": j, "currency": c, "sum": str(s)}
        for j, c, s in session.execute(
            select(_postings.c.journal_id, _postings.c.currency, func.sum(_postings.c.amount))
            .group_by(_postings.c.journal_id, _postings.c.currency)
        ) if abs(to_decimal(s)) > _TOLERANCE
    ]
    sums = dict(session.execute(
        select(_postings.c.account_id, func.sum(_postings.c.amount))
        .group_by(_postings.c.account_id)
    ).all())
    mismatched, overdrawn, totals = [], [], {}
    for acc in session.execute(select(_accounts.c.id, _accounts.c.balance,
                                      _accounts.c.credit_limit, _accounts.c.kind,
                                      _accounts.c.currency)):
        balance = to_decimal(acc.balance)
        if abs(balance - to_decimal(sums.get(acc.id, 0))) > _TOLERANCE:
            mismatched.append({"account_id": acc.id, "balance": str(balance),
                               "postings_sum": str(to_decimal(sums.get(acc.id, 0)))})
        if acc.kind == "customer" and balance + to_decimal(acc.credit_limit) < 0:
            overdrawn.append(acc.id)
        totals[acc.currency] = totals.get(acc.currency, Decimal("0.00")) + balance
    nonzero = {c: str(t) for c, t in totals.items() if abs(t) > _TOLERANCE}
    balanced = not (unbalanced or mismatched or overdrawn or nonzero)
    return {
        "balanced": balanced,
        "journals": journals,
        "postings": postings,
        "unbalanced_journals": unbalanced[:20],
        "balance_mismatches": mismatched[:20],
        "overdrawn_accounts": overdrawn[:20],
        "nonzero_currency_totals": nonzero,
    }


def ping(session: Session) -> None:
    session.execute(text("SELECT 1"))
