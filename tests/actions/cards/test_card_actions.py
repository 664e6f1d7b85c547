"""Card issuing actions against the real sandbox over HTTP: basic card, Digital Tariff Card (KYC),
upgrade, plastic card, card info and the unhappy paths.

Actions run directly (rasa-sdk CollectingDispatcher + a Tracker built from JSON); the bank is the
`corebank` fixture reached through the real bank client. Every test logs in a fresh newcomer (a
prospect customer with no card), so the tests don't depend on each other.
"""

from __future__ import annotations

import random
import uuid
from pathlib import Path

import pytest
from PIL import Image

from actions.cards.basic_form import ValidateBasicCardForm
from actions.cards.info import ActionCardInfo
from actions.cards.issue import ActionCardStart, ActionIssueBasicCard
from actions.cards.plastic import ActionOrderPlastic, ActionPlasticStart
from actions.cards.plastic_form import ValidatePlasticCardForm
from actions.cards.stop import ActionCardStop
from actions.cards.tariff import ActionSubmitTariffCard
from actions.cards.tariff_form import ValidateTariffCardForm
from actions.common.sealing import seal, unseal
from bankclient import Card, close_bank, get_bank, new_idempotency_key
from corebank.core.tariffs import CASHBACK_CATEGORIES, cashback_summary
from tests.actions.helpers import WRAPPER_ENV, make_tracker, responses, run, slot_events, texts

FULL_APPLICATION = {
    "full_name": "Anna Ivanova",
    "home_address": "Khreshchatyk 22, Kyiv",
    "passport_issue_date": "2018-04-15",
    "passport_authority": "8012",
    "terms_consent": True,
}


@pytest.fixture
async def bank(corebank, monkeypatch, tmp_path):
    for name in WRAPPER_ENV:
        monkeypatch.setenv(name, corebank.env[name])
    monkeypatch.setenv("MEDIA_DIR", str(tmp_path / "media"))
    monkeypatch.setenv("MEDIA_BASE_URL", "http://media.test/media")
    await close_bank()
    yield get_bank()
    await close_bank()
    corebank.clear_faults()


@pytest.fixture
def newcomer(corebank):
    """A logged-in prospect: verified phone, no card yet. → sender id (identity rest:<sender>)."""
    sender = f"test-{uuid.uuid4().hex[:12]}"
    corebank.login(f"+38067{random.randint(1_000_000, 9_999_999)}", f"rest:{sender}")
    return sender


def tracker(sender, text="", intent="inform", entities=None, history=None, **kwargs):
    t = make_tracker(sender, text, intent, history=history, **kwargs)
    t.latest_message["entities"] = [
        {"entity": name, "value": value} for name, value in (entities or {}).items()
    ]
    return t


def issue_request(sender: str, text: str = "i want a card") -> list[dict]:
    """The issue_card message that started the flow (the idempotency key is derived from it)."""
    return [
        {"event": "user", "text": text, "message_id": f"m-{sender}",
         "parse_data": {"intent": {"name": "issue_card"}, "entities": []}},
    ]  # fmt: skip


async def cards_of(bank, sender) -> list[Card]:
    return list(await bank.cards.owned(f"rest:{sender}"))


async def issue_basic(bank, sender: str, name: str) -> Card:
    """A basic card issued at the bank directly (not through the actions)."""
    return await bank.cards.issue(
        f"rest:{sender}", "basic", name, idempotency_key=new_idempotency_key()
    )


def media_file(messages: list[dict]) -> Path:
    url = next(m["image"] for m in messages if m.get("image"))
    assert url.startswith("http://media.test/media/")
    import os

    return Path(os.environ["MEDIA_DIR"]) / url.rsplit("/", 1)[1]


# --------------------------------------------------------------------------- basic card


async def test_basic_card_name_asked_then_issued_with_image_and_link(bank, newcomer):
    events, _ = await run(ActionCardStart(), tracker(newcomer, "i want a card", "issue_card"))
    assert slot_events(events)["card_flow"] == "basic"

    form = tracker(newcomer, "anna  IVANOVA", slots={"requested_slot": "card_holder_name"},
                   active_loop="basic_card_form")  # fmt: skip
    events, _ = await run(ValidateBasicCardForm(), form)
    assert slot_events(events)["card_holder_name"] == "Anna Ivanova"

    done = tracker(newcomer, slots={"card_holder_name": "Anna Ivanova"},
                   history=issue_request(newcomer))  # fmt: skip
    events, messages = await run(ActionIssueBasicCard(), done)
    assert responses(messages)[0] == "utter_card_issued_basic"
    masked = messages[0]["masked"]
    assert masked.startswith("•••• ") and len(masked) == 9
    assert "utter_card_details_link" in responses(messages)
    link = next(m for m in messages if m.get("response") == "utter_card_details_link")
    assert "/secure/" in link["url"]
    png = media_file(messages)
    with Image.open(png) as image:
        assert image.format == "PNG" and image.size == (856, 540)
    slots = slot_events(events)
    assert slots["card_holder_name"] is None and slots["card_flow"] == "none"

    cards = await cards_of(bank, newcomer)
    assert [(c.tariff, c.holder_name.upper()) for c in cards] == [("basic", "ANNA IVANOVA")]


