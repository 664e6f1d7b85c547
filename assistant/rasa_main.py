"""`python -m assistant.rasa_main run ...`: `rasa run` with the HTTP API's token taken from the
environment (`RASA_AUTH_TOKEN`), so no secret is on the command line (`ps`, /proc/<pid>/cmdline
show only what the process was started with; the token is added inside the process).

Everything else is passed to Rasa's own command line unchanged.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    args = sys.argv[1:]
    if any(arg.startswith("--auth-token") for arg in args):
        raise SystemExit("assistant.rasa_main: pass the token in RASA_AUTH_TOKEN, not on the "
                         "command line.")
    token = os.environ.get("RASA_AUTH_TOKEN")
    if args[:1] == ["run"] and "--enable-api" in args:
        if not token:
            raise SystemExit("assistant.rasa_main: --enable-api needs RASA_AUTH_TOKEN.")
        args.append(f"--auth-token={token}")  # "=" form: a token may start with "-"
    sys.argv = ["rasa", *args]
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
