"""Login → balance → logout over the REST channel, with the code read from the sandbox SMS."""

from __future__ import annotations

import re

from tests.e2e.helpers import DEMO_PHONE, log_in, slot, tracker

MONEY = re.compile(r"\d[\d\s,]*\.\d{2}")


def test_sensitive_request_logs_in_then_answers(chat, rasa_server, corebank) -> None:
    sender = chat.new_sender("login")
    # A sensitive request first: the gate asks for the phone, then the code…
    chat.send(sender, "what's my balance?")
    assert slot(rasa_server, sender, "requested_slot") == "phone_number"
    chat.send(sender, DEMO_PHONE)
    assert slot(rasa_server, sender, "requested_slot") == "otp_code"
    code = corebank.sms_code(DEMO_PHONE)
    answers = " ".join(chat.texts(sender, code))

    # …and the original request continues without being asked again.
    assert slot(rasa_server, sender, "logged_in") is True
    assert MONEY.search(answers), answers
    assert code not in answers
    stored = slot(rasa_server, sender, "otp_code")
    assert stored is None or stored.startswith("otok_") or stored == "[redacted]"

    # Logged in: the next sensitive request is answered straight away.
    assert MONEY.search(" ".join(chat.texts(sender, "/check_balance")))

    chat.send(sender, "/logout")
    assert slot(rasa_server, sender, "logged_in") is False
    chat.send(sender, "/check_balance")
    assert slot(rasa_server, sender, "requested_slot") == "phone_number"


def test_explicit_login_then_logout(chat, rasa_server, corebank) -> None:
    sender = chat.new_sender("explicit")
    log_in(chat, rasa_server, corebank, sender)
    assert slot(rasa_server, sender, "logged_in") is True
    assert " ".join(chat.texts(sender, "/logout"))
    events = [e["event"] for e in tracker(rasa_server, sender)["events"]]
    assert "action" in events and slot(rasa_server, sender, "logged_in") is False
