"""Each speed-up of docs/performance.md measured on its own, in one process (CPU time per
operation, so a busy machine skews it less than wall-clock figures):

- the tracker store per message (retrieve, add one turn's events, save) early and late in a
  long conversation, with Rasa's behaviour (no cache, a new SQLite connection per session), with
  pooled SQLite connections, and with pooled connections + the tracker cache;
- `Event.resolve_by_type` (patch 2) deserialising events;
- MemoizationPolicy with nothing memorised (patch 3) on a long session.

    .venv/bin/python -m bench.bench_changes [--turns 300]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rasa.shared.core.domain import Domain  # noqa: E402
from rasa.shared.core.events import (  # noqa: E402
    ActionExecuted,
    BotUttered,
    SlotSet,
    UserUttered,
    deserialise_events,
)
from rasa.shared.core.trackers import DialogueStateTracker  # noqa: E402

from bench.common import table  # noqa: E402

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [check_balance, help]
slots:
  note: {type: text, mappings: [{type: custom}]}
  logged_in: {type: bool, mappings: [{type: custom}]}
responses:
  utter_help: [{text: "I can help"}]
"""
)


def turn(tracker: DialogueStateTracker, i: int) -> None:
    text = f"what's my balance? ({i})"
    intent = {"name": "check_balance", "confidence": 0.98}
    tracker.update(UserUttered(text, intent, [], {"text": text, "intent": intent,
                                                    "entities": []}))  # fmt: skip
    tracker.update(ActionExecuted("action_check_balance"))
    tracker.update(SlotSet("note", f"balance asked {i}"))
    tracker.update(BotUttered(f"Your balance is {i}.00 UAH", {"elements": None}))
    tracker.update(ActionExecuted("action_listen"))


async def tracker_store_per_turn(turns: int, env: dict[str, str]) -> tuple[float, float]:
    """CPU ms per turn (retrieve + one turn + save) over the first 50 and the last 50 turns."""
    from assistant.tracker_store import RedactingSQLTrackerStore

    old = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            store = RedactingSQLTrackerStore(domain=DOMAIN, host=f"sqlite:///{tmp}/t.db")
            sender = "bench"
            tracker = DialogueStateTracker(sender, DOMAIN.slots)
            turn(tracker, 0)
            await store.save(tracker)
            costs = []
            for i in range(1, turns + 1):
                started = time.process_time()
                tracker = await store.retrieve(sender)
                turn(tracker, i)
                await store.save(tracker)
                costs.append((time.process_time() - started) * 1000)
            store.engine.dispose()
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return sum(costs[:50]) / 50, sum(costs[-50:]) / 50


def cpu_ms(function, repeat: int) -> float:
    started = time.process_time()
    for _ in range(repeat):
        function()
    return (time.process_time() - started) * 1000 / repeat


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=300)
    args = parser.parse_args(argv)
    import logging

    import structlog

    # Rasa's debug events (Memoization logs every state it builds) would flood the output
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.INFO))
    from assistant import rasa_patches

    rows = []
    for label, env in [
        ("Rasa's (no cache, connection per session)", {"TRACKER_CACHE_SIZE": "0",
                                                      "TRACKER_SQLITE_POOL": "0"}),
        ("pooled SQLite connections", {"TRACKER_CACHE_SIZE": "0", "TRACKER_SQLITE_POOL": "1"}),
        ("pooled + tracker cache", {"TRACKER_CACHE_SIZE": "2000", "TRACKER_SQLITE_POOL": "1"}),
    ]:  # fmt: skip
        first, last = asyncio.run(tracker_store_per_turn(args.turns, env))
        rows.append([label, first, last])
    print(f"tracker store, CPU ms per message (turn = retrieve + 5 events + save), "
          f"{args.turns} turns:")  # fmt: skip
    print(table(["store", "first 50", "last 50"], rows))

    serialised = [event.as_dict() for event in _long_tracker(200).events]
    before = cpu_ms(lambda: deserialise_events(serialised), 20)
    rasa_patches.apply()
    after = cpu_ms(lambda: deserialise_events(serialised), 20)
    print(f"\ndeserialise {len(serialised)} events: {before:.2f} ms → {after:.2f} ms (patch 2)")

    from rasa.core.policies.memoization import MemoizationPolicy
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource

    with tempfile.TemporaryDirectory() as tmp:
        policy = MemoizationPolicy(MemoizationPolicy.get_default_config(),
                                   LocalModelStorage(Path(tmp)), Resource("memo"),
                                   ExecutionContext(GraphSchema({}), "1"))  # fmt: skip
        tracker = _long_tracker(args.turns)
        original = rasa_patches._original_memoization_predict
        before = cpu_ms(lambda: original(policy, tracker, DOMAIN), 5)
        after = cpu_ms(lambda: policy.predict_action_probabilities(tracker, DOMAIN), 5)
    print(f"MemoizationPolicy on a {args.turns}-turn session (empty lookup): "
          f"{before:.2f} ms → {after:.3f} ms per prediction (patch 3)")  # fmt: skip
    return 0


def _long_tracker(turns: int) -> DialogueStateTracker:
    tracker = DialogueStateTracker("long", DOMAIN.slots)
    tracker.update(ActionExecuted("action_listen"))
    for i in range(turns):
        turn(tracker, i)
    return tracker


if __name__ == "__main__":
    sys.exit(main())
