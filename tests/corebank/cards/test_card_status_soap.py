"""Card status over the legacy SOAP API: lock, unlock, block (lost / stolen) with reissue."""

from __future__ import annotations

import pytest

from tests.corebank.helpers import DEMO_IRYNA, DEMO_OLENA, DEMO_TARAS, new_identity
from tests.corebank.soap_client import call, fault_code, login_card, value


@pytest.fixture(scope="module")
def bank(corebank_factory):
    return corebank_factory()


def test_card_lock_unlock_cycle(bank):
    identity, cards = login_card(bank, DEMO_TARAS)
    ref = (f"<leg:Identity>{identity}</leg:Identity>"
           f"<leg:CardId>{cards[0]['card_token']}</leg:CardId>")
    _, root = call(bank, "GetCardStatus", ref)
    assert value(root, "GetCardStatusResponse/Status") == "active"
    assert value(root, "GetCardStatusResponse/MaskedPan") == cards[0]["masked"]
    _, root = call(bank, "LockCard", ref)
    assert value(root, "LockCardResponse/Status") == "frozen"
    _, root = call(bank, "LockCard", ref)  # repeating is harmless
    assert value(root, "LockCardResponse/Status") == "frozen"
    _, root = call(bank, "UnlockCard", ref)
    assert value(root, "UnlockCardResponse/Status") == "active"


def test_card_of_someone_else_is_not_found(bank):
    identity, _ = login_card(bank, DEMO_TARAS)
    _, olena_cards = login_card(bank, DEMO_OLENA)
    _, root = call(bank, "LockCard", f"<leg:Identity>{identity}</leg:Identity>"
                                     f"<leg:CardId>{olena_cards[0]['card_id']}</leg:CardId>")
    assert fault_code(root) == "card_not_found"


def test_card_ops_need_a_session(bank):
    _, root = call(bank, "GetCardStatus", f"<leg:Identity>{new_identity()}</leg:Identity>"
                                          "<leg:CardId>card_x</leg:CardId>")
    assert fault_code(root) == "login_required"


def test_block_stolen_card_with_reissue_is_permanent_and_repeatable(bank):
    identity, cards = login_card(bank, DEMO_IRYNA)
    active = next(c for c in cards if c["status"] == "active")
    ref = f"<leg:Identity>{identity}</leg:Identity><leg:CardId>{active['card_id']}</leg:CardId>"
    _, root = call(bank, "BlockCard", ref + "<leg:Reason>stolen</leg:Reason>"
                                            "<leg:Reissue>true</leg:Reissue>")
    assert value(root, "BlockCardResponse/Status") == "blocked"
    new_id = value(root, "BlockCardResponse/NewCard/CardId")
    assert new_id and new_id != active["card_id"]
    assert value(root, "BlockCardResponse/NewCard/MaskedPan").startswith("•••• ")
    _, again = call(bank, "BlockCard", ref + "<leg:Reason>stolen</leg:Reason>"
                                             "<leg:Reissue>true</leg:Reissue>")
    assert value(again, "BlockCardResponse/NewCard/CardId") == new_id  # no second reissue
    _, root = call(bank, "UnlockCard", ref)
    assert fault_code(root) == "card_blocked"
    cards_after = bank.http.get("/api/v1/me/cards", headers=bank.headers(identity=identity)).json()
    assert any(c["card_id"] == new_id and c["status"] == "active" for c in cards_after)


def test_block_needs_a_valid_reason(bank):
    identity, cards = login_card(bank, DEMO_TARAS)
    _, root = call(bank, "BlockCard", f"<leg:Identity>{identity}</leg:Identity>"
                                      f"<leg:CardId>{cards[0]['card_id']}</leg:CardId>"
                                      "<leg:Reason>bored</leg:Reason>")
    assert fault_code(root) == "invalid_request"
