"""`make replicas N=2`: N Rasa + N action-server replicas behind HAProxy, on one machine.

The path Rasa documents for more than one process, with real components:
- HAProxy (Debian's package; `make lb` installs it) in front of the Rasa replicas (leastconn)
  and in front of the action-server replicas (round robin), health-checking both;
- one PostgreSQL tracker store shared by the Rasa replicas (TRACKER_DATABASE_URL; a throwaway
  database on the local server when it is not set), which is also the action servers' own
  store (handoffs, processed bank events, published pictures: MEDIA_STORE=database);
- one Redis lock store (REDIS_URL, default redis://127.0.0.1:6379/1), so that a conversation is
  processed by one replica at a time whatever replica the balancer picks;
- a throwaway sandbox bank.

`make run` keeps its single-process, SQLite default; this is the local rehearsal of deploy/
(Kubernetes) and what `bench/bench_conversations.py --replicas 1,2` measures.

    .venv/bin/python -m scripts.replicas --replicas 2      # then chat; Ctrl-C stops everything
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import pkgutil
import shutil
import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from scripts.services import (
    LOOPBACK,
    REPO_ROOT,
    Service,
    action_server_service,
    free_port,
    isolated_env,
    newest_model,
    rasa_service,
    responses_service,
)

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/1"


@dataclass
class ReplicaStack:
    rasa_url: str
    action_url: str
    corebank_url: str
    sandbox_token: str
    env: dict[str, str]
    pids: dict[str, list[int]] = field(default_factory=dict)


def haproxy_config(rasa_port: int, rasa: list[int], action_port: int, actions: list[int],
                   responses_port: int | None = None, responses: list[int] | None = None) -> str:
    def servers(prefix: str, ports: list[int]) -> str:
        return "\n".join(
            f"  server {prefix}{i} {LOOPBACK}:{port} check inter 2s fall 2 rise 1"
            for i, port in enumerate(ports, 1)
        )

    return f"""global
  maxconn 4096

defaults
  mode http
  option http-keep-alive
  timeout connect 5s
  timeout client 120s
  timeout server 120s
  retries 2

frontend rasa
  bind {LOOPBACK}:{rasa_port}
  default_backend rasa_replicas

# A conversation may land on any replica: the Redis lock store serialises its messages, and
# the PostgreSQL tracker store is the one truth.
backend rasa_replicas
  balance leastconn
  option httpchk GET /webhooks/rest/
{servers("rasa", rasa)}

frontend actions
  bind {LOOPBACK}:{action_port}
  default_backend action_replicas

backend action_replicas
  balance roundrobin
  option httpchk GET /health
{servers("actions", actions)}
""" + ("" if not responses else f"""
# The responses service's replicas share one PostgreSQL catalog (each reloads when it moves).
frontend responses
  bind {LOOPBACK}:{responses_port}
  default_backend responses_replicas

