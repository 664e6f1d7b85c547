"""The sandbox's settings: one object read from the environment, with safe defaults for a
loopback-only sandbox (docs/architecture.md).

`get_settings()` reads the environment once per process; tests that need other values (short
TTLs, a webhook receiver) start a sandbox process with that environment.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
VAR_DIR = REPO_ROOT / "var"


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _seconds(seconds_var: str, minutes_var: str, default_minutes: float) -> float:
    """Tests shorten timers with `<NAME>_SECONDS`; operators use the documented minutes."""
    if os.environ.get(seconds_var):
        return float(os.environ[seconds_var])
    return float(_env(minutes_var, str(default_minutes))) * 60


ASSISTANT_SCOPES = ("customers", "accounts", "payments", "cards", "vault")
OPS_SCOPES = ("ledger",)
PRIVILEGED_SCOPES = frozenset({"ledger"})  # never granted to the assistant's client


def _assistant_scopes(value: str) -> tuple:
    scopes = tuple(value.split())
    privileged = PRIVILEGED_SCOPES.intersection(scopes)
    if privileged:
        raise SystemExit(f"COREBANK_CLIENT_SCOPES must not include {' '.join(sorted(privileged))}:"
                         " the assistant's client never holds ledger rights (use the ops client).")
    return scopes


@dataclass(frozen=True)
class Settings:
    # --- the process, its database and its credentials
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
    key_dir: Path
    workers: int
    log_level: str
    # --- the authorization zone
    session_idle_seconds: float
    otp_max_attempts: int
    otp_lockout_seconds: float
    otp_ttl_seconds: float
    otp_send_window_seconds: float
    otp_sends_per_phone: int
    otp_sends_per_identity: int
    step_up_threshold: Decimal
    step_up_daily_threshold: Decimal
    step_up_new_recipient: bool
    # --- products and their limits
    per_transfer_limit: Decimal
    daily_transfer_limit: Decimal
    network_fee_percent: Decimal
    network_fee_min: Decimal
    tariff_credit_limit: Decimal
    plastic_delivery_days: int
    # --- lifetimes of quotes, links and hosted payments
    quote_ttl_seconds: int
    secure_link_ttl_seconds: int
    topup_ttl_seconds: int
    payment_request_ttl_seconds: int
    threeds_code: str
    # --- background work: webhook delivery and the expiry sweep
    webhook_max_attempts: int
    webhook_retry_base_seconds: float
    webhook_timeout_seconds: float
    sweep_interval_seconds: float
    token_ttl_seconds: int = 300
    secret_ttl_seconds: int = 600
    hang_seconds: float = 30.0
    db_pool_size: int = 10
    db_max_overflow: int = 10
    scopes: tuple = field(
        default=("customers", "accounts", "payments", "cards", "vault", "ledger")
    )
    # Least privilege (docs/security.md "Least privilege"): each OAuth2 client has an
    # allow-list of scopes. The assistant's client never holds `ledger`; the internal ledger
    # API has its own client (operations, tests, bench). Sandbox controls use their own
    # credential (X-Sandbox-Token), which no client token can stand in for.
    client_scopes: tuple = field(default=ASSISTANT_SCOPES)
    ops_client_id: str = "bank-ops"
    ops_client_secret: str = "dev-ops-client-secret"

    @property
    def clients(self) -> dict[str, tuple[str, tuple[str, ...]]]:
        """client_id -> (secret, allowed scopes)."""
        clients = {self.ops_client_id: (self.ops_client_secret, OPS_SCOPES)}
        clients[self.client_id] = (self.client_secret, self.client_scopes)
        return clients

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
        key_dir=Path(_env("COREBANK_KEY_DIR", str(VAR_DIR / "keys"))),
        workers=int(_env("COREBANK_WORKERS", "1")),
        log_level=_env("COREBANK_LOG_LEVEL", "info"),
        session_idle_seconds=_seconds("SESSION_IDLE_SECONDS", "SESSION_IDLE_MINUTES", 15),
        otp_max_attempts=int(_env("OTP_MAX_ATTEMPTS", "3")),
        otp_lockout_seconds=_seconds("OTP_LOCKOUT_SECONDS", "OTP_LOCKOUT_MINUTES", 15),
        otp_ttl_seconds=float(_env("OTP_TTL_SECONDS", "300")),
        otp_send_window_seconds=_seconds("OTP_SEND_WINDOW_SECONDS", "OTP_SEND_WINDOW_MINUTES", 15),
        otp_sends_per_phone=int(_env("OTP_SENDS_PER_PHONE", "10")),
        otp_sends_per_identity=int(_env("OTP_SENDS_PER_IDENTITY", "5")),
        step_up_threshold=Decimal(_env("STEP_UP_THRESHOLD", "500.00")),
        step_up_daily_threshold=Decimal(_env("STEP_UP_DAILY_THRESHOLD", "1000.00")),
        step_up_new_recipient=_env("STEP_UP_NEW_RECIPIENT", "true").lower()
        not in ("0", "false", "no", "off"),
        per_transfer_limit=Decimal(_env("TRANSFER_LIMIT_PER_TRANSFER", "30000.00")),
        daily_transfer_limit=Decimal(_env("TRANSFER_LIMIT_DAILY", "100000.00")),
        network_fee_percent=Decimal(_env("NETWORK_FEE_PERCENT", "1.0")),
        network_fee_min=Decimal(_env("NETWORK_FEE_MIN", "5.00")),
        tariff_credit_limit=Decimal(_env("TARIFF_CREDIT_LIMIT", "50000.00")),
        plastic_delivery_days=int(_env("PLASTIC_DELIVERY_BUSINESS_DAYS", "5")),
        quote_ttl_seconds=int(_env("QUOTE_TTL_SECONDS", "600")),
        secure_link_ttl_seconds=int(_env("SECURE_LINK_TTL_SECONDS", "300")),
        topup_ttl_seconds=int(_env("TOPUP_TTL_SECONDS", "900")),
        payment_request_ttl_seconds=int(_env("PAYMENT_REQUEST_TTL_SECONDS", str(72 * 3600))),
        threeds_code=_env("SANDBOX_3DS_CODE", "111111"),
        webhook_max_attempts=int(_env("WEBHOOK_MAX_ATTEMPTS", "10")),
        webhook_retry_base_seconds=float(_env("WEBHOOK_RETRY_BASE_SECONDS", "1.0")),
        webhook_timeout_seconds=float(_env("WEBHOOK_TIMEOUT_SECONDS", "3.0")),
        sweep_interval_seconds=float(_env("FEATURES_SWEEP_SECONDS", "2.0")),
        hang_seconds=float(_env("COREBANK_HANG_SECONDS", "30")),
        db_pool_size=int(_env("COREBANK_DB_POOL_SIZE", "10")),
        db_max_overflow=int(_env("COREBANK_DB_MAX_OVERFLOW", "10")),
        client_scopes=_assistant_scopes(_env("COREBANK_CLIENT_SCOPES", " ".join(ASSISTANT_SCOPES))),
        ops_client_id=_env("COREBANK_OPS_CLIENT_ID", "bank-ops"),
        ops_client_secret=_env("COREBANK_OPS_CLIENT_SECRET", "dev-ops-client-secret"),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()


# Secrets with a development default (docs/architecture.md "Configuration").
DEV_SECRET_DEFAULTS = {
    "COREBANK_CLIENT_SECRET": "dev-client-secret",
    "COREBANK_OPS_CLIENT_SECRET": "dev-ops-client-secret",
    "COREBANK_SOAP_PASSWORD": "dev-soap-password",
    "SANDBOX_ADMIN_TOKEN": "dev-sandbox-admin",
    "BANK_WEBHOOK_SECRET": "dev-webhook-secret",
}


def dev_mode() -> bool:
    return os.environ.get("DEV_MODE", "").lower() in ("1", "true", "yes", "on")


# A setting whose name says it is a secret, holding a template's placeholder (`change-me` in
# deploy/secret.example.yaml): refused even in DEV_MODE (assistant/secret_check.py does the same
# for Rasa and the action server).
SECRET_NAME = re.compile(r"(_SECRET|_TOKEN|_PASSWORD|_KEY|(^|_)DATABASE_URL)$")
PLACEHOLDERS = ("change-me", "changeme", "change_me", "replace-me", "replaceme", "replace_me",
                "placeholder")


def refuse_placeholder_secrets() -> None:
    names = sorted(name for name, value in os.environ.items()
                   if SECRET_NAME.search(name) and any(p in value.lower() for p in PLACEHOLDERS))
    if names:
        raise SystemExit(f"corebank: refusing to start with placeholder secrets: {', '.join(names)}"
                         " (e.g. `change-me` from deploy/secret.example.yaml). Set real values.")
    vault_key = os.environ.get("COREBANK_VAULT_KEY")
    if vault_key:
        from cryptography.fernet import Fernet

        try:
            Fernet(vault_key.encode())
        except ValueError:
            raise SystemExit("corebank: COREBANK_VAULT_KEY is not a Fernet key (32 url-safe "
                             "base64-encoded bytes: Fernet.generate_key()).") from None


def refuse_dev_defaults() -> None:
    """Stop the process when a secret is a placeholder (always), or unset or still its
    development default, unless DEV_MODE=1 says this is a development or test run (`make`
    writes random secrets to .env)."""
    refuse_placeholder_secrets()
    if dev_mode():
        return
    weak = [name for name, default in DEV_SECRET_DEFAULTS.items()
            if os.environ.get(name, "") in ("", default)]
    if weak:
        raise SystemExit(
            "corebank: refusing to start with development secrets: " + ", ".join(weak)
            + " unset or at their dev default. Set them (`make` writes random ones to .env: "
            "`set -a; . ./.env; set +a`), or set DEV_MODE=1 for a local development run."
        )
