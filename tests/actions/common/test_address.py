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
        {"event": "slot", "name": "requested_slot", "value": "delivery_address"},
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


def _tariff_history(previous: str, asked: str) -> list[dict]:
    """The customer sent `previous`; the form then asked for `asked`."""
    return [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": previous, "parse_data": {}},
        {"event": "action", "name": "tariff_card_form"},
        {"event": "slot", "name": "requested_slot", "value": asked},
    ]


async def test_the_tariff_form_merges_the_missing_city_like_the_plastic_form():
    from actions.cards.tariff_form import ValidateTariffCardForm

    history = _tariff_history("12 Khreshchatyk St, apt 5", "home_address")
    tracker = make_tracker("addr-test", "Kyiv", "inform", active_loop="tariff_card_form",
                           slots={"requested_slot": "home_address"}, history=history)
    events, messages = await run(ValidateTariffCardForm(), tracker)
    slots = slot_events(events)
    assert slots["home_address"] == "Khreshchatyk St 12, apt 5, Kyiv", texts(messages)
    assert slots["home_address_confirmed"] is None  # confirmed next, in its own step
    assert messages == []


async def test_a_lone_city_is_not_merged_with_an_answer_to_another_question():
    from actions.cards.tariff_form import ValidateTariffCardForm

    # The message before was the date of birth, not a part of the address: nothing to complete.
    history = _tariff_history("Khreshchatyk 12", "date_of_birth")
    tracker = make_tracker("addr-test", "Kyiv", "inform", active_loop="tariff_card_form",
                           slots={"requested_slot": "home_address"}, history=history)
    events, messages = await run(ValidateTariffCardForm(), tracker)
    assert slot_events(events)["home_address"] is None
    assert "Which street? For example: Khreshchatyk St 12." in texts(messages)


async def test_the_tariff_form_confirms_the_normalised_home_address_in_its_own_step():
    from rasa_sdk.executor import CollectingDispatcher

    from actions.cards.tariff_form import ValidateTariffCardForm

    validation = ValidateTariffCardForm()
    tracker = make_tracker("addr-test", "", "inform", active_loop="tariff_card_form")
    dispatcher = CollectingDispatcher()
    result = await validation.validate_home_address(
        "I live at 12 Khreshchatyk St, apt 5, Kyiv 01001", dispatcher, tracker, {})
    assert result == {"home_address": "Khreshchatyk St 12, apt 5, Kyiv, 01001",
                      "home_address_confirmed": None}
    assert dispatcher.messages == []  # shown by the confirmation question, not here
    dispatcher = CollectingDispatcher()
    result = await validation.validate_home_address("12 Khreshchatyk St", dispatcher, tracker, {})
    assert result == {"home_address": None}
    assert dispatcher.messages[0]["text"] == "Which city?"

    slots = {"requested_slot": "home_address_confirmed",
             "home_address": "Khreshchatyk St 12, apt 5, Kyiv, 01001"}
    tracker = make_tracker("addr-test", "yes", "affirm", active_loop="tariff_card_form",
                           slots=slots)
    events, _ = await run(validation, tracker)
    assert slot_events(events)["home_address_confirmed"] is True
    tracker = make_tracker("addr-test", "no", "deny", active_loop="tariff_card_form",
                           slots=slots)
    events, _ = await run(validation, tracker)
    assert slot_events(events)["home_address"] is None  # asked again
    assert slot_events(events)["home_address_confirmed"] is None
