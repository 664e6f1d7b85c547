"""Phone numbers as customers type them (no bank needed)."""

from __future__ import annotations

import pytest

from actions.auth.phone import parse_phone


@pytest.mark.parametrize(
    "text",
    [
        "+380 50 111 22 33",
        "0501112233",
        "050 111 22 33",
        "my number is 050-111-22-33",
        "+38 (050) 111-22-33",
        "380501112233",
    ],
)
def test_parse_phone_accepts_how_people_type_it(text):
    assert parse_phone(text) == "+380501112233"


@pytest.mark.parametrize("text", ["12345", "hello", "", "my code is 123456", "+380 50"])
def test_parse_phone_rejects_non_numbers(text):
    assert parse_phone(text) is None
