"""Customers type card numbers, PINs, CVVs, passwords, passport numbers and one-time codes.

Afterwards EVERY tracker-store row, every log of the stack (Rasa, action server, sandbox) and
`results/` are scanned with the independent scanner (tests/security/scanner.py, which shares no
code with the implementation's redaction): none of the typed values may appear, nor any run of
13-19 digits once separators are removed and Unicode digits mapped.
"""

from __future__ import annotations

import contextlib
import json
import re
from pathlib import Path

import httpx
import pytest
from stdnum import luhn

from tests.e2e.helpers import DEMO_PHONE, slot
from tests.security.scanner import scan_files, scan_text

REPO = Path(__file__).resolve().parents[2]

CARDS = {
    # as typed → digits
    "4111 1111 1111 1111": "4111111111111111",
    "5555-5555-5555-4444": "5555555555554444",
    "4000056655665556": "4000056655665556",
    "4149 4900 0000 0004": None,  # own-bank BIN (414949); completed below
}
MESSAGES = [
    "send 200 uah to 4111 1111 1111 1111 please",
    "my card is 5555-5555-5555-4444",
    "can you check 4000056655665556 for me",
    "my pin is 7319",
    "cvv 846",
    "the password: Hunter2Secret",
    "my passport is KX4821937",
    "passport number 583920147",
    "ok here it is: PIN 7319, CVV 846, card 4111111111111111",
    # Unicode digits (fullwidth, Arabic-Indic) and unusual separators are still card numbers.
    "send 5 to " + " ".join(["\uff15" * 4] * 3 + ["\uff14" * 4]),  # fullwidth 5555 ... 4444
    "card " + "\u0664" + "\u0661" * 15,  # Arabic-Indic 4111...
    "to 4000\u00a00566\u20135566\u20145556 pls",
    # Issue 22: phrasings outside the earlier corpus, typed unasked (logged out here; the
    # logged-in conversation below types some too).
    "cvc2 on the back says 362",
    "my password for the app is Lantern#Owl42",
    "login pass: Mapl3-Ridge",
    "the code you sent is 581 204",
    "паспорт серія КВ номер 719305",
    "ІПН 3012409876",
    "tax id 2894511237",
]
# value → the pattern that finds it in clear (bounded, so "7319" inside an id does not count)
SECRETS = {
    "7319": r"(?<![\w.,:])7319(?!\w)",
    "846": r"(?<![\w.,:])846(?!\w)",
    "Hunter2Secret": r"Hunter2Secret",
    "KX4821937": r"KX4821937",
    "583920147": r"(?<![\w.,:])583920147(?!\w)",
    # Card management: typed into the chat anyway, and set on the secure page.
    "4827": r"(?<![\w.,:])4827(?!\w)",
    "Tr1cky-Lantern-9": r"Tr1cky-Lantern-9",
    "5926": r"(?<![\w.,:])5926(?!\w)",
    "Quiet-Orchard-58": r"Quiet-Orchard-58",
    "362": r"(?<![\w.,:])362(?!\w)",
    "Lantern#Owl42": r"Lantern#Owl42",
    "Mapl3-Ridge": r"Mapl3-Ridge",
    "581 204": r"(?<![\w.,:])581[ -]?204(?!\w)",
    "581204": r"(?<![\w.,:])581204(?!\w)",
    "719305": r"(?<![\w.,:])719305(?!\w)",
    "3012409876": r"3012409876",
    "2894511237": r"2894511237",
    "3387105514": r"3387105514",
}
# Typed by a logged-in customer (unasked) before the card-management requests below.
LOGGED_IN = ["РНОКПП 3387105514", "мій пароль від додатку Lantern#Owl42"]
# Typed by a logged-in customer asking to change them (the chat must answer "don't").
SECRET_CHANGES = ["change my pin to 4827", "my new password is Tr1cky-Lantern-9"]
SECURE_LINK = re.compile(r"https?://[^\s\"']+/secure/[A-Za-z0-9_-]+")


def _own_bank_card() -> str:
    base = "414949000000000"
    digits = base + luhn.calc_check_digit(base)
    return " ".join(digits[i : i + 4] for i in range(0, 16, 4))


