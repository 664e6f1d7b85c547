"""Redaction cost per message: `assistant.redaction` runs on every message (channel guard),
every stored event (tracker store) and every log record, so it must stay cheap.

Times `redact_text` on three kinds of input and `redact_obj` on a stored user event, and prints
microseconds per call (median of --repeat rounds) and calls per second:
- everyday chat messages (no sensitive data: the common case),
- the sensitive corpus of tests/security/corpus.py (card numbers in every shape, secrets),
- long messages (600+ characters with digits).

    .venv/bin/python -m bench.bench_redaction [--repeat 7] [--rounds 200]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.redaction import redact_obj, redact_text  # noqa: E402
from tests.security.corpus import CORPUS, HARMLESS  # noqa: E402

EVERYDAY = HARMLESS + [
    "hi", "what's my balance?", "send 500 to Taras", "yes", "no thanks", "show my transactions",
    "I want a card", "top up 1000 uah", "what are your bank details", "thanks, bye",
    "скільки грошей на картці", "переказати 250 грн мамі", "help", "cancel",
]
LONG = [("I tried to send 1 500.50 UAH on 12.03.2025 to my friend but the app said error 503 "
         "and then I tried again at 15:06 and it said the limit is 30000, so what is my daily "
         "limit, and can I send 25000 tomorrow? Also my phone is +380 50 111 22 33 and ") * 3]
EVENT = {"event": "user", "timestamp": 1732633614.6598902, "text": "send 50 to 4111.1111.1111.1111",
         "parse_data": {"intent": {"name": "transfer_money", "confidence": 0.9987654321},
                        "entities": [{"entity": "amount", "value": "50"}],
                        "text": "send 50 to 4111.1111.1111.1111"},
         "metadata": {"cvv": "123", "client": "web"}, "input_channel": "rest"}


def per_call_us(fn, items, rounds: int, repeat: int) -> float:
    results = []
    for _ in range(repeat):
        started = time.perf_counter()
        for _ in range(rounds):
            for item in items:
                fn(item)
        results.append((time.perf_counter() - started) / (rounds * len(items)) * 1e6)
    return statistics.median(results)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    redact_text("warm up ٤١١١")  # builds the non-ASCII digit table once
    rows = [
        ("everyday messages", redact_text, EVERYDAY),
        ("sensitive corpus", redact_text, [text for text, _ in CORPUS]),
        ("long messages (600+ chars)", redact_text, LONG),
        ("stored user event (redact_obj)", redact_obj, [EVENT]),
    ]
    print(f"{'input':34} {'items':>6} {'µs/call':>9} {'calls/s':>10}")
    for name, fn, items in rows:
        rounds = max(1, args.rounds // (10 if len(items) > 100 else 1))
        us = per_call_us(fn, items, rounds, args.repeat)
        print(f"{name:34} {len(items):6d} {us:9.1f} {1e6 / us:10.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
