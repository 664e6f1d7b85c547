"""`python -m partnersandbox`: serve the partners' API stand-in on PARTNERS_HOST:PARTNERS_PORT."""

from __future__ import annotations

import os
import re
import sys

# Its secrets with their development defaults (partnersandbox/app.py), and the placeholders of
# deploy/secret.example.yaml: refused at start, like the other services (docs/operations.md).
DEV_SECRET_DEFAULTS = {"PARTNERS_API_KEY": "dev-partners-api-key",
                       "PARTNERS_ADMIN_TOKEN": "dev-partners-admin"}
SECRET_NAME = re.compile(r"^PARTNERS_\w*(_SECRET|_TOKEN|_PASSWORD|_KEY)$")
PLACEHOLDERS = ("change-me", "changeme", "change_me", "replace-me", "replaceme", "replace_me",
                "placeholder")


def refuse_weak_secrets() -> None:
    placeholders = sorted(n for n, v in os.environ.items()
                          if SECRET_NAME.search(n) and any(p in v.lower() for p in PLACEHOLDERS))
    if placeholders:
        raise SystemExit("partnersandbox: refusing to start with placeholder secrets: "
                         + ", ".join(placeholders))
    if os.environ.get("DEV_MODE", "").lower() in ("1", "true", "yes", "on"):
        return
    weak = [n for n, default in DEV_SECRET_DEFAULTS.items()
            if os.environ.get(n, "") in ("", default)]
    if weak:
        raise SystemExit("partnersandbox: refusing to start with development secrets: "
                         + ", ".join(weak) + " unset or at their dev default (set them, or "
                         "DEV_MODE=1 for a local development run).")


def main() -> int:
    import uvicorn

    refuse_weak_secrets()
    uvicorn.run("partnersandbox.app:create_app", factory=True,
                host=os.environ.get("PARTNERS_HOST") or "127.0.0.1",
                port=int(os.environ.get("PARTNERS_PORT") or "8810"),
                log_level=os.environ.get("PARTNERS_LOG_LEVEL") or "warning",
                access_log=False, timeout_graceful_shutdown=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
