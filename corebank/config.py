"""Settings from the environment; defaults follow docs/architecture.md (safe on loopback only)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = REPO_ROOT / "var"


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _seconds(seconds_var: str, minutes_var: str, default_minutes: float) -> float:
    """Tests shorten timers with `<NAME>_SECONDS`; operators use the documented minutes."""
    if os.environ.get(seconds_var):
        return float(os.environ[seconds_var])
    return float(_env(minutes_var, str(default_minutes))) * 60


@dataclass(frozen=True)
class Settings:
    host: str
    port: int
    public_url: str
    database_url: str
    realm: str
    client_id: str
    client_secret: str
    soap_user: str
    soap_password: str
    sandbox_admin_token: str
    webhook_secret: str
    assistant_webhook_url: str
    session_idle_seconds: float
    otp_max_attempts: int
    otp_lockout_seconds: float
    otp_ttl_seconds: float
    step_up_threshold: Decimal
    key_dir: Path
    workers: int
    log_level: str
    token_ttl_seconds: int = 300
    secret_ttl_seconds: int = 600
    hang_seconds: float = 30.0
    db_pool_size: int = 10
    db_max_overflow: int = 10
    scopes: tuple = field(
        default=("customers", "accounts", "payments", "cards", "vault", "ledger")
    )

    @property
    def issuer(self) -> str:
        return f"{self.public_url.rstrip('/')}/realms/{self.realm}"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def default_sqlite_url() -> str:
    return f"sqlite:///{VAR_DIR / 'corebank.db'}"


def load_settings() -> Settings:
    host = _env("COREBANK_HOST", "127.0.0.1")
    port = int(_env("COREBANK_PORT", "8800"))
    corebank_url = _env("COREBANK_URL", f"http://{host}:{port}")
    return Settings(
        host=host,
        port=port,
        public_url=_env("COREBANK_PUBLIC_URL", corebank_url).rstrip("/"),
        database_url=_env(
            "COREBANK_DATABASE_URL", _env("DATABASE_URL", default_sqlite_url())
        ),
        realm=_env("COREBANK_REALM", "bank"),
        client_id=_env("COREBANK_CLIENT_ID", "assistant"),
        client_secret=_env("COREBANK_CLIENT_SECRET", "dev-client-secret"),
        soap_user=_env("COREBANK_SOAP_USER", "assistant"),
        soap_password=_env("COREBANK_SOAP_PASSWORD", "dev-soap-password"),
        sandbox_admin_token=_env("SANDBOX_ADMIN_TOKEN", "dev-sandbox-admin"),
        webhook_secret=_env("BANK_WEBHOOK_SECRET", "dev-webhook-secret"),
        assistant_webhook_url=_env(
            "ASSISTANT_WEBHOOK_URL", "http://127.0.0.1:5055/webhooks/bank"
        ),
        session_idle_seconds=_seconds("SESSION_IDLE_SECONDS", "SESSION_IDLE_MINUTES", 15),
        otp_max_attempts=int(_env("OTP_MAX_ATTEMPTS", "3")),
        otp_lockout_seconds=_seconds("OTP_LOCKOUT_SECONDS", "OTP_LOCKOUT_MINUTES", 15),
        otp_ttl_seconds=float(_env("OTP_TTL_SECONDS", "300")),
        step_up_threshold=Decimal(_env("STEP_UP_THRESHOLD", "500.00")),
        key_dir=Path(_env("COREBANK_KEY_DIR", str(VAR_DIR / "keys"))),
        workers=int(_env("COREBANK_WORKERS", "1")),
        log_level=_env("COREBANK_LOG_LEVEL", "info"),
        hang_seconds=float(_env("COREBANK_HANG_SECONDS", "30")),
        db_pool_size=int(_env("COREBANK_DB_POOL_SIZE", "10")),
        db_max_overflow=int(_env("COREBANK_DB_MAX_OVERFLOW", "10")),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
