# Rasa (NLU + dialogue), with the trained model baked in: run `make train` first.
#   docker build -f deploy/docker/rasa.Dockerfile -t messenger-bank/rasa .
FROM messenger-bank/base
COPY assistant/ assistant/
COPY nlu_components/ nlu_components/
COPY bankclient/ bankclient/
# the NLG's local fallback: the published catalog and its renderer (assistant/nlg.py)
COPY responses_service/ responses_service/
COPY responses/ responses/
COPY config.yml domain.yml endpoints.yml credentials.yml ./
COPY models/*.tar.gz models/
USER app
EXPOSE 5005
# The API token is read from RASA_AUTH_TOKEN inside the process (assistant/rasa_main.py).
ENTRYPOINT ["python", "-m", "assistant.rasa_main"]
CMD ["run", "--enable-api", "--port", "5005", "--model", "/app/models", \
     "--endpoints", "endpoints.yml", "--credentials", "credentials.yml", \
     "--logging-config-file", "assistant/logging.yml"]
