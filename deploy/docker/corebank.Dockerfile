# The sandbox bank (corebank/): migrates its database, seeds the demo customers when empty and
# serves (python -m corebank serve). Not deployed where the bank's real endpoints are used.
#   docker build -f deploy/docker/corebank.Dockerfile -t messenger-bank/corebank:0.1.0 .
ARG BASE_IMAGE=messenger-bank/base:0.1.0
FROM ${BASE_IMAGE}
COPY corebank/ corebank/
COPY alembic.ini ./
USER 10001:10001
EXPOSE 8800
ENTRYPOINT ["python", "-m", "corebank", "serve"]
