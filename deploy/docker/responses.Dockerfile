# The responses service: the catalog (seeded into its database on start), NLG, review API, editor.
#   docker build -f deploy/docker/responses.Dockerfile -t messenger-bank/responses .
FROM messenger-bank/base
COPY responses_service/ responses_service/
COPY responses/ responses/
USER app
EXPOSE 5065
ENTRYPOINT ["python", "-m", "responses_service"]
