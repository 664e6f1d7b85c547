"""The flow engine's rules, on messages as the NLU hands them over: only an explicit yes
confirms; free-text questions take only answers; the one amount reader asks back for every odd
amount (never a silent reinterpretation, never a crash)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from actions.common.flow import NO, OTHER, YES, looks_like_answer, read_amount, read_confirmation


def message(text: str, intent: str = "inform", confidence: float = 0.95,
            runner_up: float = 0.02, entities: list | None = None) -> dict:
    return {"text": text, "intent": {"name": intent, "confidence": confidence},
            "intent_ranking": [{"name": intent, "confidence": confidence},
                               {"name": "other", "confidence": runner_up}],
            "entities": entities or []}


@pytest.mark.parametrize("sent", [message("/affirm", "affirm"), message("yes", "affirm"),
                                  message("yep do it", "affirm", 0.9)])
def test_an_explicit_yes_confirms(sent):
    assert read_confirmation(sent) == YES


@pytest.mark.parametrize("sent", [
    message("yes", "affirm", 0.55),  # not sure enough
    message("yes but no", "affirm", 0.9),  # a negation in it
    message("ok not now", "affirm", 0.9),
    message("yes?", "affirm", 0.9),  # a question
    message("yes", "affirm", 0.6, runner_up=0.35),  # another intent close to it
    message("ok 200", "affirm", 0.9, entities=[{"entity": "amount", "value": "200"}]),
    message("hmm no, just freeze it for now, I might find it", "lock_card", 0.5),
    message("what's my balance", "check_balance"),
    message("asdfgh", "nlu_fallback", 0.2),
    message("ok so", "affirm", 0.9),  # about to ask something: chatting, this sent money
    message("yes i guess", "affirm", 0.9),
    message("hmm ok", "affirm", 0.9),
    message("ну так", "affirm", 0.9),
])
def test_anything_else_is_not_a_yes(sent):
    assert read_confirmation(sent) == OTHER


def test_a_plain_no_is_a_no():
    assert read_confirmation(message("no", "deny")) == NO
    assert read_confirmation(message("/deny", "deny")) == NO


@pytest.mark.parametrize("text", ["stop", "cancel", "not now", "later", "no thanks", "skip",
                                  "привіт", "hi there", "ok so what now", "hmm let me think",
                                  "what is a tariff card?", "why do you need it",
                                  "hmm no, just freeze it for now, I might find it"])
def test_free_text_questions_never_take_these(text):
    assert not looks_like_answer(message(text))


@pytest.mark.parametrize("text", ["Oksana Petrenko-Koval", "Khreshchatyk 22, Kyiv",
                                  "вул. Хрещатик 22, Київ", "Kyiv migration service 8012"])
def test_free_text_answers_are_taken(text):
    assert looks_like_answer(message(text))


def test_another_request_the_nlu_is_sure_of_is_not_an_answer():
    assert not looks_like_answer(message("show my balance", "check_balance", 0.9))
    name = [{"entity": "person_name", "value": "Oksana Petrenko"}]
    assert looks_like_answer(message("Oksana Petrenko", "greet", 0.9, entities=name))
    assert looks_like_answer(message("Anna Ivanova", "greet", 0.4))  # unsure: a name


@pytest.mark.parametrize("text", ["send minus 100", "-100", "1e9", "1E+3", "1_000",
                                  "1" * 40, "5000000", "0", "10.555"])
def test_every_odd_amount_gets_a_clear_question(text):
    answer = read_amount(message(text), asked=True)
    assert answer.amount is None
    assert answer.problem and answer.problem.endswith("For example 250 or 1 500.50.")


@pytest.mark.parametrize("text", ["send 1e9 to my friend", "top up 1_000", "transfer -50"])
def test_odd_amounts_in_a_request_are_asked_back_too(text):
    answer = read_amount(message(text, "transfer_money"), asked=False)
    assert answer.amount is None and answer.problem


@pytest.mark.parametrize(("text", "amount"), [("250", "250.00"), ("1 500.50", "1500.50"),
                                              ("1,500", "1500.00"), ("fifty", "50.00"),
                                              ("2k", "2000.00"), ("no, make it 200", "200.00")])
def test_ordinary_amounts_are_read(text, amount):
    assert read_amount(message(text), asked=True).amount == Decimal(amount)
