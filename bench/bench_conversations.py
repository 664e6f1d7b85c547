"""Conversation benchmark: N concurrent scripted conversations over the REST channel.

Starts a throwaway stack (sandbox on a temporary SQLite database, action server, Rasa with the
newest model in models/, all on free loopback ports), or reuses running services with
--rasa-url/--corebank-url. For each concurrency level it runs conversations back to back for
--seconds and prints per-message latency p50/p95/p99, messages per second, the CPU time each
process spent per message (Rasa, action server, bank; from /proc, children included) and the
peak memory (VmHWM) of each process, and the machine's load average while it ran.

    .venv/bin/python -m bench.bench_conversations [--levels 1,10,20] [--seconds 20]
        --minimal        Rasa's own minimal assistant (`rasa init`'s project, generated into a
                         temporary folder, trained once and cached under var/bench/, in-memory
                         tracker store, no action server) on the same levels in the same run,
                         interleaved with ours, and the ratio ours / minimal: the figure that
                         survives a noisy shared machine
        --long 300       one conversation of 300 messages after logging in: the first 50 vs the
                         last 50 (latency and Rasa CPU per message): cost independent of length?
        --profile 10     py-spy samples the Rasa process during the level with 10 conversations
                         and prints where the time went (functions and packages, inclusive %);
                         --profile-out keeps the raw collapsed stacks (flamegraph input)
        --profile-long DIR   the same for each banking Rasa over the long conversation's last
                         50 messages (what grows with the length); stacks kept in DIR
        --replicas 1,2   the same levels against N Rasa + N action-server replicas behind
                         HAProxy, sharing a PostgreSQL tracker store and a Redis lock store
                         (scripts/replicas.py, `make replicas N=2`), one stack after the other
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
import hashlib
import itertools
import json
import math
import os
import random
import re
import shutil
import signal
import subprocess
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

from bench.common import (  # noqa: E402
    cpu_seconds,
    listening_pid,
    load_average,
    peak_rss_mib,
    percentile,
    summarize_py_spy,
    table,
)
from scripts.chat import rest_auth  # noqa: E402
from scripts.services import (  # noqa: E402
    VENV_BIN,
    Service,
    action_server_service,
    free_port,
    isolated_env,
    newest_model,
    rasa_service,
    rasa_thread_env,
    responses_service,
)

OTP_IN_SMS = re.compile(r"(?<!\d)(\d{6})(?!\d)")


@dataclass
class Conversation:
    """One scripted conversation's state: who is talking, and how to reach the sandbox."""

    sender: str
    phone: str
    sandbox: httpx.AsyncClient | None
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
    Script(
        "login → invite link → partner offers → promo code from the partner's API → details",
        ["log in", typed_phone, otp_from_sms, "my invite link", "what offers do you have",
         "give me a twitch promo code", "burger king cashback"],
    ),
]


# Rasa's minimal assistant (`rasa init`'s moodbot): the same kind of REST traffic, no login.
MINIMAL_SCRIPTS: list[Script] = [
    Script("moodbot: greet → sad → yes → bot? → bye",
           ["hey there", "i am sad", "yes", "are you a bot?", "goodbye"]),
    Script("moodbot: greet → great → bye", ["hello", "great, thanks", "bye"]),
]

# The long conversation: after logging in, these over and over (no step ends the session).
LONG_CYCLE = ["what's my balance?", "help", "thanks"]


@dataclass
class Target:
    """One assistant under test: where to send messages, which processes to measure."""

    name: str
    rasa_url: str
    scripts: list[Script]
    pids: dict[str, list[int]]
    corebank_url: str | None = None
    sandbox_token: str | None = None


@dataclass
class LevelResult:
    target: str
    concurrency: int
    latencies_ms: list[float] = field(default_factory=list)
    conversations: int = 0
    errors: int = 0
    elapsed: float = 0.0
    cpu_ms_per_message: dict[str, float] = field(default_factory=dict)
    peak_mib: dict[str, float] = field(default_factory=dict)
    load: str = ""

    @property
    def messages(self) -> int:
        return len(self.latencies_ms)

    @property
    def rate(self) -> float:
        return self.messages / self.elapsed if self.elapsed else math.nan

    def as_dict(self) -> dict:
        lat = self.latencies_ms
        return {
            "target": self.target,
            "concurrency": self.concurrency,
            "conversations": self.conversations,
            "messages": self.messages,
            "errors": self.errors,
            "p50_ms": percentile(lat, 50),
            "p95_ms": percentile(lat, 95),
            "p99_ms": percentile(lat, 99),
            "messages_per_second": self.rate,
            "cpu_ms_per_message": self.cpu_ms_per_message,
            "peak_rss_mib": self.peak_mib,
            "load": self.load,
        }


