"""Card status operations of the legacy SOAP API (corebank/soap/api.py dispatches them):
GetCardStatus, LockCard, UnlockCard, BlockCard (lost, stolen or fraud, optionally reissued) and
ReissueCard (a replacement for a blocked card, later)."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from corebank.core.accounts import issue_card
from corebank.core.errors import BankError
from corebank.core.models import Account, Card, Customer
from corebank.soap import params as p

log = logging.getLogger("corebank.soap")
BLOCK_REASONS = ("lost", "stolen", "fraud")


def _card_payload(card: Card) -> dict:
    return {
        "CardId": card.id,
        "CardToken": card.card_token,
        "Status": card.status,
        "StatusReason": card.status_reason,
        "MaskedPan": card.masked,
        "Tariff": card.tariff,
        "Expiry": card.expiry,
    }


def get_card_status(session: Session, params: dict) -> dict:
    return _card_payload(p.card(session, p.customer(session, params), params))


def lock_card(session: Session, params: dict) -> dict:
    card = p.card(session, p.customer(session, params), params, lock=True)
    if card.status == "blocked":
        raise BankError("card_blocked", "The card is permanently blocked.")
    if card.status == "active":
        card.status, card.status_reason = "frozen", "temporary"
    return _card_payload(card)


def unlock_card(session: Session, params: dict) -> dict:
    card = p.card(session, p.customer(session, params), params, lock=True)
    if card.status == "blocked":
        raise BankError("card_blocked", "A blocked card cannot be unlocked; it is reissued.")
    card.status, card.status_reason = "active", None
    return _card_payload(card)


def block_card(session: Session, params: dict) -> dict:
    customer = p.customer(session, params)
    card = p.card(session, customer, params, lock=True)
    reason = (p.text(params, "Reason") or "").lower()
    if reason not in BLOCK_REASONS:
        raise BankError("invalid_request", "Reason must be lost, stolen or fraud.", 422,
                        field="Reason")
    reissue = (p.text(params, "Reissue", required=False) or "false").lower() in ("true", "1")
    if card.status != "blocked":
        card.status, card.status_reason = "blocked", reason
        if reissue:
            _replace(session, customer.customer_id, card)
        log.info("card %s blocked (%s)%s", card.masked, reason, " and reissued" if reissue else "")
    return _with_replacement(session, card)


def reissue_card(session: Session, params: dict) -> dict:
    """A replacement for a blocked card; repeating gives the same replacement (the card row is
    locked, so two concurrent requests issue one card)."""
    customer = p.customer(session, params)
    card = p.card(session, customer, params, lock=True)
    if card.status != "blocked":
        raise BankError("invalid_request", "Only a blocked card is reissued.", 409, field="CardId")
    if not card.replaced_by:
        _replace(session, customer.customer_id, card)
        log.info("card %s reissued", card.masked)
    return _with_replacement(session, card)


def _replace(session: Session, customer_id: str, card: Card) -> None:
    account = session.get(Account, card.account_id)
    owner = session.get(Customer, customer_id)
    new = issue_card(session, owner, account, card.holder_name, card.tariff)
    card.replaced_by = new.id


def _with_replacement(session: Session, card: Card) -> dict:
    payload = _card_payload(card)
    if card.replaced_by:
        new = session.get(Card, card.replaced_by)
        payload["NewCard"] = {"CardId": new.id, "CardToken": new.card_token,
                              "MaskedPan": new.masked, "Expiry": new.expiry}
    return payload


OPERATIONS = {
    "GetCardStatus": get_card_status,
    "LockCard": lock_card,
    "UnlockCard": unlock_card,
    "BlockCard": block_card,
    "ReissueCard": reissue_card,
}
