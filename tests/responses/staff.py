"""Staff sign-in for tests: the real OIDC flow (the service's /auth/login -> the sandbox's sign-in
page -> /auth/callback), as a browser would do it, with httpx."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape

import httpx

DESIGNER, SECOND_DESIGNER, REVIEWER = "dana", "denys", "rita"


@dataclass
class Staff:
    client: httpx.Client
    csrf: str
    name: str

    def headers(self) -> dict[str, str]:
        return {"X-CSRF-Token": self.csrf}

    def get(self, path: str, **kwargs) -> httpx.Response:
        return self.client.get(path, **kwargs)

    def post(self, path: str, json=None, **kwargs) -> httpx.Response:
        return self.client.post(path, json=json, headers=self.headers(), **kwargs)


def sign_in(service_url: str, username: str, password: str) -> Staff:
    """`password`: the sandbox's SANDBOX_STAFF_PASSWORD (corebank/core/staff.py)."""
    client = httpx.Client(base_url=service_url, timeout=10)
    page = client.get("/auth/login", follow_redirects=True)
    assert page.status_code == 200 and "Staff sign-in" in page.text, page.text[:300]
    fields = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', page.text))
    fields = {k: unescape(v) for k, v in fields.items()}
    answer = httpx.post(str(page.url), data={**fields, "username": username,
                                             "password": password}, timeout=10)
    if answer.status_code != 303:
        raise PermissionError(f"sign-in refused ({answer.status_code})")
    callback = client.get(answer.headers["location"])
    assert callback.status_code == 303, callback.text
    editor = client.get("/editor")
    assert editor.status_code == 200, editor.text[:300]
    csrf = re.search(r"const CSRF = \"([^\"]+)\";", editor.text).group(1)
    return Staff(client, csrf, username)
