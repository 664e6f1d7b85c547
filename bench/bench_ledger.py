"""Ledger throughput/latency benchmark: transfers at concurrency 1, 8, 32, then the invariant.

    .venv/bin/python bench/bench_ledger.py                 # SQLite and PostgreSQL sandboxes
    .venv/bin/python bench/bench_ledger.py --db postgres --workers 2
    .venv/bin/python bench/bench_ledger.py --url http://127.0.0.1:8800 \
        --client-id assistant --client-secret dev-client-secret   # reuse a running sandbox

Each run starts its own sandbox (temp SQLite file / throwaway PostgreSQL database) unless --url
is given. Transfers go between many funded accounts (so the figure is the bank's throughput, not
one hot row's lock queue), each with its own Idempotency-Key. Prints transfers/s and p50/p95
latency per concurrency level and fails (exit 1) if the ledger check is not balanced.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

import aiohttp
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from corebank.devserver import CorebankProcess, throwaway_postgres  # noqa: E402


class RemoteBank:
    """Duck-typed stand-in for CorebankProcess when --url points at a running sandbox."""

    def __init__(self, url, client_id, client_secret, realm="bank"):
        self.base_url, self.realm = url.rstrip("/"), realm
        # the ledger API belongs to the ops client (least privilege): both ids are that client
        self.env = {"COREBANK_CLIENT_ID": client_id, "COREBANK_CLIENT_SECRET": client_secret,
                    "COREBANK_OPS_CLIENT_ID": client_id,
                    "COREBANK_OPS_CLIENT_SECRET": client_secret}

    get_token = CorebankProcess.get_token
    headers = CorebankProcess.headers
    open_account = CorebankProcess.open_account
    system_account = CorebankProcess.system_account
    check_ledger = CorebankProcess.check_ledger
    client_id = CorebankProcess.client_id
    client_secret = CorebankProcess.client_secret
    ops_client_id = CorebankProcess.ops_client_id
    ops_client_secret = CorebankProcess.ops_client_secret
    token_url = CorebankProcess.token_url
    _tokens: dict = {}
    _http = None
    http = CorebankProcess.http


def _process_tree(root_pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    pids, todo = [], [root_pid]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo.extend(children.get(pid, []))
    return pids


def server_cpu_seconds(bank) -> float | None:
    """utime+stime of the sandbox process tree (None for a remote sandbox). CPU per transfer
    is a fair figure even when other work shares the machine; wall-clock rates are not."""
    process = getattr(bank, "process", None)
    if process is None:
        return None
    total = 0
    for pid in _process_tree(process.pid):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def run_level(bank, accounts, concurrency, total):
    # aiohttp, not httpx, drives the load: httpx's async pool tops out at a few hundred
    # requests/s on this machine and would measure the client instead of the bank.
    headers = {**bank.headers("ledger"), "Content-Type": "application/json"}
    latencies, failures = [], 0
    counter = iter(range(total))
    connector = aiohttp.TCPConnector(limit=concurrency)

    async with aiohttp.ClientSession(base_url=bank.base_url, connector=connector,
                                     timeout=aiohttp.ClientTimeout(total=30)) as client:
        async def worker():
            nonlocal failures
            for i in counter:
                src = accounts[i % len(accounts)]
                dst = accounts[(i * 7 + 3) % len(accounts)]
                if dst == src:
                    dst = accounts[(i + 1) % len(accounts)]
                body = json.dumps({"from_account": src, "to_account": dst, "amount": "1.00",
                                   "currency": "UAH", "description": "bench"})
                started = time.perf_counter()
                async with client.post("/api/v1/ledger/transfers", data=body, headers={
                        **headers, "Idempotency-Key": uuid.uuid4().hex}) as resp:
                    await resp.read()
                    status = resp.status
                latencies.append(time.perf_counter() - started)
                if status != 200:
                    failures += 1

        cpu_before = server_cpu_seconds(bank)
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
        cpu_after = server_cpu_seconds(bank)
    return {
        "server_cpu_ms": None if cpu_before is None else (cpu_after - cpu_before) / total * 1000,
        "concurrency": concurrency,
        "transfers": total,
        "failures": failures,
        "per_second": total / elapsed,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p95_ms": percentile(latencies, 0.95) * 1000,
    }


async def open_accounts(bank, n: int) -> list[str]:
    headers = bank.headers("ledger")
    settlement = bank.system_account("settlement", "UAH")
    async with httpx.AsyncClient(base_url=bank.base_url, timeout=30) as client:
        async def one(_):
            resp = await client.post("/api/v1/ledger/accounts", headers=headers,
                                     json={"currency": "UAH"})
            account_id = resp.json()["account_id"]
            resp = await client.post(
                "/api/v1/ledger/transfers",
                headers={**headers, "Idempotency-Key": f"fund-{account_id}"},
                json={"from_account": settlement, "to_account": account_id,
                      "amount": "100000.00", "currency": "UAH", "description": "bench funding"})
            resp.raise_for_status()
            return account_id

        sem = asyncio.Semaphore(8)

        async def limited(i):
            async with sem:
                return await one(i)

        return await asyncio.gather(*(limited(i) for i in range(n)))


def bench(bank, label, levels, per_level, n_accounts):
    accounts = asyncio.run(open_accounts(bank, n_accounts))
    rows = []
    for concurrency in levels:
        asyncio.run(run_level(bank, accounts, concurrency, min(50, per_level)))  # warm-up
        rows.append(asyncio.run(run_level(bank, accounts, concurrency, per_level)))
    check = bank.check_ledger()
    print(f"\n{label}")
    print(f"{'clients':>8} {'transfers':>10} {'failed':>7} {'per s':>8} {'p50 ms':>8} "
          f"{'p95 ms':>8} {'srv cpu ms':>11}")
    for r in rows:
        cpu = "-" if r["server_cpu_ms"] is None else f"{r['server_cpu_ms']:.2f}"
        print(f"{r['concurrency']:>8} {r['transfers']:>10} {r['failures']:>7} "
              f"{r['per_second']:>8.0f} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} {cpu:>11}")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"ledger check: balanced={check['balanced']} journals={check['journals']} "
          f"postings={check['postings']}")
    return check["balanced"] and all(r["failures"] == 0 for r in rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--url", help="reuse a running sandbox instead of starting one")
    parser.add_argument("--client-id", default=os.environ.get("COREBANK_OPS_CLIENT_ID", "bank-ops"),
                        help="the ops client (the only one allowed the ledger scope)")
    parser.add_argument("--client-secret",
                        default=os.environ.get("COREBANK_OPS_CLIENT_SECRET",
                                               "dev-ops-client-secret"))
    parser.add_argument("--levels", default="1,8,32")
    parser.add_argument("--transfers", type=int, default=2000, help="per concurrency level")
    parser.add_argument("--accounts", type=int, default=400,
                        help="funded accounts the transfers spread over")
    parser.add_argument("--workers", type=int, default=0,
                        help="uvicorn workers (default: 1 on SQLite, 2 on PostgreSQL)")
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    ok = True
    if args.url:
        bank = RemoteBank(args.url, args.client_id, args.client_secret)
        return 0 if bench(bank, f"sandbox at {args.url}", levels, args.transfers,
                          args.accounts) else 1
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    for db in dbs:
        workers = args.workers or (1 if db == "sqlite" else 2)
        with ExitStack() as stack:
            url = stack.enter_context(throwaway_postgres("corebank_bench")) \
                if db == "postgres" else None
            bank = stack.enter_context(CorebankProcess.start(
                url, {"COREBANK_LOG_LEVEL": "warning"}, workers=workers))
            ok = bench(bank, f"{db}, {workers} worker(s)", levels, args.transfers,
                       args.accounts) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
