"""deploy/: the Kubernetes manifests, rendered by kustomize (base: the whole stack with the
sandboxes; overlays/production: the bank's), validate against the Kubernetes API schemas
(offline: the schemas ship inside `kubernetes-validate`), and hold what production needs:
probes, requests, secrets only from the Secret, pinned images, locked-down containers,
autoscaling and disruption budgets, network policies with exactly the drawn paths, socket.io
affinity, the action server's tables created before it starts, a lean build context.
tests/deploy/test_manifest_environment.py starts the services with the manifests' environment."""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path
from urllib.parse import urlsplit

import kubernetes_validate
import pytest
import yaml

from tests.deploy.rendering import (
    DOCKERFILES,
    ROOT,
    SECRET_EXAMPLE,
    container_command,
    containers,
    find,
    pod_spec,
    render,
    secret_example,
    workloads,
)

KUBERNETES_VERSION = "1.28.0"
SECRET_KEYS = set(secret_example())
VERSION = re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M)[1]
OWN_IMAGES = ("rasa", "action-server", "corebank", "partners", "responses")
RENDERS = ("base", "production")


def all_docs() -> list[tuple[str, dict]]:
    return [(f"{r}:{d['kind']}/{d['metadata']['name']}", d) for r in RENDERS for d in render(r)]


def all_workloads() -> list[tuple[str, dict]]:
    return [(f"{r}:{w['metadata']['name']}", w) for r in RENDERS for w in workloads(render(r))]


@pytest.mark.parametrize("name,doc", all_docs(), ids=[n for n, _ in all_docs()])
def test_manifest_validates_against_the_kubernetes_schema(name: str, doc: dict) -> None:
    kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)  # raises when invalid


def test_the_secret_example_validates_too() -> None:
    kubernetes_validate.validate(yaml.safe_load(SECRET_EXAMPLE.read_text()), KUBERNETES_VERSION,
                                 strict=True)


def test_a_wrong_manifest_is_refused() -> None:
    """The validator really checks: a port that is not a number fails."""
    bad = yaml.safe_load(yaml.safe_dump(workloads(render("base"))[0]))
    bad["spec"]["template"]["spec"]["containers"][0]["ports"] = [{"containerPort": "http"}]
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("name,doc", all_workloads(), ids=[n for n, _ in all_workloads()])
def test_every_container_has_probes_and_resource_requests(name: str, doc: dict) -> None:
    for container in containers(doc, init=False):
        assert "readinessProbe" in container and "livenessProbe" in container, name
    for container in containers(doc):
        requests = container.get("resources", {}).get("requests", {})
        assert {"cpu", "memory"} <= set(requests), (name, container["name"])


@pytest.mark.parametrize("name,doc", all_workloads(), ids=[n for n, _ in all_workloads()])
def test_secrets_come_only_from_kubernetes_secrets(name: str, doc: dict) -> None:
    for container in containers(doc):
        for var in container.get("env", []):
            if var["name"] in SECRET_KEYS:
                assert "secretKeyRef" in var.get("valueFrom", {}), (name, var["name"])
        for source in container.get("envFrom", []):
            assert "secretRef" in source or "configMapRef" in source
    config = find(render(name.split(":")[0]), "ConfigMap", "messenger-bank-config")
    assert not SECRET_KEYS & set(config["data"]), "a secret in the ConfigMap"


@pytest.mark.parametrize("name,doc", all_workloads(), ids=[n for n, _ in all_workloads()])
def test_containers_run_locked_down(name: str, doc: dict) -> None:
    """Non-root, read-only root filesystem, no privilege escalation, no capabilities."""
    pod = pod_spec(doc)["securityContext"]
    assert pod["runAsNonRoot"] is True and pod["runAsUser"] > 0, name
    assert pod["seccompProfile"]["type"] == "RuntimeDefault", name
    for container in containers(doc):
        ctx = container["securityContext"]
        assert ctx["allowPrivilegeEscalation"] is False, (name, container["name"])
        assert ctx["readOnlyRootFilesystem"] is True, (name, container["name"])
        assert ctx["capabilities"]["drop"] == ["ALL"], (name, container["name"])


def test_a_container_without_a_security_context_would_be_caught() -> None:
    doc = yaml.safe_load(yaml.safe_dump(workloads(render("base"))[0]))
    del doc["spec"]["template"]["spec"]["containers"][0]["securityContext"]
    with pytest.raises(KeyError):
        test_containers_run_locked_down("x", doc)


