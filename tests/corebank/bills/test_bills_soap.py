"""Bills over the legacy SOAP API: provider catalog, debts, idempotent bill payments."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest

from tests.corebank.helpers import DEMO_TARAS, new_key
from tests.corebank.soap_client import NS, call, fault_code, login_card, value


@pytest.fixture(scope="module")
def bank(corebank_factory):
    return corebank_factory()


def test_list_providers_and_debt(bank):
    _, root = call(bank, "ListProviders", "<leg:Category>utilities</leg:Category>")
    providers = root.findall(f".//{{{NS}}}Provider")
    assert len(providers) >= 3
    assert {p.findtext(f"{{{NS}}}Category") for p in providers} == {"utilities"}
    _, root = call(bank, "ListProviders", "")
    categories = {p.findtext(f"{{{NS}}}Category") for p in root.findall(f".//{{{NS}}}Provider")}
    assert categories == {"mobile", "utilities", "tv", "internet", "transport"}
    _, root = call(bank, "GetDebt", "<leg:ProviderId>yasno</leg:ProviderId>"
                                    "<leg:Account>1234567890</leg:Account>")
    assert value(root, "GetDebtResponse/Debt/Currency") == "UAH"
    assert float(value(root, "GetDebtResponse/Debt/Amount")) >= 0
    _, root = call(bank, "GetDebt", "<leg:ProviderId>yasno</leg:ProviderId>"
                                    "<leg:Account>12345</leg:Account>")
    assert fault_code(root) == "invalid_request"


def _pay(bank, identity, key, amount="50.00", account="+380671234567", provider="kyivstar"):
    return call(bank, "PayBill",
                f"<leg:Identity>{identity}</leg:Identity>"
                f"<leg:IdempotencyKey>{key}</leg:IdempotencyKey>"
                f"<leg:ProviderId>{provider}</leg:ProviderId><leg:Account>{account}</leg:Account>"
                f"<leg:Amount><leg:Value>{amount}</leg:Value>"
                f"<leg:Currency>UAH</leg:Currency></leg:Amount>")


def _uah_balance(bank, identity) -> str:
    accounts = bank.http.get("/api/v1/me/accounts", headers=bank.headers(identity=identity))
    return next(a for a in accounts.json() if a["currency"] == "UAH")["balance"]


def test_pay_bill_is_idempotent(bank):
    identity, _ = login_card(bank, DEMO_TARAS)
    before = _uah_balance(bank, identity)
    key = new_key()
    _, first = _pay(bank, identity, key)
    assert value(first, "PayBillResponse/Status") == "completed", ET.tostring(first)
    payment_id = value(first, "PayBillResponse/PaymentId")
    _, second = _pay(bank, identity, key)
    assert value(second, "PayBillResponse/PaymentId") == payment_id
    after = _uah_balance(bank, identity)
    assert float(before) - float(after) == pytest.approx(50.0)
    _, conflict = _pay(bank, identity, key, amount="51.00")
    assert fault_code(conflict) == "idempotency_conflict"
    assert bank.check_ledger()["balanced"]


@pytest.mark.parametrize("provider,account,amount,code", [
    ("kyivstar", "+380501112233", "10.00", "invalid_request"),  # a Vodafone number
    ("kyivstar", "+380671234567", "0", "invalid_amount"),
    ("kyivstar", "+380671234567", "6000.00", "invalid_amount"),  # above provider max
    ("teplo", "123456789012", "10.00", "invalid_request"),  # check digit wrong
    ("nosuch", "1", "10.00", "not_found"),
    ("yasno", "1234567890", "45000.00", "insufficient_funds"),
])
def test_pay_bill_rejections_change_nothing(bank, provider, account, amount, code):
    identity, _ = login_card(bank, DEMO_TARAS)
    before = _uah_balance(bank, identity)
    _, root = _pay(bank, identity, new_key(), amount=amount, account=account, provider=provider)
    assert fault_code(root) == code
    assert _uah_balance(bank, identity) == before
