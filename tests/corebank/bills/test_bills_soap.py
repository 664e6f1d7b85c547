"""Bills over the legacy SOAP API: provider catalog, debts, idempotent bill payments."""

from __future__ import annotations

from decimal import Decimal
from xml.etree import ElementTree as ET

import pytest

from tests.corebank.helpers import DEMO_ANNA, DEMO_TARAS, new_key
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


def _debt(bank, account: str) -> Decimal:
    _, root = call(bank, "GetDebt", "<leg:ProviderId>yasno</leg:ProviderId>"
                                    f"<leg:Account>{account}</leg:Account>")
    return Decimal(value(root, "GetDebtResponse/Debt/Amount"))


def test_a_debt_falls_when_paid_and_a_template_quotes_the_current_debt(bank):
    """Issue 28: a paid bill still showed the debt, and its saved template quoted it again."""
    identity, _ = login_card(bank, DEMO_ANNA)
    # An account that owes between 100 and 500 (no step-up code needed to pay it all).
    account, owed = next((a, d) for a, d in ((f"25001{n:05d}", _debt(bank, f"25001{n:05d}"))
                                             for n in range(1, 2000)) if 100 < d <= 500)
    _, paid = _pay(bank, identity, new_key(), "60.00", account, "yasno")
    assert value(paid, "PayBillResponse/Status") == "completed", ET.tostring(paid)
    assert _debt(bank, account) == owed - Decimal("60.00")
    _, paid = _pay(bank, identity, new_key(), str(owed - Decimal("60.00")), account, "yasno")
    assert value(paid, "PayBillResponse/Status") == "completed", ET.tostring(paid)
    assert _debt(bank, account) == Decimal("0.00")

    # Saved after paying it: the template keeps no amount, so it quotes what is owed then.
    _, saved = call(bank, "SaveBillTemplate",
                    f"<leg:Identity>{identity}</leg:Identity><leg:Name>Light</leg:Name>"
                    f"<leg:ProviderId>yasno</leg:ProviderId><leg:Account>{account}</leg:Account>"
                    f"<leg:Amount>{owed}</leg:Amount>")
    assert value(saved, "SaveBillTemplateResponse/TemplateId"), ET.tostring(saved)
    _, listed = call(bank, "ListBillTemplates", f"<leg:Identity>{identity}</leg:Identity>")
    template = next(t for t in listed.iter(f"{{{NS}}}Template")
                    if t.findtext(f"{{{NS}}}Name") == "Light")
    assert not template.findtext(f"{{{NS}}}Amount")
    assert bank.check_ledger()["balanced"]
