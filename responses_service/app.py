"""HTTP: Rasa's NLG callback, the health check, the review API and the editor page.

- `POST /nlg`: Rasa's NLG contract (body: `response`, `arguments`, `tracker` with `slots`,
  `channel.name`; answer: the message: text, buttons, image, custom, ...). Service token.
- `GET /catalog`: the published catalog and its version (Rasa's fallback copy). Service token.
- `GET /health`.
- `/api/...`: the review API (signed-in staff only, roles from the IdP's token).
- `/editor`: the web editor; `/auth/login`, `/auth/callback`, `/auth/logout`: the sign-in.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from responses_service import catalog as cat
from responses_service.auth import LOGIN_COOKIE, SESSION_COOKIE, AuthError, OidcSettings, User
from responses_service.limits import preview, variation_problems
from responses_service.store import ResponseVersion, ReviewError, Store

logger = logging.getLogger(__name__)
EDITOR_HTML = Path(__file__).resolve().parent / "editor.html"
MAX_BODY_BYTES = 64 * 1024
MAX_VARIATIONS = 20
NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_")
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": ("default-src 'self'; script-src 'self' 'unsafe-inline'; "
                                "style-src 'unsafe-inline'; frame-ancestors 'none'; "
                                "base-uri 'none'; form-action 'self'"),
}


class ServiceState:
    """The store, the published catalog (a Renderer swapped whole on every publish)."""

    def __init__(self, store: Store, files_dir: Path, oidc: OidcSettings) -> None:
        self.store, self.files_dir, self.oidc = store, files_dir, oidc
        self.sections = cat.sections(files_dir)
        self.renderer = cat.Renderer({}, -1)

    def reload(self) -> None:
        catalog, version = self.store.published()
        if version != self.renderer.version:
            self.renderer = cat.Renderer(catalog, version)
            logger.info("catalog version %s published (%s languages)", version, len(catalog))

    async def watch(self, interval: float) -> None:
        """Other replicas publish too: reload when the database's version moved."""
        while True:
            await asyncio.sleep(interval)
            try:
                if await asyncio.to_thread(self.store.version) != self.renderer.version:
                    await asyncio.to_thread(self.reload)
            except Exception:  # a database hiccup: keep serving the catalog we have
                logger.exception("could not check the catalog version")


def error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": code, "message": message}, status_code=status,
                        headers=SECURITY_HEADERS)


def version_json(row: ResponseVersion) -> dict[str, Any]:
    return {"id": row.id, "language": row.language, "name": row.name,
            "content": json.loads(row.content), "status": row.status, "source": row.source,
            "author": row.author, "created_at": row.created_at.isoformat() + "Z",
            "reviewer": row.reviewer,
            "reviewed_at": row.reviewed_at.isoformat() + "Z" if row.reviewed_at else None,
            "base_version_id": row.base_version_id, "restored_from": row.restored_from}


