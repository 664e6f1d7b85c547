"""Each service started with exactly the environment the manifests give it, and seen healthy.

No container engine here: the Python processes the images would run are started directly, with
the command of their image (Dockerfile ENTRYPOINT/CMD, the manifest's command/args) and ONLY the
environment Kubernetes would give them: the ConfigMap and the Secret of deploy/ (envFrom), then
the container's own `env` (plus PATH, which an image has). What is changed, and nothing else:
- the Secret's `change-me` placeholders become random values (the vault key a Fernet key; the
  PostgreSQL password the same in every database URL);
- cluster addresses become loopback ones: a Service name (corebank:8800, partners:8810, …) the
  local process's port; the database URLs throwaway databases of the local PostgreSQL; Redis
  the local one; listen addresses 127.0.0.1 instead of 0.0.0.0 (loopback only, like every test);
- in-image paths become temporary directories (/var/lib/…), the model the newest of models/;
- a browser (staff at the responses editor) reaches the public hosts of the Ingresses through a
  transport that routes each host to the process its Ingress names.
With the Secret exactly as shipped, every service refuses to start (placeholders).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from sqlalchemy import create_engine, inspect

from corebank.devserver import throwaway_postgres
from scripts.services import LOOPBACK, REPO_ROOT, Service, free_port, newest_model
from tests.deploy.rendering import (
    container_command,
    container_env,
    containers,
    find,
    render,
    secret_example,
)
from tests.fixtures.services import missing_service, require_postgres, require_redis

pytestmark = pytest.mark.e2e  # Rasa loads the trained model

PLACEHOLDER = "change-me"
LOCAL_REDIS = "127.0.0.1:6379"
HEALTH = {"corebank": "/health", "partners": "/health", "action-server": "/health",
          "responses": "/health", "rasa": "/webhooks/rest/"}
# What the Ingresses of 50-ingress.yaml route a public host to (a browser's view of the stack).
INGRESS_HOSTS = {"sandbox.bank.example": "corebank", "responses.bank.internal": "responses"}


def real_secret() -> dict[str, str]:
    from cryptography.fernet import Fernet

    password = secrets.token_urlsafe(16)
    values = {}
    for key, value in secret_example().items():
        if key == "COREBANK_VAULT_KEY":
            values[key] = Fernet.generate_key().decode()
        elif key == "POSTGRES_PASSWORD":
            values[key] = password
        elif key.endswith("DATABASE_URL"):
            values[key] = value.replace(PLACEHOLDER, password)
        else:
            values[key] = value.replace(PLACEHOLDER, secrets.token_urlsafe(24))
    return values


class Cluster:
    """Service names of the manifests → where the local processes listen."""

    def __init__(self, databases: dict[str, str], workdir: Path) -> None:
        self.ports = {name: free_port() for name in HEALTH}
        self.databases = databases  # database name in the manifests → local throwaway URL
        self.workdir = workdir

    def address(self, value: str) -> str:
        url = urlsplit(value)
        if url.scheme.startswith("postgresql") and url.hostname == "postgres":
            return self.databases[url.path.lstrip("/")]
        if url.scheme == "redis" and url.hostname == "redis":
            return urlunsplit(url._replace(netloc=LOCAL_REDIS))
        if url.scheme == "http" and url.hostname in self.ports:
            return urlunsplit(url._replace(netloc=f"{LOOPBACK}:{self.ports[url.hostname]}"))
        return value

    def environment(self, app: str, env: dict[str, str]) -> dict[str, str]:
        local = {key: self.address(value) for key, value in env.items()}
        for key, value in env.items():
            if value == "0.0.0.0":
                local[key] = LOOPBACK
            elif key.endswith("_PORT") and app in self.ports:
                local[key] = str(self.ports[app])
            elif value.startswith("/var/lib/"):
                local[key] = str(self.workdir / app / Path(value).name)
                (self.workdir / app).mkdir(exist_ok=True)
        if app == "action-server":
            local["SANIC_HOST"] = LOOPBACK  # rasa-sdk listens on 0.0.0.0 unless told
        return {"PATH": os.environ["PATH"], **local}

    def ingress(self) -> httpx.BaseTransport:
        """A browser's connections to the public hosts, as the Ingresses route them."""
        cluster = self

        class Routed(httpx.HTTPTransport):
            def handle_request(self, request: httpx.Request) -> httpx.Response:
                assert request.url.host in INGRESS_HOSTS, \
                    f"the browser was sent to {request.url}, which no Ingress serves"
                port = cluster.ports[INGRESS_HOSTS[request.url.host]]
                routed = httpx.Request(request.method, request.url.copy_with(
                    scheme="http", host=LOOPBACK, port=port), headers=request.headers,
                    stream=request.stream, extensions=request.extensions)
                return super().handle_request(routed)

        return Routed()

    def command(self, app: str, command: list[str]) -> list[str]:
        venv = Path(sys.executable).parent
        local = [sys.executable if command[0] == "python" else
                 str(venv / command[0]) if command[0] == "rasa" else command[0], *command[1:]]
        if "--port" in local:
            local[local.index("--port") + 1] = str(self.ports[app])
        if "--model" in local:
            local[local.index("--model") + 1] = str(newest_model())
        if app == "rasa":
            local += ["--interface", LOOPBACK]
        return local


