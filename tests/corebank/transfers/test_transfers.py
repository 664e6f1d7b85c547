"""Transfers: quotes, routes, fees, limits, step-up, idempotency, and the ledger afterwards."""

from __future__ import annotations

import secrets
from decimal import Decimal

from tests.corebank.harness import (
    ADMIN,
    ANNA_CARD,
    ANNA_PHONE,
    IRYNA_CARD_BLOCKED,
    OLENA_CARD_FROZEN,
    OTHER_BANK_CARD,
    TARAS_CARD,
    TARAS_PHONE,
    error_code,
)


def quote(bank, identity, pan_or_token, amount, currency="UAH"):
    token = pan_or_token if pan_or_token.startswith("ctok_") else bank.tokenize(pan_or_token)
    return bank.post("/api/v1/me/transfers/quote",
                     {"to_card_token": token, "amount": amount, "currency": currency}, identity)


def send(bank, identity, quote_id, key=None, step_up_token=None):
    body = {"quote_id": quote_id}
    if step_up_token:
        body["step_up_token"] = step_up_token
    return bank.post("/api/v1/me/transfers", body, identity, key or secrets.token_hex(8))


def step_up_for(bank, identity, q):
    """A step-up token when the quote needs one (first transfer to a card, big amounts)."""
    if not q["requires_step_up"]:
        return None
    return bank.step_up(identity, bank.phones[identity], q["quote_id"])


def test_own_bank_transfer_and_replay(bank):
    anna, taras = bank.login(ANNA_PHONE), bank.login(TARAS_PHONE)
    anna_before, taras_before = bank.balance(anna), bank.balance(taras)
    journals_before = bank.ledger_check()["journals"]
    r = quote(bank, anna, TARAS_CARD, "150.50")
    assert r.status_code == 201, r.text
    q = r.json()
    assert q["route"] == "own" and q["fee"] == "0.00" and q["total"] == "150.50"
    assert q["recipient_masked_name"] == "Taras S." and q["recipient_masked"] == "•••• 0023"
    # Anna has never sent money to this card: a first-time recipient needs a code.
    assert q["requires_step_up"] is True and q["step_up_reason"] == "new_recipient"
    assert q["limits"]["per_transfer"] == "30000.00"
    key = secrets.token_hex(8)
    assert send(bank, anna, q["quote_id"], key).status_code == 403  # no code, no money
    token = step_up_for(bank, anna, q)
    r = send(bank, anna, q["quote_id"], key, token)
    assert r.status_code == 201, r.text
    t = r.json()
    assert t["status"] == "completed" and t["amount"] == "150.50" and t["receipt_no"]
    assert Decimal(t["balance_after"]) == anna_before - Decimal("150.50")
    replay = send(bank, anna, q["quote_id"], key, token)
    assert replay.status_code == 201 and replay.json() == t
    assert bank.balance(anna) == anna_before - Decimal("150.50")
    assert bank.balance(taras) == taras_before + Decimal("150.50")
    assert bank.ledger_check()["journals"] == journals_before + 1  # no double posting
    again = send(bank, anna, q["quote_id"])  # same quote, new key
    assert again.status_code == 409 and again.json()["error"]["reason"] == "quote_used"
    conflict = bank.post("/api/v1/me/transfers", {"quote_id": "qte_other"}, anna, key)
    assert conflict.status_code == 409 and error_code(conflict) == "idempotency_conflict"
    history = bank.get("/api/v1/me/transactions", taras).json()
    assert any(Decimal(x["amount"]) == Decimal("150.50") for x in history)
    bank.assert_balanced()


def test_other_bank_transfer_fee(bank):
    anna = bank.login(ANNA_PHONE)
    before = bank.balance(anna)
    q = quote(bank, anna, OTHER_BANK_CARD, "100.00").json()
    assert q["route"] == "network" and q["fee"] == "5.00" and q["total"] == "105.00"
    assert q["recipient_masked_name"] is None
    q2 = quote(bank, anna, OTHER_BANK_CARD, "400.00").json()
    assert q2["fee"] == "5.00"
    q3 = quote(bank, anna, OTHER_BANK_CARD, "30000.00").json()
    assert q3["fee"] == "300.00" and q3["requires_step_up"] is True
    assert q3["step_up_reason"] == "amount"
    r = send(bank, anna, q["quote_id"], step_up_token=step_up_for(bank, anna, q))
    assert r.status_code == 201, r.text
    assert r.json()["fee"] == "5.00" and r.json()["route"] == "network"
    assert bank.balance(anna) == before - Decimal("105.00")
    bank.assert_balanced()


