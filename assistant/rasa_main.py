"""`python -m assistant.rasa_main run ...`: `rasa run` with the HTTP API's JWT secret taken from
the environment (`RASA_JWT_SECRET`), so no secret is on the command line (`ps`,
/proc/<pid>/cmdline show only what the process was started with; the secret is added inside the
process).

The API accepts only `Authorization: Bearer <JWT>` signed with that secret (assistant/rasa_api.py
mints them). Rasa's `--auth-token` is refused here: Rasa reads that token from the URL
(`?token=`), where access logs and httpx's INFO line would print it.

Everything else is passed to Rasa's own command line unchanged.
"""

from __future__ import annotations

import os
import sys

from assistant.rasa_api import ALGORITHM, DEV_SECRET, SECRET_ENV
from assistant.secret_check import refuse_placeholder_secrets

DEV_MODE_ON = ("1", "true", "yes", "on")
REFUSED_FLAGS = ("--auth-token", "--jwt-secret", "--jwt-private-key")


def main() -> None:
    args = sys.argv[1:]
    if any(arg.split("=", 1)[0] in REFUSED_FLAGS for arg in args):
        raise SystemExit(f"assistant.rasa_main: pass the API secret in {SECRET_ENV}, not on the "
                         "command line (and no --auth-token: it travels in URLs).")
    secret = os.environ.get(SECRET_ENV)
    if args[:1] == ["run"]:
        refuse_placeholder_secrets("assistant.rasa_main")
    if args[:1] == ["run"] and "--enable-api" in args:
        if not secret:
            raise SystemExit(f"assistant.rasa_main: --enable-api needs {SECRET_ENV}.")
        if secret == DEV_SECRET and os.environ.get("DEV_MODE", "").lower() not in DEV_MODE_ON:
            raise SystemExit(f"assistant.rasa_main: refusing to start with development secrets: "
                             f"{SECRET_ENV} is its dev default. Set it (`make` writes a random "
                             "one to .env), or set DEV_MODE=1 for a local development run.")
        # "=" form: a secret may start with "-"
        args += [f"--jwt-secret={secret}", f"--jwt-method={ALGORITHM}"]
        harden_jwt_errors()
    sys.argv = ["rasa", *args]
    from rasa.__main__ import main as rasa_main

    rasa_main()


MAX_CLOCK_SKEW_SECONDS = 5


def harden_jwt_errors() -> None:
    """sanic-jwt 1.8 (Rasa's JWT check) turns a bad signature into 401, but:
    - lets PyJWT's other refusals (a token whose header names another algorithm, e.g. "none" or
      HS512; a malformed claim) escape as exceptions, which Rasa answers with 500;
    - accepts a token without `exp`, and an expired one for 3 more minutes (its default leeway).
    - answers an Authorization header that is not "Bearer <token>" (Basic, an empty bearer)
      with its own 400 instead of "not authenticated".
    Here every refusal is a 401, `exp` is required and expired means expired (5 s of clock
    skew)."""
    import time

    import jwt
    from sanic_jwt import exceptions
    from sanic_jwt.authentication import Authentication

    original = Authentication._decode
    original_get_token = Authentication._get_token

    def _get_token(self, request, refresh_token=False):
        try:
            return original_get_token(self, request, refresh_token=refresh_token)
        except exceptions.InvalidAuthorizationHeader:
            raise exceptions.MissingAuthorizationHeader() from None

    Authentication._get_token = _get_token

    async def _decode(self, token, verify=True, inline_claims=None):
        try:
            claims = await original(self, token, verify=verify, inline_claims=inline_claims)
        except jwt.exceptions.DecodeError:
            raise
        except (jwt.exceptions.InvalidTokenError, ValueError, TypeError) as exc:
            raise jwt.exceptions.DecodeError(f"refused: {type(exc).__name__}") from None
        if verify:
            exp = claims.get("exp") if isinstance(claims, dict) else None
            if not isinstance(exp, (int, float)) or exp + MAX_CLOCK_SKEW_SECONDS < time.time():
                raise jwt.exceptions.DecodeError("refused: no exp, or expired")
        return claims

    Authentication._decode = _decode


if __name__ == "__main__":
    main()