class PhoneBook:
    """A fresh Ukrainian mobile number per conversation (no two share an OTP challenge)."""

    def __init__(self) -> None:
        self._numbers = itertools.count(random.randrange(1_000_000, 8_000_000))

    def next(self) -> str:
        return f"+38050{next(self._numbers):07d}"


async def send(rest: httpx.AsyncClient, conversation: Conversation, text: str) -> tuple[float, int]:
    """One message; its latency in ms and the number of errors (0 or 1)."""
    started = time.perf_counter()
    errors = 0
    try:
        answer = await rest.post(
            "/webhooks/rest/webhook", json={"message": text}, headers=rest_auth(conversation.sender)
        )
        answer.raise_for_status()
        messages = answer.json()
    except (httpx.HTTPError, ValueError):
        errors, messages = 1, []
    latency = (time.perf_counter() - started) * 1000
    if not messages and not errors:
        errors = 1  # every step of these scripts expects an answer
    conversation.replies.append(messages)
    return latency, errors


async def run_conversation(
    rest: httpx.AsyncClient, sandbox: httpx.AsyncClient | None, script: Script, phone: str
) -> tuple[list[float], int]:
    conversation = Conversation(f"bench-{os.urandom(6).hex()}", phone, sandbox)
    latencies, errors = [], 0
    for step in script.steps:
        try:
            text = step if isinstance(step, str) else await step(conversation)
        except Exception:  # noqa: BLE001 - e.g. an earlier reply failed: the script cannot go on
            errors += 1
            break
        latency, failed = await send(rest, conversation, text)
        latencies.append(latency)
        errors += failed
    return latencies, errors


def cpu_of(target: Target) -> dict[str, float]:
    return {name: sum(cpu_seconds(p) for p in pids) for name, pids in target.pids.items()}


def peaks_of(target: Target) -> dict[str, float]:
    return {name: sum(peak_rss_mib(p) for p in pids) for name, pids in target.pids.items()}


@contextlib.asynccontextmanager
async def clients(target: Target, concurrency: int):
    limits = httpx.Limits(max_connections=concurrency + 5)
    async with contextlib.AsyncExitStack() as stack:
        rest = await stack.enter_async_context(
            httpx.AsyncClient(base_url=target.rasa_url, timeout=60, limits=limits)
        )
        sandbox = None
        if target.corebank_url:
            sandbox = await stack.enter_async_context(
                httpx.AsyncClient(
                    base_url=target.corebank_url,
                    timeout=10,
                    headers={"X-Sandbox-Token": target.sandbox_token or ""},
                )
            )
        yield rest, sandbox


async def run_level(target: Target, concurrency: int, seconds: float) -> LevelResult:
    result = LevelResult(target.name, concurrency)
    phones = PhoneBook()
    async with clients(target, concurrency) as (rest, sandbox):
        deadline = time.monotonic() + seconds
        scripts = itertools.cycle(target.scripts)

        async def worker() -> None:
            while time.monotonic() < deadline:
                latencies, errors = await run_conversation(
                    rest, sandbox, next(scripts), phones.next()
                )
                result.latencies_ms += latencies
                result.errors += errors
                result.conversations += 1

        cpu_before = cpu_of(target)
        started = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        result.elapsed = time.monotonic() - started
        cpu_after = cpu_of(target)
    result.cpu_ms_per_message = {
        name: 1000 * (cpu_after[name] - cpu_before[name]) / max(result.messages, 1)
        for name in cpu_before
    }
    result.peak_mib = peaks_of(target)
    result.load = load_average()
    return result


