"""The partners' API stand-in (see the package docstring)."""

from __future__ import annotations

import asyncio
import hmac
import json
import os
import random
import secrets
import sqlite3
import threading
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from fastapi import Body, FastAPI, Header, Request
from fastapi.responses import JSONResponse

# campaign -> (partner, what the code gives, ends) — what each partner's own system knows
CAMPAIGNS = {
    "ARENA2H": ("cyber_arena", "2 free hours", "2027-12-31"),
    "TWITCH_TURBO": ("twitch", "1 month of Turbo", "2027-12-31"),
    "BK_WHOPPER": ("burger_king", "a free Whopper", "2027-12-31"),
    "RUD_SUMMER": ("rud", "a free ice cream", "2026-08-31"),
}
PREFIX = {"cyber_arena": "ARENA", "twitch": "TTV", "burger_king": "BK", "rud": "RUD"}
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass
class Faults:
    latency_ms: int = 0
    error_rate: float = 0.0
    down: bool = False
    hang: bool = False


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


class Store:
    """Issued codes and idempotency keys in one SQLite file (one process; a lock serialises)."""

    def __init__(self, path: str) -> None:
        self.lock = threading.Lock()
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.db.executescript(
            "CREATE TABLE IF NOT EXISTS codes (partner TEXT, campaign TEXT, customer_ref TEXT,"
            " code TEXT UNIQUE, issued_at TEXT, PRIMARY KEY (partner, campaign, customer_ref));"
            "CREATE TABLE IF NOT EXISTS idem (partner TEXT, key TEXT, request TEXT, response TEXT,"
            " PRIMARY KEY (partner, key));"
        )
        self.calls = 0

    def issue(self, partner: str, key: str, request: dict) -> tuple[int, dict]:
        canonical = json.dumps(request, sort_keys=True)
        with self.lock:
            self.calls += 1
            row = self.db.execute("SELECT request, response FROM idem WHERE partner=? AND key=?",
                                  (partner, key)).fetchone()
            if row:
                if row[0] != canonical:
                    return 409, {"error": {"code": "idempotency_conflict",
                                           "message": "Key reused with another request."}}
                return 200, json.loads(row[1])
            found = self.db.execute(
                "SELECT code, issued_at FROM codes WHERE partner=? AND campaign=? "
                "AND customer_ref=?", (partner, request["campaign"], request["customer_ref"])
            ).fetchone()
            if found:
                code, issued_at, status = found[0], found[1], 200
            else:
                code = PREFIX.get(partner, "P") + "-" + "".join(
                    secrets.choice(ALPHABET) for _ in range(8))
                issued_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
                self.db.execute("INSERT INTO codes VALUES (?,?,?,?,?)",
                                (partner, request["campaign"], request["customer_ref"], code,
                                 issued_at))
                status = 201
            _, gives, ends = CAMPAIGNS[request["campaign"]]
            body = {"code": code, "partner": partner, "campaign": request["campaign"],
                    "gives": gives, "valid_until": ends, "issued_at": issued_at,
                    "partner_ref": f"{partner}:{code}"}
            self.db.execute("INSERT INTO idem VALUES (?,?,?,?)",
                            (partner, key, canonical, json.dumps(body)))
            return status, body

    def issued(self) -> int:
        with self.lock:
            return self.db.execute("SELECT COUNT(*) FROM codes").fetchone()[0]


def create_app() -> FastAPI:
    api_key = os.environ.get("PARTNERS_API_KEY") or "dev-partners-api-key"
    admin_token = os.environ.get("PARTNERS_ADMIN_TOKEN") or "dev-partners-admin"
    hang_seconds = float(os.environ.get("PARTNERS_HANG_SECONDS") or "30")
    path = os.environ.get("PARTNERS_DATABASE_PATH") or str(
        Path(__file__).resolve().parent.parent / "var" / "partners.db")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    store = Store(path)
    state = {"faults": Faults()}
    app = FastAPI(title="Partners sandbox", docs_url="/docs", redoc_url=None)

    @app.middleware("http")
    async def faults(request: Request, call_next):
        if request.url.path.startswith("/v1/"):
            f: Faults = state["faults"]
            if f.hang:
                await asyncio.sleep(hang_seconds)
                return _error(504, "timeout", "The partner did not answer.")
            if f.latency_ms:
                await asyncio.sleep(f.latency_ms / 1000)
            if f.down:
                return _error(503, "partner_down", "The partner's system is down.")
            if f.error_rate and random.random() < f.error_rate:
                return _error(500, "partner_error", "The partner's system failed.")
            given = request.headers.get("x-api-key") or ""
            if not hmac.compare_digest(given.encode(), api_key.encode()):
                return _error(401, "unauthorized", "A valid X-Api-Key header is required.")
        return await call_next(request)

    def admin(token: str | None) -> JSONResponse | None:
        if not token or not hmac.compare_digest(token.encode(), admin_token.encode()):
            return _error(401, "unauthorized", "A valid X-Sandbox-Token header is required.")
        return None

    @app.get("/health")
    def health() -> dict:
        return {"status": "ok"}

    @app.post("/v1/partners/{partner}/promo-codes")
    def issue_promo_code(partner: str, payload: dict = Body(...),
                         idempotency_key: str | None = Header(None, alias="Idempotency-Key")):
        if not idempotency_key or len(idempotency_key) > 200:
            return _error(400, "idempotency_key_required", "An Idempotency-Key is required.")
        campaign, ref = payload.get("campaign"), payload.get("customer_ref")
        if not isinstance(ref, str) or not 1 <= len(ref) <= 64:
            return _error(422, "invalid_request", "customer_ref must be 1-64 characters.")
        if campaign not in CAMPAIGNS or CAMPAIGNS[campaign][0] != partner:
            return _error(404, "unknown_campaign", "No such campaign at this partner.")
        if CAMPAIGNS[campaign][2] < datetime.now(timezone.utc).date().isoformat():
            return _error(410, "campaign_ended", "This campaign has ended.")
        status, body = store.issue(partner, idempotency_key,
                                   {"campaign": campaign, "customer_ref": ref})
        return JSONResponse(body, status_code=status)

    @app.put("/sandbox/faults")
    def set_faults(payload: dict = Body(...),
                   x_sandbox_token: str | None = Header(None)):
        refused = admin(x_sandbox_token)
        if refused:
            return refused
        state["faults"] = Faults(latency_ms=int(payload.get("latency_ms") or 0),
                                 error_rate=float(payload.get("error_rate") or 0),
                                 down=bool(payload.get("down")), hang=bool(payload.get("hang")))
        return asdict(state["faults"])

    @app.delete("/sandbox/faults")
    def clear_faults(x_sandbox_token: str | None = Header(None)):
        refused = admin(x_sandbox_token)
        if refused:
            return refused
        state["faults"] = Faults()
        return asdict(state["faults"])

    @app.get("/sandbox/stats")
    def stats(x_sandbox_token: str | None = Header(None)):
        refused = admin(x_sandbox_token)
        if refused:
            return refused
        return {"codes_issued": store.issued(), "calls": store.calls}

    return app