def service_for(cluster: Cluster, docs, app: str, secret: dict[str, str]) -> Service:
    (container,) = containers(find(docs, "Deployment", app), init=False)
    return Service(name=app, health_url=f"http://{LOOPBACK}:{cluster.ports[app]}{HEALTH[app]}",
                   command=cluster.command(app, container_command(container)),
                   env=cluster.environment(app, container_env(docs, container, secret)),
                   log_path=cluster.workdir / f"{app}.log",
                   startup_timeout=600.0 if app == "rasa" else 90.0)


def start_exactly(service: Service) -> Service:
    """Service.start() adds the test's own environment: here the child gets only service.env."""
    log = open(service.log_path, "ab")  # noqa: SIM115 - the child owns it
    service.process = subprocess.Popen(service.command, cwd=REPO_ROOT, env=dict(service.env),
                                       stdin=subprocess.DEVNULL, stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    return service


@pytest.fixture(scope="module")
def deployed():
    require_postgres()
    require_redis(f"redis://{LOCAL_REDIS}/1")
    if newest_model() is None:
        missing_service("no trained model in models/: run `make train`")
    docs = render("base")
    secret = real_secret()
    with ExitStack() as stack:
        databases = {"assistant": stack.enter_context(throwaway_postgres("deploy_assistant")),
                     "corebank": stack.enter_context(throwaway_postgres("deploy_corebank"))}
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="deploy-")))
        cluster = Cluster(databases, workdir)
        services = {app: service_for(cluster, docs, app, secret) for app in HEALTH}
        stack.callback(lambda: [s.stop() for s in services.values()])

        # The action server's init container runs first, alone.
        deployment = find(docs, "Deployment", "action-server")
        (init,) = deployment["spec"]["template"]["spec"]["initContainers"]
        init_run = subprocess.run(
            cluster.command("action-server", container_command(init)), cwd=REPO_ROOT,
            env=cluster.environment("action-server", container_env(docs, init, secret)),
            capture_output=True, text=True, timeout=180)
        for app in ("corebank", "partners", "action-server", "responses", "rasa"):
            start_exactly(services[app])
        for service in services.values():
            service.wait_healthy()
        yield services, init_run, databases


def test_the_init_container_creates_the_action_servers_tables(deployed) -> None:
    _, init_run, databases = deployed
    assert init_run.returncode == 0, init_run.stdout + init_run.stderr
    tables = set(inspect(create_engine(databases["assistant"])).get_table_names())
    assert {"handoff_requests", "processed_bank_events", "media_blobs"} <= tables


def test_every_service_is_healthy_with_the_manifests_environment(deployed) -> None:
    services, _, _ = deployed
    for service in services.values():
        assert service.process.poll() is None, service.log_tail()
        assert httpx.get(service.health_url, timeout=5).status_code == 200, service.name


def test_the_services_agree_on_their_shared_secrets(deployed) -> None:
    """Rasa's API takes RASA_JWT_SECRET; Rasa reaches the action server with ACTION_SERVER_TOKEN
    and the action server the bank with the COREBANK_* credentials; the partners sandbox takes
    the PARTNERS_* keys: all from the one Secret."""
    from assistant.rasa_api import api_headers

    services, _, _ = deployed
    rasa = services["rasa"].env
    rasa_url = f"http://{LOOPBACK}:{urlsplit(services['rasa'].health_url).port}"
    assert httpx.get(f"{rasa_url}/status", timeout=10).status_code == 401
    headers = api_headers(rasa["RASA_JWT_SECRET"])
    assert httpx.get(f"{rasa_url}/status", headers=headers, timeout=10).status_code == 200
    # The login gate's custom action: Rasa → action server (ACTION_SERVER_TOKEN) → the bank.
    asked = httpx.post(f"{rasa_url}/conversations/deploy-check/trigger_intent",
                       json={"name": "check_balance"}, headers=headers, timeout=120)
    assert asked.status_code == 200, asked.text
    assert asked.json()["messages"], "no answer: the custom action did not run"
    rasa_log = services["rasa"].log_tail(200)
    for failure in ("Failed to execute custom action", "Traceback", " 401"):
        assert failure not in rasa_log, rasa_log
    assert "Traceback" not in services["action-server"].log_tail(200)

    bank = services["action-server"].env
    token = httpx.post(
        f"{bank['COREBANK_URL']}/realms/{bank['COREBANK_REALM']}/protocol/openid-connect/token",
        data={"grant_type": "client_credentials", "client_id": bank["COREBANK_CLIENT_ID"],
              "client_secret": bank["COREBANK_CLIENT_SECRET"]}, timeout=10)
    assert token.status_code == 200, token.text

    partners_url = bank["PARTNERS_URL"]
    stats = httpx.get(f"{partners_url}/sandbox/stats", timeout=10,
                      headers={"X-Sandbox-Token": services["partners"].env["PARTNERS_ADMIN_TOKEN"]})
    assert stats.status_code == 200
    keyed = httpx.post(f"{partners_url}/v1/partners/game_arena/promo-codes", json={},
                       headers={"X-Api-Key": bank["PARTNERS_API_KEY"]}, timeout=10)
    assert keyed.status_code != 401, keyed.text