@pytest.mark.parametrize("name,doc", all_workloads(), ids=[n for n, _ in all_workloads()])
def test_images_are_pinned(name: str, doc: dict) -> None:
    """A version (or a digest), never `latest` or no tag; our images carry the project's version,
    and production pulls them from the bank's registry."""
    for container in containers(doc):
        image = container["image"]
        tag = image.rsplit(":", 1)[-1] if ":" in image.split("/")[-1] else ""
        assert "@sha256:" in image or re.fullmatch(r"\d+(\.\d+)+(-[a-z0-9.]+)?", tag), image
        short = image.split("/")[-1].split(":")[0].split("@")[0]
        if short in OWN_IMAGES and "@" not in image:
            assert tag == VERSION, (image, VERSION)
        if name.startswith("production:"):
            assert image.startswith("registry."), image


def test_dockerfiles_pin_their_base_images() -> None:
    for dockerfile in DOCKERFILES.glob("*.Dockerfile"):
        text = dockerfile.read_text()
        for ref in re.findall(r"^(?:FROM|ARG BASE_IMAGE=)\s*(\S+)", text, re.M):
            if ref.startswith("${"):
                continue
            assert "@sha256:" in ref or re.search(r":\d+(\.\d+)+", ref), (dockerfile.name, ref)
            assert ":latest" not in ref


def test_the_services_of_the_stack_are_all_there() -> None:
    base = render("base")
    kinds = {(d["kind"], d["metadata"]["name"]) for d in base}
    for name in ("rasa", "action-server", "corebank", "partners", "responses", "postgres",
                 "redis"):
        assert ("Service", name) in kinds
    assert ("Ingress", "messenger-bank") in kinds
    config = find(base, "ConfigMap", "messenger-bank-config")["data"]
    assert config["PARTNERS_URL"] == "http://partners:8810"
    assert config["RESPONSES_URL"] == "http://responses:5065"
    assert {"PARTNERS_API_KEY", "PARTNERS_ADMIN_TOKEN", "RASA_JWT_SECRET"} <= SECRET_KEYS
    assert "RASA_AUTH_TOKEN" not in SECRET_KEYS  # nothing reads it


def test_production_runs_without_the_sandboxes() -> None:
    prod = render("production")
    names = {d["metadata"]["name"] for d in prod if d["kind"] in ("Deployment", "Service")}
    assert not {"corebank", "partners"} & names
    config = find(prod, "ConfigMap", "messenger-bank-config")["data"]
    for key in ("COREBANK_URL", "PARTNERS_URL"):
        assert urlsplit(config[key]).scheme == "https", key
    hosts = {r["host"] for d in prod if d["kind"] == "Ingress" for r in d["spec"]["rules"]}
    assert hosts == {"chat.bank.example", "responses.bank.internal"}
    # Staff sign in to the editor at the bank's identity provider, not at a sandbox.
    issuer = urlsplit(config["RESPONSES_OIDC_ISSUER"])
    assert issuer.scheme == "https" and "corebank" not in issuer.netloc
    assert not config["RESPONSES_OIDC_BACKCHANNEL_URL"]


@pytest.mark.parametrize("overlay", RENDERS)
def test_the_editor_is_only_on_the_internal_ingress(overlay: str) -> None:
    """Staff reach the editor, its sign-in and the review API on the internal host only; the
    public chat host never routes to the responses service (its /nlg is Rasa's, in-cluster)."""
    docs = render(overlay)
    routes = {(i["spec"]["ingressClassName"], r["host"], p["path"],
               p["backend"]["service"]["name"])
              for i in docs if i["kind"] == "Ingress"
              for r in i["spec"]["rules"] for p in r["http"]["paths"]}
    to_responses = {(cls, host, path) for cls, host, path, svc in routes if svc == "responses"}
    assert to_responses == {("nginx-internal", "responses.bank.internal", path)
                            for path in ("/editor", "/auth", "/api")}
    public = urlsplit(find(docs, "ConfigMap", "messenger-bank-config")["data"]
                      ["RESPONSES_PUBLIC_URL"])
    assert public.scheme == "https" and public.hostname == "responses.bank.internal"


