# Rasa (NLU + dialogue) with exactly one trained model baked in: `make release-model` copies the
# newest model of models/ to deploy/model/assistant.tar.gz (models/ itself is not in the build
# context: .dockerignore), so no stale model ships.
#   make release-model
#   docker build -f deploy/docker/rasa.Dockerfile -t messenger-bank/rasa:0.1.0 .
ARG BASE_IMAGE=messenger-bank/base:0.1.0
FROM ${BASE_IMAGE}
COPY assistant/ assistant/
COPY nlu_components/ nlu_components/
COPY bankclient/ bankclient/
# the NLG's local fallback: the published catalog and its renderer (assistant/nlg.py)
COPY responses_service/ responses_service/
COPY responses/ responses/
COPY config.yml domain.yml endpoints.yml credentials.yml ./
COPY deploy/model/assistant.tar.gz models/assistant.tar.gz
USER 10001:10001
EXPOSE 5005
# The API's JWT secret is read from RASA_JWT_SECRET inside the process (assistant/rasa_main.py).
ENTRYPOINT ["python", "-m", "assistant.rasa_main"]
CMD ["run", "--enable-api", "--port", "5005", "--model", "/app/models/assistant.tar.gz", \
     "--endpoints", "endpoints.yml", "--credentials", "credentials.yml", \
     "--logging-config-file", "assistant/logging.yml"]
