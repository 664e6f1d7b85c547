"""Server-rendered HTML of the hosted pages (the payment page, the secure page).

Templates are `string.Template` files: no template engine is installed and the pages are tiny.
The frame (`base.html`) and the message page live in corebank/core/templates; a domain keeps
its own forms next to its code and renders them with `Templates(<its templates dir>)`.
Every value is HTML-escaped unless wrapped in `Safe` (only fragments built here are).
"""

from __future__ import annotations

import html
import secrets
from functools import cache
from pathlib import Path
from string import Template
from urllib.parse import parse_qs

from fastapi import Request
from fastapi.responses import HTMLResponse

CORE_TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
MAX_FORM_BYTES = 8192

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
def _template(path: Path) -> Template:
    return Template(path.read_text(encoding="utf-8"))


def _escape(value: object) -> str:
    if isinstance(value, Safe):
        return str(value)
    return html.escape("" if value is None else str(value), quote=True)


class Templates:
    """The `<name>.html` templates of one directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def fragment(self, name: str, **values: object) -> Safe:
        template = _template(self.directory / f"{name}.html")
        return Safe(template.substitute({k: _escape(v) for k, v in values.items()}))


CORE = Templates(CORE_TEMPLATES_DIR)


def error_block(message: str | None) -> Safe:
    if not message:
        return Safe("")
    return Safe(f'<div class="error" id="error" role="alert">{_escape(message)}</div>')


def page(
    title: str, body: Safe, *, status_code: int = 200, state: str = "form"
) -> HTMLResponse:
    text = _template(CORE_TEMPLATES_DIR / "base.html").substitute(
        title=_escape(title), body=body, state=_escape(state))
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
    body = CORE.fragment(
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


async def read_form(request: Request) -> dict[str, str]:
    """The fields of a posted form (urlencoded, at most MAX_FORM_BYTES; first value wins)."""
    raw = (await request.body())[:MAX_FORM_BYTES].decode("utf-8", "replace")
    return {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
