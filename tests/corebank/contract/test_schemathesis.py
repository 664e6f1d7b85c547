"""The sandbox's OpenAPI document is a contract a tool can check: schemathesis generates requests
from it (schema-valid and schema-invalid ones) against a LIVE sandbox (a real process on a free
port) and checks every answer: no 5xx (the SOAP endpoint excepted, whose faults are HTTP 500 by
SOAP 1.1 and documented as such: there only a Client fault may come back), only documented
statuses, documented content types and headers, bodies that match the declared schemas, and a
schema-valid request never refused for its shape (`invalid_request` 422/400).

Bounded: a fixed number of examples per operation (CONTRACT_EXAMPLES, default 20), derandomized
so a run is reproducible. Operations that change the sandbox itself (fault switches, reset) are
not generated against: they would turn the bank into the failing bank on purpose.
"""

from __future__ import annotations

import os
import re
import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import ALL_CHECKS
from schemathesis.exceptions import CheckFailed

from corebank.devserver import CorebankProcess

schemathesis.experimental.OPEN_API_3_1.enable()  # FastAPI 0.99 writes OpenAPI 3.1


@schemathesis.serializer("text/xml")
class XmlText:
    """The SOAP endpoint's body is declared as a string of XML: sent as is (UTF-8)."""

    def as_requests(self, context, value):
        data = value if isinstance(value, bytes) else str(value).encode("utf-8", "replace")
        return {"data": data}

    def as_werkzeug(self, context, value):
        return self.as_requests(context, value)

EXAMPLES = int(os.environ.get("CONTRACT_EXAMPLES", "20"))
DEMO_PHONE = "+380501112233"
EXCLUDED = r"^/sandbox/(faults|reset)$"
SHAPE_CODES = {"invalid_request"}


class Bank:
    """The live sandbox and the identity logged in there (a short repr: hypothesis prints the
    arguments of a failing example, and the process's environment holds its secrets)."""

    def __init__(self, process: CorebankProcess, identity: str):
        self.process, self.identity = process, identity

    def __repr__(self) -> str:
        return f"<sandbox {self.process.base_url}>"


@pytest.fixture(scope="session")
def contract_bank():
    with CorebankProcess.start(extra_env={"OTP_SENDS_PER_PHONE": "1000000",
                                          "OTP_SENDS_PER_IDENTITY": "1000000"}) as process:
        identity = f"telegram:{uuid.uuid4().int % 10**9}"
        process.login(DEMO_PHONE, identity)
        yield Bank(process, identity)


@pytest.fixture(scope="session")
def contract_schema(contract_bank):
    url = contract_bank.process.base_url
    return schemathesis.from_uri(f"{url}/openapi.json", base_url=url)


positive = schemathesis.from_pytest_fixture(
    "contract_schema", data_generation_methods=[schemathesis.DataGenerationMethod.positive])
negative = schemathesis.from_pytest_fixture(
    "contract_schema", data_generation_methods=[schemathesis.DataGenerationMethod.negative])
# Operations with no input at all have no schema-invalid request to make.
NO_INPUT = (r"/health|/api/v1/me|/api/v1/me/(session|accounts|cards|plastic-orders)"
            r"|/api/v1/ledger/check|/api/v1/tariffs")


def _credentials(bank: Bank, case) -> dict[str, str]:
    process, path = bank.process, case.path
    if path.startswith("/api/v1/ledger"):
        return process.headers("ledger")
    if path.startswith("/sandbox"):
        return process.admin_headers()
    if path.startswith("/api/v1"):
        identity = bank.identity
        if case.method.upper() == "DELETE" and path == "/api/v1/me/session":
            identity = f"telegram:{uuid.uuid4().int % 10**9}"  # logging out: someone else
        return process.headers(identity=identity)
    if path == "/soap/legacy":
        return {"Content-Type": "text/xml; charset=utf-8"}
    return {}


# No shrinking: a failure is reported as generated (shrinking a slow HTTP example can take
# minutes), which keeps the run bounded.
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=list(HealthCheck))


@positive.parametrize(endpoint=f"^(?!{EXCLUDED[1:-1]}$)")
@SETTINGS
def test_schema_valid_requests_keep_the_contract(case, contract_bank):
    _check(case, contract_bank)


@negative.parametrize(endpoint=f"^(?!({EXCLUDED[1:-1]}|{NO_INPUT})$)")
@SETTINGS
def test_schema_invalid_requests_keep_the_contract(case, contract_bank):
    _check(case, contract_bank)


def _check(case, contract_bank) -> None:
    headers = {**(case.headers or {}), **_credentials(contract_bank, case)}
    response = case.call(headers=headers, timeout=30)
    checks = ALL_CHECKS
    if case.path == "/soap/legacy":
        checks = tuple(c for c in ALL_CHECKS if c.__name__ != "not_a_server_error")
        _soap_fault_is_the_clients(response)
    case.validate_response(response, checks=checks)
    if case.data_generation_method == schemathesis.DataGenerationMethod.positive:
        _schema_valid_request_accepted(case, response)


def _soap_fault_is_the_clients(response) -> None:
    if response.status_code == 500 and re.search(r"faultcode>[^<]*Server<", response.text):
        raise CheckFailed(f"SOAP Server fault (an internal error): {response.text[:300]}")


def _schema_valid_request_accepted(case, response) -> None:
    if response.status_code not in (400, 422):
        return
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        return
    code = error.get("code") if isinstance(error, dict) else error  # bank / OAuth2 shape
    if code in SHAPE_CODES:
        raise CheckFailed(f"a schema-valid request was refused for its shape: "
                          f"{response.status_code} {response.text[:400]}")
