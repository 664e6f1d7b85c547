"""`rasa interactive` that cannot damage the project's layout or be reached from the network
(`make interactive` runs it; docs/conversation-design.md, "Interactive learning").

Rasa 3.6's interactive learning, unchanged except for three things it has no option for:
- **export into a scratch directory**: "Export & Quit" proposes var/interactive/{stories,nlu,
  domain}.yml instead of data/stories.yml, data/nlu.yml and domain.yml (its domain export would
  rewrite domain.yml without the capability sections and comments). A designer merges what is
  worth keeping into data/<capability>/ and domain.yml by hand;
- **loopback only**: its server (and the story visualisation) always listen on 0.0.0.0 in Rasa
  3.6; here on 127.0.0.1;
- **authentication**: its server enables Rasa's HTTP API with no authentication at all; here the
  API requires a JWT signed with a secret made for this session (Rasa's `jwt_secret`), and the
  interactive client itself sends one.

`python -m scripts.interactive [rasa interactive options]` (the model, endpoints and port are
given by scripts/run.py).
"""

from __future__ import annotations

import secrets
import sys
from functools import wraps

from scripts.services import LOOPBACK, REPO_ROOT

SCRATCH = REPO_ROOT / "var" / "interactive"
EXPORT_PATHS = {
    "stories": SCRATCH / "stories.yml",
    "nlu": SCRATCH / "nlu.yml",
    "domain": SCRATCH / "domain.yml",
    "backup": SCRATCH / "nlu_interactive.yml",
}
SESSION_TTL_SECONDS = 12 * 3600


def install(secret: str) -> None:
    """Patch Rasa's interactive learning (this process only) as described above."""
    from rasa.core import run as core_run
    from rasa.core.training import interactive
    from rasa.utils.endpoints import EndpointConfig
    from sanic import Sanic

    from assistant.rasa_api import ALGORITHM, api_headers

    SCRATCH.mkdir(parents=True, exist_ok=True)
    original_export_info = interactive._request_export_info

    # `rasa interactive` sets PATHS["domain"] from --domain just before serving: the scratch
    # paths are put back when the export questions are asked.
    @wraps(original_export_info)
    async def export_info_to_scratch():
        interactive.PATHS.update({key: str(path) for key, path in EXPORT_PATHS.items()})
        return await original_export_info()

    interactive._request_export_info = export_info_to_scratch

    original_run = Sanic.run

    @wraps(original_run)
    def run_on_loopback(self, *args, **kwargs):
        kwargs["host"] = LOOPBACK
        return original_run(self, *args, **kwargs)

    Sanic.run = run_on_loopback

    original_configure_app = core_run.configure_app

    @wraps(original_configure_app)
    def configure_app_with_jwt(*args, **kwargs):
        kwargs.update(jwt_secret=secret, jwt_method=ALGORITHM)
        return original_configure_app(*args, **kwargs)

    core_run.configure_app = configure_app_with_jwt

    def endpoint_with_token(*args, **kwargs):
        headers = {**(kwargs.pop("headers", None) or {}),
                   **api_headers(secret, ttl_seconds=SESSION_TTL_SECONDS)}
        return EndpointConfig(*args, headers=headers, **kwargs)

    interactive.EndpointConfig = endpoint_with_token


def main(argv: list[str]) -> int:
    install(secrets.token_urlsafe(32))
    sys.argv = ["rasa", "interactive", *argv]
    from rasa.__main__ import main as rasa_main

    rasa_main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
