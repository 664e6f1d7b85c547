"""Robustness under garbage: random and malformed requests through every channel route of the
REAL running stack (sandbox + action server + Rasa with REST, socket.io and the four messenger
webhooks on), while real conversations go on beside them.

    .venv/bin/python -m bench.bench_fuzz [--requests 10000] [--concurrency 8] [--seed 1]

Routes: REST (`/webhooks/rest/webhook`: no / forged / valid credential), socket.io (the
engine.io polling endpoint: junk handshakes, junk packets, unknown sessions), Telegram, Viber,
WhatsApp and Facebook webhooks (missing, wrong and VALID signatures over junk, so the junk also
reaches the parsers behind the signature check; GET verification with junk), and the action
server's bank-event webhook. Payloads: random bytes, truncated JSON, bodies of 1-3 MB, Unicode
junk (controls, surrogate escapes, RTL, zero-width, emoji, other scripts' digits), wrong JSON
types, JSON nested 100,000 deep, valid-looking updates with junk fields.

Prints: requests per route and status, every 5xx (must be 0), crashes (processes that died:
must be 0), how many of the interleaved real conversation turns were answered, and resident
memory (VmRSS) of each process sampled every few seconds: the series, and the growth over the
first and the second half of the run after a warm-up (`--warmup`, a fraction of the requests).
"Flat" is judged by the second half: a plateau, not start -> end (caches fill up during the
warm-up and the first half). `--tracemalloc` also has the Rasa process trace its Python
allocations (assistant/debug_memory.py) and dump what grew over each half.
Exit code 1 when any 5xx, crash or unanswered real turn was seen. Bounded: a fixed number of
requests, each with a timeout. Only loopback addresses are used.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import hashlib
import hmac
import json
import os
import random
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

from bench.common import descendants  # noqa: E402
from scripts.chat import mint_token, rest_auth  # noqa: E402
from scripts.services import (  # noqa: E402
    action_server_service,
    free_port,
    isolated_env,
    newest_model,
    rasa_service,
)
from tests.assistant.channels.platforms import (  # noqa: E402
    MESSENGER_ENV,
    PLATFORM_SECRETS,
    StandInAPI,
    credentials_with_api_base,
    platforms,
)

REAL_TURNS = ["hi", "what can you do?", "how much does a transfer to another bank cost?",
              "thanks, bye"]
JUNK_TEXT = [
    "", " ", "\x00\x01\x02", "\u202e\u202dabc", "\u200b" * 50, "🙂" * 300, "٤١١١١١١١١١١١١١١١",
    "ＡＢＣ１２３", "\ud83d", "a" * 5000, "<script>alert(1)</script>", "'; DROP TABLE events;--",
    "{{7*7}}", "${jndi:ldap://127.0.0.1/x}", "../../etc/passwd", "/restart", "/login{\"x\":1}",
    "/inform{\"amount\": \"1e309\"}", "/greet" * 100, "NaN", "Infinity", "-0", "1e99999",
    "\r\n\r\nHTTP/1.1 200 OK", "%00%0a", "\\u0000", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "ש" * 100, "ё" * 2000,
]


def _junk_string(rng: random.Random, n: int | None = None) -> str:
    n = rng.randint(0, 200) if n is None else n
    pools = [(0x20, 0x7E), (0x0, 0x1F), (0x80, 0x2FF), (0x400, 0x4FF), (0x600, 0x6FF),
             (0x2000, 0x206F), (0xFF00, 0xFFEF), (0x1F300, 0x1F64F), (0xE000, 0xF8FF)]
    out = []
    for _ in range(n):
        low, high = rng.choice(pools)
        out.append(chr(rng.randint(low, high)))
    return "".join(out)


def _junk_value(rng: random.Random, depth: int = 0):
    kind = rng.randint(0, 9 if depth < 3 else 6)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.choice([0, -1, 2**63, -(2**70), 1.5, 1e308, 10**40])
    if kind in (3, 4, 5, 6):
        return rng.choice(JUNK_TEXT) if rng.random() < 0.5 else _junk_string(rng)
    if kind in (7, 8):
        return [_junk_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {_junk_string(rng, rng.randint(0, 12)): _junk_value(rng, depth + 1)
            for _ in range(rng.randint(0, 4))}


def garbage(rng: random.Random, valid_shape: dict | None = None) -> tuple[bytes, str]:
    """(body, what kind of garbage) — `valid_shape` is a well-formed payload to corrupt."""
    kind = rng.choice(["bytes", "truncated", "huge", "unicode", "types", "deep", "shape",
                       "shape", "shape", "empty", "json-scalar"])
    if kind == "bytes":
        return os.urandom(rng.randint(1, 4096)), kind
    if kind == "truncated":
        text = json.dumps(valid_shape or {"message": "hello", "x": [1, 2, 3]})
        return text[: rng.randint(1, max(1, len(text) - 1))].encode(), kind
    if kind == "huge":
        size = rng.randint(1_000_000, 3_000_000)
        if rng.random() < 0.5:
            return b"{\"message\": \"" + b"a" * size + b"\"}", kind
        return os.urandom(size), kind
    if kind == "unicode":
        return json.dumps({"message": _junk_string(rng, rng.randint(1, 400))},
                          ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass"), kind
    if kind == "types":
        return json.dumps({k: _junk_value(rng) for k in
                           ("message", "sender", "metadata", "update_id", "entry", "event")}
                          ).encode(), kind
    if kind == "deep":
        depth = rng.choice([1000, 10_000, 100_000])
        return (b"[" * depth + b"]" * depth) if rng.random() < 0.5 else (
            b"{\"a\":" * depth + b"1" + b"}" * depth), kind
    if kind == "empty":
        return b"", kind
    if kind == "json-scalar":
        return json.dumps(_junk_value(rng)).encode(), kind
    return json.dumps(_corrupt(rng, valid_shape or {"message": "hi"})).encode(), kind


def _corrupt(rng: random.Random, value):
    """The well-formed payload with some leaves replaced by junk of any type."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            roll = rng.random()
            if roll < 0.1:
                continue  # a field dropped
            out[key] = _junk_value(rng) if roll < 0.35 else _corrupt(rng, item)
        if rng.random() < 0.2:
            out[_junk_string(rng, 8)] = _junk_value(rng)
        return out
    if isinstance(value, list):
        return [_corrupt(rng, item) for item in value]
    if isinstance(value, str) and rng.random() < 0.5:
        return rng.choice(JUNK_TEXT)
    return value


