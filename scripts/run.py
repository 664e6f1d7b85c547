"""`make run`: start the sandbox, the action server and Rasa, then chat in the terminal.

The Makefile has already created the virtualenv, installed, written .env, migrated and seeded
the sandbox and trained the model. Logs go to var/log/. Ctrl-C (or leaving the chat) stops
every process started here.

`--mode shell` / `--mode interactive` (`make shell`, `make interactive`): the same sandbox,
partners sandbox and action server, then Rasa's own `rasa shell` / `rasa interactive` (through
scripts/interactive.py) in the foreground, on 127.0.0.1 with the newest model, instead of the
Rasa server and the REST chat.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
from urllib.parse import urlsplit

from scripts import chat
from scripts.services import (
    LOOPBACK,
    REPO_ROOT,
    action_server_service,
    corebank_service,
    newest_model,
    partners_service,
    rasa_service,
    responses_service,
    stack_env,
    stop_all,
)

LOG_DIR = REPO_ROOT / "var" / "log"


def port_of(url: str, default: int) -> int:
    return urlsplit(url).port or default


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex((LOOPBACK, port)) == 0


def _interrupt(_signum, _frame) -> None:
    """End like Ctrl-C: through main()'s `finally`, which stops the services."""
    raise KeyboardInterrupt


def designer_command(mode: str, rasa_port: int) -> list[str]:
    """`rasa shell` / `rasa interactive` on loopback with the model `make run` uses."""
    model = newest_model()
    if model is None:
        raise FileNotFoundError("No trained model in models/: run `make train` first.")
    common = ["--model", str(model), "--endpoints", str(REPO_ROOT / "endpoints.yml"),
              "--port", str(rasa_port)]
    if mode == "shell":
        # Rasa's cmdline channel only (credentials.yml is not loaded); its HTTP API stays off.
        return [sys.executable, "-m", "rasa", "shell", "--interface", LOOPBACK, *common]
    return [sys.executable, "-m", "scripts.interactive", "--skip-visualization", *common]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", choices=["chat", "shell", "interactive"], default="chat")
    mode = parser.parse_args(argv).mode
    corebank_port = int(os.environ.get("COREBANK_PORT", "8800"))
    action_port = port_of(os.environ.get("ACTION_SERVER_URL", ""), 5055)
    rasa_port = port_of(os.environ.get("RASA_URL", ""), 5005)
    partners_port = port_of(os.environ.get("PARTNERS_URL", ""), 8810)
    responses_port = port_of(os.environ.get("RESPONSES_URL", ""), 5065)
    ports = (corebank_port, partners_port, action_port, responses_port, rasa_port)
    busy = [p for p in ports if port_in_use(p)]
    if busy:
        print(f"Port(s) {busy} already in use on {LOOPBACK}: is another `make run` going?")
        return 1

    env = stack_env(
        os.environ,
        corebank_url=f"http://{LOOPBACK}:{corebank_port}",
        action_port=action_port,
        rasa_port=rasa_port,
        responses_port=responses_port,
    )
    env["PARTNERS_URL"] = f"http://{LOOPBACK}:{partners_port}"
    services = [
        corebank_service(corebank_port, LOG_DIR / "corebank.log", env),
        partners_service(partners_port, LOG_DIR / "partners.log", env),
        action_server_service(action_port, LOG_DIR / "action-server.log", env),
        responses_service(responses_port, LOG_DIR / "responses.log", env),
    ]
    if mode == "chat":
        services.append(rasa_service(rasa_port, LOG_DIR / "rasa.log", env))
    # Ctrl-C must reach us even when started from a shell that ignores SIGINT for background
    # jobs; SIGTERM (a supervisor) and SIGHUP (terminal closed) end the same way.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGHUP, _interrupt)
    try:
        for service in services:
            print(f"Starting {service.name} (log: {service.log_path.relative_to(REPO_ROOT)})")
            service.start()
        for service in services:
            service.wait_healthy()
            print(f"  {service.name} is up: {service.health_url}")
        if mode != "chat":
            if mode == "interactive":
                print("\nExport & Quit writes into var/interactive/ (docs/conversation-design.md,"
                      " \"Interactive learning\": merge by hand into data/<capability>/).")
            print(f"\nStarting rasa {mode} on {LOOPBACK}:{rasa_port} "
                  "(loading the model takes a minute)…\n")
            return subprocess.call(designer_command(mode, rasa_port), cwd=REPO_ROOT, env=env)
        print(
            f"\nREST:      POST {env['RASA_URL']}/webhooks/rest/webhook"
            f"\nsocket.io: {env['RASA_URL']}/socket.io"
            f"\nSandbox:   {env['COREBANK_URL']}  (demo logins: README.md)"
            f"\nPartners:  {env['PARTNERS_URL']}  (partnersandbox/)"
            f"\nResponses: {env['RESPONSES_URL']}/editor  (staff sign-in: docs/responses.md)"
            "\nIn the chat, `/sms <phone>` shows the login code the sandbox texted.\n"
        )
        return chat.main(["--url", env["RASA_URL"]])
    except KeyboardInterrupt:
        print()
        return 0
    except (RuntimeError, TimeoutError, FileNotFoundError) as exc:
        print(f"Could not start: {exc}", file=sys.stderr)
        return 1
    finally:
        # A second signal (the terminal closing while stopping) must not cut the stop short
        # and leave services holding their ports.
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        print("Stopping everything started by make run…")
        stop_all(services)


if __name__ == "__main__":
    sys.exit(main())
