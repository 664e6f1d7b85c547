"""Simple filters for the transaction history, read from what the customer typed:
a period ("today", "yesterday", "last week", "last 10 days", "this month", "last month",
"in October"), a direction ("what did I spend", "incoming transfers") and a counterparty
("payments to Burger King", "money from mom"). Applied to the latest transactions the bank
returns (the sandbox API has no filters), newest first."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bankclient import Transaction

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december")
_MONTH_RE = re.compile(r"\b(?:in|for|during|of)?\s*(" + "|".join(
    [m for m in MONTHS] + [m[:3] for m in MONTHS if m != "may"]) + r")\b\.?", re.I)
_LAST_N_DAYS = re.compile(r"\b(?:last|past)\s+(\d{1,3})\s+days?\b", re.I)
_INCOMING = re.compile(r"\b(?:incoming|received|receive|came in|come in|got paid|"
                       r"arriv\w*|inflow|credited|refunds?|salary|got|from)\b", re.I)
_OUTGOING = re.compile(r"\b(?:spen[dt]|spending|paid|pay|payments?|outgoing|bought|buy|"
                       r"purchases?|charged?|expenses?|to)\b", re.I)
# "payments to Burger King last week" → "Burger King"; "money from mom" → "mom".
_PARTY = re.compile(
    r"\b(?P<dir>to|at|from|in)\s+(?:the\s+)?(?P<name>(?!(?:my|me|last|this|past|today|yesterday)\b)"
    r"[\w'&.-]+(?:\s+(?!(?:last|this|in|on|for|during|since|yesterday|today|past)\b)"
    r"[\w'&.-]+){0,3})", re.I)
_NOT_PARTIES = {*MONTHS, *(m[:3] for m in MONTHS), "account", "card", "it", "them", "total",
                "week", "month", "day", "days", "year", "history", "date", "see"}


@dataclass(frozen=True)
class HistoryFilter:
    start: date | None = None
    end: date | None = None  # inclusive
    direction: str | None = None  # in | out
    party: str | None = None
    period_words: str | None = None

    @property
    def any(self) -> bool:
        return bool(self.start or self.end or self.direction or self.party)

    def matches(self, tx: Transaction) -> bool:
        day = _day(tx.at)
        if self.start and (day is None or day < self.start):
            return False
        if self.end and (day is None or day > self.end):
            return False
        if self.direction == "in" and tx.amount <= 0:
            return False
        if self.direction == "out" and tx.amount >= 0:
            return False
        if self.party and self.party.lower() not in (tx.description or "").lower():
            return False
        return True

    def describe(self) -> str:
        what = {"in": "Incoming", "out": "Outgoing"}.get(self.direction or "", "Transactions")
        if self.party:
            what += f" {'from' if self.direction == 'in' else 'to'} {self.party}"
        if self.period_words:
            what += f" {self.period_words}"
        return what


def _day(value: str | None) -> date | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).date()
    except ValueError:
        return None


def _period(text: str, today: date) -> tuple[date | None, date | None, str | None]:
    low = text.lower()
    if m := _LAST_N_DAYS.search(low):
        days = max(1, min(int(m.group(1)), 366))
        return today - timedelta(days=days - 1), today, f"in the last {days} days"
    if re.search(r"\btoday\b", low):
        return today, today, "today"
    if re.search(r"\byesterday\b", low):
        day = today - timedelta(days=1)
        return day, day, "yesterday"
    if re.search(r"\b(?:last|past)\s+week\b", low):
        return today - timedelta(days=7), today, "in the last 7 days"
    if re.search(r"\bthis\s+week\b", low):
        return today - timedelta(days=today.weekday()), today, "this week"
    if re.search(r"\bthis\s+month\b", low):
        return today.replace(day=1), today, "this month"
    if re.search(r"\blast\s+month\b", low):
        end = today.replace(day=1) - timedelta(days=1)
        return end.replace(day=1), end, f"in {MONTHS[end.month - 1].title()}"
    if m := _MONTH_RE.search(low):
        name = m.group(1).lower()
        month = next(i for i, full in enumerate(MONTHS, 1) if full.startswith(name))
        year = today.year if month <= today.month else today.year - 1
        start = date(year, month, 1)
        end = (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1))
        return start, min(end, today), f"in {MONTHS[month - 1].title()}"
    return None, None, None


def parse_filter(text: str, today: date | None = None) -> HistoryFilter:
    today = today or date.today()
    if not text or text.startswith("/"):
        return HistoryFilter()
    start, end, words = _period(text, today)
    party = None
    direction = None
    for m in _PARTY.finditer(text):
        name = m.group("name").strip(" .,!?")
        if m.group("dir").lower() == "in" or name.lower() in _NOT_PARTIES:
            continue
        if _MONTH_RE.fullmatch(name.lower()):
            continue
        party = name
        direction = "in" if m.group("dir").lower() == "from" else "out"
        break
    if direction is None:
        incoming = _INCOMING.search(text)
        outgoing = _OUTGOING.search(text)
        if incoming and not outgoing:
            direction = "in"
        elif outgoing and not incoming:
            direction = "out"
    return HistoryFilter(start, end, direction, party, words)


def apply(transactions: Sequence[Transaction], wanted: HistoryFilter) -> list[Transaction]:
    return [tx for tx in transactions if wanted.matches(tx)]