async def test_doubled_issue_request_issues_one_card(bank, newcomer):
    done = tracker(newcomer, slots={"card_holder_name": "Taras Shevchenko"},
                   history=issue_request(newcomer))  # fmt: skip
    _, first = await run(ActionIssueBasicCard(), done)
    _, second = await run(ActionIssueBasicCard(), done)  # Rasa retried / message delivered twice
    assert first[0]["masked"] == second[0]["masked"]
    assert len(await cards_of(bank, newcomer)) == 1


async def test_name_from_the_first_message_skips_the_question(bank, newcomer):
    start = tracker(newcomer, "card for Olena Kovalenko", "issue_card",
                    slots={"card_holder_name": "olena kovalenko"})  # fmt: skip
    events, messages = await run(ActionCardStart(), start)
    slots = slot_events(events)
    assert slots["card_flow"] == "basic_ready"
    assert slots["card_holder_name"] == "Olena Kovalenko"
    assert messages == []


async def test_name_split_by_the_nlu_is_put_back_together(bank, newcomer):
    request = [{"event": "user", "text": "I want a card, I'm Marko Vovk", "parse_data": {
        "intent": {"name": "issue_card"},
        "entities": [{"entity": "person_name", "value": "Marko"},
                     {"entity": "person_name", "value": "Vovk"}]}}]  # fmt: skip
    start = tracker(newcomer, "otok_x", slots={"card_holder_name": "Marko"}, history=request)
    events, _ = await run(ActionCardStart(), start)
    assert slot_events(events) == {"card_holder_name": "Marko Vovk", "card_flow": "basic_ready"}


async def test_cyrillic_name_is_transliterated_and_bad_names_reasked(bank, newcomer):
    form = {"slots": {"requested_slot": "card_holder_name"}, "active_loop": "basic_card_form"}
    events, _ = await run(ValidateBasicCardForm(), tracker(newcomer, "Тарас Шевченко", **form))
    assert slot_events(events)["card_holder_name"] == "Taras Shevchenko"
    events, messages = await run(ValidateBasicCardForm(), tracker(newcomer, "Anna", **form))
    assert slot_events(events)["card_holder_name"] is None
    assert "first and last name" in texts(messages)


async def test_already_has_a_card(bank, newcomer):
    await issue_basic(bank, newcomer, "Iryna Melnyk")
    start = tracker(newcomer, "give me a card", "issue_card")
    events, messages = await run(ActionCardStart(), start)
    assert slot_events(events)["card_flow"] == "none"
    assert responses(messages) == ["utter_card_already_basic"]


async def test_bank_unavailable_while_issuing_leaves_no_card(bank, corebank, newcomer):
    corebank.set_faults(error_rate=1.0, paths=["/api/v1/me/cards"])
    done = tracker(newcomer, slots={"card_holder_name": "Anna Ivanova"},
                   history=issue_request(newcomer))  # fmt: skip
    events, messages = await run(ActionIssueBasicCard(), done)
    assert responses(messages) == ["utter_card_bank_unavailable"]
    assert slot_events(events)["card_flow"] == "none"
    corebank.clear_faults()
    assert await cards_of(bank, newcomer) == []


async def test_not_logged_in_goes_to_the_login_form(bank):
    stranger = f"test-{uuid.uuid4().hex[:12]}"
    start = tracker(stranger, "i want a card", "issue_card")
    events, messages = await run(ActionCardStart(), start)
    assert any(e["event"] == "followup" and e["name"] == "login_form" for e in events)
    assert slot_events(events)["pending_intent"] == "issue_card"


# --------------------------------------------------------------------------- tariff card


async def test_multi_field_message_fills_several_slots(bank, newcomer):
    text = "Anna Ivanova, born 12.03.1995, passport MP123456"
    form = tracker(newcomer, text, entities={"person_name": "Anna Ivanova"},
                   slots={"requested_slot": "full_name"}, active_loop="tariff_card_form")
    events, messages = await run(ValidateTariffCardForm(), form)
    slots = slot_events(events)
    assert slots["full_name"] == "Anna Ivanova"
    assert slots["date_of_birth"].startswith("sealed:")
    assert unseal(slots["date_of_birth"]) == "1995-03-12"
    assert slots["passport_number"].startswith("ptok_")  # vaulted: the number is never kept
    assert slots["passport_masked"] == "MP••••56"
    assert "MP123456" not in repr(events) + repr(messages)
    assert "home_address" not in slots  # Rasa's form asks only for what is missing