backend responses_replicas
  balance roundrobin
  option httpchk GET /health
{servers("responses", responses)}
""")


def haproxy_binary() -> str:
    found = shutil.which("haproxy") or next(
        (p for p in ("/usr/sbin/haproxy", "/usr/local/sbin/haproxy") if os.path.exists(p)), None
    )
    if not found:
        raise RuntimeError("HAProxy is not installed: `make lb` installs Debian's package")
    return found


def create_assistant_tables(url: str) -> None:
    """Every table the action server declares, created once before the replicas start (two
    replicas creating them on their first request at the same time would race)."""
    import actions
    from actions.common import db

    for module in pkgutil.walk_packages(actions.__path__, "actions."):
        importlib.import_module(module.name)
    db.engine(url)


@contextlib.contextmanager
def tracker_database() -> Iterator[str]:
    url = os.environ.get("TRACKER_DATABASE_URL", "")
    if url.startswith(("postgresql", "postgres://")):
        yield url
        return
    from corebank.devserver import throwaway_postgres

    with throwaway_postgres("tracker_replicas") as throwaway:
        yield throwaway


@contextlib.contextmanager
def replica_stack(
    replicas: int, workdir: Path, quiet: bool = False, model: Path | None = None
) -> Iterator[ReplicaStack]:
    from corebank.devserver import CorebankProcess

    say = (lambda *_: None) if quiet else (lambda text: print(text, flush=True))
    model = model or newest_model()
    if model is None:
        raise FileNotFoundError("No trained model in models/: run `make train` first.")
    haproxy = haproxy_binary()
    with contextlib.ExitStack() as stack:
        database = stack.enter_context(tracker_database())
        bank = stack.enter_context(CorebankProcess.start())
        lb_rasa, lb_actions, lb_responses = free_port(), free_port(), free_port()
        env = isolated_env(bank.env, bank.base_url, workdir, lb_actions, lb_rasa,
                           responses_port=lb_responses)
        env.update(
            TRACKER_DATABASE_URL=database,
            ASSISTANT_DATABASE_URL=database,
            RESPONSES_DATABASE_URL=database,
            REDIS_URL=os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL,
            # a key prefix of its own: the Redis server is shared with other stacks
            REDIS_LOCK_KEY_PREFIX=f"replicas{uuid.uuid4().hex[:12]}",
            MEDIA_STORE="database",
            MEDIA_BASE_URL=f"http://{LOOPBACK}:{lb_actions}/media",
        )
        # the REST client secret of this process (rest_auth), shared by every stack it starts
        env["REST_LOCAL_CLIENT_SECRET"] = os.environ.setdefault(
            "REST_LOCAL_CLIENT_SECRET", env["REST_LOCAL_CLIENT_SECRET"]
        )
        create_assistant_tables(database)

        action_ports = [free_port() for _ in range(replicas)]
        rasa_ports = [free_port() for _ in range(replicas)]
        responses_ports = [free_port() for _ in range(replicas)]
        actions = [
            action_server_service(port, workdir / f"action-server-{i}.log", env)
            for i, port in enumerate(action_ports, 1)
        ]
        rasas = [
            rasa_service(port, workdir / f"rasa-{i}.log", env, model=model)
            for i, port in enumerate(rasa_ports, 1)
        ]
        responders = [
            responses_service(port, workdir / f"responses-{i}.log", env)
            for i, port in enumerate(responses_ports, 1)
        ]
        for service in responders:  # behind the balancer: one public URL for every replica
            service.env = {**service.env, "RESPONSES_URL": env["RESPONSES_URL"],
                           "RESPONSES_PUBLIC_URL": env["RESPONSES_URL"]}
        for service in rasas:
            service.startup_timeout = 600.0  # N models loading at once on a shared machine
        config = workdir / "haproxy.cfg"
        config.write_text(haproxy_config(lb_rasa, rasa_ports, lb_actions, action_ports,
                                         lb_responses, responses_ports))
        balancer = Service(
            name="haproxy",
            command=[haproxy, "-db", "-f", str(config)],
            health_url=f"http://{LOOPBACK}:{lb_actions}/health",
            log_path=workdir / "haproxy.log",
        )
        started: list[Service] = []
        stack.callback(lambda: [s.stop() for s in reversed(started)])
        say(f"Starting {replicas} action server(s), {replicas} Rasa replica(s), HAProxy "
            f"(logs: {workdir})")  # fmt: skip
        for service in actions:
            started.append(service.start())
        # The first responses service seeds the shared catalog; the others find it there.
        started.append(responders[0].start())
        responders[0].wait_healthy()
        for service in responders[1:]:
            started.append(service.start())
        # The first Rasa creates the tracker table; the others start once it exists.
        started.append(rasas[0].start())
        rasas[0].wait_healthy()
        for service in rasas[1:]:
            started.append(service.start())
        for service in [*actions, *responders[1:], *rasas[1:]]:
            service.wait_healthy()
        started.append(balancer.start())
        balancer.wait_healthy()
        say(f"  load balancer: Rasa {env['RASA_URL']}, actions {env['ACTION_SERVER_URL']}")
        yield ReplicaStack(
            rasa_url=env["RASA_URL"],
            action_url=env["ACTION_SERVER_URL"],
            corebank_url=bank.base_url,
            sandbox_token=bank.admin_token,
            env=env,
            pids={
                "rasa": [s.pid for s in rasas],
                "action server": [s.pid for s in actions],
                "responses service": [s.pid for s in responders],
                "corebank": [bank.process.pid],
                "haproxy": [balancer.pid],
            },
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=2)
    args = parser.parse_args(argv)
    if args.replicas < 1:
        parser.error("--replicas must be at least 1")
    from scripts import chat

    (REPO_ROOT / "var").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="replicas-", dir=REPO_ROOT / "var") as tmp:
        try:
            with replica_stack(args.replicas, Path(tmp)) as stack:
                print(f"\nREST: POST {stack.rasa_url}/webhooks/rest/webhook  "
                      f"(sandbox {stack.corebank_url})\n")  # fmt: skip
                return chat.main(["--url", stack.rasa_url])
        except KeyboardInterrupt:
            return 0
        except (RuntimeError, TimeoutError, FileNotFoundError) as exc:
            print(f"Could not start: {exc}", file=sys.stderr)
            return 1


if __name__ == "__main__":
    sys.exit(main())
