"""`python -m responses_service`: serve on RESPONSES_HOST:RESPONSES_PORT (127.0.0.1:5065)."""

from __future__ import annotations

import os
import sys

DEV_SECRETS = {"RESPONSES_SERVICE_TOKEN": "dev-responses-service-token",
               "RESPONSES_SESSION_KEY": "dev-responses-session-key"}


def main() -> int:
    import uvicorn

    from assistant.secret_check import refuse_placeholder_secrets

    # `change-me` from deploy/secret.example.yaml: refused even in DEV_MODE (like the others)
    refuse_placeholder_secrets("responses service")
    dev_mode = os.environ.get("DEV_MODE", "").lower() in ("1", "true", "yes", "on")
    weak = [k for k, v in DEV_SECRETS.items() if os.environ.get(k, "") in ("", v)]
    if weak and not dev_mode:
        raise SystemExit("responses service: refusing to start with development secrets: "
                         + ", ".join(weak) + " (make writes random ones to .env; DEV_MODE=1 "
                         "for a local development run)")

    uvicorn.run("responses_service.app:create_app", factory=True,
                host=os.environ.get("RESPONSES_HOST") or "127.0.0.1",
                port=int(os.environ.get("RESPONSES_PORT") or "5065"),
                log_level=os.environ.get("RESPONSES_LOG_LEVEL") or "warning",
                access_log=False, timeout_graceful_shutdown=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
