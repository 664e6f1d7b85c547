# The sandbox bank (corebank/): migrates its database, seeds the demo customers when empty and
# serves (python -m corebank serve). Not deployed where the bank's real endpoints are used.
#   docker build -f deploy/docker/corebank.Dockerfile -t messenger-bank/corebank .
FROM messenger-bank/base
COPY corebank/ corebank/
COPY alembic.ini ./
USER app
EXPOSE 8800
ENTRYPOINT ["python", "-m", "corebank", "serve"]
