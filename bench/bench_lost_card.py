"""Lost card benchmark: "I lost my card" → blocked for good → a new digital card, over the REST
channel (Rasa → action server → the sandbox's legacy SOAP API).

Starts a throwaway stack like bench_card_issuing (or reuses one with --rasa-url/--corebank-url).
Each run first gives a fresh customer a basic card (not counted), then counts the customer turns
and the server time (sum of the request times of those turns) until the reply that carries the
new card, in two scenarios:

- logged in:  "I lost my card" → "yes" (block) → "yes" (new card);
- logged out: a new chat of the same customer: "I lost my card" → phone → SMS code → "yes" → "yes".

    .venv/bin/python -m bench.bench_lost_card [--runs 10] [--model models/x.tar.gz]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

from bench.bench_card_issuing import NAMES, Run, say, started_stack, typed_phone  # noqa: E402
from bench.bench_conversations import Conversation, otp_from_sms  # noqa: E402
from bench.common import percentile, table  # noqa: E402
from scripts.services import newest_model  # noqa: E402

NEW_CARD = "is ready to use now"  # utter_card_reissued
LOGIN = ["log me in", typed_phone, otp_from_sms]
LOST = ["I lost my card", "yes", "yes"]


async def counted(rest, conversation: Conversation, scenario: str, steps) -> Run:
    run = Run(scenario)
    for step in steps:
        text = step if isinstance(step, str) else await step(conversation)
        messages, elapsed = await say(rest, conversation, text)
        run.turns += 1
        run.server_ms.append(elapsed)
        replies = [m.get("text") or m.get("image") or "" for m in messages]
        run.transcript.append((text, replies))
        if any(NEW_CARD in reply for reply in replies):
            run.image_url = "done"  # marks the run as finished (the new card was shown)
            break
    return run


async def one_customer(rest, sandbox, logged_in: bool) -> Run:
    phone = f"+38067{random.randint(1_000_000, 9_999_999)}"
    first = Conversation(f"bench-lost-{os.urandom(6).hex()}", phone, sandbox)
    for step in [*LOGIN, "I want a card", random.choice(NAMES)]:  # set-up, not counted
        await say(rest, first, step if isinstance(step, str) else await step(first))
    if logged_in:
        return await counted(rest, first, "logged in", LOST)
    second = Conversation(f"bench-lost-{os.urandom(6).hex()}", phone, sandbox)
    return await counted(rest, second, "logged out (login included)",
                         [LOST[0], typed_phone, otp_from_sms, *LOST[1:]])


async def bench(rasa_url: str, corebank_url: str, token: str, runs: int) -> list[Run]:
    results: list[Run] = []
    async with httpx.AsyncClient(base_url=rasa_url, timeout=30) as rest, httpx.AsyncClient(
        base_url=corebank_url, timeout=10, headers={"X-Sandbox-Token": token}
    ) as sandbox:
        for i in range(runs + 1):  # the first round warms up: not counted
            for logged_in in (True, False):
                run = await one_customer(rest, sandbox, logged_in)
                if i > 0:
                    results.append(run)
                elif not run.image_url:
                    print(f"warm-up {run.scenario}: no new card; transcript:", file=sys.stderr)
                    for text, replies in run.transcript:
                        print(f"  > {text}\n    " + "\n    ".join(replies), file=sys.stderr)
    return results


def report(results: list[Run]) -> str:
    rows = []
    for scenario in dict.fromkeys(r.scenario for r in results):
        runs = [r for r in results if r.scenario == scenario]
        done = [r for r in runs if r.image_url]
        totals = [r.total_ms for r in done]
        rows.append([scenario, len(runs), len(done),
                     max((r.turns for r in done), default=float("nan")),
                     percentile(totals, 50), percentile(totals, 95),
                     max(totals, default=float("nan"))])  # fmt: skip
    return table(["scenario", "runs", "reissued", "turns", "p50 ms", "p95 ms", "max ms"], rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="customers per scenario")
    parser.add_argument("--model", type=Path, help="model to serve (default: newest in models/)")
    parser.add_argument("--rasa-url", help="reuse this Rasa (else start a throwaway stack)")
    parser.add_argument("--corebank-url", default=os.environ.get("COREBANK_URL"))
    parser.add_argument(
        "--sandbox-token", default=os.environ.get("SANDBOX_ADMIN_TOKEN", "dev-sandbox-admin")
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-lost-") as tmp:
        if args.rasa_url:
            if not args.corebank_url:
                parser.error("--rasa-url needs --corebank-url (the OTP is read from the sandbox)")
            stack = contextlib.nullcontext((args.rasa_url, args.corebank_url, args.sandbox_token))
        else:
            model = args.model or newest_model()
            if model is None:
                sys.exit("No trained model in models/: run `rasa train` first (or pass --model).")
            stack = started_stack(Path(tmp), model)
        with stack as (rasa_url, corebank_url, token):
            results = asyncio.run(bench(rasa_url, corebank_url, token, args.runs))
    print(report(results))
    example = next((r for r in results if r.image_url and r.scenario == "logged in"), None)
    if example:
        print("\nexample (logged in), server ms per turn: "
              + ", ".join(f"{ms:.0f}" for ms in example.server_ms))  # fmt: skip
        for text, replies in example.transcript:
            print(f"  customer> {text}")
            for reply in replies:
                print(f"  bank    > {reply[:110]}")
    if args.json:
        args.json.write_text(json.dumps([r.__dict__ | {"total_ms": r.total_ms} for r in results],
                                        indent=2, default=str))  # fmt: skip
    return 0 if results and all(r.image_url for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
