# The partners sandbox (partnersandbox/): the stand-in for the partners' promo-code API.
# Not deployed where the partners' real endpoints are used.
#   docker build -f deploy/docker/partners.Dockerfile -t messenger-bank/partners:0.1.0 .
ARG BASE_IMAGE=messenger-bank/base:0.1.0
FROM ${BASE_IMAGE}
COPY partnersandbox/ partnersandbox/
USER 10001:10001
EXPOSE 8810
ENTRYPOINT ["python", "-m", "partnersandbox"]