def test_other_bank_transfer_in_usd_takes_its_fee_in_usd(bank):
    """Anna's USD account sends to another bank: the fee goes to the USD fee account (there was
    none, and every USD network transfer failed with 500 before any money moved)."""
    anna = bank.login(ANNA_PHONE)
    q = quote(bank, anna, OTHER_BANK_CARD, "10.00", "USD").json()
    assert q["currency"] == "USD" and q["route"] == "network" and q["total"] == "15.00"
    r = send(bank, anna, q["quote_id"], step_up_token=step_up_for(bank, anna, q))
    assert r.status_code == 201, r.text
    assert r.json()["fee"] == "5.00"
    bank.assert_balanced()


def test_transfer_errors(bank):
    anna = bank.login(ANNA_PHONE)
    before = bank.balance(anna)
    for amount in ("0", "-5", "1.001", "abc", "1000000.01"):
        r = quote(bank, anna, TARAS_CARD, amount)
        assert r.status_code == 422 and error_code(r) == "invalid_amount", (amount, r.text)
    assert quote(bank, anna, TARAS_CARD, 12.5).status_code == 201  # exact JSON numbers are ok
    r = quote(bank, anna, TARAS_CARD, "10.00", "XYZ")
    assert error_code(r) == "unknown_currency"
    r = quote(bank, anna, "ctok_AAAAAAAAAAAAAAAA", "10.00")
    assert r.status_code == 404 and error_code(r) == "card_not_found"
    r = bank.post("/api/v1/me/transfers/quote",
                  {"to_card_token": "4111111111111111", "amount": "10.00"}, anna)
    assert error_code(r) == "invalid_request"  # raw numbers are never accepted here
    assert error_code(quote(bank, anna, ANNA_CARD, "10.00")) == "own_card"
    assert error_code(quote(bank, anna, IRYNA_CARD_BLOCKED, "10.00")) == "card_blocked"
    assert error_code(quote(bank, anna, OLENA_CARD_FROZEN, "10.00")) == "card_blocked"
    r = quote(bank, anna, TARAS_CARD, "30000.01")
    assert error_code(r) == "limit_exceeded" and r.json()["error"]["limit"] == "per_transfer"
    r = send(bank, anna, "qte_doesnotexist")
    assert r.status_code == 404
    taras = bank.login(TARAS_PHONE)
    r = quote(bank, taras, ANNA_CARD, "5000.00")  # Taras has about 1,500 and no credit
    assert r.status_code == 409 and error_code(r) == "insufficient_funds"
    q = quote(bank, anna, TARAS_CARD, "10.00").json()
    r = send(bank, taras, q["quote_id"])  # someone else's quote
    assert r.status_code == 404
    newbie = bank.login()
    assert error_code(quote(bank, newbie, TARAS_CARD, "10.00")) == "no_account"
    assert bank.balance(anna) == before
    bank.assert_balanced()


def test_step_up_required_above_threshold(bank):
    anna = bank.login(ANNA_PHONE)
    before = bank.balance(anna)
    q = quote(bank, anna, TARAS_CARD, "600.00").json()
    assert q["requires_step_up"] is True
    r = send(bank, anna, q["quote_id"])
    assert r.status_code == 403 and error_code(r) == "otp_required"
    r = send(bank, anna, q["quote_id"], step_up_token="forged-token")
    assert r.status_code == 403 and error_code(r) == "otp_required"
    other = quote(bank, anna, TARAS_CARD, "700.00").json()
    wrong_ref = bank.step_up(anna, ANNA_PHONE, other["quote_id"])
    r = send(bank, anna, q["quote_id"], step_up_token=wrong_ref)
    assert r.status_code == 403 and error_code(r) == "otp_required"
    assert bank.balance(anna) == before
    token = bank.step_up(anna, ANNA_PHONE, q["quote_id"])
    key = secrets.token_hex(8)
    r = send(bank, anna, q["quote_id"], key, token)
    assert r.status_code == 201, r.text
    replay = send(bank, anna, q["quote_id"], key, token)  # the token is spent; replay still ok
    assert replay.status_code == 201 and replay.json() == r.json()
    assert bank.balance(anna) == before - Decimal("600.00")
    bank.assert_balanced()