def create_app() -> FastAPI:
    port = os.environ.get("RESPONSES_PORT") or "5065"
    public_url = os.environ.get("RESPONSES_PUBLIC_URL") or f"http://127.0.0.1:{port}"
    state = ServiceState(Store.open(), cat.catalog_dir(), OidcSettings.from_env(public_url))
    app = FastAPI(title="Responses service", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.service = state

    @app.on_event("startup")
    async def startup() -> None:
        published = await asyncio.to_thread(state.store.seed, cat.load_files(state.files_dir))
        if published:
            logger.info("%s responses published from the files", published)
        await asyncio.to_thread(state.reload)
        interval = float(os.environ.get("RESPONSES_POLL_SECONDS") or "1.0")
        app.state.watcher = asyncio.create_task(state.watch(interval))

    @app.on_event("shutdown")
    async def shutdown() -> None:
        app.state.watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await app.state.watcher

    @app.exception_handler(AuthError)
    async def auth_error(request: Request, exc: AuthError) -> Response:
        if request.url.path == "/editor" and exc.status == 401:
            return RedirectResponse("/auth/login", status_code=303)
        return error(exc.status, exc.code, exc.message)

    @app.exception_handler(ReviewError)
    async def review_error(_request: Request, exc: ReviewError) -> Response:
        return error(exc.status, exc.code, exc.message)

    # --- Rasa's side ---------------------------------------------------------------------

    @app.get("/health")
    async def health() -> dict[str, Any]:
        return {"status": "ok", "catalog_version": state.renderer.version}

    @app.post("/nlg")
    async def nlg(request: Request) -> Response:
        if not state.oidc.is_service(request.headers.get("authorization")):
            return error(401, "unauthorized", "The NLG endpoint needs the service token")
        try:
            body = json.loads(await request.body())
            name = body["response"]
            tracker = body.get("tracker") or {}
            channel = (body.get("channel") or {}).get("name")
            arguments = body.get("arguments") or {}
            if not isinstance(name, str) or not isinstance(arguments, dict):
                raise TypeError
        except (ValueError, KeyError, TypeError, AttributeError):
            return error(400, "bad_request", "Expected Rasa's NLG request")
        renderer = state.renderer
        message = renderer.render(name, tracker.get("slots") or {}, channel, arguments)
        if message is None:
            return error(404, "unknown_response", f"No response {name} in the catalog")
        message.pop("condition", None)
        message.pop("channel", None)
        return JSONResponse(message, headers={"X-Catalog-Version": str(renderer.version)})

    @app.get("/catalog")
    async def published(request: Request) -> Response:
        if not state.oidc.is_service(request.headers.get("authorization")):
            return error(401, "unauthorized", "The catalog endpoint needs the service token")
        renderer = state.renderer
        return JSONResponse({"version": renderer.version, "catalog": renderer.catalog})

    # --- sign-in -------------------------------------------------------------------------

    def cookie_secure() -> bool:
        return state.oidc.public_url.startswith("https://")

    @app.get("/auth/login")
    async def login() -> Response:
        url, cookie = state.oidc.start_login()
        answer = RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})
        answer.set_cookie(LOGIN_COOKIE, cookie, max_age=600, httponly=True, samesite="lax",
                          secure=cookie_secure(), path="/auth")
        return answer

    @app.get("/auth/callback")
    async def callback(request: Request) -> Response:
        params = request.query_params
        session = await state.oidc.finish_login(params.get("code", ""), params.get("state", ""),
                                                request.cookies.get(LOGIN_COOKIE))
        answer = RedirectResponse("/editor", status_code=303, headers={"Cache-Control": "no-store"})
        answer.delete_cookie(LOGIN_COOKIE, path="/auth")
        answer.set_cookie(SESSION_COOKIE, session, httponly=True, samesite="strict",
                          secure=cookie_secure(), path="/")
        return answer

    @app.post("/auth/logout")
    async def logout(request: Request) -> Response:
        await current_user(request)  # CSRF-checked: nobody logs a person out from elsewhere
        answer = JSONResponse({"signed_out": True}, headers=SECURITY_HEADERS)
        answer.delete_cookie(SESSION_COOKIE, path="/")
        return answer

    async def current_user(request: Request) -> User:
        return await state.oidc.user(request.headers.get("authorization"),
                                     request.cookies.get(SESSION_COOKIE), request.method,
                                     request.headers.get("x-csrf-token"))

    # --- the editor ----------------------------------------------------------------------

    @app.get("/editor")
    async def editor(request: Request) -> Response:
        user = await current_user(request)
        page = EDITOR_HTML.read_text(encoding="utf-8").replace(
            "__CSRF__", json.dumps(user.csrf or "")).replace(
            "__USER__", json.dumps({"name": user.name, "roles": sorted(user.roles)}))
        return HTMLResponse(page, headers=SECURITY_HEADERS)

    # --- the review API ------------------------------------------------------------------

    async def json_body(request: Request) -> dict[str, Any]:
        raw = await request.body()
        if len(raw) > MAX_BODY_BYTES:
            raise ReviewError("too_large", f"At most {MAX_BODY_BYTES} bytes", 413)
        if "application/json" not in request.headers.get("content-type", ""):
            raise ReviewError("bad_request", "Send application/json", 415)
        try:
            body = json.loads(raw)
        except ValueError as exc:
            raise ReviewError("bad_request", "Not JSON", 400) from exc
        if not isinstance(body, dict):
            raise ReviewError("bad_request", "Expected a JSON object", 400)
        return body

    def checked_name(language: str, name: str) -> None:
        if language not in state.renderer.catalog or not set(name) <= NAME_CHARS or not (
                name.startswith("utter_")) or name not in state.renderer.catalog[language]:
            raise ReviewError("unknown_response", f"No response {name} in {language}", 404)

    def content_from(body: dict[str, Any], language: str, name: str) -> list[dict[str, Any]]:
        """The proposed variations, validated: shape, messenger limits, and the same
        placeholders and button payloads as the published response (actions fill the one,
        the NLU and stories rely on the other)."""
        content = body.get("content")
        if isinstance(body.get("content_yaml"), str):
            try:
                content = YAML(typ="safe", pure=True).load(body["content_yaml"])
            except YAMLError as exc:
                raise ReviewError("invalid", f"Not valid YAML: {exc}", 400) from exc
        if not isinstance(content, list) or not 1 <= len(content) <= MAX_VARIATIONS:
            raise ReviewError("invalid", f"Expected a list of 1 to {MAX_VARIATIONS} "
                              "variations", 400)
        problems = [f"variation {i}: {p}" for i, v in enumerate(content, 1)
                    for p in variation_problems(v)]
        current = state.renderer.catalog[language][name]
        allowed_fields = cat.placeholders(current)
        extra = cat.placeholders(content) - allowed_fields
        if extra:
            problems.append(f"placeholders the assistant does not fill here: {sorted(extra)}")
        payloads = {b.get("payload") for v in current for b in (v.get("buttons") or [])}
        new_payloads = {b.get("payload") for v in content if isinstance(v, dict)
                        for b in (v.get("buttons") or []) if isinstance(b, dict)}
        if new_payloads - payloads:
            problems.append(f"button payloads that are not in the published response: "
                            f"{sorted(map(str, new_payloads - payloads))}")
        if problems:
            raise ReviewError("invalid", "; ".join(problems), 400)
        return json.loads(json.dumps(content))

    @app.get("/api/me")
    async def me(request: Request) -> dict[str, Any]:
        user = await current_user(request)
        return {"name": user.name, "roles": sorted(user.roles)}

    @app.get("/api/responses")
    async def list_responses(request: Request, language: str = cat.DEFAULT_LANGUAGE) -> Any:
        await current_user(request)
        pending = await asyncio.to_thread(state.store.pending)
        responses = state.renderer.catalog.get(language, {})
        return {"language": language, "languages": sorted(state.renderer.catalog),
                "responses": [{"name": n, "section": state.sections.get(n, ""),
                               "content": c} for n, c in sorted(responses.items())],
                "pending": [version_json(p) for p in pending]}

    @app.get("/api/responses/{language}/{name}")
    async def one_response(request: Request, language: str, name: str) -> Any:
        await current_user(request)
        checked_name(language, name)
        history = await asyncio.to_thread(state.store.history, language, name)
        return {"name": name, "language": language,
                "content": state.renderer.catalog[language][name],
                "versions": [version_json(v) for v in history]}

    @app.post("/api/responses/{language}/{name}/changes")
    async def propose(request: Request, language: str, name: str) -> Any:
        user = await current_user(request)
        user.require("designer")
        checked_name(language, name)
        content = content_from(await json_body(request), language, name)
        row = await asyncio.to_thread(state.store.propose, language, name, content, user.name)
        return JSONResponse(version_json(row), status_code=201, headers=SECURITY_HEADERS)

    @app.post("/api/responses/{language}/{name}/restore")
    async def restore(request: Request, language: str, name: str) -> Any:
        user = await current_user(request)
        user.require("designer")
        checked_name(language, name)
        body = await json_body(request)
        old = await asyncio.to_thread(state.store.get, body.get("version_id")) if isinstance(
            body.get("version_id"), int) else None
        if old is None or old.language != language or old.name != name:
            raise ReviewError("unknown_version", "No such version of this response", 404)
        row = await asyncio.to_thread(state.store.propose, language, name,
                                      json.loads(old.content), user.name, old.id)
        return JSONResponse(version_json(row), status_code=201, headers=SECURITY_HEADERS)

    @app.post("/api/changes/{version_id}/approve")
    async def approve(request: Request, version_id: int) -> Any:
        user = await current_user(request)
        user.require("reviewer")
        row = await asyncio.to_thread(state.store.approve, version_id, user.name)
        await asyncio.to_thread(state.reload)  # this replica serves it from the next message
        return version_json(row)

    @app.post("/api/changes/{version_id}/reject")
    async def reject(request: Request, version_id: int) -> Any:
        user = await current_user(request)
        user.require("reviewer")
        return version_json(await asyncio.to_thread(state.store.reject, version_id, user.name))

    @app.post("/api/preview")
    async def preview_route(request: Request) -> Any:
        await current_user(request)
        body = await json_body(request)
        language, name = body.get("language") or "en", str(body.get("name") or "")
        checked_name(language, name)
        content = content_from(body, language, name)
        slots = body.get("slots") if isinstance(body.get("slots"), dict) else {}
        shown = []
        for variation in content:
            rendered = cat.Renderer({language: {name: [variation]}}).render(
                name, {**slots, "language": language}, None, {}) or dict(variation)
            shown.append({"variation": variation, "messengers": preview(rendered)})
        return {"previews": shown}

    @app.get("/api/audit")
    async def audit(request: Request, language: str | None = None,
                    name: str | None = None) -> Any:
        await current_user(request)
        rows = await asyncio.to_thread(state.store.audit, language, name)
        return {"entries": [{"id": r.id, "at": r.at.isoformat() + "Z", "actor": r.actor,
                             "action": r.action, "language": r.language, "name": r.name,
                             "version_id": r.version_id,
                             "before": json.loads(r.before) if r.before else None,
                             "after": json.loads(r.after) if r.after else None}
                            for r in rows]}

    return app