@pytest.mark.parametrize("app", list(HEALTH))
def test_the_secret_as_shipped_is_refused(app: str, tmp_path: Path) -> None:
    """deploy/secret.example.yaml's `change-me` values: the service exits at once, naming them."""
    docs = render("base")
    cluster = Cluster({"assistant": "sqlite://", "corebank": "sqlite://"}, tmp_path)
    service = service_for(cluster, docs, app, secret_example())
    service.env = {**service.env, **{k: v for k, v in secret_example().items()
                                     if k.endswith("DATABASE_URL")}}
    start_exactly(service)
    try:
        code = service.process.wait(timeout=120)
    finally:
        service.stop()
    log = service.log_tail(40)
    assert code != 0 and "placeholder" in log, log
    assert PLACEHOLDER not in log.replace(f"`{PLACEHOLDER}`", ""), "a secret value in the log"


def staff_browser(services: dict[str, Service], username: str) -> tuple[httpx.Client, str]:
    """A member of staff signed in to the editor at its public address, through the identity
    provider the manifests name (the browser's side: the issuer's host; the service's side: the
    back channel), with the sandbox's staff password from the Secret. (client, CSRF token)"""
    import re
    from html import unescape

    editor_url = services["responses"].env["RESPONSES_PUBLIC_URL"]
    cluster_ports = {app: urlsplit(service.health_url).port for app, service in services.items()}
    cluster = Cluster({}, Path())
    cluster.ports = cluster_ports
    browser = httpx.Client(base_url=editor_url, transport=cluster.ingress(), timeout=30)
    page = browser.get("/auth/login", follow_redirects=True)
    issuer = services["responses"].env["RESPONSES_OIDC_ISSUER"]
    assert page.status_code == 200 and str(page.url).startswith(issuer), page.text[:300]
    fields = {k: unescape(v) for k, v in re.findall(r'name="([a-z_]+)" value="([^"]*)"',
                                                       page.text)}
    password = services["corebank"].env["SANDBOX_STAFF_PASSWORD"]
    signed = browser.post(str(page.url), data={**fields, "username": username,
                                               "password": password})
    assert signed.status_code == 303, signed.text[:300]
    callback = browser.get(signed.headers["location"])
    assert callback.status_code == 303, callback.text[:300]  # the code exchanged, tokens checked
    editor = browser.get("/editor")
    assert editor.status_code == 200, editor.text[:300]
    return browser, re.search(r'const CSRF = "([^"]+)";', editor.text).group(1)


def test_a_reviewed_change_is_what_rasa_answers(deployed) -> None:
    """The editor's sign-in works with the manifests' OIDC settings (the sandbox's public host,
    the in-cluster back channel, the client secret and redirect URI both sides share); a change
    proposed by a designer and approved by a reviewer is what Rasa renders next, through the
    responses service (RESPONSES_URL, RESPONSES_SERVICE_TOKEN)."""
    from assistant.rasa_api import api_headers

    services, _, _ = deployed
    designer, designer_csrf = staff_browser(services, "dana")
    reviewer, reviewer_csrf = staff_browser(services, "rita")
    marker = f"See you soon ({secrets.token_hex(4)})"
    change = designer.post("/api/responses/en/utter_goodbye/changes",
                           json={"content": [{"text": marker}]},
                           headers={"X-CSRF-Token": designer_csrf})
    assert change.status_code == 201, change.text
    approved = reviewer.post(f"/api/changes/{change.json()['id']}/approve",
                             headers={"X-CSRF-Token": reviewer_csrf})
    assert approved.status_code == 200, approved.text

    rasa_url = f"http://{LOOPBACK}:{urlsplit(services['rasa'].health_url).port}"
    reply = httpx.post(f"{rasa_url}/conversations/deploy-goodbye/trigger_intent",
                       json={"name": "goodbye"}, timeout=60,
                       headers=api_headers(services["rasa"].env["RASA_JWT_SECRET"]))
    assert reply.status_code == 200, reply.text
    assert [m.get("text") for m in reply.json()["messages"]] == [marker]
    assert "Traceback" not in services["responses"].log_tail(200)