async def test_labelled_dates_and_authority_in_one_message(bank, newcomer):
    text = "passport ptok_AbCdEfGhIjKlMnOp issued 15 April 2018 by Kyiv migration service 8012"
    form = tracker(newcomer, text, slots={"requested_slot": "passport_number",
                                          "date_of_birth": None}, active_loop="tariff_card_form")
    events, _ = await run(ValidateTariffCardForm(), form)
    slots = slot_events(events)
    assert slots["passport_number"] == "ptok_AbCdEfGhIjKlMnOp"
    assert slots["passport_issue_date"] == "2018-04-15"
    assert slots["passport_authority"] == "Kyiv migration service 8012"
    assert "date_of_birth" not in slots or slots["date_of_birth"] is None


async def test_under_age_stops_the_application(bank, newcomer):
    form = tracker(newcomer, "30.06.2012", slots={"requested_slot": "date_of_birth"},
                   active_loop="tariff_card_form")  # fmt: skip
    events, messages = await run(ValidateTariffCardForm(), form)
    slots = slot_events(events)
    assert slots["card_form_aborted"] is True and slots["date_of_birth"] is None
    assert slots["requested_slot"] is None  # the form ends
    assert responses(messages) == ["utter_card_underage"]


async def test_invalid_values_get_the_reason(bank, newcomer):
    form = {"active_loop": "tariff_card_form"}
    cases = [
        ("home_address", "Kyiv", "Which street?"),
        ("passport_number", "MP12", "2 letters and 6 digits"),
        ("date_of_birth", "sometime in spring", "12.03.1995"),
    ]
    for slot, text, reason in cases:
        t = tracker(newcomer, text, slots={"requested_slot": slot}, **form)
        events, messages = await run(ValidateTariffCardForm(), t)
        assert slot_events(events)[slot] is None, slot
        assert reason in texts(messages), slot


async def application(sender: str, passport_ref: str, born: str = "1995-03-12", **extra):
    slots = {**FULL_APPLICATION, "date_of_birth": seal(born), "passport_number": passport_ref,
             **extra}  # fmt: skip
    return tracker(sender, "/affirm", "affirm", slots=slots, history=issue_request(sender))


async def passport_ref(bank, number: str) -> str:
    return (await bank.vault.store_secret("passport", number)).secret_ref


async def test_tariff_card_for_a_newcomer(bank, newcomer):
    t = await application(newcomer, await passport_ref(bank, "MP123456"))
    events, messages = await run(ActionSubmitTariffCard(), t)
    said = responses(messages)
    assert said[:2] == ["utter_card_issued_tariff", "utter_card_tariff_terms"]
    terms = messages[1]
    summary = cashback_summary()  # the one source of the terms (docs/demo-data.md "Tariffs")
    assert (terms["min_percent"], terms["max_percent"]) == (
        summary["min_percent"],
        summary["max_percent"],
    )
    for category in CASHBACK_CATEGORIES:
        assert f"{category['title']}: {category['percent']}%" in terms["categories"]
    assert "UAH" in terms["credit_limit"]
    assert said[-1] == "utter_card_offer_plastic"
    media_file(messages)
    slots = slot_events(events)
    for cleared in ("full_name", "date_of_birth", "passport_number", "passport_issue_date"):
        assert slots[cleared] is None
    assert "home_address" not in slots  # kept to offer it as the plastic card's address
    cards = await cards_of(bank, newcomer)
    assert [c.tariff for c in cards] == ["tariff"]


async def test_upgrade_of_a_basic_card_keeps_the_number(bank, newcomer):
    basic = await issue_basic(bank, newcomer, "Anna Ivanova")
    events, _ = await run(ActionCardStart(), tracker(
        newcomer, "upgrade", "issue_card", slots={"card_tier": "tariff"}))
    assert slot_events(events)["card_flow"] == "tariff"
    t = await application(newcomer, await passport_ref(bank, "123456789"), born="1990-01-01",
                          passport_issue_date="2020-01-10")  # fmt: skip
    _, messages = await run(ActionSubmitTariffCard(), t)
    assert responses(messages)[0] == "utter_card_upgraded"
    cards = await cards_of(bank, newcomer)
    assert [(c.card_id, c.tariff) for c in cards] == [(basic.card_id, "tariff")]


