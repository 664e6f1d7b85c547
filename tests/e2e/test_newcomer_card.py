"""The newcomer's card, as the card bench drives it, for 10 newcomers whose names the model has
never seen: "I want a card, my name is <name>" → phone → the code from the SMS → a card.

The card bench once issued a card to 3 of 10 newcomers because an unseen name turned
the request into `nlu_fallback`. The names here are generated at every run (a first name and a
surname built from a root and a suffix) and none of them, nor its surname, appears anywhere in
data/, so the NLU cannot have memorised them. Every one of the 10 must end with a card image in
the chat and the card in the bank, in that name (read from the bank's API, not from the chat).
"""

from __future__ import annotations

import random
import re
import uuid
from pathlib import Path

from tests.e2e.helpers import slot

NEWCOMERS = 10
DATA_DIR = Path(__file__).resolve().parents[2] / "data"
FIRST_NAMES = [
    "Marko", "Ostap", "Zlata", "Borys", "Yevheniia", "Solomiia", "Orest", "Myroslava", "Ihnat",
    "Teodor", "Ustym", "Zoriana", "Liubomyr", "Yaryna", "Bohdana", "Severyn", "Ulyana", "Danylo",
    "Nazar", "Oksana", "Roksolana", "Taras", "Vira", "Khrystyna", "Arsen", "Mariana",
]  # fmt: skip
SURNAME_ROOTS = [
    "Hrab", "Vovk", "Tsymb", "Karp", "Dubyn", "Lozyn", "Sokol", "Bilyk", "Palam", "Hryts",
    "Chornov", "Kutsy", "Zabol", "Perep", "Mostov", "Slyv", "Horob", "Tkach", "Lysen", "Yavor",
]  # fmt: skip
SURNAME_SUFFIXES = ["enko", "chuk", "iak", "ovych", "yshyn", "skyi", "ets", "iuk", "arenko"]


def unseen_names(count: int, rng: random.Random) -> list[str]:
    """`count` distinct generated names, neither the full name nor the surname in data/."""
    corpus = " ".join(p.read_text(encoding="utf-8") for p in DATA_DIR.rglob("*.yml")).lower()
    names: list[str] = []
    while len(names) < count:
        surname = rng.choice(SURNAME_ROOTS) + rng.choice(SURNAME_SUFFIXES)
        name = f"{rng.choice(FIRST_NAMES)} {surname}"
        if surname.lower() in corpus or name.lower() in corpus or name in names:
            continue
        names.append(name)
    return names


def test_unseen_names_are_not_in_the_training_data() -> None:
    corpus = " ".join(p.read_text(encoding="utf-8") for p in DATA_DIR.rglob("*.yml")).lower()
    for name in unseen_names(50, random.Random(7)):
        assert name.lower() not in corpus and name.split()[1].lower() not in corpus


def bank_cards(corebank, phone: str) -> list[dict]:
    """The customer's cards as the bank's API lists them (a separate login, not the chat's)."""
    identity = f"e2e-check:{uuid.uuid4().hex[:8]}"
    corebank.login(phone, identity)
    answer = corebank.http.get(
        "/api/v1/me/cards", headers=corebank.headers("cards", identity=identity), timeout=10
    )
    answer.raise_for_status()
    return answer.json()


def test_ten_newcomers_with_unseen_names_get_ten_cards(chat, rasa_server, corebank) -> None:
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    failures: list[str] = []
    issued = 0
    for name in unseen_names(NEWCOMERS, rng):
        sender = chat.new_sender("newcomer")
        phone = f"+38067{rng.randint(1_000_000, 9_999_999)}"
        transcript: list[str] = []

        def say(text: str, sender=sender, transcript=transcript) -> list[dict]:
            messages = chat.send(sender, text)
            transcript.append(f"> {text}\n  " + "\n  ".join(
                m.get("text") or f"[image {m.get('image')}]" for m in messages
            ))  # fmt: skip
            return messages

        say(f"I want a card, my name is {name}")
        if slot(rasa_server, sender, "requested_slot") != "phone_number":
            failures.append(f"{name}: not asked for a phone\n" + "\n".join(transcript))
            continue
        say(phone)
        if slot(rasa_server, sender, "requested_slot") != "otp_code":
            failures.append(f"{name}: not asked for the code\n" + "\n".join(transcript))
            continue
        messages = say(corebank.sms_code(phone))
        images = [m["image"] for m in messages if m.get("image")]
        cards = bank_cards(corebank, phone)
        holders = [re.sub(r"\s+", " ", c["holder_name"]).strip().lower() for c in cards]
        if len(images) != 1 or holders != [name.lower()]:
            failures.append(
                f"{name}: images {images}, bank cards {holders}\n" + "\n".join(transcript)
            )
            continue
        issued += 1
    assert issued == NEWCOMERS, (
        f"{issued}/{NEWCOMERS} newcomers got a card (names seed {seed}):\n\n"
        + "\n\n".join(failures)
    )