def _verified_step_up(bank, identity, phone, body):
    r = bank.post("/api/v1/me/step-up", body, identity)
    if r.status_code != 200:
        return r
    return bank.post(f"/api/v1/auth/otp/{r.json()['challenge_id']}/verify",
                     {"code": bank.last_code(phone)})


def test_a_step_up_token_authorises_only_its_own_operation(bank):
    """Issue 22 #3: a verified `card_pin` step-up with no reference paid a 600 UAH transfer."""
    anna = bank.login(ANNA_PHONE)
    before = bank.balance(anna)
    q = quote(bank, anna, TARAS_CARD, "600.00").json()
    # No reference, or a purpose the bank does not know: no challenge at all.
    for body in ({"purpose": "card_pin"}, {"purpose": "card_pin", "reference": q["quote_id"]},
                 {"purpose": "transfer"}):
        r = bank.post("/api/v1/me/step-up", body, anna)
        assert r.status_code == 422, (body, r.text)
    assert error_code(bank.post("/api/v1/me/step-up", {"purpose": "card_pin", "reference": "x"},
                                anna)) == "unknown_purpose"
    assert error_code(bank.post("/api/v1/me/step-up", {"purpose": "bill", "reference": "x"},
                                anna)) == "step_up_terms_required"
    # A transfer code for a quote that is not Anna's (or does not exist): 404.
    assert error_code(bank.post("/api/v1/me/step-up",
                                {"purpose": "transfer", "reference": "qte_nope"}, anna)) \
        == "not_found"
    # A bill's code (its own reference) never pays a transfer, even for the same amount.
    bill = _verified_step_up(bank, anna, ANNA_PHONE, {
        "purpose": "bill", "reference": q["quote_id"], "amount": "600.00",
        "target": "kyivstar:0671234567"})
    assert bill.status_code == 200, bill.text
    r = send(bank, anna, q["quote_id"], step_up_token=bill.json()["step_up_token"])
    assert r.status_code == 403 and error_code(r) == "otp_required"
    assert bank.balance(anna) == before
    # The transfer's own code: the SMS says what it confirms and how much.
    token = bank.step_up(anna, ANNA_PHONE, q["quote_id"])
    sms = bank.http.get("/sandbox/sms", params={"phone": ANNA_PHONE, "limit": 1},
                        headers={"X-Sandbox-Token": ADMIN}).json()["messages"][0]["text"]
    assert "transfer" in sms and "600.00 UAH" in sms and q["recipient_masked"] in sms
    r = send(bank, anna, q["quote_id"], step_up_token=token)
    assert r.status_code == 201, r.text
    assert bank.balance(anna) == before - Decimal("600.00")
    bank.assert_balanced()


def fund(bank, identity, amount):
    """Credit a customer from a fresh settlement account through the ledger API."""
    source = bank.post("/api/v1/ledger/accounts", {"kind": "settlement", "currency": "UAH"})
    assert source.status_code in (200, 201), source.text
    r = bank.post("/api/v1/ledger/transfers",
                  {"from_account": source.json()["account_id"],
                   "to_account": bank.account(identity)["account_id"],
                   "amount": amount, "currency": "UAH", "description": "test funding"},
                  key=secrets.token_hex(8))
    assert r.status_code in (200, 201), r.text