async def run_long(
    target: Target, messages: int, window: int = 50, profile_out: Path | None = None
) -> dict:
    """One conversation: log in, then `messages` messages; the first `window` vs the last
    (py-spy samples Rasa during the last `window` with `profile_out`)."""
    async with clients(target, 1) as (rest, sandbox), contextlib.AsyncExitStack() as spy:
        sender = f"bench-long-{os.urandom(6).hex()}"
        conversation = Conversation(sender, PhoneBook().next(), sandbox)
        for step in SCRIPTS[0].steps[:3]:  # log in
            text = step if isinstance(step, str) else await step(conversation)
            await send(rest, conversation, text)
        latencies, errors, cpu_marks = [], 0, {}
        texts = itertools.cycle(LONG_CYCLE)
        for index in range(messages):
            if index == messages - window and profile_out and target.pids["rasa"]:
                profile_out.unlink(missing_ok=True)
                spy.enter_context(py_spy(target.pids["rasa"][0], profile_out))
            if index in (0, window, messages - window):
                cpu_marks[index] = cpu_of(target)
            latency, failed = await send(rest, conversation, next(texts))
            latencies.append(latency)
            errors += failed
        cpu_marks[messages] = cpu_of(target)
        await spy.aclose()
    if profile_out and profile_out.exists():
        print(f"\nprofile of {target.name}'s Rasa over the last {window} messages ({profile_out}):")
        print(summarize_py_spy(profile_out.read_text()), flush=True)

    def window_figures(first: int, last: int) -> dict:
        lat = latencies[first:last]
        cpu = {name: 1000 * (cpu_marks[last][name] - cpu_marks[first][name]) / (last - first)
               for name in cpu_marks[first]}  # fmt: skip
        return {"mean_ms": sum(lat) / len(lat), "p50_ms": percentile(lat, 50),
                "p95_ms": percentile(lat, 95), "cpu_ms_per_message": cpu}  # fmt: skip

    return {
        "messages": messages,
        "errors": errors,
        "first": window_figures(0, window),
        "last": window_figures(messages - window, messages),
        "load": load_average(),
    }


def report(results: list[LevelResult]) -> str:
    names = list(results[0].cpu_ms_per_message) if results else []
    headers = ["assistant", "concurrent", "convs", "msgs", "errors", "p50 ms", "p95 ms",
               "p99 ms", "msg/s",
               *(f"{short(n)} cpu ms/msg" for n in names), *(f"{short(n)} MiB" for n in names)]
    rows = []
    for r in results:
        lat = r.latencies_ms
        rows.append([
            r.target, r.concurrency, r.conversations, r.messages, r.errors,
            percentile(lat, 50), percentile(lat, 95), percentile(lat, 99), r.rate,
            *(r.cpu_ms_per_message.get(n, math.nan) for n in names),
            *(r.peak_mib.get(n, math.nan) for n in names),
        ])  # fmt: skip
    return table(headers, rows)


def short(name: str) -> str:
    return {"action server": "actions", "responses service": "nlg"}.get(name, name)


def ratio_report(ours: list[LevelResult], minimal: list[LevelResult]) -> str:
    a_name, b_name = ours[0].target, minimal[0].target
    rows = []
    for a, b in zip(ours, minimal, strict=True):
        rows.append([
            a.concurrency, a.rate, b.rate, a.rate / b.rate if b.rate else math.nan,
            percentile(a.latencies_ms, 95), percentile(b.latencies_ms, 95),
            a.cpu_ms_per_message.get("rasa", math.nan), b.cpu_ms_per_message.get("rasa", math.nan),
        ])  # fmt: skip
    return table(["concurrent", f"{a_name} msg/s", f"{b_name} msg/s", "ratio",
                  f"{a_name} p95", f"{b_name} p95", f"{a_name} rasa cpu ms/msg",
                  f"{b_name} rasa cpu ms/msg"], rows)  # fmt: skip


def long_report(figures: dict) -> str:
    rows = []
    for label in ("first", "last"):
        f = figures[label]
        rows.append([f"{label} 50", f["mean_ms"], f["p50_ms"], f["p95_ms"],
                     *(f["cpu_ms_per_message"][n] for n in f["cpu_ms_per_message"])])  # fmt: skip
    names = list(figures["first"]["cpu_ms_per_message"])
    first, last = figures["first"], figures["last"]
    ratio = last["cpu_ms_per_message"]["rasa"] / first["cpu_ms_per_message"]["rasa"]
    return "\n".join([
        f"long conversation: {figures['messages']} messages after login, "
        f"{figures['errors']} errors ({figures['load']})",
        table(["window", "mean ms", "p50 ms", "p95 ms",
               *(f"{short(n)} cpu ms/msg" for n in names)], rows),  # fmt: skip
        f"rasa CPU per message, last 50 / first 50: {ratio:.2f}",
    ])


