"""Server-rendered HTML for the hosted pages (payment page, secure page).

Templates live in corebank/templates as `string.Template` files: no template engine is
installed and the pages are tiny. Every value is HTML-escaped unless wrapped in `Safe`
(only fragments this module built itself are).
"""

from __future__ import annotations

import html
import secrets
from functools import cache
from pathlib import Path
from string import Template

from fastapi.responses import HTMLResponse

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"

# The pages carry one-time tokens in the URL and card data in the body: no caching, no
# framing, no referrer, nothing loaded from elsewhere, forms only back to ourselves.
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
}


class Safe(str):
    """A fragment that is already HTML (built here from escaped parts)."""


@cache
def _template(name: str) -> Template:
    return Template((TEMPLATES_DIR / f"{name}.html").read_text(encoding="utf-8"))


def _escape(value: object) -> str:
    if isinstance(value, Safe):
        return str(value)
    return html.escape("" if value is None else str(value), quote=True)


def fragment(name: str, **values: object) -> Safe:
    return Safe(_template(name).substitute({k: _escape(v) for k, v in values.items()}))


def error_block(message: str | None) -> Safe:
    if not message:
        return Safe("")
    return Safe(f'<div class="error" id="error" role="alert">{_escape(message)}</div>')


def page(
    title: str, body: Safe, *, status_code: int = 200, state: str = "form"
) -> HTMLResponse:
    text = _template("base").substitute(title=_escape(title), body=body, state=_escape(state))
    return HTMLResponse(text, status_code=status_code, headers=dict(SECURITY_HEADERS))


def message_page(
    title: str,
    heading: str,
    message: str,
    *,
    status_code: int = 200,
    ok: bool = False,
    state: str = "message",
    details: Safe | None = None,
) -> HTMLResponse:
    body = fragment(
        "message",
        heading=heading,
        message=message,
        css="ok" if ok else "fail",
        details=details or Safe(""),
    )
    return page(title, body, status_code=status_code, state=state)


def new_nonce() -> str:
    """Per-render form nonce: a POST must echo the one the page was rendered with."""
    return secrets.token_urlsafe(18)
