"""Token endpoint, JWKS, and every way a bearer token can be wrong."""

from __future__ import annotations

import time

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.corebank.helpers import error_code


def _private_key(bank):
    pem = (bank.workdir / "keys" / "jwt_private.pem").read_bytes()
    return serialization.load_pem_private_key(pem, password=None)


def _kid(bank) -> str:
    return httpx.get(f"{bank.base_url}/realms/bank/protocol/openid-connect/certs").json()[
        "keys"][0]["kid"]


def _forge(bank, key=None, **overrides) -> str:
    now = int(time.time())
    claims = {"iss": f"{bank.base_url}/realms/bank", "aud": "corebank-api",
              "azp": bank.client_id, "scope": "ledger accounts", "iat": now, "exp": now + 300}
    claims.update(overrides)
    return jwt.encode(claims, key or _private_key(bank), algorithm="RS256",
                      headers={"kid": _kid(bank)})


def _check(bank, token: str) -> httpx.Response:
    return httpx.get(f"{bank.base_url}/api/v1/ledger/check",
                     headers={"Authorization": f"Bearer {token}"})


def test_client_credentials_token_is_a_valid_rs256_jwt(corebank):
    resp = httpx.post(corebank.token_url, data={
        "grant_type": "client_credentials", "client_id": corebank.client_id,
        "client_secret": corebank.client_secret, "scope": "payments cards"})
    assert resp.status_code == 200
    body = resp.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 300
    assert body["scope"] == "payments cards"
    jwks = httpx.get(f"{corebank.base_url}/realms/bank/protocol/openid-connect/certs").json()
    key = jwt.PyJWK(jwks["keys"][0]).key
    claims = jwt.decode(body["access_token"], key, algorithms=["RS256"], audience="corebank-api",
                        issuer=f"{corebank.base_url}/realms/bank")
    assert claims["azp"] == corebank.client_id
    assert claims["exp"] - claims["iat"] == 300
    assert jwt.get_unverified_header(body["access_token"])["kid"] == jwks["keys"][0]["kid"]


def test_discovery_document(corebank):
    doc = httpx.get(f"{corebank.base_url}/realms/bank/.well-known/openid-configuration").json()
    assert doc["issuer"] == f"{corebank.base_url}/realms/bank"
    assert doc["token_endpoint"].endswith("/protocol/openid-connect/token")
    assert doc["jwks_uri"].endswith("/protocol/openid-connect/certs")


@pytest.mark.parametrize("form,status,error", [
    ({"client_secret": "wrong"}, 401, "invalid_client"),
    ({"client_id": "intruder"}, 401, "invalid_client"),
    ({"grant_type": "password"}, 400, "unsupported_grant_type"),
    ({"scope": "payments admin"}, 400, "invalid_scope"),
])
def test_token_endpoint_rejects_bad_requests(corebank, form, status, error):
    data = {"grant_type": "client_credentials", "client_id": corebank.client_id,
            "client_secret": corebank.client_secret, **form}
    resp = httpx.post(corebank.token_url, data=data)
    assert resp.status_code == status
    assert resp.json()["error"] == error


def test_unknown_realm_is_404(corebank):
    resp = httpx.post(f"{corebank.base_url}/realms/other/protocol/openid-connect/token",
                      data={"grant_type": "client_credentials"})
    assert resp.status_code == 404


def test_missing_token(corebank):
    resp = httpx.get(f"{corebank.base_url}/api/v1/ledger/check")
    assert resp.status_code == 401
    assert error_code(resp) == "unauthorized"
    assert resp.headers["www-authenticate"] == "Bearer"


def test_not_a_bearer_token(corebank):
    resp = httpx.get(f"{corebank.base_url}/api/v1/ledger/check",
                     headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert resp.status_code == 401 and error_code(resp) == "unauthorized"


def test_garbage_token(corebank):
    resp = _check(corebank, "not.a.jwt")
    assert resp.status_code == 401 and error_code(resp) == "unauthorized"


def test_token_signed_by_another_key(corebank):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    resp = _check(corebank, _forge(corebank, key=other))
    assert resp.status_code == 401
    assert resp.json()["error"]["reason"] == "invalid_token"


def test_hs256_token_with_public_key_as_secret_is_refused(corebank):
    jwks = httpx.get(f"{corebank.base_url}/realms/bank/protocol/openid-connect/certs").json()
    token = jwt.encode({"iss": f"{corebank.base_url}/realms/bank", "aud": "corebank-api",
                        "scope": "ledger", "exp": int(time.time()) + 60},
                       jwks["keys"][0]["n"], algorithm="HS256")
    assert _check(corebank, token).status_code == 401


def test_expired_token(corebank):
    resp = _check(corebank, _forge(corebank, exp=int(time.time()) - 60,
                                   iat=int(time.time()) - 400))
    assert resp.status_code == 401
    assert resp.json()["error"]["reason"] == "expired"


def test_wrong_audience(corebank):
    resp = _check(corebank, _forge(corebank, aud="some-other-api"))
    assert resp.status_code == 401
    assert resp.json()["error"]["reason"] == "wrong_audience"


def test_wrong_issuer(corebank):
    resp = _check(corebank, _forge(corebank, iss="http://evil.example/realms/bank"))
    assert resp.status_code == 401
    assert resp.json()["error"]["reason"] == "wrong_issuer"


def test_missing_scope(corebank):
    resp = httpx.get(f"{corebank.base_url}/api/v1/ledger/check",
                     headers=corebank.headers("vault"))
    assert resp.status_code == 403
    assert error_code(resp) == "forbidden"
    assert resp.json()["error"]["scope"] == "ledger"


def test_forged_token_with_right_key_but_no_exp_is_refused(corebank):
    token = jwt.encode({"iss": f"{corebank.base_url}/realms/bank", "aud": "corebank-api",
                        "scope": "ledger"}, _private_key(corebank), algorithm="RS256")
    assert _check(corebank, token).status_code == 401


def test_customer_endpoints_need_a_token_too(corebank):
    resp = httpx.get(f"{corebank.base_url}/api/v1/me",
                     headers={"X-Messenger-Identity": "telegram:1"})
    assert resp.status_code == 401 and error_code(resp) == "unauthorized"
