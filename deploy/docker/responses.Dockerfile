# The responses service (responses_service/): the reviewed catalog (seeded into its database on
# start), Rasa's NLG endpoint, the review API and the designers' editor (docs/responses.md).
#   docker build -f deploy/docker/responses.Dockerfile -t messenger-bank/responses:0.1.0 .
ARG BASE_IMAGE=messenger-bank/base:0.1.0
FROM ${BASE_IMAGE}
COPY responses_service/ responses_service/
COPY responses/ responses/
# the placeholder-secret check it shares with Rasa and the action server
COPY assistant/__init__.py assistant/secret_check.py assistant/
USER 10001:10001
EXPOSE 5065
ENTRYPOINT ["python", "-m", "responses_service"]