def test_daily_limit(bank):
    identity = bank.new_card_holder()
    fund(bank, identity, "130000.00")
    phone = bank.phones[identity]
    for _ in range(3):
        q = quote(bank, identity, TARAS_CARD, "30000.00").json()
        token = bank.step_up(identity, phone, q["quote_id"])
        assert send(bank, identity, q["quote_id"], step_up_token=token).status_code == 201
    r = quote(bank, identity, TARAS_CARD, "10000.01")
    assert r.status_code == 409 and error_code(r) == "limit_exceeded"
    assert r.json()["error"]["limit"] == "daily" and r.json()["error"]["daily_remaining"] == \
        "10000.00"
    q = quote(bank, identity, TARAS_CARD, "10000.00").json()
    assert q["limits"]["daily_remaining"] == "10000.00"
    assert bank.balance(identity) == Decimal("40000.00")
    bank.assert_balanced()


def test_insufficient_funds_at_transfer_time(bank):
    """Two quotes fit the balance one at a time; the second transfer must be refused."""
    identity = bank.new_card_holder()
    fund(bank, identity, "300.00")
    q1 = quote(bank, identity, TARAS_CARD, "200.00").json()
    q2 = quote(bank, identity, TARAS_CARD, "200.00").json()
    assert send(bank, identity, q1["quote_id"],
                step_up_token=step_up_for(bank, identity, q1)).status_code == 201
    r = send(bank, identity, q2["quote_id"], step_up_token=step_up_for(bank, identity, q2))
    assert r.status_code == 409 and error_code(r) == "insufficient_funds"
    assert bank.balance(identity) == Decimal("100.00")
    bank.assert_balanced()


def test_step_up_on_the_running_daily_total(bank):
    """Just-under-the-threshold amounts again and again: once today's total with the next one
    passes STEP_UP_DAILY_THRESHOLD (1,000 by default), every further transfer needs a code."""
    identity = bank.new_card_holder()
    fund(bank, identity, "5000.00")
    first = quote(bank, identity, TARAS_CARD, "499.00").json()
    assert first["step_up_reason"] == "new_recipient"
    assert send(bank, identity, first["quote_id"],
                step_up_token=step_up_for(bank, identity, first)).status_code == 201
    second = quote(bank, identity, TARAS_CARD, "499.00").json()  # known card, 998 today
    assert second["requires_step_up"] is False and second["step_up_reason"] is None
    assert send(bank, identity, second["quote_id"]).status_code == 201
    third = quote(bank, identity, TARAS_CARD, "499.00").json()  # 1,497 > 1,000
    assert third["requires_step_up"] is True and third["step_up_reason"] == "daily_total"
    r = send(bank, identity, third["quote_id"])
    assert r.status_code == 403 and error_code(r) == "otp_required"
    assert bank.balance(identity) == Decimal("4002.00")
    token = step_up_for(bank, identity, third)
    assert send(bank, identity, third["quote_id"], step_up_token=token).status_code == 201
    assert bank.balance(identity) == Decimal("3503.00")
    bank.assert_balanced()


def test_concurrent_quotes_cannot_skip_the_daily_step_up(bank):
    """Two quotes made before either is sent each look under the running threshold; the
    bank checks again when sending, so the second one needs a code."""
    identity = bank.new_card_holder()
    fund(bank, identity, "5000.00")
    first = quote(bank, identity, TARAS_CARD, "10.00").json()
    assert send(bank, identity, first["quote_id"],
                step_up_token=step_up_for(bank, identity, first)).status_code == 201
    q1 = quote(bank, identity, TARAS_CARD, "600.00")
    assert q1.json()["step_up_reason"] == "amount"  # (600 > 500 on its own)
    a = quote(bank, identity, TARAS_CARD, "495.00").json()
    b = quote(bank, identity, TARAS_CARD, "495.00").json()
    assert a["requires_step_up"] is False and b["requires_step_up"] is False
    assert send(bank, identity, a["quote_id"]).status_code == 201  # 505 today
    r = send(bank, identity, b["quote_id"])  # would make 1,000.00: not above, allowed
    assert r.status_code == 201, r.text
    c = quote(bank, identity, TARAS_CARD, "1.00").json()  # 1,001 > 1,000
    d = quote(bank, identity, TARAS_CARD, "1.00").json()
    assert c["step_up_reason"] == "daily_total" and d["step_up_reason"] == "daily_total"
    bank.assert_balanced()