@pytest.mark.parametrize("app", ["rasa", "action-server", "responses"])
@pytest.mark.parametrize("overlay", RENDERS)
def test_the_stateless_services_autoscale_and_keep_a_replica(overlay: str, app: str) -> None:
    docs = render(overlay)
    hpa = find(docs, "HorizontalPodAutoscaler", app)
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment",
                                             "name": app}
    assert hpa["spec"]["minReplicas"] >= 2
    pdb = find(docs, "PodDisruptionBudget", app)
    assert pdb["spec"]["minAvailable"] >= 1
    assert pdb["spec"]["selector"]["matchLabels"] == \
        find(docs, "Deployment", app)["spec"]["selector"]["matchLabels"]


def test_socketio_is_pinned_to_one_rasa_replica() -> None:
    docs = render("base")
    ingresses = [d for d in docs if d["kind"] == "Ingress"]
    routes = {(i["metadata"]["name"], p["path"]) for i in ingresses
              for r in i["spec"]["rules"] for p in r["http"]["paths"]}
    socketio = [name for name, path in routes if path.startswith("/socket.io")]
    assert socketio == ["messenger-bank-socketio"]
    annotations = find(docs, "Ingress", "messenger-bank-socketio")["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert find(docs, "Service", "rasa")["spec"]["sessionAffinity"] == "ClientIP"


def test_the_action_servers_tables_are_created_before_it_starts() -> None:
    deployment = find(render("base"), "Deployment", "action-server")
    (init,) = pod_spec(deployment)["initContainers"]
    (server,) = pod_spec(deployment)["containers"]
    assert container_command(init) == ["python", "-m", "actions.common.db"]
    assert init["image"] == server["image"] and init["envFrom"] == server["envFrom"]


# ---------------------------------------------------------------- network policies

INGRESS_CONTROLLER = "ingress-controller"
# docs/architecture.md: who calls whom (and on which port).
DRAWN = {
    (INGRESS_CONTROLLER, "rasa", 5005), (INGRESS_CONTROLLER, "action-server", 5055),
    (INGRESS_CONTROLLER, "corebank", 8800),
    ("action-server", "rasa", 5005), ("rasa", "action-server", 5055),
    ("corebank", "action-server", 5055),
    ("action-server", "corebank", 8800), ("action-server", "partners", 8810),
    ("rasa", "postgres", 5432), ("action-server", "postgres", 5432),
    ("corebank", "postgres", 5432), ("rasa", "redis", 6379),
    ("rasa", "responses", 5065), (INGRESS_CONTROLLER, "responses", 5065),
    ("responses", "postgres", 5432), ("responses", "corebank", 8800),
}


def allowed_paths(docs) -> set[tuple[str, str, int]]:
    apps = {w["metadata"]["name"] for w in workloads(docs)}
    allowed = set()
    for policy in (d for d in docs if d["kind"] == "NetworkPolicy"):
        target = policy["spec"]["podSelector"].get("matchLabels", {}).get("app.kubernetes.io/name")
        for rule in policy["spec"].get("ingress", []):
            callers = set()
            for peer in rule.get("from", []):
                if "namespaceSelector" in peer:
                    callers.add(INGRESS_CONTROLLER)
                else:
                    callers.add(peer["podSelector"]["matchLabels"]["app.kubernetes.io/name"])
            for port in rule.get("ports", []):
                allowed |= {(c, target, port["port"]) for c in callers
                            if c == INGRESS_CONTROLLER or c in apps}
    return allowed


def test_network_policies_open_exactly_the_drawn_paths() -> None:
    docs = render("base")
    deny = find(docs, "NetworkPolicy", "default-deny-ingress")["spec"]
    assert deny["podSelector"] == {} and deny["policyTypes"] == ["Ingress"]
    assert "ingress" not in deny
    assert allowed_paths(docs) == DRAWN


def test_every_in_cluster_address_of_the_settings_is_reachable_by_its_user() -> None:
    """Each URL of the ConfigMap / Secret names a Service and port of the stack, and the network
    policies let the process that uses it through."""
    docs = render("base")
    config = find(docs, "ConfigMap", "messenger-bank-config")["data"]
    secret = secret_example()
    users = {"COREBANK_URL": "action-server", "PARTNERS_URL": "action-server",
             "ACTION_SERVER_URL": "rasa", "RASA_URL": "action-server",
             "ASSISTANT_WEBHOOK_URL": "corebank", "REDIS_URL": "rasa",
             "TRACKER_DATABASE_URL": "rasa", "ASSISTANT_DATABASE_URL": "action-server",
             "COREBANK_DATABASE_URL": "corebank", "RESPONSES_URL": "rasa",
             "RESPONSES_DATABASE_URL": "responses", "RESPONSES_OIDC_BACKCHANNEL_URL": "responses"}
    services = {(d["metadata"]["name"], p["port"]) for d in docs if d["kind"] == "Service"
                for p in d["spec"]["ports"]}
    allowed = allowed_paths(docs)
    for key, user in users.items():
        url = urlsplit({**config, **secret}[key])
        assert (url.hostname, url.port) in services, key
        assert (user, url.hostname, url.port) in allowed, key


# ---------------------------------------------------------------- images and build context

def dockerignore_admits(path: str) -> bool:
    """Docker's rule: the last matching pattern wins; `!` lets a path back in."""
    admitted = True
    for raw in (ROOT / ".dockerignore").read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        pattern = line.lstrip("!").rstrip("/")
        parts = path.split("/")
        prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
        if pattern.startswith("**/"):
            hit = any(fnmatch.fnmatch(part, pattern[3:]) for part in parts)
        else:
            hit = any(fnmatch.fnmatch(prefix, pattern) for prefix in prefixes)
        if hit:
            admitted = negate
    return admitted


def test_the_build_context_keeps_out_secrets_virtualenvs_and_old_models() -> None:
    for path in (".venv/bin/python", ".env", "var/corebank.db", "models/20260101-old.tar.gz",
                 "results/story_report.json", ".git/config", "tests/e2e/conftest.py"):
        assert not dockerignore_admits(path), path
    assert dockerignore_admits("deploy/model/assistant.tar.gz")
    assert not dockerignore_admits("actions/__pycache__/x.pyc")


@pytest.mark.parametrize("image", OWN_IMAGES)
def test_an_image_definition_per_service(image: str) -> None:
    text = (DOCKERFILES / f"{image}.Dockerfile").read_text()
    assert text.startswith("#") and "FROM ${BASE_IMAGE}" in text
    assert "USER 10001" in text
    for line in text.splitlines():
        if line.startswith("COPY "):
            for source in line.split()[1:-1]:
                assert dockerignore_admits(source.rstrip("/")), (image, source)
                if source != "deploy/model/assistant.tar.gz":  # made by `make release-model`
                    assert list(ROOT.glob(source.rstrip("/"))), source


def test_the_rasa_image_carries_exactly_the_released_model() -> None:
    text = (DOCKERFILES / "rasa.Dockerfile").read_text()
    models = [line for line in text.splitlines() if line.startswith("COPY") and "model" in line]
    assert models == ["COPY deploy/model/assistant.tar.gz models/assistant.tar.gz"]
    rasa = find(render("base"), "Deployment", "rasa")
    command = container_command(pod_spec(rasa)["containers"][0])
    assert command[command.index("--model") + 1] == "/app/models/assistant.tar.gz"


def test_every_variable_rasas_files_need_is_in_the_manifests() -> None:
    """endpoints.yml / credentials.yml expand ${VARS} and Rasa refuses to start when one is
    unset: each must be in the ConfigMap or the Secret."""
    from assistant.rasa_api import SECRET_ENV

    config = find(render("base"), "ConfigMap", "messenger-bank-config")["data"]
    needed = {SECRET_ENV}
    for name in ("endpoints.yml", "credentials.yml"):
        text = re.sub(r"#.*", "", (ROOT / name).read_text())  # comments mention ${VARS}
        needed |= set(re.findall(r"\$\{(\w+)\}", text))
    assert needed <= set(config) | SECRET_KEYS, needed - set(config) - SECRET_KEYS


def test_kustomize_renders_from_the_kubectl_of_the_virtualenv() -> None:
    from tests.deploy.rendering import kubectl

    assert Path(kubectl()).exists()


def test_every_secret_a_service_insists_on_is_in_the_secret() -> None:
    """The secrets each service refuses to start without (their development defaults) are keys
    of the Secret, under the names the code reads (RASA_JWT_SECRET, not RASA_AUTH_TOKEN)."""
    import rasa_sdk_plugins
    from corebank.core import settings as corebank_settings
    from partnersandbox import __main__ as partners_main
    from responses_service import __main__ as responses_main

    insisted = (set(rasa_sdk_plugins.DEV_SECRET_DEFAULTS)
                | set(corebank_settings.DEV_SECRET_DEFAULTS)
                | set(partners_main.DEV_SECRET_DEFAULTS)
                | set(responses_main.DEV_SECRETS))
    assert insisted <= SECRET_KEYS, insisted - SECRET_KEYS
