# The action server (rasa_sdk) with the actions and the bank client.
#   docker build -f deploy/docker/action-server.Dockerfile -t messenger-bank/action-server:0.1.0 .
ARG BASE_IMAGE=messenger-bank/base:0.1.0
FROM ${BASE_IMAGE}
COPY actions/ actions/
COPY bankclient/ bankclient/
COPY rasa_sdk_plugins/ rasa_sdk_plugins/
COPY assistant/ assistant/
COPY domain.yml ./
USER 10001:10001
EXPOSE 5055
# Its tables: `python -m actions.common.db` (the Deployment's init container).
ENTRYPOINT ["rasa", "run", "actions", "--actions", "actions", "--port", "5055", \
            "--logging-config-file", "assistant/logging.yml"]
