"""`python -m corebank [serve|migrate|seed]`.

- `migrate`: Alembic upgrade head (corebank/migrations).
- `seed`: demo customers, cards, balances and system accounts (idempotent).
- `serve` (default): migrate, seed if the database is empty, then run uvicorn
  (COREBANK_HOST/COREBANK_PORT, COREBANK_WORKERS worker processes).
"""

from __future__ import annotations

import argparse
import logging
import sys

from corebank.core.settings import REPO_ROOT, get_settings


def migrate() -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config(str(REPO_ROOT / "alembic.ini"))
    cfg.attributes["configure_logging"] = False
    command.upgrade(cfg, "head")


def seed() -> bool:
    from corebank.seed import seed_demo

    return seed_demo()


def serve() -> None:
    import uvicorn

    from corebank.core.settings import refuse_dev_defaults

    refuse_dev_defaults()

    from corebank.core.keys import ensure_keys

    settings = get_settings()
    ensure_keys()  # before forking workers, so they all share one key
    migrate()
    seed()
    uvicorn.run(
        "corebank.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers if settings.workers > 1 else None,
        log_level=settings.log_level,
        access_log=False,
        loop="uvloop",
        http="httptools",
        timeout_graceful_shutdown=3,  # hung (fault-injected) requests must not block exit
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m corebank", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", nargs="?", default="serve", choices=["serve", "migrate", "seed"])
    args = parser.parse_args(argv)
    logging.basicConfig(level=get_settings().log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.command == "migrate":
        migrate()
        print("corebank: database migrated")
    elif args.command == "seed":
        migrate()
        print("corebank: demo data seeded" if seed() else "corebank: demo data already present")
    else:
        serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