@pytest.mark.parametrize(
    "number,issued,name,expected",
    [
        ("123456789", "2010-01-10", "Anna Ivanova", "expired"),  # ID card: valid 10 years
        ("AA000000", "2018-04-15", "Anna Ivanova", "visit a branch"),  # sandbox blocklist
    ],
)
async def test_kyc_rejection_opens_nothing(bank, newcomer, number, issued, name, expected):
    t = await application(newcomer, await passport_ref(bank, number),
                          passport_issue_date=issued, full_name=name)  # fmt: skip
    events, messages = await run(ActionSubmitTariffCard(), t)
    assert expected in texts(messages)
    assert slot_events(events)["passport_number"] is None
    assert await cards_of(bank, newcomer) == []


async def test_verified_customer_gets_the_card_without_the_form(bank, newcomer):
    t = await application(newcomer, await passport_ref(bank, "MP654321"))
    await run(ActionSubmitTariffCard(), t)  # verified + tariff card
    events, messages = await run(ActionCardStart(), tracker(
        newcomer, "tariff card", "issue_card", slots={"card_tier": "tariff"}))
    assert slot_events(events)["card_flow"] == "none"
    assert responses(messages) == ["utter_card_already_tariff"]


# --------------------------------------------------------------------------- plastic card


async def test_plastic_card_order_and_status(bank, newcomer):
    t = await application(newcomer, await passport_ref(bank, "MP111222"))
    await run(ActionSubmitTariffCard(), t)

    events, _ = await run(ActionPlasticStart(), tracker(newcomer, "plastic", "order_plastic_card"))
    assert slot_events(events)["card_flow"] == "plastic"
    form = tracker(newcomer, "deliver to Sumska 45, Kharkiv, 61000",
                   slots={"requested_slot": "delivery_address"}, active_loop="plastic_card_form")
    events, _ = await run(ValidatePlasticCardForm(), form)
    address = slot_events(events)["delivery_address"]
    assert address == "Sumska 45, Kharkiv, 61000"

    events, messages = await run(ActionOrderPlastic(), tracker(
        newcomer, slots={"delivery_address": address}))
    assert responses(messages) == ["utter_plastic_ordered"]
    assert messages[0]["city"] == "Kharkiv" and messages[0]["date"]

    events, messages = await run(ActionPlasticStart(), tracker(
        newcomer, "where is my card", "order_plastic_card"))
    assert slot_events(events)["card_flow"] == "none"
    assert responses(messages) == ["utter_plastic_status"]
    assert messages[0]["status"] == "ordered"


async def test_plastic_needs_the_tariff_card(bank, newcomer):
    await issue_basic(bank, newcomer, "Anna Ivanova")
    events, messages = await run(ActionPlasticStart(), tracker(newcomer, "", "order_plastic_card"))
    assert slot_events(events)["card_flow"] == "none"
    assert responses(messages) == ["utter_plastic_needs_tariff"]


# --------------------------------------------------------------------------- info and stop


async def test_card_info_from_the_catalogue(bank, newcomer):
    _, messages = await run(ActionCardInfo(), tracker(newcomer, "what cards", "card_info"))
    info = messages[0]
    assert info["response"] == "utter_card_info"
    assert "Supermarkets: 2%" in info["categories"] and info["max_percent"] == "33"
    assert responses(messages)[1] == "utter_card_info_next"
    _, messages = await run(ActionCardInfo(), tracker(
        newcomer, "cashback?", "card_info", active_loop="tariff_card_form"))
    assert responses(messages)[1] == "utter_card_back_to_form"


async def test_card_info_when_the_bank_is_down(bank, corebank, newcomer):
    corebank.set_faults(error_rate=1.0, paths=["/api/v1/tariffs"])
    _, messages = await run(ActionCardInfo(), tracker(newcomer, "what cards", "card_info"))
    assert responses(messages)[0] == "utter_card_info_offline"


async def test_stop_forgets_the_application(bank, newcomer):
    t = tracker(newcomer, "stop", "deny", slots={"full_name": "Anna Ivanova"},
                active_loop="tariff_card_form")  # fmt: skip
    events, messages = await run(ActionCardStop(), t)
    assert any(e["event"] == "active_loop" and e["name"] is None for e in events)
    assert slot_events(events)["full_name"] is None
    assert responses(messages) == ["utter_card_stopped"]
    assert await cards_of(bank, newcomer) == []


async def test_partial_name_entity_falls_back_to_the_typed_name(bank, newcomer):
    form = tracker(newcomer, "Zlata Chornovol", entities={"person_name": "Zlata"},
                   slots={"requested_slot": "card_holder_name"}, active_loop="basic_card_form")
    events, messages = await run(ValidateBasicCardForm(), form)
    assert slot_events(events)["card_holder_name"] == "Zlata Chornovol"
    assert messages == []
