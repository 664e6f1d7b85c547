"""A card replaced after a block keeps what the customer had (issue 28): the Tariff Card (and
with it the partner offers) and the account's credit limit, whichever way the new card is
asked for (ReissueCard, or a plain "new card" request); the upgrade never resets a limit."""

from __future__ import annotations

import pytest

from tests.corebank.helpers import DEMO_IRYNA, new_key
from tests.corebank.soap_client import call, login_card, value


@pytest.fixture(scope="module")
def bank(corebank_factory):
    return corebank_factory()


def _uah_account(bank, identity) -> dict:
    accounts = bank.http.get("/api/v1/me/accounts", headers=bank.headers(identity=identity))
    return next(a for a in accounts.json() if a["currency"] == "UAH")


def test_a_new_card_after_a_block_is_the_tariff_card_with_its_limit(bank):
    identity, cards = login_card(bank, DEMO_IRYNA)
    stolen = next(c for c in cards if c["status"] == "active")
    assert stolen["tariff"] == "tariff"
    assert _uah_account(bank, identity)["credit_limit"] == "5000.00"  # the seed
    ref = f"<leg:Identity>{identity}</leg:Identity><leg:CardId>{stolen['card_id']}</leg:CardId>"
    _, root = call(bank, "BlockCard", ref + "<leg:Reason>stolen</leg:Reason>")
    assert value(root, "BlockCardResponse/Status") == "blocked"

    # "yes new card" taken as a new card request: the bank makes it the replacement.
    issued = bank.http.post("/api/v1/me/cards", json={"tier": "basic",
                                                      "holder_name": "Iryna Melnyk"},
                            headers=bank.headers(identity=identity, idempotency_key=new_key()))
    assert issued.status_code == 201, issued.text
    card = issued.json()
    assert card["tariff"] == "tariff" and card["cashback"]  # tariff and partner offers kept
    assert card["account_id"] == stolen["account_id"] and card["credit_limit"] == "5000.00"

    # The stolen card's reissue is that same card: never a second one.
    _, root = call(bank, "ReissueCard", ref)
    assert value(root, "ReissueCardResponse/NewCard/CardId") == card["card_id"]

    # The upgrade button changes nothing: the limit is never raised to the tariff default.
    upgraded = bank.http.post(f"/api/v1/me/cards/{card['card_id']}/upgrade",
                              headers=bank.headers(identity=identity))
    assert upgraded.status_code in (200, 201), upgraded.text
    assert upgraded.json()["credit_limit"] == "5000.00"
    assert _uah_account(bank, identity)["credit_limit"] == "5000.00"
    live = [c for c in bank.http.get("/api/v1/me/cards",
                                     headers=bank.headers(identity=identity)).json()
            if c["status"] == "active"]
    assert [c["card_id"] for c in live] == [card["card_id"]]
