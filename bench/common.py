"""Shared helpers for the benchmark scripts: percentiles, process memory, tables.

Memory figures come from Linux's /proc: VmHWM is a process's peak resident set size over its
lifetime, summed over the process and its children (uvicorn/sanic workers).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from pathlib import Path


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (pct in 0..100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def _status_kib(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def descendants(pid: int) -> list[int]:
    """pid and all its children, grandchildren, ... (Linux /proc)."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                queue += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
    return found


def peak_rss_mib(pid: int | None) -> float:
    """Peak resident memory (VmHWM) of a process tree in MiB; NaN if unknown."""
    if not pid or not Path(f"/proc/{pid}").exists():
        return math.nan
    return sum(_status_kib(p, "VmHWM") for p in descendants(pid)) / 1024


def listening_pid(port: int) -> int | None:
    """The process listening on a local TCP port (to measure services we did not start)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:  # LISTEN
                inodes.add(fields[9])
    if not inodes:
        return None
    targets = {f"socket:[{inode}]" for inode in inodes}
    candidates = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if any(os.readlink(fd) in targets for fd in (proc / "fd").iterdir()):
                candidates.append(int(proc.name))
        except OSError:
            continue
    # Several workers may share the socket: report the oldest (their parent).
    return min(candidates) if candidates else None


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    rows = [[_cell(value) for value in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    line = "  ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True))
    body = ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join([line, "  ".join("-" * w for w in widths), *body])


def _cell(value: object) -> str:
    if isinstance(value, float):
        return "n/a" if math.isnan(value) else f"{value:.1f}"
    return str(value)


def cpu_seconds(pid: int | None) -> float:
    """CPU time (user + system) used so far by a process tree, in seconds; NaN if unknown.

    Children that exited are not counted: the services measured here keep their workers.
    """
    if not pid or not Path(f"/proc/{pid}").exists():
        return math.nan
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in descendants(pid):
        try:
            # the command name (field 2) may hold spaces: split after its closing parenthesis
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
        except (OSError, ValueError, IndexError):
            continue
    return total / ticks


def load_average() -> str:
    """The machine's 1/5/15-minute load average and core count (what the figures ran under)."""
    try:
        one, five, fifteen = Path("/proc/loadavg").read_text().split()[:3]
    except OSError:
        return "unknown"
    return f"load average {one} / {five} / {fifteen} on {os.cpu_count()} cores"


def summarize_py_spy(raw: str, top: int = 30) -> str:
    """A py-spy `--format raw` profile (collapsed stacks, one `frame;frame;... count` per line)
    as three tables, in percent of all samples: where the time was spent (self: the innermost
    frame), the functions under which it was spent (inclusive, the server's own entry frames
    that every request shares left out) and the packages (self time)."""
    total = 0
    own: dict[str, int] = {}
    inclusive: dict[str, int] = {}
    packages: dict[str, int] = {}
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = [_frame(f) for f in stack.split(";") if not f.startswith(("process ", "thread "))]
        if not frames:
            continue
        name, package = frames[-1]
        own[name] = own.get(name, 0) + count
        packages[package] = packages.get(package, 0) + count
        for function in {f for f, _ in frames}:
            inclusive[function] = inclusive.get(function, 0) + count
    if not total:
        return "(no samples)"

    def rows(counts: dict[str, int], skip_above: float = 101.0) -> list[list[object]]:
        ordered = sorted(counts.items(), key=lambda item: -item[1])
        kept = [(n, c) for n, c in ordered if 100 * c / total < skip_above][:top]
        return [[f"{100 * c / total:.1f}", n] for n, c in kept]

    return "\n".join([
        f"{total} samples",
        table(["% self", "function"], rows(own)),
        "",
        table(["% incl", "function (frames shared by >80% of samples left out)"],
              rows(inclusive, skip_above=80.0)),
        "",
        table(["% self", "package"], rows(packages)),
    ])  # fmt: skip


def _frame(frame: str) -> tuple[str, str]:
    """`name (path/to/file.py:123)` as ("name (path/to/file.py)", package)."""
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    marker = "site-packages/"
    if marker in path:
        path = path.split(marker, 1)[1]
    parts = path.split("/")
    if parts[0] in ("rasa", "tensorflow", "sqlalchemy") and len(parts) > 2:
        package = "/".join(parts[:2])
    elif len(parts) > 1:
        package = parts[0]
    else:
        package = "python stdlib / builtins"
    return f"{name[:60]} ({'/'.join(parts[-3:])})", package
