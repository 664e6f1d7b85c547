"""The one idempotency-key scheme for money moves."""

import pytest

from bankclient import idempotency_key, new_idempotency_key


def test_derived_key_is_stable_per_intent_and_differs_between_intents():
    key = idempotency_key("transfer", "rest:anna", "qte_1")
    assert key == idempotency_key("transfer", "rest:anna", "qte_1")
    assert key != idempotency_key("transfer", "rest:anna", "qte_2")
    assert key != idempotency_key("transfer", "rest:taras", "qte_1")
    assert key != idempotency_key("topup", "rest:anna", "qte_1")
    assert key.startswith("transfer-")


def test_key_reveals_nothing_and_fits_the_bank():
    key = idempotency_key("card", "telegram:12345", "+380501112233", 100)
    assert "12345" not in key and "380" not in key and "100" not in key
    assert len(key) <= 200 and key.isprintable()


def test_operation_is_required_and_short():
    with pytest.raises(ValueError):
        idempotency_key("")
    with pytest.raises(ValueError):
        idempotency_key("x" * 41)


def test_random_keys_are_unique():
    assert len({new_idempotency_key() for _ in range(100)}) == 100
