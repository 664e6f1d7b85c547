"""Card management actions against the real sandbox over HTTP: lost card → blocked → new card,
freeze / unfreeze, a blocked card, no card, PIN and password links, a PIN typed in the chat, the
bank down, the session gone, and two chats of the same customer at once."""

from __future__ import annotations

import asyncio

from actions.card_management.declined import ActionCardReissueDeclined
from actions.card_management.form import ValidateCardManageForm
from actions.card_management.password import ActionChangePassword
from actions.card_management.reissue import ActionReissueCard
from actions.card_management.start import ActionCardManageStart
from actions.card_management.stop import ActionCardManageStop
from actions.card_management.submit import ActionCardManageSubmit
from actions.cards.info import ActionCardInfo
from bankclient import new_idempotency_key
from tests.actions.helpers import make_tracker, responses, run, slot_events, texts
from tests.actions.login import login, new_sender, random_phone


async def _holder(bank, corebank, sender: str, phone: str | None = None):
    phone = phone or random_phone()
    await login(bank, corebank, sender, phone=phone)
    who = f"rest:{sender}"
    card = await bank.cards.issue(who, "basic", "Card Keeper",
                                  idempotency_key=new_idempotency_key())
    return who, card


def _tracker(sender, text, intent, **slots):
    return make_tracker(sender, text, intent, slots={"logged_in": True, **slots})


async def _start(sender, text, intent):
    return await run(ActionCardManageStart(),
                     _tracker(sender, text, intent, pending_intent=intent))


async def test_lost_card_is_confirmed_blocked_and_reissued(bank, corebank):
    sender = new_sender()
    who, card = await _holder(bank, corebank, sender)
    events, messages = await _start(sender, "i lost my card on the bus", "lock_card")
    slots = slot_events(events)
    assert slots["card_mgmt_flow"] == "form" and slots["card_lock_reason"] == "lost"
    assert slots["managed_card"] == card.card_id and slots["managed_card_masked"] == card.masked
    assert messages == []
    assert (await bank.cards.status(who, card.card_id)).status == "active"  # not before "yes"

    form_slots = {**slots, "requested_slot": "lock_confirmed"}
    tracker = make_tracker(sender, "yes", "affirm", slots={"logged_in": True, **form_slots},
                           active_loop="card_manage_form")
    events, _ = await run(ValidateCardManageForm(), tracker)
    assert slot_events(events)["lock_confirmed"] is True

    done = {**form_slots, "lock_confirmed": True, "requested_slot": None}
    events, messages = await run(ActionCardManageSubmit(),
                                 _tracker(sender, "yes", "affirm", **done))
    assert responses(messages) == ["utter_card_blocked", "utter_card_reissue_offer"]
    assert slot_events(events)["card_mgmt_flow"] == "reissue_offer"
    status = await bank.cards.status(who, card.card_id)
    assert status.blocked and status.status_reason == "lost"

    offer = {"managed_card": card.card_id, "managed_card_masked": card.masked,
             "card_mgmt_flow": "reissue_offer"}
    events, messages = await run(ActionReissueCard(), _tracker(sender, "yes", "affirm", **offer))
    assert responses(messages) == ["utter_card_reissued"]
    new_masked = messages[0]["new_masked"]
    assert new_masked.startswith("••••") and new_masked != card.masked
    assert slot_events(events)["card_mgmt_flow"] == "none"
    assert sorted(c.status for c in await bank.cards.owned(who)) == ["active", "blocked"]


async def test_reason_asked_when_not_given_and_read_from_free_text(bank, corebank):
    sender = new_sender()
    await _holder(bank, corebank, sender)
    events, _ = await _start(sender, "block my card", "lock_card")
    slots = slot_events(events)
    assert slots["card_lock_reason"] is None and slots["card_mgmt_flow"] == "form"
    for text, intent, reason in [
        ("someone used my card in a shop i've never been to", "lock_card", "fraud"),
        ("i'm travelling, just in case", "inform", "temporary"),
        ('/inform{"lock_reason": "stolen"}', "inform", "stolen"),
    ]:
        tracker = make_tracker(sender, text, intent, active_loop="card_manage_form",
                               slots={**slots, "logged_in": True,
                                      "requested_slot": "card_lock_reason"})
        if text.startswith("/"):
            tracker.latest_message["entities"] = [{"entity": "lock_reason", "value": "stolen"}]
        events, _ = await run(ValidateCardManageForm(), tracker)
        assert slot_events(events)["card_lock_reason"] == reason, text
    tracker = make_tracker(sender, "hmm", "inform", active_loop="card_manage_form",
                           slots={**slots, "logged_in": True, "requested_slot": "card_lock_reason"})
    events, messages = await run(ValidateCardManageForm(), tracker)
    assert slot_events(events)["card_lock_reason"] is None
    assert responses(messages) == ["utter_card_reason_unclear"]
    # "no" is not an answer: the form rejects it and the change-of-mind rule stops it.
    tracker = make_tracker(sender, "no", "deny", active_loop="card_manage_form",
                           slots={**slots, "logged_in": True, "requested_slot": "lock_confirmed"})
    events, _ = await run(ValidateCardManageForm(), tracker)
    assert "lock_confirmed" not in slot_events(events)
    events, messages = await run(ActionCardManageStop(), tracker)
    assert responses(messages) == ["utter_card_manage_stopped"]