@dataclass
class Tally:
    statuses: dict[str, collections.Counter] = field(
        default_factory=lambda: collections.defaultdict(collections.Counter))
    server_errors: list[str] = field(default_factory=list)
    transport_errors: collections.Counter = field(default_factory=collections.Counter)
    unsendable: collections.Counter = field(default_factory=collections.Counter)
    real_sent: int = 0
    real_answered: int = 0
    real_failures: list[str] = field(default_factory=list)
    sent: int = 0
    elapsed: float = 0.0


@dataclass
class Target:
    rasa: str
    action: str
    rest_secret: str
    socketio_key: str
    webhook_secret: str


def _messenger_request(rng: random.Random, platform, target: Target):
    """One request to a messenger webhook: a junk or corrupted update with a missing, wrong or
    valid signature (valid: the junk reaches the parsers behind the check)."""
    if rng.random() < 0.08:  # the GET verification handshake, with junk
        params = {"hub.mode": rng.choice(["subscribe", _junk_string(rng, 5)]),
                  "hub.verify_token": _junk_string(rng, 20),
                  "hub.challenge": _junk_string(rng, 10)}
        return "GET", f"{target.rasa}{platform.path}", None, {}, params
    # A well-formed update with junk text (the other fields get junk in `garbage`'s "shape").
    update = platform.text_update(rng.choice(JUNK_TEXT + [_junk_string(rng)]))
    if rng.random() < 0.3 and "\ud83d" not in json.dumps(update):
        body, _ = json.dumps(update).encode(), "update"
    else:
        body, _ = garbage(rng, update)
    roll = rng.random()
    if roll < 0.2:
        headers = {}
    elif roll < 0.45:
        headers = platform.sign(body, secret="not-the-secret-" + _junk_string(rng, 4))
    else:
        headers = platform.sign(body)
    headers = {k: v.encode("latin-1", "ignore").decode("latin-1") for k, v in headers.items()}
    headers["Content-Type"] = rng.choice(["application/json", "text/plain", "application/xml",
                                          "multipart/form-data; boundary=x"])
    return "POST", f"{target.rasa}{platform.path}", body, headers, None


