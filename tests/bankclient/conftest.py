"""Bank client fixtures: a `Bank` pointed at the session's corebank sandbox, and helpers."""

from __future__ import annotations

import dataclasses
import random
import uuid

import pytest

from bankclient import Bank, KycApplication
from bankclient.config import BankSettings

ANNA = "+380501112233"  # verified, UAH 25,000 + credit limit, tariff card 5168740000000016
TARAS = "+380671234567"  # basic card 4149490000000023, UAH 1,500
TARAS_CARD = "4149490000000023"
OLENA_FROZEN_CARD = "5351450000000035"
IRYNA_BLOCKED_CARD = "4149490000000049"
OTHER_BANK_CARD = "4111111111111111"


def settings_for(corebank, **overrides) -> BankSettings:
    base = BankSettings(
        url=corebank.base_url,
        realm=corebank.realm,
        client_id=corebank.client_id,
        client_secret=corebank.client_secret,
        soap_user=corebank.soap_user,
        soap_password=corebank.soap_password,
        timeout_seconds=2.5,
        connect_timeout_seconds=1.0,
        scope=None,
    )
    return dataclasses.replace(base, **overrides)


@pytest.fixture
async def bank(corebank):
    b = Bank(settings_for(corebank))
    yield b
    await b.close()


@pytest.fixture
def faults(corebank):
    """Sandbox fault switches, always cleared afterwards (the sandbox is shared)."""
    corebank.clear_faults()
    yield corebank
    corebank.clear_faults()


def new_identity() -> str:
    return f"test:{uuid.uuid4().hex[:12]}"


def new_phone() -> str:
    """A phone nobody has used yet (a prospect on first login)."""
    return "+38099" + str(uuid.uuid4().int)[:7]


def new_key() -> str:
    """An idempotency key for one test call."""
    return f"test-{uuid.uuid4()}"


def kyc_application(**changes) -> KycApplication:
    """An application the sandbox verifies (adult, valid passport nobody else used)."""
    base = KycApplication(
        full_name="Test Person",
        date_of_birth="1990-05-17",
        address="Khreshchatyk 1, Kyiv",
        passport_number=f"ME{random.randint(0, 999_999):06d}",
        passport_issue_date="2008-06-01",
        passport_authority="Kyiv city department",
        consent=True,
    )
    return dataclasses.replace(base, **changes)


async def login(bank: Bank, corebank, phone: str, identity: str | None = None) -> str:
    """Log identity in through the client (OTP read from the sandbox SMS outbox)."""
    identity = identity or new_identity()
    challenge = await bank.customers.start_login(phone, identity)
    await bank.customers.verify_login(challenge.challenge_id, code=corebank.sms_code(phone))
    return identity


async def step_up_if_needed(bank, corebank, who: str, phone: str, quote) -> str | None:
    """The code the bank asks for (first transfer to a card, running daily total, amount)."""
    if not quote.requires_step_up:
        return None
    step = await bank.customers.start_step_up(who, "transfer", quote.quote_id)
    verified = await bank.customers.verify_step_up(step.challenge_id,
                                                   code=corebank.sms_code(phone))
    return verified.step_up_token
