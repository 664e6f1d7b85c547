"""Conversation benchmark: N concurrent scripted conversations over the REST channel.

Starts a throwaway stack (sandbox on a temporary SQLite database, action server, Rasa with the
newest model in models/, all on free loopback ports), or reuses running services with
--rasa-url/--corebank-url. For each concurrency level it runs conversations back to back for
--seconds and prints per-message latency p50/p95/p99, messages per second and the peak memory
(VmHWM) of each process.

    .venv/bin/python -m bench.bench_conversations [--levels 1,10,20] [--seconds 20]
    .venv/bin/python -m bench.bench_conversations --rasa-url http://127.0.0.1:5005 \\
        --corebank-url http://127.0.0.1:8800 --action-url http://127.0.0.1:5055   # make run's

Every capability adds its conversation to SCRIPTS (a list of steps; a step is either a text or
an async function of the conversation that returns the text, e.g. reading the OTP from the
sandbox's SMS outbox; the time spent there is not counted).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import random
import re
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

if __package__ in (None, ""):  # run as a file: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

from bench.common import listening_pid, peak_rss_mib, percentile, table  # noqa: E402
from scripts.chat import rest_auth  # noqa: E402
from scripts.services import (  # noqa: E402
    Service,
    action_server_service,
    free_port,
    isolated_env,
    newest_model,
    rasa_service,
)

OTP_IN_SMS = re.compile(r"(?<!\d)(\d{6})(?!\d)")


@dataclass
class Conversation:
    """One scripted conversation's state: who is talking, and how to reach the sandbox."""

    sender: str
    phone: str
    sandbox: httpx.AsyncClient
    replies: list[list[dict]] = field(default_factory=list)


Step = str | Callable[[Conversation], Awaitable[str]]


async def otp_from_sms(conversation: Conversation) -> str:
    """The code the sandbox texted to this conversation's phone (the customer reads it)."""
    for _ in range(50):
        answer = await conversation.sandbox.get(
            "/sandbox/sms", params={"phone": conversation.phone, "limit": 1}
        )
        answer.raise_for_status()
        for message in answer.json()["messages"]:
            if match := OTP_IN_SMS.search(message["text"]):
                return match.group(1)
        await asyncio.sleep(0.05)
    raise RuntimeError("no OTP SMS arrived")


async def typed_phone(conversation: Conversation) -> str:
    return conversation.phone


@dataclass(frozen=True)
class Script:
    name: str
    steps: list[Step]


# --- transfers & top-ups ---
_TOPUP_LINK = re.compile(r"https?://\S+/pay/topups/[A-Za-z0-9_]+")
_NONCE = re.compile(r'name="nonce" value="([^"]+)"')
_3DS_HINT = re.compile(r'id="code_hint">.*?<strong>(\d+)</strong>', re.S)


async def pay_topup_link(conversation: Conversation) -> None:
    """The customer pays the top-up link from the last reply on the bank's page (card, then
    3-D Secure; not timed)."""
    text = json.dumps(conversation.replies[-1], ensure_ascii=False)
    url = _TOPUP_LINK.search(text).group(0)
    page = await conversation.sandbox.get(url)
    page = await conversation.sandbox.post(url, data={
        "nonce": _NONCE.search(page.text).group(1), "card_number": "4111 1111 1111 1111",
        "expiry": "12/30", "cvv": "123"})  # fmt: skip
    code = _3DS_HINT.search(page.text).group(1)
    await conversation.sandbox.post(url, data={"nonce": _NONCE.search(page.text).group(1),
                                               "code": code})


async def pay_topup_then_send(conversation: Conversation) -> str:
    """Pays the top-up, then asks for a transfer to another bank's card."""
    await pay_topup_link(conversation)
    return "send 50 to 4111 1111 1111 1111"


async def pay_topup_then_pay_phone(conversation: Conversation) -> str:
    """Pays the top-up, then tops up the customer's own phone (a bill payment)."""
    await pay_topup_link(conversation)
    return "top up my phone 100"