def _rest_request(rng: random.Random, target: Target):
    sender = f"fuzz-{rng.randrange(10**9)}"
    roll = rng.random()
    if roll < 0.15:
        headers = {}
    elif roll < 0.3:
        headers = rest_auth(sender, secret="an-attacker-key-0123456789abcdef")
    elif roll < 0.4:
        headers = {"Authorization": rng.choice(["Bearer ", "Bearer x.y.z", "Basic Zm9vOmJhcg==",
                                                "Bearer " + "A" * 8000])}
    else:
        headers = rest_auth(sender, secret=target.rest_secret)
    if rng.random() < 0.25:  # well-formed JSON with junk text: it reaches the NLU
        body = json.dumps({"message": rng.choice(JUNK_TEXT + [_junk_string(rng)]),
                           "sender": _junk_value(rng),
                           "metadata": _junk_value(rng)}).encode("utf-8", "surrogatepass")
    else:
        body, _ = garbage(rng, {"message": "send 100 to 4111 1111 1111 1111",
                                "metadata": {"a": 1}})
    headers["Content-Type"] = rng.choice(["application/json", "text/plain", ""])
    return "POST", f"{target.rasa}/webhooks/rest/webhook", body, headers, None


def _socketio_request(rng: random.Random, target: Target):
    params = {"EIO": rng.choice(["4", "3", "99", _junk_string(rng, 3)]),
              "transport": rng.choice(["polling", "websocket", _junk_string(rng, 5)])}
    if rng.random() < 0.5:
        params["sid"] = rng.choice([_junk_string(rng, 20), "A" * 20])
    if rng.random() < 0.5:
        return "GET", f"{target.rasa}/socket.io/", None, {}, params
    if rng.random() < 0.5:  # an engine.io CONNECT of socket.io with a junk or forged token
        token = rng.choice([_junk_string(rng, 30), mint_token("web", "forged-key-0123456789abcdef",
                                                              "s-1")])
        body = ("40" + json.dumps({"token": token})).encode("utf-8", "surrogatepass")
    else:
        body, _ = garbage(rng)
    return "POST", f"{target.rasa}/socket.io/", body, {"Content-Type": "text/plain"}, params


def _bank_event_request(rng: random.Random, target: Target):
    body, _ = garbage(rng, {"event_id": "evt_1", "type": "topup.succeeded",
                            "identity": "rest:x", "data": {"amount": "1.00"}})
    now = int(time.time())
    roll = rng.random()
    if roll < 0.3:
        signature = None
    elif roll < 0.6:
        signature = f"t={now},v1={_junk_string(rng, 10)}"
    else:
        mac = hmac.new(target.webhook_secret.encode(), f"{now}.".encode() + body,
                       hashlib.sha256).hexdigest()
        signature = f"t={now},v1={mac}"
    headers = {"Content-Type": "application/json"}
    if signature:
        headers["X-Bank-Signature"] = signature.encode("latin-1", "ignore").decode("latin-1")
    return "POST", f"{target.action}/webhooks/bank", body, headers, None


