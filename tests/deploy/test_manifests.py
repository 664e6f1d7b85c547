"""deploy/: the Kubernetes manifests validate against the Kubernetes API schemas (offline: the
schemas ship inside the `kubernetes-validate` package), and hold what production needs: probes,
resource requests, secrets only from Kubernetes Secrets, an image definition per service."""

from __future__ import annotations

from pathlib import Path

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
KUBERNETES_VERSION = "1.28.0"
# Every key of the Secret (deploy/secret.example.yaml): never a literal value in a manifest.
SECRET_KEYS = set(
    yaml.safe_load((ROOT / "deploy" / "secret.example.yaml").read_text())["stringData"]
)


def documents() -> list[tuple[str, dict]]:
    found = []
    for path in sorted(K8S.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                found.append((f"{path.name}:{doc['kind']}/{doc['metadata']['name']}", doc))
    return found


def workloads() -> list[tuple[str, dict]]:
    return [(n, d) for n, d in documents() if d["kind"] in ("Deployment", "StatefulSet")]


@pytest.mark.parametrize("name,doc", documents(), ids=[n for n, _ in documents()])
def test_manifest_validates_against_the_kubernetes_schema(name: str, doc: dict) -> None:
    kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)  # raises when invalid


def test_the_secret_example_validates_too() -> None:
    doc = yaml.safe_load((ROOT / "deploy" / "secret.example.yaml").read_text())
    kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_a_wrong_manifest_is_refused() -> None:
    """The validator really checks: a port that is not a number fails."""
    bad = dict(workloads()[0][1])
    bad = yaml.safe_load(yaml.safe_dump(bad))
    bad["spec"]["template"]["spec"]["containers"][0]["ports"] = [{"containerPort": "http"}]
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("name,doc", workloads(), ids=[n for n, _ in workloads()])
def test_every_container_has_probes_and_resource_requests(name: str, doc: dict) -> None:
    for container in doc["spec"]["template"]["spec"]["containers"]:
        assert "readinessProbe" in container and "livenessProbe" in container, name
        requests = container.get("resources", {}).get("requests", {})
        assert {"cpu", "memory"} <= set(requests), name


@pytest.mark.parametrize("name,doc", workloads(), ids=[n for n, _ in workloads()])
def test_secrets_come_only_from_kubernetes_secrets(name: str, doc: dict) -> None:
    for container in doc["spec"]["template"]["spec"]["containers"]:
        for var in container.get("env", []):
            if var["name"] in SECRET_KEYS:
                assert "secretKeyRef" in var.get("valueFrom", {}), (name, var["name"])
        for source in container.get("envFrom", []):
            assert "secretRef" in source or "configMapRef" in source
    config = next(d for _, d in documents() if d["metadata"]["name"] == "messenger-bank-config")
    assert not SECRET_KEYS & set(config["data"]), "a secret in the ConfigMap"


def test_the_services_of_the_stack_are_all_there() -> None:
    kinds = {(d["kind"], d["metadata"]["name"]) for _, d in documents()}
    for name in ("rasa", "action-server", "responses", "corebank", "postgres", "redis"):
        assert ("Service", name) in kinds
    assert ("Ingress", "messenger-bank") in kinds
    rasa = next(d for _, d in documents() if d["kind"] == "Deployment" and
                d["metadata"]["name"] == "rasa")  # fmt: skip
    assert rasa["spec"]["replicas"] >= 2


@pytest.mark.parametrize("image", ["rasa", "action-server", "responses", "corebank"])
def test_an_image_definition_per_service(image: str) -> None:
    dockerfile = ROOT / "deploy" / "docker" / f"{image}.Dockerfile"
    text = dockerfile.read_text()
    assert text.startswith("#") and "FROM messenger-bank/base" in text
    for line in text.splitlines():
        if line.startswith("COPY "):
            for source in line.split()[1:-1]:
                assert list(ROOT.glob(source.rstrip("/"))) or source.startswith("models/"), source
