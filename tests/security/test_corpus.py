"""The sensitive-message corpus (tests/security/corpus.py) through the redaction every layer
uses (channel guard, tracker store, log filter): nothing of a secret survives, in any shape;
harmless messages are left alone. (The through-the-channel scan of stored rows and logs is
tests/e2e/test_sensitive_data.py.)"""

from __future__ import annotations

import json
import re

import pytest

from assistant.redaction import (
    REDACTED,
    ascii_digits,
    find_card_numbers,
    find_invalid_card_numbers,
    redact_obj,
    redact_text,
)
from tests.security.corpus import BY_KIND, CORPUS, HARMLESS, INVALID_PANS, METADATA, VALID_PANS


def test_the_corpus_is_big_and_varied():
    assert len(CORPUS) >= 600
    assert len({text for text, _ in CORPUS}) >= 600
    for kind, (templates, _values) in BY_KIND.items():  # every language, every kind
        assert len(templates) >= 12, kind
        assert any(re.search("[іїєґ]", t) for t in templates), kind  # Ukrainian
        assert any(re.search("[ыэъё]|ИНН|пин|сзади|пришел|вот|мой", t) for t in templates), kind
        assert any(re.search("[a-z]{3}", t) and not re.search("[а-я]", t) for t in templates)


def _leaks(text: str, secret: str) -> bool:
    digits = re.sub(r"\D", "", ascii_digits(secret))
    if len(digits) >= 13:  # a card number: no 8 of its digits in a row may remain, in any
        # run of digits and separators
        runs = [re.sub(r"\D", "", run)
                for run in re.findall(r"\d(?:[\s._/\\-]{0,3}\d)*", ascii_digits(text))]
        return any(digits[i:i + 8] in run for run in runs for i in range(len(digits) - 7))
    if re.fullmatch(r"\d(?:[ -]?\d)*", secret):  # "581 204" is still there as "581204"
        runs = [re.sub(r"\D", "", run) for run in re.findall(r"\d(?:[ -]?\d)*", text)]
        return any(digits in run for run in runs)
    return secret.lower() in text.lower()


@pytest.mark.parametrize("text,secret", CORPUS, ids=[f"c{i}" for i in range(len(CORPUS))])
def test_nothing_of_the_secret_survives(text, secret):
    out = redact_text(text)
    assert not _leaks(out, secret), (text, out)
    assert redact_text(out) == out  # stable: redacted text is not redacted again


@pytest.mark.parametrize("text", HARMLESS)
def test_harmless_text_is_untouched(text):
    assert redact_text(text) == text


@pytest.mark.parametrize("metadata,secret", METADATA)
def test_metadata_values_are_redacted_by_key_and_by_shape(metadata, secret):
    out = json.dumps(redact_obj(metadata), ensure_ascii=False)
    assert secret not in out, out
    assert REDACTED in out or "••••" in out


def test_valid_and_invalid_card_numbers_are_told_apart():
    for pan in VALID_PANS:
        for sep in (".", "/", "_", "  "):
            text = f"to {sep.join(pan[i:i + 4] for i in range(0, len(pan), 4))} please"
            assert [s.value for s in find_card_numbers(text)] == [pan]
            assert find_invalid_card_numbers(text) == []
    for pan in INVALID_PANS:
        text = f"send 500 {' '.join(pan[i:i + 4] for i in range(0, len(pan), 4))}"
        assert find_card_numbers(text) == []
        spans = find_invalid_card_numbers(text)
        assert [s.value for s in spans] == [pan]  # the amount in front is not part of it
        assert text[:spans[0].start] == "send 500 "
    arabic = "".join("٠١٢٣٤٥٦٧٨٩"[int(d)] for d in VALID_PANS[0])
    assert [s.value for s in find_card_numbers(f"card {arabic}")] == [VALID_PANS[0]]