@pytest.fixture(scope="module")
def typed_values(chat, rasa_server, corebank) -> dict:
    """Drive the conversations once; return what was typed (the scans below look for it)."""
    own = _own_bank_card()
    cards = {typed: digits for typed, digits in CARDS.items() if digits} | {
        own: own.replace(" ", "")
    }
    sender = chat.new_sender("secrets")
    replies = []
    for text in [*MESSAGES, f"send 10 to {own}"]:
        replies += chat.send(sender, text)
    replies += chat.send(sender, "/restart")

    # A one-time code typed while the login form asks for it (bare, and in a sentence).
    otp_sender = chat.new_sender("otp")
    chat.send(otp_sender, "/login")
    chat.send(otp_sender, DEMO_PHONE)
    assert slot(rasa_server, otp_sender, "requested_slot") == "otp_code"
    first_code = corebank.sms_code(DEMO_PHONE)
    wrong = f"{(int(first_code) + 1) % 1_000_000:06d}"  # a wrong code is a secret too
    replies += chat.send(otp_sender, f"the code is {wrong}")
    # Read the code again: the assistant may have sent a new one in the meantime.
    code = corebank.sms_code(DEMO_PHONE)
    replies += chat.send(otp_sender, code)
    assert slot(rasa_server, otp_sender, "logged_in") is True

    for text in LOGGED_IN:
        replies += chat.send(otp_sender, text)

    # PIN and password typed into the chat anyway, then set where they belong (the secure page).
    for text, field, value in zip(SECRET_CHANGES, ("pin", "password"),
                                  ("5926", "Quiet-Orchard-58"), strict=True):
        answer = chat.send(otp_sender, text)
        replies += answer
        flat = json.dumps(answer, ensure_ascii=False)
        assert "don't type your PIN or password" in flat, flat
        url = SECURE_LINK.search(flat).group(0)
        with httpx.Client(timeout=10) as web:
            page = web.get(url).text
            nonce = re.search(r'name="nonce" value="([^"]+)"', page).group(1)
            done = web.post(url, data={"nonce": nonce, field: value, f"{field}_confirm": value})
            assert done.status_code == 200, done.text[-300:]
    return {
        "cards": cards,
        "otps": sorted({first_code, wrong, code}),
        "replies": replies,
        "senders": [sender, otp_sender],
    }


def _typed(typed: dict) -> dict[str, str]:
    """Every value the customers typed, named without the secret itself."""
    values = {f"card {i} as typed": form for i, form in enumerate(typed["cards"])}
    values |= {f"secret {i}": value for i, value in enumerate(SECRETS)}
    values |= {f"otp {i}": code for i, code in enumerate(typed["otps"])}
    return values


def _leaks(text: str, typed: dict) -> list[str]:
    return [f"{f.kind}: {f.what}" for f in scan_text(text, _typed(typed))]


def _readable(column) -> str:
    """A tracker row's JSON with its Unicode unescaped (\\uff15 would hide a fullwidth 5)."""
    text = str(column)
    if text.startswith("{"):
        with contextlib.suppress(ValueError):
            return json.dumps(json.loads(text), ensure_ascii=False)
    return text


def test_bot_replies_never_echo_secrets(typed_values) -> None:
    texts = " ".join(str(reply) for reply in typed_values["replies"])
    assert _leaks(texts, typed_values) == []


def test_every_tracker_row_is_clean(typed_values, rasa_server) -> None:
    rows = rasa_server.tracker_rows()
    assert len(rows) > 20
    leaks = {}
    for row in rows:
        # Not the row's id (row[0]): with enough conversations in the store, row 846 exists.
        text = " ".join(_readable(column) for column in row[1:])
        if found := _leaks(text, typed_values):
            leaks[row[0]] = (found, text[:300])
    assert leaks == {}
    stored = " ".join(str(row) for row in rows)
    assert "ctok_" in stored, "card numbers should have been replaced by vault tokens"
    assert "otok_" in stored, "the one-time code should have been replaced by a vault ref"
    assert "[redacted]" in stored


@pytest.mark.parametrize("which", ["rasa", "action server", "sandbox"])
def test_logs_are_clean(typed_values, rasa_server, action_server, corebank, which) -> None:
    process = {"rasa": rasa_server, "action server": action_server, "sandbox": corebank}[which]
    log = process.log_text()
    assert log.strip(), f"{which} wrote no log"
    leaks = [
        (found, line[:300]) for line in log.splitlines() if (found := _leaks(line, typed_values))
    ]
    assert leaks == [], "\n".join(f"{found}: {line}" for found, line in leaks)


def test_every_log_and_result_file_is_clean(typed_values, assistant_env) -> None:
    """Whatever else the stack or `make test` wrote: the stack's work directory (logs, media)
    and results/ (rasa test reports)."""
    files = [
        path
        for root in (assistant_env.workdir, REPO / "results", REPO / "var" / "log")
        if root.exists()
        for path in root.rglob("*")
        if path.is_file() and path.suffix in {".log", ".txt", ".json", ".yml", ".md", ".csv", ""}
    ]
    assert any(path.suffix == ".log" for path in files)
    findings = scan_files(files, _typed(typed_values))
    assert findings == [], "\n".join(map(str, findings))


def test_rasa_debug_log_did_see_the_conversation(typed_values, rasa_server) -> None:
    """The clean log above is meaningful only if Rasa logged the (tokenized) messages."""
    log = rasa_server.log_text()
    assert "ctok_" in log and typed_values["senders"][0] in log
