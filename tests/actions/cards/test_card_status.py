"""`action_card_status` against the real sandbox: the state of each card is answered and nothing
changes at the bank (issue 28: "is my card blocked?" got a block question)."""

from __future__ import annotations

from actions.cards.status import ActionCardStatus
from bankclient import new_idempotency_key
from tests.actions.helpers import make_tracker, responses, run, texts
from tests.actions.login import login, new_sender, random_phone


def _tracker(sender: str, text: str):
    return make_tracker(sender, text, "card_status",
                        slots={"logged_in": True, "pending_intent": "card_status"})


async def test_card_status_answers_each_card_and_changes_nothing(bank, corebank):
    sender = new_sender()
    await login(bank, corebank, sender, phone=random_phone())
    who = f"rest:{sender}"
    events, messages = await run(ActionCardStatus(), _tracker(sender, "show my cards"))
    assert responses(messages) == ["utter_card_status_no_card"] and events == []

    card = await bank.cards.issue(who, "basic", "Status Asker",
                                  idempotency_key=new_idempotency_key())
    events, messages = await run(ActionCardStatus(), _tracker(sender, "is my card blocked?"))
    assert events == []
    assert card.masked in texts(messages) and "Status: active" in texts(messages)
    assert (await bank.cards.status(who, card.card_id)).status == "active"

    await bank.cards.lock(who, card.card_id)
    _, messages = await run(ActionCardStatus(), _tracker(sender, "is my card frozen"))
    assert "Status: frozen" in texts(messages)
    assert responses(messages) == ["utter_card_status_frozen_hint"]
    assert (await bank.cards.status(who, card.card_id)).frozen
