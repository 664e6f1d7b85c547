"""Sealed form values (no bank needed)."""

from __future__ import annotations

from actions.common.sealing import is_sealed, seal, unseal


def test_sealed_date_of_birth_round_trip():
    sealed = seal("1995-03-12")
    assert sealed.startswith("sealed:") and "1995" not in sealed
    assert unseal(sealed) == "1995-03-12"
    assert unseal("sealed:garbage") is None


def test_unsealed_values_pass_through():
    assert is_sealed(seal("x")) and not is_sealed("1995-03-12")
    assert unseal("1995-03-12") == "1995-03-12"
    assert unseal(None) is None


def test_the_key_is_its_own_not_the_action_server_token(monkeypatch):
    """Rasa holds ACTION_SERVER_TOKEN: it must not be able to open sealed slots."""
    monkeypatch.setenv("SLOT_SEALING_KEY", "key-one")
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "token-a")
    sealed = seal("1995-03-12")
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "token-b")
    assert unseal(sealed) == "1995-03-12"  # the token does not matter
    monkeypatch.setenv("SLOT_SEALING_KEY", "key-two")
    assert unseal(sealed) is None  # the sealing key does
