"""Card issuing benchmark: the whole basic digital card over the REST channel.

Starts a throwaway stack (sandbox on a temporary SQLite database, action server, Rasa with the
newest model in models/ or --model, all on free loopback ports), or reuses running services with
--rasa-url/--corebank-url. Then, --runs times each, it drives two customers to a card:

- newcomer: "I want a card, I'm <name>" → phone → SMS code → card (the login is part of it);
- logged in: (login first, not counted) "I want a card" → name → card.

and prints the customer turns and the server time from the first message to the reply that
carries the card image (sum of the request times of those turns; the customer's own time,
e.g. reading the SMS, is not counted), plus a check that the picture URL really serves a PNG.

    .venv/bin/python -m bench.bench_card_issuing [--runs 10] [--model models/x.tar.gz]
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
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

from bench.bench_conversations import Conversation, otp_from_sms  # noqa: E402
from bench.common import percentile, table  # noqa: E402
from scripts.chat import rest_auth  # noqa: E402
from scripts.services import (  # noqa: E402
    action_server_service,
    free_port,
    isolated_env,
    newest_model,
    rasa_service,
)

# Names that appear nowhere in the training data (a name the NLU has memorised says little).
NAMES = ["Marko Vovk", "Ostap Hrytsak", "Zlata Chornovol", "Borys Palamarchuk", "Yevheniia Sych"]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
Step = str | Callable[[Conversation], Awaitable[str]]


async def typed_phone(conversation: Conversation) -> str:
    return conversation.phone


@dataclass
class Run:
    scenario: str
    turns: int = 0
    server_ms: list[float] = field(default_factory=list)
    image_url: str | None = None
    image_ok: bool = False
    transcript: list[tuple[str, list[str]]] = field(default_factory=list)

    @property
    def total_ms(self) -> float:
        return sum(self.server_ms)


async def say(rest: httpx.AsyncClient, conversation: Conversation, text: str) -> tuple[list, float]:
    started = time.perf_counter()
    answer = await rest.post(
        "/webhooks/rest/webhook",
                json={"message": text},
                headers=rest_auth(conversation.sender),
    )
    elapsed = (time.perf_counter() - started) * 1000
    answer.raise_for_status()
    return answer.json(), elapsed


async def drive(
    rest: httpx.AsyncClient,
    conversation: Conversation,
    scenario: str,
    setup: list[Step],
    steps: list[Step],
) -> Run:
    for step in setup:  # not counted (e.g. the login of an existing customer)
        await say(rest, conversation, step if isinstance(step, str) else await step(conversation))
    run = Run(scenario)
    for step in steps:
        try:
            text = step if isinstance(step, str) else await step(conversation)
        except RuntimeError as err:  # e.g. no SMS: the conversation went elsewhere
            run.transcript.append((f"[{err}]", []))
            break
        messages, elapsed = await say(rest, conversation, text)
        run.turns += 1
        run.server_ms.append(elapsed)
        run.transcript.append((text, [m.get("text") or m.get("image") or "" for m in messages]))
        image = next((m["image"] for m in messages if m.get("image")), None)
        if image:
            run.image_url = image
            break
    if run.image_url:
        async with httpx.AsyncClient(timeout=10) as media:
            picture = await media.get(run.image_url)
            run.image_ok = picture.status_code == 200 and picture.content.startswith(PNG_MAGIC)
    return run


def scenarios(name: str) -> dict[str, tuple[list[Step], list[Step]]]:
    return {
        "newcomer (login included)": (
            [], [f"I want a card, my name is {name}", typed_phone, otp_from_sms],
        ),
        "logged in": (
            ["log me in", typed_phone, otp_from_sms], ["I want a card", name],
        ),
    }  # fmt: skip


async def bench(rasa_url: str, corebank_url: str, sandbox_token: str, runs: int) -> list[Run]:
    results: list[Run] = []
    async with httpx.AsyncClient(base_url=rasa_url, timeout=30) as rest, httpx.AsyncClient(
        base_url=corebank_url, timeout=10, headers={"X-Sandbox-Token": sandbox_token}
    ) as sandbox:
        for i in range(runs + 1):  # the first round warms up (model, pools, fonts): not counted
            for scenario, (setup, steps) in scenarios(random.choice(NAMES)).items():
                phone = f"+38067{random.randint(1_000_000, 9_999_999)}"
                conversation = Conversation(f"bench-card-{os.urandom(6).hex()}", phone, sandbox)
                run = await drive(rest, conversation, scenario, setup, steps)
                if i > 0:
                    results.append(run)
                elif not run.image_url:
                    print(f"warm-up {scenario}: no card image; transcript:", file=sys.stderr)
                    for text, replies in run.transcript:
                        print(f"  > {text}\n    " + "\n    ".join(replies), file=sys.stderr)
    return results


def report(results: list[Run]) -> str:
    rows = []
    for scenario in dict.fromkeys(r.scenario for r in results):
        runs = [r for r in results if r.scenario == scenario]
        done = [r for r in runs if r.image_url]
        totals = [r.total_ms for r in done]
        rows.append([
            scenario, len(runs), len(done), sum(r.image_ok for r in done),
            max((r.turns for r in done), default=float("nan")),
            percentile(totals, 50), percentile(totals, 95), max(totals, default=float("nan")),
        ])  # fmt: skip
    headers = ["scenario", "runs", "card", "png ok", "turns", "p50 ms", "p95 ms", "max ms"]
    return table(headers, rows)


@contextlib.contextmanager
def started_stack(workdir: Path, model: Path):
    from corebank.devserver import CorebankProcess

    with CorebankProcess.start() as bank:
        action_port, rasa_port = free_port(), free_port()
        env = isolated_env(bank.env, bank.base_url, workdir, action_port, rasa_port)
        os.environ["REST_LOCAL_CLIENT_SECRET"] = env["REST_LOCAL_CLIENT_SECRET"]  # rest_auth
        env["MEDIA_DIR"] = str(workdir / "media")
        env["MEDIA_BASE_URL"] = f"http://127.0.0.1:{action_port}/media"
        services = [
            action_server_service(action_port, workdir / "action-server.log", env),
            rasa_service(rasa_port, workdir / "rasa.log", env, model=model),
        ]
        try:
            for service in services:
                service.start()
            for service in services:
                service.wait_healthy()
            yield env["RASA_URL"], bank.base_url, bank.admin_token
        finally:
            for service in reversed(services):
                service.stop()


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

    with tempfile.TemporaryDirectory(prefix="bench-card-") as tmp:
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
        print(f"\nexample ({example.scenario}), server ms per turn: "
              + ", ".join(f"{ms:.0f}" for ms in example.server_ms))  # fmt: skip
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
