"""RegexEntityPriority: regex entities win; a lone number carries no DIET entity."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu_components.regex_priority import RegexEntityPriority

DIET = "DIETClassifier"
REGEX = "RegexEntityExtractor"


def _entity(kind: str, text: str, value: str, extractor: str) -> dict:
    start = text.index(value)
    return {"entity": kind, "start": start, "end": start + len(value), "value": value,
            "extractor": extractor}


def _run(text: str, entities: list[dict]) -> list[dict]:
    message = Message({TEXT: text, ENTITIES: entities})
    RegexEntityPriority(RegexEntityPriority.get_default_config()).process([message])
    return message.get(ENTITIES)


@pytest.mark.parametrize("text", ["300", "1 500", "20.50", "1234567", " 4455 ", "-50", "12,000.00"])
def test_a_lone_number_keeps_no_diet_entity(text):
    assert _run(text, [_entity("amount", text, text.strip(), DIET)]) == []


def test_a_lone_phone_number_keeps_its_regex_entity():
    text = "+380 67 123 45 67"
    regex = _entity("phone_number", text, text, REGEX)
    assert _run(text, [regex, _entity("amount", text, "123", DIET)]) == [regex]


@pytest.mark.parametrize("text", ["300 uah", "send 300", "300 to my mom", "card 4455"])
def test_a_number_with_words_keeps_diet_entities(text):
    diet = _entity("amount", text, "300" if "300" in text else "4455", DIET)
    assert _run(text, [diet]) == [diet]


def test_regex_only_types_from_diet_are_dropped_and_regex_spans_win():
    text = "code otok_Ab12Cd34Ef56Gh78"
    regex = _entity("otp_ref", text, "otok_Ab12Cd34Ef56Gh78", REGEX)
    diet_card = _entity("card_token", text, "otok_Ab12Cd34Ef56Gh78", DIET)
    assert _run(text, [regex, diet_card]) == [regex]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("pay naftohaz account 4100456789", "4100456789"),
        ("pay internet 25.50 account 123456", "123456"),
        ("kyiv city department 1234", "1234"),
        ("meter: 04512", "04512"),
        ("оплатити газ рахунок 4100456789", "4100456789"),
        ("apt 5", "5"),
    ],
)
def test_a_number_after_an_identifier_word_is_not_an_amount(text, number):
    assert _run(text, [_entity("amount", text, number, DIET)]) == []


def test_the_amount_beside_an_account_number_stays():
    text = "pay internet 25.50 account 123456"
    amount = _entity("amount", text, "25.50", DIET)
    assert _run(text, [amount, _entity("amount", text, "123456", DIET)]) == [amount]


def test_a_bare_card_is_not_a_tariff_but_the_tariff_stays():
    text = "upgrade my card to the digital tariff"
    tariff = _entity("tariff", text, "digital tariff", DIET)
    assert _run(text, [_entity("tariff", text, "card", DIET), tariff]) == [tariff]


def _run_config(text: str, entities: list[dict], intent: str, **config) -> list[dict]:
    message = Message({TEXT: text, ENTITIES: entities, "intent": {"name": intent}})
    RegexEntityPriority({**RegexEntityPriority.get_default_config(), **config}).process([message])
    return message.get(ENTITIES)


def test_closed_set_entities_are_regex_only_function_words_from_diet_are_dropped():
    text = "hmm no, just freeze it for now, I might find it"
    regex = _entity("lock_reason", text, "for now", REGEX)
    diet = [_entity("lock_reason", text, w, DIET) for w in ("I", "find")]
    kept = _run_config(text, [regex, *diet], "deny",
                       regex_only_entities=["lock_reason", "currency"])
    assert kept == [regex]


@pytest.mark.parametrize(("intent", "kept"), [("lock_card", True), ("inform", True),
                                              ("out_of_scope", False), ("partner_offers", False)])
def test_an_entity_limited_to_some_intents_is_dropped_elsewhere(intent, kept):
    text = "i lost it"
    regex = _entity("lock_reason", text, "lost", REGEX)
    result = _run_config(text, [regex], intent,
                         intent_entities={"lock_reason": ["lock_card", "inform"]})
    assert result == ([regex] if kept else [])


@pytest.mark.parametrize(("word", "kind"), [("I", "person_name"), ("for", "lock_reason"),
                                            ("find", "lock_reason"), ("it", "amount")])
def test_a_function_word_is_never_a_statistical_entity(word, kind):
    text = "hmm no, just freeze it for now, I might find it"
    diet = _entity(kind, text, f" {word} " if word == "it" else word, DIET)
    assert _run(text, [diet]) == []


def test_a_name_that_is_not_a_function_word_stays():
    text = "my name is Ivanna"
    diet = _entity("person_name", text, "Ivanna", DIET)
    assert _run(text, [diet]) == [diet]