async def test_freeze_then_unfreeze(bank, corebank):
    sender = new_sender()
    who, card = await _holder(bank, corebank, sender)
    events, _ = await _start(sender, "freeze my card for now", "lock_card")
    slots = {**slot_events(events), "lock_confirmed": True}
    assert slots["card_lock_reason"] == "temporary"
    _, messages = await run(ActionCardManageSubmit(), _tracker(sender, "yes", "affirm", **slots))
    assert responses(messages) == ["utter_card_frozen"]
    assert (await bank.cards.status(who, card.card_id)).frozen
    # Frozen already: nothing to do, said so.
    _, messages = await _start(sender, "lock it just in case", "lock_card")
    assert responses(messages) == ["utter_card_already_frozen"]

    events, messages = await _start(sender, "i want my card back on", "unlock_card")
    assert responses(messages) == ["utter_card_unfrozen"]
    assert slot_events(events)["card_mgmt_flow"] == "none"
    assert (await bank.cards.status(who, card.card_id)).status == "active"
    _, messages = await _start(sender, "unfreeze", "unlock_card")
    assert responses(messages) == ["utter_card_not_frozen"]


async def test_unlock_of_a_blocked_card_offers_a_new_one(bank, corebank):
    sender = new_sender()
    who, card = await _holder(bank, corebank, sender)
    await bank.cards.block(who, card.card_id, "stolen", reissue=False)
    events, messages = await _start(sender, "unblock my card", "unlock_card")
    assert responses(messages) == ["utter_card_blocked_cannot_unlock", "utter_card_reissue_offer"]
    assert slot_events(events)["card_mgmt_flow"] == "reissue_offer"
    assert slot_events(events)["managed_card"] == card.card_id
    # Declined: nothing issued.
    tracker = _tracker(sender, "no", "deny", **slot_events(events))
    _, messages = await run(ActionCardReissueDeclined(), tracker)
    assert responses(messages) == ["utter_card_reissue_declined"]
    assert len(await bank.cards.owned(who)) == 1
    # Asking to block it again: already blocked, a new card offered.
    _, messages = await _start(sender, "block my card", "lock_card")
    assert responses(messages) == ["utter_card_already_blocked", "utter_card_reissue_offer"]


async def test_unblock_beside_a_working_card_means_the_blocked_one(bank, corebank):
    """Found chatting through make run as the demo's Iryna (a stolen card never replaced and an
    active one): "unblock my card" answered that the active card "isn't frozen"."""
    sender = new_sender()
    await login(bank, corebank, sender, phone="+380631234567")
    cards = await bank.cards.owned(f"rest:{sender}")
    stolen = next(c for c in cards if c.status == "blocked")
    assert any(c.status == "active" for c in cards)
    events, messages = await _start(sender, "unblock my card", "unlock_card")
    assert responses(messages) == ["utter_card_blocked_cannot_unlock", "utter_card_reissue_offer"]
    assert messages[0]["masked"] == stolen.masked and messages[0]["reason"] == "stolen"
    # The working card named: it is the one answered about.
    active = next(c for c in cards if c.status == "active")
    _, messages = await _start(sender, f"unblock card {active.masked[-4:]}", "unlock_card")
    assert responses(messages) == ["utter_card_not_frozen"]


async def test_no_card_yet_is_offered_one(bank, corebank):
    sender = new_sender()
    await login(bank, corebank, sender, phone=random_phone())
    for intent in ("lock_card", "unlock_card", "change_pin"):
        events, messages = await _start(sender, "my card", intent)
        assert responses(messages) == ["utter_card_mgmt_no_card"]
        assert slot_events(events)["card_mgmt_flow"] == "none"


