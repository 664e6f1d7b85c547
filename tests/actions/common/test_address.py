"""Addresses as people type them (actions/common/address.py), and what the card forms make of
them: normalised when complete, only the missing part asked for, and that answer merged."""

from __future__ import annotations

import pytest

from actions.cards.plastic_form import ValidatePlasticCardForm
from actions.cards.schemas import check_field
from actions.common.address import parse_address
from tests.actions.helpers import make_tracker, run, slot_events, texts


@pytest.mark.parametrize("typed, normal", [
    ("I live at 12 Khreshchatyk St, apt 5, Kyiv 01001", "Khreshchatyk St 12, apt 5, Kyiv, 01001"),
    ("Khreshchatyk 12, Kyiv", "Khreshchatyk 12, Kyiv"),
    ("01001 Kyiv, Khreshchatyk str. 12", "Khreshchatyk St 12, Kyiv, 01001"),
    ("Kyiv, 01001, Khreshchatyk st 12 apt 5", "Khreshchatyk St 12, apt 5, Kyiv, 01001"),
    ("вул. Хрещатик, 12, кв. 5, Київ", "вул. Хрещатик 12, apt 5, Київ"),
    ("deliver to Shevchenka blvd 3 flat 14 Lviv", "Shevchenka Blvd 3, apt 14, Lviv"),
    ("Sumska 45, Kharkiv, 61000", "Sumska 45, Kharkiv, 61000"),
    ("my address is Heroiv Pratsi 12/3, Kharkiv", "Heroiv Pratsi 12/3, Kharkiv"),
    ("Khreshchatyk 22 Kyiv", "Khreshchatyk 22, Kyiv"),
])  # fmt: skip
def test_complete_addresses_are_normalised(typed, normal):
    parsed = parse_address(typed)
    assert parsed.complete and parsed.text == normal
    assert check_field("plastic_card_form", "delivery_address", typed) == (normal, None)


@pytest.mark.parametrize("typed, question", [
    ("12 Khreshchatyk St", "Which city?"),
    ("Khreshchatyk St, Kyiv", "Which house number on Khreshchatyk St?"),
    ("Kyiv", "Which street? For example: Khreshchatyk St 12."),
])  # fmt: skip
def test_only_the_missing_part_is_asked(typed, question):
    assert parse_address(typed).question() == question
    _, problem = check_field("plastic_card_form", "delivery_address", typed)
    assert problem == question


async def test_the_plastic_form_merges_the_missing_city():
    history = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "12 Khreshchatyk St, apt 5", "parse_data": {}},
        {"event": "action", "name": "plastic_card_form"},
    ]
    tracker = make_tracker("addr-test", "Kyiv", "inform", active_loop="plastic_card_form",
                           slots={"requested_slot": "delivery_address"}, history=history)
    events, messages = await run(ValidatePlasticCardForm(), tracker)
    assert slot_events(events)["delivery_address"] == "Khreshchatyk St 12, apt 5, Kyiv", texts(
        messages)


async def test_the_normalised_address_is_confirmed_in_a_step_of_its_own():
    slots = {"requested_slot": "delivery_address_confirmed",
             "delivery_address": "Khreshchatyk St 12, apt 5, Kyiv, 01001"}
    tracker = make_tracker("addr-test", "yes", "affirm", active_loop="plastic_card_form",
                           slots=slots)
    events, _ = await run(ValidatePlasticCardForm(), tracker)
    assert slot_events(events)["delivery_address_confirmed"] is True
    tracker = make_tracker("addr-test", "no", "deny", active_loop="plastic_card_form",
                           slots=slots)
    events, _ = await run(ValidatePlasticCardForm(), tracker)
    assert slot_events(events)["delivery_address"] is None  # asked again
    assert slot_events(events)["delivery_address_confirmed"] is None


async def test_the_tariff_form_shows_the_normalised_home_address():
    from actions.cards.tariff_form import ValidateTariffCardForm

    validation = ValidateTariffCardForm()
    tracker = make_tracker("addr-test", "", "inform", active_loop="tariff_card_form")
    from rasa_sdk.executor import CollectingDispatcher

    dispatcher = CollectingDispatcher()
    result = await validation.validate_home_address(
        "I live at 12 Khreshchatyk St, apt 5, Kyiv 01001", dispatcher, tracker, {})
    assert result == {"home_address": "Khreshchatyk St 12, apt 5, Kyiv, 01001"}
    assert dispatcher.messages[0]["text"].startswith(
        "Home address: Khreshchatyk St 12, apt 5, Kyiv, 01001.")
    dispatcher = CollectingDispatcher()
    result = await validation.validate_home_address("12 Khreshchatyk St", dispatcher, tracker, {})
    assert result == {"home_address": None}
    assert dispatcher.messages[0]["text"] == "Which city?"
