"""Bill payment benchmark: "top up my phone 100" from a logged-in customer over the REST channel.

Starts a throwaway stack (sandbox on a temporary SQLite database, action server, Rasa with the
newest model in models/ or --model, all on free loopback ports), or reuses running services with
--rasa-url/--corebank-url. --runs times, a demo customer logs in (not counted), then types
"top up my phone 100" and confirms; it prints the customer turns up to the reply that carries the
receipt picture and the server time of those turns (sum of their request times), and checks that
the picture URL serves a PNG. Target: 2 customer turns, under 1 s of server time in total.

    .venv/bin/python -m bench.bench_bill_payment [--runs 10] [--model models/x.tar.gz]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

from bench.bench_card_issuing import Run, drive, started_stack, typed_phone  # noqa: E402
from bench.bench_conversations import Conversation, otp_from_sms  # noqa: E402
from bench.common import percentile, table  # noqa: E402
from scripts.services import newest_model  # noqa: E402

# Demo customers with money (corebank/seed.py), in turn: each logs in at most a few times, well
# under the OTP limits per phone.
CUSTOMERS = ["+380501112233", "+380671234567", "+380931112233", "+380631234567"]
SCENARIO = 'logged in: "top up my phone 100" → "yes"'


async def bench(rasa_url: str, corebank_url: str, sandbox_token: str, runs: int) -> list[Run]:
    results: list[Run] = []
    async with httpx.AsyncClient(base_url=rasa_url, timeout=30) as rest, httpx.AsyncClient(
        base_url=corebank_url, timeout=10, headers={"X-Sandbox-Token": sandbox_token}
    ) as sandbox:
        for i in range(runs + 1):  # the first round warms up: not counted
            phone = CUSTOMERS[i % len(CUSTOMERS)]
            conversation = Conversation(f"bench-bill-{os.urandom(6).hex()}", phone, sandbox)
            run = await drive(rest, conversation, SCENARIO,
                              ["log me in", typed_phone, otp_from_sms],
                              ["top up my phone 100", "yes"])
            if i > 0:
                results.append(run)
            elif not run.image_url:
                print("warm-up: no receipt; transcript:", file=sys.stderr)
                for text, replies in run.transcript:
                    print(f"  > {text}\n    " + "\n    ".join(replies), file=sys.stderr)
    return results


def report(results: list[Run]) -> str:
    done = [r for r in results if r.image_url]
    totals = [r.total_ms for r in done]
    rows = [[SCENARIO, len(results), len(done), sum(r.image_ok for r in done),
             max((r.turns for r in done), default=float("nan")),
             percentile(totals, 50), percentile(totals, 95), max(totals, default=float("nan"))]]
    return table(["scenario", "runs", "paid", "png ok", "turns", "p50 ms", "p95 ms", "max ms"],
                 rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--model", type=Path, help="model to serve (default: newest in models/)")
    parser.add_argument("--rasa-url", help="reuse this Rasa (else start a throwaway stack)")
    parser.add_argument("--corebank-url", default=os.environ.get("COREBANK_URL"))
    parser.add_argument(
        "--sandbox-token", default=os.environ.get("SANDBOX_ADMIN_TOKEN", "dev-sandbox-admin")
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-bill-") as tmp:
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
    example = next((r for r in results if r.image_url), None)
    if example:
        per_turn = ", ".join(f"{ms:.0f}" for ms in example.server_ms)
        print(f"\nexample, server ms per turn: {per_turn}")
        for text, replies in example.transcript:
            print(f"  customer> {text}")
            for reply in replies:
                print(f"  bank    > {reply[:110]}")
    if args.json:
        args.json.write_text(json.dumps([r.__dict__ | {"total_ms": r.total_ms} for r in results],
                                        indent=2, default=str))  # fmt: skip
    return 0 if results and all(r.image_url and r.image_ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
