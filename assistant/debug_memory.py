"""Debug only: where does the Rasa process's memory go? (bench/bench_fuzz.py --tracemalloc)

Off unless ASSISTANT_TRACEMALLOC names a file. Then tracemalloc traces every Python allocation
(it slows the process: never in production) from the first SIGUSR2 on, and each SIGUSR2
appends to that file the allocations that grew since the previous one (the first one only
starts tracing and sets the baseline), by source line, plus the sizes of the process's own
bounded caches. Python allocations only: TensorFlow's C++ heap is not traced (compare the
traced growth with VmRSS's).
"""

from __future__ import annotations

import gc
import os
import signal
import time
import tracemalloc
from pathlib import Path
from typing import Any

ENV = "ASSISTANT_TRACEMALLOC"
FRAMES = 12
TOP = 25

_state: dict[str, Any] = {}
#: name → zero-argument callable giving a size (registered by the caches themselves)
_gauges: dict[str, Any] = {}


def gauge(name: str, size) -> None:
    """Report `size()` in each dump (cheap: a len())."""
    _gauges[name] = size


def install() -> bool:
    """Listen for SIGUSR2 when ASSISTANT_TRACEMALLOC is set (idempotent). Tracing starts at the
    first signal (tracing the model's loading would take minutes): that dump is the baseline."""
    path = os.environ.get(ENV)
    if not path or _state:
        return bool(_state)
    _state["path"] = Path(path)
    _state["previous"] = None
    signal.signal(signal.SIGUSR2, lambda _signum, _frame: dump())
    return True


def dump() -> None:
    if not tracemalloc.is_tracing():
        tracemalloc.start(FRAMES)
    gc.collect()
    snapshot = tracemalloc.take_snapshot().filter_traces(
        [tracemalloc.Filter(False, tracemalloc.__file__)]
    )
    current, peak = tracemalloc.get_traced_memory()
    lines = [
        f"--- {time.strftime('%H:%M:%S')} traced {current / 2**20:.1f} MiB "
        f"(peak {peak / 2**20:.1f} MiB)"
    ]
    lines += [f"  gauge {name}: {size()}" for name, size in _gauges.items()]
    lines += _encoder_gauges()
    previous = _state["previous"]
    if previous is not None:
        stats = snapshot.compare_to(previous, "traceback")
        grown = sum(s.size_diff for s in stats)
        lines.append(f"  growth since the previous dump: {grown / 2**20:+.1f} MiB; top {TOP}:")
        for stat in stats[:TOP]:
            lines.append(f"  {stat.size_diff / 2**20:+8.2f} MiB {stat.count_diff:+8d} blocks")
            frames = [f for f in stat.traceback if "site-packages/sanic" not in f.filename]
            for frame in frames[-6:]:
                lines.append(f"      {_short(frame.filename)}:{frame.lineno}")
    _state["previous"] = snapshot
    with _state["path"].open("a") as out:
        out.write("\n".join(lines) + "\n")


def _encoder_gauges() -> list[str]:
    """The MiniLM featurizer's caches (texts and word pieces), if it is loaded."""
    import sys

    module = sys.modules.get("nlu_components.sentence_embeddings")
    out = []
    for key, encoder in getattr(module, "_ENCODERS", {}).items():
        texts = getattr(encoder, "_cache", {})
        words = getattr(getattr(encoder, "tokenizer", None), "_cache", {})
        chars = sum(len(text) for text in list(texts))
        out.append(
            f"  gauge MiniLM {key or 'default'}: {len(texts)} texts ({chars} chars), "
            f"{len(words)} word pieces"
        )
    return out


def _short(filename: str) -> str:
    return filename.split("site-packages/", 1)[-1].replace(str(Path.cwd()) + "/", "")
