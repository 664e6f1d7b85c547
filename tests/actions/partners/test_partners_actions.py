"""`action_partner_offers` against the real sandbox bank and the real partners sandbox (its own
process, API key and faults): list, explain, activate; the same code when asked again; not
eligible; the partner down or slow (a clear answer, nothing recorded, never a second code)."""

from __future__ import annotations

import pytest

from actions.partners.offers import ActionPartnerOffers
from tests.actions.helpers import make_tracker, responses, run
from tests.actions.login import login, new_sender, random_phone

TARAS = "+380671234567"  # basic card


@pytest.fixture
async def offers_bank(bank, partners, monkeypatch):
    for name, value in partners.client_env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PARTNERS_TIMEOUT_SECONDS", "1.5")
    yield bank
    partners.clear_faults()


async def ask(sender: str, text: str) -> dict:
    tracker = make_tracker(sender, text, "partner_offers", slots={"logged_in": True})
    _, messages = await run(ActionPartnerOffers(), tracker)
    [said] = [m for m in messages if m.get("response")]
    return said


async def test_list_explain_and_topics(offers_bank, corebank):
    sender = new_sender()
    await login(offers_bank, corebank, sender)
    said = await ask(sender, "what offers do you have")
    assert said["response"] == "utter_partner_offers_list" and said["topic"] == ""
    assert "• Burger King: 5% cashback at Burger King (Tariff Card)" in said["offers"]
    assert "Summer ice cream" not in said["offers"]  # ended campaigns are not listed
    said = await ask(sender, "burgr kig cashback?")
    assert said["response"] == "utter_partner_offer_details" and said["partner"] == "Burger King"
    assert said["offers"].startswith("• 5% cashback at Burger King: 5% back")
    said = await ask(sender, "any deals on games")
    assert said["topic"] == " (games)" and "Cyber Arena" in said["offers"]
    assert "Burger King" not in said["offers"]
    said = await ask(sender, "сільпо кешбек")
    assert said["partner"] == "Silpo"
    said = await ask(sender, "any deals on pizza delivery?")
    assert said["response"] == "utter_partner_offers_list"


async def test_promo_code_issued_once_and_remembered(offers_bank, corebank, partners):
    sender = new_sender()
    await login(offers_bank, corebank, sender)  # Anna, Digital Tariff Card
    issued = partners.stats()["codes_issued"]
    said = await ask(sender, "give me a twitch promo code")
    assert said["response"] == "utter_partner_promo_issued" and said["partner"] == "Twitch"
    code = said["code"]
    assert code.startswith("TTV-") and said["title"] == "1 month of Turbo"
    again = await ask(sender, "твіч промокод")
    assert again["response"] == "utter_partner_promo_again" and again["code"] == code
    assert partners.stats()["codes_issued"] == issued + 1


async def test_not_eligible_answers(offers_bank, corebank):
    taras = new_sender()
    await login(offers_bank, corebank, taras, phone=TARAS)
    said = await ask(taras, "twitch promo code pls")
    assert said["response"] == "utter_partner_promo_not_eligible"
    assert said["reason"].startswith("is for Digital Tariff Card holders")
    said = await ask(taras, "rud ice cream promo code")
    assert (said["response"], said["reason"]) == ("utter_partner_promo_not_eligible", "has ended")
    newcomer = new_sender()
    await login(offers_bank, corebank, newcomer, phone=random_phone())
    said = await ask(newcomer, "whopper promo code")
    assert said["reason"].startswith("is for our card holders")
    said = await ask(newcomer, "silpo promo code")
    assert said["response"] == "utter_partner_promo_none"


async def test_partner_down_or_slow_then_back(offers_bank, corebank, partners):
    sender = new_sender()
    await login(offers_bank, corebank, sender, phone=TARAS)  # any card holder: the Whopper
    partners.set_faults(down=True)
    said = await ask(sender, "burger king promo code")
    assert said["response"] == "utter_partner_unavailable"
    status = await offers_bank.offers.status(f"rest:{sender}", "bk_whopper")
    assert status.promo_code is None  # nothing recorded
    partners.set_faults(latency_ms=2000)
    said = await ask(sender, "burger king promo code")
    assert said["response"] == "utter_partner_unavailable"
    partners.clear_faults()
    said = await ask(sender, "burger king promo code")
    assert said["response"] == "utter_partner_promo_issued"
    again = await ask(sender, "my burger king code again")
    assert again["code"] == said["code"]


async def test_bank_down(offers_bank, corebank):
    sender = new_sender()
    await login(offers_bank, corebank, sender)
    corebank.set_faults(error_rate=1.0, paths=["/api/v1/partners"])
    tracker = make_tracker(sender, "offers", "partner_offers", slots={"logged_in": True})
    _, messages = await run(ActionPartnerOffers(), tracker)
    assert responses(messages) == ["utter_bank_unavailable"]
