# The action server (rasa_sdk) with the actions and the bank client.
#   docker build -f deploy/docker/action-server.Dockerfile -t messenger-bank/action-server .
FROM messenger-bank/base
COPY actions/ actions/
COPY bankclient/ bankclient/
COPY rasa_sdk_plugins/ rasa_sdk_plugins/
COPY assistant/ assistant/
COPY domain.yml ./
USER app
EXPOSE 5055
ENTRYPOINT ["rasa", "run", "actions", "--actions", "actions", "--port", "5055", \
            "--logging-config-file", "assistant/logging.yml"]