# --------------------------------------------------------------------------- profiling


@contextlib.contextmanager
def py_spy(pid: int, out: Path):
    """py-spy samples `pid` (and its subprocesses) until the block ends."""
    executable = shutil.which("py-spy") or str(VENV_BIN / "py-spy")
    process = subprocess.Popen(
        [executable, "record", "--pid", str(pid), "--format", "raw", "--output", str(out),
         "--rate", "100", "--subprocesses", "--nonblocking"],  # fmt: skip
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    time.sleep(1.0)  # attached before the load starts
    try:
        yield
    finally:
        process.send_signal(signal.SIGINT)  # py-spy writes its output on SIGINT
        try:
            _, stderr = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            _, stderr = process.communicate()
        if not out.exists():
            print(f"py-spy wrote no profile: {stderr.decode(errors='replace')[-500:]}")


# --------------------------------------------------------------------------- stacks


@contextlib.contextmanager
def started_stack(workdir: Path, name: str = "banking", extra_env: dict[str, str] | None = None):
    """A throwaway sandbox + action server + Rasa on free ports; stopped on exit."""
    from corebank.devserver import CorebankProcess
    from partnersandbox.devserver import PartnersProcess

    model = newest_model()
    if model is None:
        sys.exit("No trained model in models/: run `make train` (or `rasa train`) first.")
    with CorebankProcess.start() as bank, PartnersProcess.start() as partners:
        action_port, rasa_port = free_port(), free_port()
        env = isolated_env(bank.env, bank.base_url, workdir, action_port, rasa_port)
        env.update(partners.client_env)
        env.update(extra_env or {})
        # every stack of one run shares the REST client secret (rest_auth signs with it)
        env["REST_LOCAL_CLIENT_SECRET"] = os.environ.setdefault(
            "REST_LOCAL_CLIENT_SECRET", env["REST_LOCAL_CLIENT_SECRET"]
        )
        rasa = rasa_service(rasa_port, workdir / "rasa.log", env, model=model)
        rasa.startup_timeout = STARTUP_TIMEOUT
        services: list[Service] = [
            action_server_service(action_port, workdir / "action-server.log", env), rasa]
        # The responses service renders every reply (docs/responses.md). A variant with
        # RESPONSES_URL= (empty) has none: Rasa renders from its local copy of the catalog,
        # like Rasa's own templated NLG did from domain.yml (the "before" of issue 24).
        responder = None
        if env.get("RESPONSES_URL"):
            port = int(urlsplit(env["RESPONSES_URL"]).port or 0)
            responder = responses_service(port, workdir / "responses.log", env)
            services.insert(1, responder)
        try:
            for service in services:
                service.start()
            for service in services:
                service.wait_healthy()
            yield Target(
                name=name,
                rasa_url=env["RASA_URL"],
                scripts=SCRIPTS,
                corebank_url=bank.base_url,
                sandbox_token=bank.admin_token,
                pids={
                    "rasa": [rasa.pid],
                    "action server": [services[0].pid],
                    "responses service": [responder.pid] if responder else [],
                    "corebank": [bank.process.pid],
                },
            )
        finally:
            for service in reversed(services):
                service.stop()


@contextlib.contextmanager
def reused_stack(args: argparse.Namespace):
    def pid_of(url: str | None) -> list[int]:
        pid = listening_pid(urlsplit(url).port) if url else None
        return [pid] if pid else []

    yield Target(
        name=args.name,
        rasa_url=args.rasa_url,
        scripts=SCRIPTS,
        corebank_url=args.corebank_url,
        sandbox_token=args.sandbox_token,
        pids={
            "rasa": pid_of(args.rasa_url),
            "action server": pid_of(args.action_url),
            "corebank": pid_of(args.corebank_url),
        },
    )


# Loading a model takes minutes on a busy shared machine.
STARTUP_TIMEOUT = 900.0
MINIMAL_CACHE = Path(__file__).resolve().parent.parent / "var" / "bench"


def minimal_project(workdir: Path) -> tuple[Path, Path]:
    """`rasa init`'s project copied into workdir and its model: trained on first use (a few
    minutes), then reused from var/bench/ while the project files and Rasa's version match."""
    import rasa
    from rasa.cli import scaffold

    source = Path(scaffold.__file__).parent / "initial_project"
    project = workdir / "minimal-assistant"
    shutil.copytree(source, project)
    digest = hashlib.sha256(rasa.__version__.encode())
    for path in sorted(project.rglob("*.yml")):
        digest.update(path.relative_to(project).as_posix().encode() + path.read_bytes())
    cached = MINIMAL_CACHE / f"minimal-{digest.hexdigest()[:16]}.tar.gz"
    if not cached.exists():
        print("training Rasa's minimal assistant once (cached in var/bench/)…", flush=True)
        subprocess.run(
            ["nice", "-n", "5", str(VENV_BIN / "rasa"), "train", "--num-threads", "1",
             "--out", str(project / "models"), "--fixed-model-name", "minimal"],  # fmt: skip
            cwd=project, check=True, stdout=subprocess.DEVNULL,
            env={**os.environ, **rasa_thread_env({})},
        )  # fmt: skip
        MINIMAL_CACHE.mkdir(parents=True, exist_ok=True)
        shutil.copy(project / "models" / "minimal.tar.gz", cached)
    return project, cached


@contextlib.contextmanager
def minimal_stack(workdir: Path):
    project, model = minimal_project(workdir)
    port = free_port()
    service = Service(
        name="minimal rasa",
        command=[str(VENV_BIN / "rasa"), "run", "--interface", "127.0.0.1", "--port", str(port),
                 "--model", str(model), "--credentials", "credentials.yml",
                 "--endpoints", "endpoints.yml"],  # fmt: skip
        health_url=f"http://127.0.0.1:{port}/webhooks/rest/",
        log_path=workdir / "minimal-rasa.log",
        env=rasa_thread_env({}),
        startup_timeout=STARTUP_TIMEOUT,
        cwd=project,
    )
    try:
        service.start()
        service.wait_healthy()
        yield Target(
            name="minimal",
            rasa_url=f"http://127.0.0.1:{port}",
            scripts=MINIMAL_SCRIPTS,
            pids={"rasa": [service.pid], "action server": [], "corebank": []},
        )
    finally:
        service.stop()


# --------------------------------------------------------------------------- the run


async def warm_up(target: Target) -> None:
    """First inference, connection pools, token fetch: one conversation, not counted."""
    await run_level(target, 1, 0.001)


async def bench(
    targets: list[Target],
    levels: list[int],
    seconds: float,
    profile_level: int | None = None,
    profile_out: Path | None = None,
) -> list[LevelResult]:
    for target in targets:
        await warm_up(target)
    results: list[LevelResult] = []
    for concurrency in levels:
        for target in targets:  # interleaved: every assistant sees the same machine load
            if profile_level == concurrency and target is targets[0] and target.pids["rasa"]:
                out = profile_out or Path(tempfile.mkstemp(suffix=".pyspy.txt")[1])
                out.unlink(missing_ok=True)
                with py_spy(target.pids["rasa"][0], out):
                    result = await run_level(target, concurrency, seconds)
                if out.exists():
                    print(f"\nprofile of {target.name}'s Rasa at {concurrency} concurrent "
                          f"({out}):")  # fmt: skip
                    print(summarize_py_spy(out.read_text()), flush=True)
            else:
                result = await run_level(target, concurrency, seconds)
            results.append(result)
            print(report([result]).splitlines()[-1], flush=True)
    return results


def print_summary(results: list[LevelResult], targets: list[Target]) -> None:
    print()
    for target in targets:
        print(f"{target.name}: " + "; ".join(s.name for s in target.scripts))
    print(f"measured under: {load_average()}")
    print(report(results))
    for i, first in enumerate(targets):
        for second in targets[i + 1 :]:
            ours = [r for r in results if r.target == first.name]
            theirs = [r for r in results if r.target == second.name]
            print(f"\n{first.name} vs {second.name} (same run, interleaved):")
            print(ratio_report(ours, theirs))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="1,10,20", help="concurrency levels, comma-separated")
    parser.add_argument("--seconds", type=float, default=20.0, help="duration of each level")
    parser.add_argument("--minimal", action="store_true",
                        help="also run Rasa's minimal assistant, interleaved, and print ratios")
    parser.add_argument("--long", type=int, default=0, metavar="N",
                        help="also one conversation of N messages: first 50 vs last 50")
    parser.add_argument("--profile", type=int, metavar="LEVEL",
                        help="py-spy the Rasa process during this concurrency level")
    parser.add_argument("--profile-out", type=Path, help="keep the raw py-spy stacks here")
    parser.add_argument("--profile-long", type=Path, metavar="DIR",
                        help="py-spy each banking Rasa over the long conversation's last 50 "
                        "messages; the stacks go to DIR/long-<stack>.pyspy.txt")
    parser.add_argument("--name", default="banking", help="name of the (first) banking stack")
    parser.add_argument("--variant", action="append", default=[], metavar="NAME:K=V,K=V",
                        help="also a second banking stack with this environment, interleaved, "
                        "e.g. 'before:TRACKER_CACHE_SIZE=0,RASA_PATCHES_OFF=event_types'")
    parser.add_argument("--replicas", help="e.g. 1,2: also run N-replica stacks (HAProxy, "
                        "PostgreSQL, Redis) one after the other")
    parser.add_argument("--rasa-url", help="reuse this Rasa (else start a throwaway stack)")
    parser.add_argument("--corebank-url", default=os.environ.get("COREBANK_URL"))
    parser.add_argument("--action-url", default=os.environ.get("ACTION_SERVER_URL"))
    parser.add_argument(
        "--sandbox-token", default=os.environ.get("SANDBOX_ADMIN_TOKEN", "dev-sandbox-admin")
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    levels = [int(level) for level in args.levels.split(",") if level]
    for url in (args.rasa_url, args.corebank_url, args.action_url):
        if url and urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
            parser.error(f"{url}: the benchmark talks to loopback services only")
    if args.rasa_url and not args.corebank_url:
        parser.error("--rasa-url needs --corebank-url (the OTP codes are read from the sandbox)")
    if args.long and args.long < 100:
        parser.error("--long needs at least 100 messages (two windows of 50)")

    figures: dict = {"load_at_start": load_average()}
    print(f"machine: {load_average()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-conv-") as tmp, contextlib.ExitStack() as stack:
        if args.replicas:
            from scripts.replicas import replica_stack

            targets = []
            for count in (int(n) for n in args.replicas.split(",")):
                workdir = Path(tmp) / f"replicas-{count}"
                workdir.mkdir()
                replicas = stack.enter_context(replica_stack(count, workdir, quiet=True))
                targets.append(Target(
                    name=f"{count} replica{'s' if count > 1 else ''}",
                    rasa_url=replicas.rasa_url,
                    scripts=SCRIPTS,
                    corebank_url=replicas.corebank_url,
                    sandbox_token=replicas.sandbox_token,
                    pids=replicas.pids,
                ))  # fmt: skip
        else:
            first = reused_stack(args) if args.rasa_url else started_stack(Path(tmp), args.name)
            targets = [stack.enter_context(first)]
        for variant in args.variant:
            name, _, settings = variant.partition(":")
            extra = dict(item.split("=", 1) for item in settings.split(",") if item)
            workdir = Path(tmp) / f"variant-{len(targets)}"
            workdir.mkdir()
            targets.append(stack.enter_context(started_stack(workdir, name, extra)))
        if args.minimal:
            targets.append(stack.enter_context(minimal_stack(Path(tmp))))
        results = asyncio.run(bench(targets, levels, args.seconds, args.profile, args.profile_out))
        print_summary(results, targets)
        figures["levels"] = [r.as_dict() for r in results]
        if args.long:
            figures["long"] = {}
            for target in targets:
                if target.scripts is MINIMAL_SCRIPTS:
                    continue  # no login, nothing to grow
                out = args.profile_long and args.profile_long / f"long-{target.name}.pyspy.txt"
                long_figures = asyncio.run(run_long(target, args.long, profile_out=out))
                print(f"\n{target.name}:")
                print(long_report(long_figures), flush=True)
                figures["long"][target.name] = long_figures
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