def make_requests(n: int, seed: int, target: Target):
    rng = random.Random(seed)
    messengers = platforms()
    makers = [("rest", lambda: _rest_request(rng, target))]
    makers += [("socket.io", lambda: _socketio_request(rng, target))]
    makers += [(p.name, (lambda p=p: _messenger_request(rng, p, target))) for p in messengers]
    makers += [("bank webhook", lambda: _bank_event_request(rng, target))]
    for i in range(n):
        name, make = makers[i % len(makers)]
        yield name, make()


async def fire(client: httpx.AsyncClient, tally: Tally, route: str, request) -> None:
    method, url, body, headers, params = request
    try:
        answer = await client.request(method, url, content=body, headers=headers, params=params)
        status = answer.status_code
        tally.statuses[route][status] += 1
        if status >= 500:
            tally.server_errors.append(f"{route} {method} {status} {answer.text[:160]!r}")
    except httpx.HTTPError as exc:
        tally.transport_errors[f"{route}: {type(exc).__name__}"] += 1
    except Exception as exc:  # noqa: BLE001 - junk our client refuses to send (bad header, URL)
        tally.unsendable[f"{route}: {type(exc).__name__}"] += 1
    tally.sent += 1


async def real_conversations(client: httpx.AsyncClient, target: Target, tally: Tally,
                             done: asyncio.Event) -> None:
    """A customer chatting over REST the whole time: every turn must be answered."""
    while not done.is_set():
        sender = f"real-{os.urandom(5).hex()}"
        for text in REAL_TURNS:
            tally.real_sent += 1
            try:
                answer = await client.post(f"{target.rasa}/webhooks/rest/webhook",
                                           json={"message": text},
                                           headers=rest_auth(sender, secret=target.rest_secret))
                if answer.status_code == 200 and answer.json():
                    tally.real_answered += 1
                else:
                    tally.real_failures.append(f"{text!r}: {answer.status_code} {answer.text[:80]}")
            except (httpx.HTTPError, ValueError) as exc:
                tally.real_failures.append(f"{text!r}: {type(exc).__name__}")
            if done.is_set():
                break
            await asyncio.sleep(0.5)


