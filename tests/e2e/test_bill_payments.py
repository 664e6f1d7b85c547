"""Bill payments through the real channel (REST → Rasa → action server → sandbox's legacy SOAP
API): exact replies, the bank's resulting state from its own API, the legacy system failing
under a payment, and the independent scanner over what was stored and logged."""

from __future__ import annotations

import json
from decimal import Decimal

from tests.e2e.helpers import (
    TARAS_PHONE,
    assert_ledger_balanced,
    flat,
    log_in,
    money,
    slot,
    uah_balance,
)
from tests.security.scanner import scan_text

OLENA_PHONE = "+380931112233"  # basic, UAH 3,200, lifecell number (prefix 93)


def texts(chat, sender: str, text: str) -> list[str]:
    return [flat(m.get("text") or "") for m in chat.send(sender, text)]


def test_top_up_my_phone_in_two_turns(chat, rasa_server, corebank) -> None:
    sender = chat.new_sender("bill-own")
    log_in(chat, rasa_server, corebank, sender, TARAS_PHONE)
    before = uah_balance(corebank, sender)
    assert texts(chat, sender, "top up my phone 100") == [
        f"Pay {money(100)} to Kyivstar, phone number •••• 4567? Fee: {money(0)}. "
        f"Total: {money(100)}."
    ]
    done = chat.send(sender, "yes")
    after = before - Decimal("100.00")
    assert flat(done[0]["text"]).startswith(
        f"Done! {money(100)} paid to Kyivstar (•••• 4567). Fee: {money(0)}. Your balance is now "
        f"{money(after)}. Receipt No. "
    )
    assert done[1]["text"] == "Your receipt:" and done[2]["image"].endswith(".png")
    assert done[3]["attachment"]["url"].endswith(".pdf")
    assert flat(done[4]["text"]) == "Want to save this payment as a template for next time?"
    assert [b["payload"] for b in done[4]["buttons"]] == ["/save_bill_template"]
    assert uah_balance(corebank, sender) == after
    assert_ledger_balanced(corebank)
    assert slot(rasa_server, sender, "bill_amount") is None  # cleared for the next payment


def test_wrong_format_then_cancel_pays_nothing(chat, rasa_server, corebank) -> None:
    sender = chat.new_sender("bill-bad")
    log_in(chat, rasa_server, corebank, sender, OLENA_PHONE)
    before = uah_balance(corebank, sender)
    assert texts(chat, sender, "pay volia") == [
        "What's the contract number for Volia TV? It's 8 digits, e.g. 10234567."
    ]
    assert texts(chat, sender, "123") == [
        "Contract number for Volia TV must be 8 digits (for example 10234567).",
        "What's the contract number for Volia TV? It's 8 digits, e.g. 10234567.",
    ]
    assert texts(chat, sender, "no") == ["Okay, I've cancelled the payment. Nothing was paid."]
    assert uah_balance(corebank, sender) == before


def test_hanging_legacy_system_then_retry_pays_once(chat, rasa_server, corebank) -> None:
    sender = chat.new_sender("bill-hang")
    log_in(chat, rasa_server, corebank, sender, TARAS_PHONE)  # Olena's card is frozen: no payments
    before = uah_balance(corebank, sender)
    assert texts(chat, sender, "put 30 on 067 123 45 67")[0].startswith(
        f"Pay {money(30)} to Kyivstar"
    )
    corebank.set_faults(hang=True, paths=["/soap/legacy"])
    try:
        answer = texts(chat, sender, "yes")
    finally:
        corebank.clear_faults()
    assert answer[0].startswith("The bank ")  # lost answer: looked up, or said it can't tell
    assert uah_balance(corebank, sender) == before  # a hung request never reaches the ledger
    if slot(rasa_server, sender, "requested_slot") == "bill_confirmed":
        done = texts(chat, sender, "yes")
        assert done[0].startswith(f"Done! {money(30)} paid to Kyivstar")
        assert uah_balance(corebank, sender) == before - 30
    assert_ledger_balanced(corebank)