SCRIPTS: list[Script] = [
    Script(
        "login → balance → help → goodbye",
        ["hi, log me in please", typed_phone, otp_from_sms, "what's my balance?", "help", "bye"],
    ),
    Script(
        "login → card → top up (paid on the page) → transfer to another bank → confirm",
        ["log me in", typed_phone, otp_from_sms, "i want a card", "Anna Ivanova",
         "top up my card with 200 uah", pay_topup_then_send, "yes"],
    ),
    Script(
        "login → card → top up (paid on the page) → top up my phone 100 → confirm",
        ["log me in", typed_phone, otp_from_sms, "i want a card", "Anna Ivanova",
         "top up my card with 200 uah", pay_topup_then_pay_phone, "yes"],
    ),
    Script(
        "login → ask a friend for money → thanks",
        ["log in", typed_phone, otp_from_sms, "ask my brother for 300 uah for the pizza",
         "thanks"],
    ),
]


@dataclass
class LevelResult:
    concurrency: int
    latencies_ms: list[float] = field(default_factory=list)
    conversations: int = 0
    errors: int = 0
    elapsed: float = 0.0


class PhoneBook:
    """A fresh Ukrainian mobile number per conversation (no two share an OTP challenge)."""

    def __init__(self) -> None:
        self._numbers = itertools.count(random.randrange(1_000_000, 8_000_000))

    def next(self) -> str:
        return f"+38050{next(self._numbers):07d}"


async def run_conversation(
    rest: httpx.AsyncClient, sandbox: httpx.AsyncClient, script: Script, phone: str
) -> tuple[list[float], int]:
    conversation = Conversation(f"bench-{os.urandom(6).hex()}", phone, sandbox)
    latencies, errors = [], 0
    for step in script.steps:
        text = step if isinstance(step, str) else await step(conversation)
        started = time.perf_counter()
        try:
            answer = await rest.post(
                "/webhooks/rest/webhook",
                json={"message": text},
                headers=rest_auth(conversation.sender),
            )
            answer.raise_for_status()
            messages = answer.json()
        except (httpx.HTTPError, ValueError):
            errors += 1
            messages = []
        latencies.append((time.perf_counter() - started) * 1000)
        if not messages:
            errors += 1  # every step of these scripts expects an answer
        conversation.replies.append(messages)
    return latencies, errors


async def run_level(
    rasa_url: str, corebank_url: str, sandbox_token: str, concurrency: int, seconds: float
) -> LevelResult:
    result = LevelResult(concurrency)
    phones = PhoneBook()
    limits = httpx.Limits(max_connections=concurrency + 5)
    async with httpx.AsyncClient(base_url=rasa_url, timeout=30, limits=limits) as rest, (
        httpx.AsyncClient(
            base_url=corebank_url, timeout=10, headers={"X-Sandbox-Token": sandbox_token}
        )
    ) as sandbox:
        deadline = time.monotonic() + seconds
        scripts = itertools.cycle(SCRIPTS)

        async def worker() -> None:
            while time.monotonic() < deadline:
                latencies, errors = await run_conversation(
                    rest, sandbox, next(scripts), phones.next()
                )
                result.latencies_ms += latencies
                result.errors += errors
                result.conversations += 1

        started = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        result.elapsed = time.monotonic() - started
    return result


@dataclass
class Stack:
    rasa_url: str
    corebank_url: str
    sandbox_token: str
    pids: dict[str, int | None]


@contextlib.contextmanager
def started_stack(workdir: Path):
    """A throwaway sandbox + action server + Rasa on free ports; stopped on exit."""
    from corebank.devserver import CorebankProcess

    model = newest_model()
    if model is None:
        sys.exit("No trained model in models/: run `make train` (or `rasa train`) first.")
    with CorebankProcess.start() as bank:
        action_port, rasa_port = free_port(), free_port()
        env = isolated_env(bank.env, bank.base_url, workdir, action_port, rasa_port)
        os.environ["REST_LOCAL_CLIENT_SECRET"] = env["REST_LOCAL_CLIENT_SECRET"]  # rest_auth
        services: list[Service] = [
            action_server_service(action_port, workdir / "action-server.log", env),
            rasa_service(rasa_port, workdir / "rasa.log", env, model=model),
        ]
        try:
            for service in services:
                service.start()
            for service in services:
                service.wait_healthy()
            yield Stack(
                rasa_url=env["RASA_URL"],
                corebank_url=bank.base_url,
                sandbox_token=bank.admin_token,
                pids={
                    "rasa": services[1].pid,
                    "action server": services[0].pid,
                    "corebank": bank.process.pid,
                },
            )
        finally:
            for service in reversed(services):
                service.stop()