def rss_mib(pid: int) -> float:
    total = 0
    for p in descendants(pid):
        with contextlib.suppress(OSError, ValueError, IndexError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024


@dataclass
class Sample:
    seconds: float
    sent: int
    rss: dict[str, float]


async def sample_memory(processes: dict[str, int], tally: Tally, samples: list[Sample],
                        every: float, done: asyncio.Event, started: float,
                        marks: list[int], on_mark) -> None:
    """VmRSS of each process every `every` seconds (and once at each of `marks` requests)."""
    pending = sorted(marks)
    while True:
        samples.append(Sample(time.monotonic() - started, tally.sent,
                              {name: rss_mib(pid) for name, pid in processes.items()}))
        while pending and tally.sent >= pending[0]:
            pending.pop(0)
            on_mark()
        if done.is_set():
            return
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(done.wait(), timeout=every)


async def run(target: Target, n: int, concurrency: int, seed: int,
              processes: dict[str, int], samples: list[Sample], sample_every: float,
              marks: list[int], on_mark) -> Tally:
    tally = Tally()
    limits = httpx.Limits(max_connections=concurrency + 4)
    async with httpx.AsyncClient(timeout=60, limits=limits, trust_env=False) as client:
        done = asyncio.Event()
        real = asyncio.create_task(real_conversations(client, target, tally, done))
        queue: asyncio.Queue = asyncio.Queue(maxsize=concurrency * 4)

        async def worker() -> None:
            while (item := await queue.get()) is not None:
                await fire(client, tally, *item)

        workers = [asyncio.create_task(worker()) for _ in range(concurrency)]
        started = time.monotonic()
        sampled = asyncio.Event()
        sampler = asyncio.create_task(sample_memory(processes, tally, samples, sample_every,
                                                    sampled, started, marks, on_mark))
        for item in make_requests(n, seed, target):
            await queue.put(item)
            if tally.sent and tally.sent % 1000 == 0:
                print(f"  ... {tally.sent} sent, {time.monotonic() - started:.0f} s", flush=True)
        for _ in workers:
            await queue.put(None)
        await asyncio.gather(*workers)
        tally.elapsed = time.monotonic() - started
        sampled.set()
        await sampler  # its last sample: after the last answer
        done.set()
        await real
    return tally


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--warmup", type=float, default=0.2,
                        help="fraction of the requests before memory growth is judged")
    parser.add_argument("--sample-every", type=float, default=5.0, help="seconds")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="the Rasa process traces its allocations (slow; debug only)")
    args = parser.parse_args()

    from corebank.devserver import CorebankProcess

    model = newest_model()
    if model is None:
        sys.exit("No trained model in models/: run `make train` first.")
    workdir = Path(tempfile.mkdtemp(prefix="bench-fuzz-"))
    with StandInAPI.in_thread() as api, CorebankProcess.start() as bank:
        action_port, rasa_port = free_port(), free_port()
        env = isolated_env(bank.env, bank.base_url, workdir, action_port, rasa_port)
        env.update(MESSENGER_ENV)
        env["BANK_WEBHOOK_SECRET"] = bank.webhook_secret
        trace_file = workdir / "tracemalloc.txt"
        if args.tracemalloc:
            env["ASSISTANT_TRACEMALLOC"] = str(trace_file)
        action = action_server_service(action_port, workdir / "action-server.log", env)
        rasa = rasa_service(rasa_port, workdir / "rasa.log", env, model=model)
        credentials = workdir / "credentials.yml"
        at = rasa.command.index("--credentials") + 1
        credentials.write_text(credentials_with_api_base(Path(rasa.command[at]).read_text(),
                                                         api.url))
        rasa.command[at] = str(credentials)
        try:
            for service in (action, rasa):
                service.start()
            for service in (action, rasa):
                service.wait_healthy()
            processes = {"rasa": rasa.pid, "action server": action.pid,
                         "sandbox": bank.process.pid}
            before = {name: rss_mib(pid) for name, pid in processes.items()}
            target = Target(env["RASA_URL"], env["ACTION_SERVER_URL"],
                            env["REST_LOCAL_CLIENT_SECRET"], env["SOCKETIO_JWT_KEY"],
                            bank.webhook_secret)
            assert PLATFORM_SECRETS["telegram"] == env["TELEGRAM_WEBHOOK_SECRET"]
            print(f"bench_fuzz: {args.requests} requests, concurrency {args.concurrency}, "
                  f"seed {args.seed}, stack in {workdir}")
            warm = int(args.requests * args.warmup)
            marks = [warm, (warm + args.requests) // 2, args.requests]

            def dump_allocations() -> None:
                if args.tracemalloc:
                    os.kill(rasa.pid, signal.SIGUSR2)

            samples: list[Sample] = []
            tally = asyncio.run(run(target, args.requests, args.concurrency, args.seed,
                                    processes, samples, args.sample_every,
                                    marks, dump_allocations))
            after = {name: rss_mib(pid) for name, pid in processes.items()}
            if args.tracemalloc:  # the Rasa process writes its dumps in its own time
                wait_for_dumps(trace_file, len(marks))
            crashed = [name for name, service in (("rasa", rasa), ("action server", action))
                       if service.process.poll() is not None]
            crashed += ["sandbox"] if bank.process.poll() is not None else []
            healthy = {
                "rasa": httpx.get(f"{env['RASA_URL']}/webhooks/rest/", timeout=10).status_code,
                "action server": httpx.get(f"{env['ACTION_SERVER_URL']}/health",
                                           timeout=10).status_code,
                "sandbox": httpx.get(f"{bank.base_url}/health", timeout=10).status_code,
            }
        finally:
            for service in (rasa, action):
                service.stop()

    report(tally, before, after, crashed, healthy)
    report_memory(samples, warm, args.requests)
    if args.tracemalloc:
        print(f"\nRasa's Python allocations (tracemalloc, {trace_file}):")
        print(trace_file.read_text() if trace_file.exists() else "  (no dump written)")
    bad = tally.server_errors or crashed or tally.real_failures or tally.real_answered == 0
    return 1 if bad else 0


def report(tally: Tally, before: dict, after: dict, crashed: list, healthy: dict) -> None:
    sent = tally.sent - sum(tally.unsendable.values())
    print(f"\nrequests: {tally.sent} generated, {sent} sent, in {tally.elapsed:.0f} s")
    print("\nstatus counts per route:")
    for route, counter in tally.statuses.items():
        counts = ", ".join(f"{status}: {count}" for status, count in sorted(counter.items()))
        print(f"  {route:13} {sum(counter.values()):6}  {counts}")
    if tally.unsendable:
        print("not sent (junk the HTTP client itself refuses, e.g. non-Latin-1 headers):")
        for what, count in tally.unsendable.items():
            print(f"  {what}: {count}")
    if tally.transport_errors:
        print("transport errors (no HTTP answer):")
        for what, count in tally.transport_errors.items():
            print(f"  {what}: {count}")
    print(f"\n5xx answers: {len(tally.server_errors)}")
    for line in tally.server_errors[:20]:
        print(f"  {line}")
    print(f"crashed processes: {len(crashed)} {crashed or ''}")
    print(f"health after the run: {healthy}")
    print("\nresident memory (VmRSS, MiB): start -> end")
    for name in before:
        print(f"  {name:14} {before[name]:8.1f} -> {after[name]:8.1f}  "
              f"({after[name] - before[name]:+.1f})")
    print(f"\nreal conversation turns interleaved: {tally.real_answered}/{tally.real_sent} "
          f"answered")
    for line in tally.real_failures[:10]:
        print(f"  unanswered: {line}")


def wait_for_dumps(path: Path, count: int, timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().count("\n--- ") + path.read_text().startswith(
                "--- ") >= count:
            return
        time.sleep(1)


def _at(samples: list[Sample], sent: int) -> Sample:
    """The sample taken nearest to `sent` requests."""
    return min(samples, key=lambda sample: abs(sample.sent - sent))


def report_memory(samples: list[Sample], warm: int, n: int) -> None:
    if not samples:
        return
    names = list(samples[0].rss)
    print("\nresident memory over the run (VmRSS, MiB):")
    step = max(1, len(samples) // 40)  # at most ~40 rows
    shown = samples[::step] + ([samples[-1]] if (len(samples) - 1) % step else [])
    print("  " + f"{'s':>6} {'requests':>9} " + " ".join(f"{name:>14}" for name in names))
    for sample in shown:
        print("  " + f"{sample.seconds:6.0f} {sample.sent:9} "
              + " ".join(f"{sample.rss[name]:14.1f}" for name in names))
    start, end = samples[0], samples[-1]
    warm_at, mid_at = _at(samples, warm), _at(samples, (warm + n) // 2)
    print(f"\nmemory growth (MiB): warm-up = requests 0-{warm_at.sent}; first half = "
          f"{warm_at.sent}-{mid_at.sent}; second half = {mid_at.sent}-{end.sent}")
    print("  " + f"{'process':14} {'warm-up':>9} {'1st half':>9} {'2nd half':>9} "
          f"{'2nd half /1k req':>17} {'peak':>8}")
    for name in names:
        second = end.rss[name] - mid_at.rss[name]
        per_k = 1000 * second / max(1, end.sent - mid_at.sent)
        peak = max(sample.rss[name] for sample in samples)
        print("  " + f"{name:14} {warm_at.rss[name] - start.rss[name]:+9.1f} "
              f"{mid_at.rss[name] - warm_at.rss[name]:+9.1f} {second:+9.1f} "
              f"{per_k:+17.2f} {peak:8.1f}")


if __name__ == "__main__":
    sys.exit(main())
