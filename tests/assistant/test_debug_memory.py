"""assistant/debug_memory.py: off by default; with ASSISTANT_TRACEMALLOC each SIGUSR2 appends a
dump of what grew since the previous one (bench/bench_fuzz.py --tracemalloc)."""

from __future__ import annotations

import os
import signal
import tracemalloc

import pytest

from assistant import debug_memory


@pytest.fixture
def traced(tmp_path, monkeypatch):
    path = tmp_path / "tracemalloc.txt"
    monkeypatch.setenv(debug_memory.ENV, str(path))
    previous = signal.getsignal(signal.SIGUSR2)
    yield path
    tracemalloc.stop()
    signal.signal(signal.SIGUSR2, previous)
    debug_memory._state.clear()
    debug_memory._gauges.pop("test list", None)


def test_off_without_the_variable(monkeypatch):
    monkeypatch.delenv(debug_memory.ENV, raising=False)
    assert debug_memory.install() is False
    assert not tracemalloc.is_tracing()


def test_each_signal_dumps_the_growth_since_the_previous_one(traced):
    kept: list[bytes] = []
    debug_memory.gauge("test list", lambda: len(kept))
    assert debug_memory.install() is True
    os.kill(os.getpid(), signal.SIGUSR2)  # the baseline
    kept.extend(bytes(1000) + bytes([i % 256]) for i in range(2000))  # ~2 MB that stays
    os.kill(os.getpid(), signal.SIGUSR2)

    dumps = traced.read_text().split("--- ")[1:]
    assert len(dumps) == 2
    assert "gauge test list: 0" in dumps[0] and "growth" not in dumps[0]
    assert "gauge test list: 2000" in dumps[1]
    growth = float(dumps[1].split("growth since the previous dump: ")[1].split(" MiB")[0])
    assert growth >= 1.5
    assert "test_debug_memory.py" in dumps[1]  # the line that allocated it is named