@contextlib.contextmanager
def reused_stack(args: argparse.Namespace):
    def pid_of(url: str | None) -> int | None:
        return listening_pid(urlsplit(url).port) if url else None

    yield Stack(
        rasa_url=args.rasa_url,
        corebank_url=args.corebank_url,
        sandbox_token=args.sandbox_token,
        pids={
            "rasa": pid_of(args.rasa_url),
            "action server": pid_of(args.action_url),
            "corebank": pid_of(args.corebank_url),
        },
    )


def report(results: list[LevelResult], peaks: list[dict[str, float]]) -> str:
    headers = [
        "concurrent", "convs", "msgs", "errors", "p50 ms", "p95 ms", "p99 ms", "msg/s",
        "rasa MiB", "actions MiB", "corebank MiB",
    ]  # fmt: skip
    rows = []
    for result, peak in zip(results, peaks, strict=True):
        lat = result.latencies_ms
        rows.append([
            result.concurrency, result.conversations, len(lat), result.errors,
            percentile(lat, 50), percentile(lat, 95), percentile(lat, 99),
            len(lat) / result.elapsed if result.elapsed else float("nan"),
            peak["rasa"], peak["action server"], peak["corebank"],
        ])  # fmt: skip
    return table(headers, rows)


async def bench(stack: Stack, levels: list[int], seconds: float) -> list[dict]:
    # Warm-up (first inference, connection pools, token fetch): one conversation, not counted.
    await run_level(stack.rasa_url, stack.corebank_url, stack.sandbox_token, 1, 0.001)
    results, peaks = [], []
    for concurrency in levels:
        result = await run_level(
            stack.rasa_url, stack.corebank_url, stack.sandbox_token, concurrency, seconds
        )
        results.append(result)
        peaks.append({name: peak_rss_mib(pid) for name, pid in stack.pids.items()})
        print(report(results[-1:], peaks[-1:]).splitlines()[-1], flush=True)
    print()
    print("scripts: " + "; ".join(s.name for s in SCRIPTS))
    print(report(results, peaks))
    return [
        {
            "concurrency": r.concurrency,
            "conversations": r.conversations,
            "messages": len(r.latencies_ms),
            "errors": r.errors,
            "p50_ms": percentile(r.latencies_ms, 50),
            "p95_ms": percentile(r.latencies_ms, 95),
            "p99_ms": percentile(r.latencies_ms, 99),
            "messages_per_second": len(r.latencies_ms) / r.elapsed if r.elapsed else None,
            "peak_rss_mib": peak,
        }
        for r, peak in zip(results, peaks, strict=True)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="1,10,20", help="concurrency levels, comma-separated")
    parser.add_argument("--seconds", type=float, default=20.0, help="duration of each level")
    parser.add_argument("--rasa-url", help="reuse this Rasa (else start a throwaway stack)")
    parser.add_argument("--corebank-url", default=os.environ.get("COREBANK_URL"))
    parser.add_argument("--action-url", default=os.environ.get("ACTION_SERVER_URL"))
    parser.add_argument(
        "--sandbox-token", default=os.environ.get("SANDBOX_ADMIN_TOKEN", "dev-sandbox-admin")
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    levels = [int(level) for level in args.levels.split(",")]
    for url in (args.rasa_url, args.corebank_url, args.action_url):
        if url and urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
            parser.error(f"{url}: the benchmark talks to loopback services only")
    if args.rasa_url and not args.corebank_url:
        parser.error("--rasa-url needs --corebank-url (the OTP codes are read from the sandbox)")

    with tempfile.TemporaryDirectory(prefix="bench-conv-") as tmp:
        stack_cm = reused_stack(args) if args.rasa_url else started_stack(Path(tmp))
        with stack_cm as stack:
            figures = asyncio.run(bench(stack, levels, args.seconds))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