async def test_pin_and_password_links_and_a_pin_typed_in_the_chat(bank, corebank):
    sender = new_sender()
    _, card = await _holder(bank, corebank, sender)
    events, messages = await _start(sender, "forgot pin", "change_pin")
    assert responses(messages) == ["utter_secure_link_pin"]
    assert messages[0]["masked"] == card.masked and "/secure/" in messages[0]["url"]
    # The channel layer already replaced the typed PIN: the customer is told not to.
    _, messages = await _start(sender, "change my pin to [redacted]", "change_pin")
    assert responses(messages) == ["utter_secret_typed_in_chat", "utter_secure_link_pin"]
    _, messages = await run(ActionChangePassword(),
                            _tracker(sender, "my password is [redacted]", "change_password"))
    assert responses(messages) == ["utter_secret_typed_in_chat", "utter_secure_link_password"]
    assert messages[1]["minutes"] == 5 and "/secure/" in messages[1]["url"]


async def test_card_info_shows_the_own_card_masked(bank, corebank):
    sender = new_sender()
    _, card = await _holder(bank, corebank, sender)
    _, messages = await run(ActionCardInfo(), _tracker(sender, "what's on my card", "card_info"))
    own = texts(messages[:1])
    assert own.startswith("Your card:") and card.masked in own and "Status: active" in own
    assert "Valid until:" in own and "Transfer limits:" in own


async def test_bank_down_and_session_gone(bank, corebank):
    sender = new_sender()
    who, card = await _holder(bank, corebank, sender)
    corebank.set_faults(error_rate=1.0)
    try:
        events, messages = await _start(sender, "my card was stolen", "lock_card")
    finally:
        corebank.clear_faults()
    assert responses(messages) == ["utter_bank_unavailable"]
    assert slot_events(events)["card_mgmt_flow"] == "none"
    assert (await bank.cards.status(who, card.card_id)).status == "active"

    await bank.customers.logout(who)
    slots = {"card_mgmt_op": "lock", "managed_card": card.card_id, "card_lock_reason": "stolen",
             "managed_card_masked": card.masked, "lock_confirmed": True}
    events, messages = await run(ActionCardManageSubmit(), _tracker(sender, "yes", "affirm",
                                                                    **slots))
    assert responses(messages) == ["utter_session_expired"]
    assert slot_events(events)["pending_intent"] == "lock_card"
    assert any(e.get("event") == "followup" and e.get("name") == "login_form" for e in events)


async def test_two_chats_of_one_customer_block_and_reissue_once(bank, corebank):
    phone = random_phone()
    first, second = new_sender(), new_sender()
    who, card = await _holder(bank, corebank, first, phone)
    await login(bank, corebank, second, phone=phone)
    slots = {"card_mgmt_op": "lock", "managed_card": card.card_id, "card_lock_reason": "stolen",
             "managed_card_masked": card.masked, "lock_confirmed": True}
    results = await asyncio.gather(
        run(ActionCardManageSubmit(), _tracker(first, "yes", "affirm", **slots)),
        run(ActionCardManageSubmit(), _tracker(second, "yes", "affirm", **slots)),
    )
    for _, messages in results:
        assert responses(messages) == ["utter_card_blocked", "utter_card_reissue_offer"]
    offer = {"managed_card": card.card_id, "managed_card_masked": card.masked,
             "card_mgmt_flow": "reissue_offer"}
    results = await asyncio.gather(
        run(ActionReissueCard(), _tracker(first, "yes", "affirm", **offer)),
        run(ActionReissueCard(), _tracker(second, "yes", "affirm", **offer)),
    )
    new_cards = {messages[0]["new_masked"] for _, messages in results}
    assert len(new_cards) == 1
    owned = await bank.cards.owned(who)
    assert sorted(c.status for c in owned) == ["active", "blocked"]


async def test_an_explicit_freeze_for_a_while_is_a_freeze_even_if_the_card_was_left_somewhere(
        bank, corebank):
    # issue 28: "Block •••• 0035 for good because it was lost?" for this message.
    sender = new_sender()
    who, card = await _holder(bank, corebank, sender)
    for text in ["can u freeze it again for a couple days, i left it at a friends place",
                 "hmm no, just freeze it for now, I might find it",
                 "pause my card for a few days, i think i left it at my mum's"]:
        events, _ = await _start(sender, text, "lock_card")
        assert slot_events(events)["card_lock_reason"] == "temporary", text
    assert (await bank.cards.status(who, card.card_id)).status == "active"