def test_concurrent_quotes_recheck_at_execution(bank):
    identity = bank.new_card_holder()
    fund(bank, identity, "5000.00")
    first = quote(bank, identity, TARAS_CARD, "10.00").json()
    assert send(bank, identity, first["quote_id"],
                step_up_token=step_up_for(bank, identity, first)).status_code == 201
    a = quote(bank, identity, TARAS_CARD, "495.00").json()
    b = quote(bank, identity, TARAS_CARD, "496.00").json()
    assert a["requires_step_up"] is False and b["requires_step_up"] is False
    assert send(bank, identity, a["quote_id"]).status_code == 201  # 505 today
    r = send(bank, identity, b["quote_id"])  # 1,001 with it: the quote said no code, the
    assert r.status_code == 403 and error_code(r) == "otp_required"  # bank says yes now
    assert bank.balance(identity) == Decimal("4495.00")
    token = bank.step_up(identity, bank.phones[identity], b["quote_id"])
    assert send(bank, identity, b["quote_id"], step_up_token=token).status_code == 201
    bank.assert_balanced()


def test_first_transfer_to_each_card_needs_a_code(bank):
    identity = bank.new_card_holder()
    fund(bank, identity, "1000.00")
    q = quote(bank, identity, OTHER_BANK_CARD, "20.00").json()
    assert q["requires_step_up"] is True and q["step_up_reason"] == "new_recipient"
    r = send(bank, identity, q["quote_id"])
    assert r.status_code == 403 and error_code(r) == "otp_required"
    assert bank.balance(identity) == Decimal("1000.00")
    assert send(bank, identity, q["quote_id"],
                step_up_token=step_up_for(bank, identity, q)).status_code == 201
    again = quote(bank, identity, OTHER_BANK_CARD, "20.00").json()
    assert again["requires_step_up"] is False  # a known recipient now
    other = quote(bank, identity, TARAS_CARD, "20.00").json()
    assert other["step_up_reason"] == "new_recipient"  # but not every card


def test_a_transfer_can_be_looked_up_by_its_key(bank):
    identity = bank.new_card_holder()
    fund(bank, identity, "500.00")
    key = secrets.token_hex(8)
    assert error_code(bank.get(f"/api/v1/me/transfers/by-key/{key}", identity)) == "not_found"
    q = quote(bank, identity, TARAS_CARD, "20.00").json()
    sent = send(bank, identity, q["quote_id"], key, step_up_for(bank, identity, q)).json()
    found = bank.get(f"/api/v1/me/transfers/by-key/{key}", identity)
    assert found.status_code == 200 and found.json() == sent
    other = bank.login()  # another customer cannot see it
    assert bank.get(f"/api/v1/me/transfers/by-key/{key}", other).status_code == 404


def test_one_key_is_one_transfer_even_when_the_amount_changes(bank):
    """Issue 28: the answer to a send was lost, the customer changed 100 to 120 and confirmed.
    Under the same key the bank refuses the other transfer (409) instead of sending it; the key
    still finds the first one."""
    identity = bank.new_card_holder()
    fund(bank, identity, "1000.00")
    key = secrets.token_hex(8)
    first = quote(bank, identity, TARAS_CARD, "100.00").json()
    sent = send(bank, identity, first["quote_id"], key, step_up_for(bank, identity, first))
    assert sent.status_code == 201, sent.text
    changed = quote(bank, identity, TARAS_CARD, "120.00").json()
    again = send(bank, identity, changed["quote_id"], key, step_up_for(bank, identity, changed))
    assert again.status_code == 409 and error_code(again) == "idempotency_conflict"
    assert bank.balance(identity) == Decimal("900.00")  # one transfer: -100, never -120 too
    found = bank.get(f"/api/v1/me/transfers/by-key/{key}", identity).json()
    assert found["transfer_id"] == sent.json()["transfer_id"] and found["amount"] == "100.00"
    bank.assert_balanced()