def test_typed_numbers_are_not_echoed_nor_stored_in_clear(
    chat, rasa_server, action_server, corebank
) -> None:
    """A card number typed instead of an account, the step-up code, the phone and account
    numbers: the card number and code never appear in clear in replies, the tracker, nor the
    logs of Rasa, the action server and the sandbox; the replies show phone and account
    numbers masked."""
    sender = chat.new_sender("bill-scan")
    log_in(chat, rasa_server, corebank, sender)
    card, phone, account = "4111 1111 1111 1111", "067 123 45 67", "4100456789"
    replies = chat.send(sender, f"pay internet, my card is {card}")
    replies += chat.send(sender, "never mind")
    replies += chat.send(sender, f"put 40 on {phone}")
    replies += chat.send(sender, "cancel")
    replies += chat.send(sender, f"pay 600 to naftogaz account {account}")
    replies += chat.send(sender, "yes")
    code = corebank.sms_code("+380501112233")
    replies += chat.send(sender, code)
    assert any(flat(r.get("text") or "").startswith(f"Done! {money(600)} paid to Naftogaz")
               for r in replies), replies
    typed = {"card": card, "card digits": card.replace(" ", ""), "otp": code}
    said = json.dumps(replies, ensure_ascii=False)
    assert scan_text(said, typed) == []
    assert phone not in said and account not in said  # shown masked: •••• 4567, •••• 6789
    stored = json.dumps([row[1:] for row in rasa_server.tracker_rows()], ensure_ascii=False,
                        default=str)
    assert scan_text(stored, typed) == []
    for which, process in {"rasa": rasa_server, "action server": action_server,
                           "sandbox": corebank}.items():
        log = process.log_text()
        assert log.strip(), f"{which} wrote no log"
        leaks = [(found, line[:300]) for line in log.splitlines()
                 if (found := scan_text(line, typed))]
        assert leaks == [], f"{which}: " + "\n".join(f"{f}: {line}" for f, line in leaks)
    # The scan is meaningful only if the conversation reached the logs (tokenized).
    assert sender in rasa_server.log_text()
    assert_ledger_balanced(corebank)


def test_unknown_provider_meter_reading_and_not_enough_money(chat, rasa_server, corebank) -> None:
    """An unknown provider named in the first message is said so before the buttons; a
    provider whose fields include a meter reading has it asked; not enough money is said at the
    quote, before any step-up code."""
    sender = chat.new_sender("bill-gaps")
    log_in(chat, rasa_server, corebank, sender, TARAS_PHONE)  # Kyivstar number, 1,500 UAH
    before = uah_balance(corebank, sender)
    replies = chat.send(sender, "pay skynet 100")
    assert [flat(r.get("text") or "") for r in replies] == [
        'I couldn\'t find a provider called "skynet".', "What would you like to pay for?"]
    assert [b["title"] for b in replies[1]["buttons"]][:2] == ["Mobile", "Utilities"]
    chat.send(sender, "/restart")
    assert texts(chat, sender, "pay water 150 account 31245678") == [
        "What's the meter reading for Kyivvodokanal Water? It's up to 6 digits, e.g. 04512."]
    assert texts(chat, sender, "1234567") == [
        "Meter reading for Kyivvodokanal Water must be up to 6 digits (for example 04512).",
        "What's the meter reading for Kyivvodokanal Water? It's up to 6 digits, e.g. 04512.",
    ]
    assert texts(chat, sender, "4512")[0].startswith(f"Pay {money(150)} to Kyivvodokanal Water")
    assert texts(chat, sender, "cancel") == ["Okay, I've cancelled the payment. Nothing was paid."]
    said = texts(chat, sender, "pay naftogaz 9000 account 4100456789")
    assert said[0] == (f"There isn't enough money on your account for this: the total with the "
                       f"fee is {money(9000)}. Please send the amount again.")
    assert slot(rasa_server, sender, "requested_slot") == "bill_amount"
    assert slot(rasa_server, sender, "bill_challenge_id") is None  # no code was sent
    assert uah_balance(corebank, sender) == before
    assert_ledger_balanced(corebank)


def test_an_answer_the_form_cannot_use_then_the_form_goes_on(chat, rasa_server, corebank) -> None:
    """Rasa rejects the form when its validation fills nothing; the fallback says so and undoes
    the message, so the next answer reaches the form (before: a second fallback)."""
    sender = chat.new_sender("bill-reject")
    log_in(chat, rasa_server, corebank, sender, TARAS_PHONE)
    before = uah_balance(corebank, sender)
    assert texts(chat, sender, "top up my phone 20")[0].startswith(f"Pay {money(20)} to Kyivstar")
    assert texts(chat, sender, "/inform") == [
        "Sorry, I didn't get that. Please answer the question above, or say \"cancel\" to stop."
    ]
    done = texts(chat, sender, "yes")
    assert done[0].startswith(f"Done! {money(20)} paid to Kyivstar"), done
    assert uah_balance(corebank, sender) == before - Decimal("20.00")
    assert_ledger_balanced(corebank)
