"""rasa-sdk plugin: loaded by `rasa run actions` (rasa_sdk.plugin imports `rasa_sdk_plugins`).

It adds to the action server what rasa-sdk lacks:
- authentication: every call except the health check must carry
  `Authorization: Bearer $ACTION_SERVER_TOKEN` (Rasa sends it, see endpoints.yml);
- log redaction (assistant.log_filter), in case the server was started without
  `--logging-config-file assistant/logging.yml`;
- extra routes: the blueprints listed in `EXTRA_BLUEPRINTS` of each module in
  `EXTRA_BLUEPRINT_MODULES` (the bank's webhook receiver, the published pictures), if the
  actions package is there. Those routes do their own authentication (HMAC signatures,
  unguessable names), so the bearer check applies only to rasa-sdk's own routes.

The package must be importable from the working directory: `rasa run actions` puts the current
directory on sys.path, so start it from the repository root.
"""

from __future__ import annotations

import hmac
import importlib
import logging
import os
import re

import pluggy
from sanic import Sanic, response
from sanic.exceptions import MethodNotSupported, NotFound
from sanic.request import Request

from assistant.log_filter import install as install_log_redaction
from assistant.secret_check import refuse_placeholder_secrets

hookimpl = pluggy.HookimplMarker("rasa_sdk")
logger = logging.getLogger(__name__)

TOKEN_ENV = "ACTION_SERVER_TOKEN"
DEFAULT_TOKEN = "dev-action-token"
# rasa-sdk's own routes; only /health stays open (liveness probes carry no secret).
PROTECTED_PATHS = ("/webhook", "/actions")
EXTRA_BLUEPRINT_MODULES = ("actions.notifications.webhooks", "actions.common.media")


def expected_token() -> str:
    return os.environ.get(TOKEN_ENV) or DEFAULT_TOKEN


def _bearer(request: Request) -> str:
    scheme, _, value = (request.headers.get("Authorization") or "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def is_authorized(request: Request, token: str) -> bool:
    # Constant-time comparison: response timing must not reveal how much of a guess was right.
    return hmac.compare_digest(_bearer(request).encode(), token.encode())


def _is_protected(path: str) -> bool:
    path = path.rstrip("/") or "/"
    return any(path == p or path.startswith(p + "/") for p in PROTECTED_PATHS)


_ACTION_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,100}$")


def _action_name(request: Request) -> str | None:
    """The called action's name when the body names one plausibly (nothing else is read)."""
    try:
        body = request.json
    except Exception:  # an unreadable body: no name to give
        return None
    name = body.get("next_action") if isinstance(body, dict) else None
    return name if isinstance(name, str) and _ACTION_NAME.match(name) else None


def extra_blueprints() -> list:
    blueprints: list = []
    for name in EXTRA_BLUEPRINT_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name and not name.startswith(f"{exc.name}."):
                raise  # the module exists but one of its imports is broken: say so loudly
            continue
        blueprints += getattr(module, "EXTRA_BLUEPRINTS", [])
    return blueprints


# Secrets of the action server with a development default (docs/architecture.md).
DEV_SECRET_DEFAULTS = {
    "ACTION_SERVER_TOKEN": DEFAULT_TOKEN,
    "BANK_WEBHOOK_SECRET": "dev-webhook-secret",
    "RASA_JWT_SECRET": "dev-rasa-jwt-secret-0123456789abcdef",
    "COREBANK_CLIENT_SECRET": "dev-client-secret",
    "COREBANK_SOAP_PASSWORD": "dev-soap-password",
    "SLOT_SEALING_KEY": "dev-slot-sealing-key",
}


def refuse_dev_defaults() -> None:
    """Stop when a secret is a placeholder (always), or unset or its development default
    (unless DEV_MODE=1)."""
    refuse_placeholder_secrets("action server")
    if os.environ.get("DEV_MODE", "").lower() in ("1", "true", "yes", "on"):
        return
    weak = [name for name, default in DEV_SECRET_DEFAULTS.items()
            if os.environ.get(name, "") in ("", default)]
    if weak:
        raise SystemExit(
            "action server: refusing to start with development secrets: " + ", ".join(weak)
            + " unset or at their dev default. Set them (`make` writes random ones to .env: "
            "`set -a; . ./.env; set +a`), or set DEV_MODE=1 for a local development run."
        )


@hookimpl
def attach_sanic_app_extensions(app: Sanic) -> None:
    install_log_redaction()
    refuse_dev_defaults()
    token = expected_token()
    if token == DEFAULT_TOKEN:
        logger.warning("ACTION_SERVER_TOKEN is not set: using the development default.")

    @app.middleware("request")
    async def require_action_token(request: Request):
        if _is_protected(request.path) and not is_authorized(request, token):
            return response.json(
                {"error": {"code": "unauthorized", "message": "Missing or wrong bearer token."}},
                status=401,
                headers={"WWW-Authenticate": 'Bearer realm="action-server"'},
            )
        return None

    # rasa-sdk's catch-all handler answers every exception with 500, an unknown path too:
    # routing errors get their own status (404 / 405), without echoing the request body.
    @app.exception(NotFound, MethodNotSupported)
    async def routing_error(request: Request, exception):
        status = 405 if isinstance(exception, MethodNotSupported) else 404
        code = "method_not_allowed" if status == 405 else "not_found"
        return response.json({"error": {"code": code, "message": "No such route."}},
                             status=status)

    # rasa-sdk's catch-all answers an action's exception with the whole action call (the
    # conversation's tracker) in the body, which Rasa then logs at ERROR: the answer says what
    # failed and nothing else (the traceback goes to this server's redacted log).
    @app.exception(Exception)
    async def action_failed(request: Request, exception: Exception):
        logger.error("Action %s failed with %s", _action_name(request),
                     type(exception).__name__, exc_info=exception)
        return response.json(
            {"error": {"code": "action_failed", "action_name": _action_name(request),
                       "message": f"The action failed ({type(exception).__name__})."}},
            status=500)

    for blueprint in extra_blueprints():
        app.blueprint(blueprint)
        logger.info("Action server: extra routes from blueprint %r", blueprint.name)


def init_hooks(manager: pluggy.PluginManager) -> None:
    """Called by rasa_sdk.plugin when it discovers this package."""
    import sys

    manager.register(sys.modules[__name__])
