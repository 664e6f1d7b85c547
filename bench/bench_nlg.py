"""What the responses service adds to a reply: Rasa's NLG (assistant/nlg.py) rendering a mix of
the catalog's responses through the service vs from its local copy, in one run, interleaved.

Starts a throwaway responses service (own SQLite database), then for each round renders the same
responses both ways and prints per-reply latency p50/p95 and the CPU per reply of this process
(Rasa's side) and of the service. The conversation benchmark measures the same end to end:
`bench/bench_conversations.py --variant "local-catalog:RESPONSES_URL="`.

    .venv/bin/python -m bench.bench_nlg [--replies 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rasa.shared.core.domain import Domain  # noqa: E402
from rasa.shared.core.events import SlotSet  # noqa: E402
from rasa.shared.core.trackers import DialogueStateTracker  # noqa: E402
from rasa.utils.endpoints import EndpointConfig  # noqa: E402

from assistant.nlg import CatalogNLG  # noqa: E402
from scripts.services import REPO_ROOT, free_port, responses_service  # noqa: E402

MIX = [  # (response, channel, values an action passes)
    ("utter_greet", "rest", {}),
    ("utter_help", "telegram", {}),
    ("utter_ask_login_form_phone_number", "telegram", {}),
    ("utter_ask_bill_confirmed", "rest", {"amount": "100.00 UAH", "provider": "Kyivstar",
                                          "account_label": "phone number", "account": "•• 4567",
                                          "fee": "0.00 UAH", "total": "100.00 UAH"}),
    ("utter_goodbye", "rest", {}),
]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


async def run(replies: int) -> None:
    domain = Domain.load(str(REPO_ROOT / "domain.yml"))
    tracker = DialogueStateTracker("bench", domain.slots)
    for event in (SlotSet("logged_in", True), SlotSet("customer_first_name", "Anna")):
        tracker.update(event)
    with tempfile.TemporaryDirectory(prefix="bench-nlg-") as tmp:
        port, token = free_port(), secrets.token_urlsafe(24)
        env = {**os.environ, "RESPONSES_DATABASE_URL": f"sqlite:///{Path(tmp) / 'r.db'}",
               "RESPONSES_SERVICE_TOKEN": token, "RESPONSES_SESSION_KEY": secrets.token_urlsafe(32)}
        service = responses_service(port, Path(tmp) / "responses.log", env).start().wait_healthy()
        try:
            remote = CatalogNLG(EndpointConfig(url=f"http://127.0.0.1:{port}/nlg", token=token,
                                               timeout=2.0))
            local = CatalogNLG(EndpointConfig())
            for nlg in (remote, local):  # warm up (connections, caches)
                for name, channel, values in MIX:
                    await nlg.generate(name, tracker, channel, **values)
            times = {"service": [], "local": []}
            cpu_here = {"service": 0.0, "local": 0.0}
            cpu_service = 0.0
            for i in range(replies):
                name, channel, values = MIX[i % len(MIX)]
                for label, nlg in (("service", remote), ("local", local)):
                    here, there = time.process_time(), cpu_seconds(service.pid)
                    started = time.perf_counter()
                    message = await nlg.generate(name, tracker, channel, **values)
                    times[label].append((time.perf_counter() - started) * 1000)
                    cpu_here[label] += time.process_time() - here
                    if label == "service":
                        cpu_service += cpu_seconds(service.pid) - there
                    assert message, name
            assert remote._down_until == 0.0, "the service failed during the run"
            await remote._client().close()
        finally:
            service.stop()
    print(f"{replies} replies each way, interleaved; load average "
          f"{' / '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    print(f"{'NLG':<10}{'p50 ms':>9}{'p95 ms':>9}{'Rasa-side cpu ms/reply':>25}"
          f"{'service cpu ms/reply':>23}")
    for label in ("service", "local"):
        print(f"{label:<10}{percentile(times[label], 50):>9.2f}{percentile(times[label], 95):>9.2f}"
              f"{cpu_here[label] / replies * 1000:>25.2f}"
              f"{(cpu_service / replies * 1000 if label == 'service' else 0):>23.2f}")
    added = percentile(times["service"], 50) - percentile(times["local"], 50)
    print(f"added by the service per reply at p50: {added:.2f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replies", type=int, default=2000)
    args = parser.parse_args(argv)
    asyncio.run(run(args.replies))
    return 0


if __name__ == "__main__":
    sys.exit(main())
