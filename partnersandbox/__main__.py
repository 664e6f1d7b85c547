"""`python -m partnersandbox`: serve the partners' API stand-in on PARTNERS_HOST:PARTNERS_PORT."""

from __future__ import annotations

import os
import sys


def main() -> int:
    import uvicorn

    uvicorn.run("partnersandbox.app:create_app", factory=True,
                host=os.environ.get("PARTNERS_HOST") or "127.0.0.1",
                port=int(os.environ.get("PARTNERS_PORT") or "8810"),
                log_level=os.environ.get("PARTNERS_LOG_LEVEL") or "warning",
                access_log=False, timeout_graceful_shutdown=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
