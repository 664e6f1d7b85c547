"""Entity-shaped spans (phones, names, amounts, vault refs) that must not decide the intent."""

import pytest

from nlu_components.entity_shapes import find_spans, masked_text


@pytest.mark.parametrize(
    "phone",
    [
        "+380 67 123 45 67",
        "0671234567",
        "+380671112299",
        "380501234567",
        "050 111 22 33",
        "097-111-22-33",
        "+38 (097) 555-12-34",
        "(067) 123 45 67",
        "+380 (67) 123-45-67",
    ],
)
def test_a_ukrainian_phone_in_any_format_is_one_span(phone):
    spans = find_spans(phone)
    assert [(s.start, s.end, s.kind) for s in spans] == [(0, len(phone), "phone")]
    assert masked_text(f"my number is {phone}") == "my number is phone number"


@pytest.mark.parametrize("name", ["Marko Vovk", "borys palamarchuk", "Yevheniia Tsymbal", "O'Neil"])
def test_a_name_after_my_name_is_is_masked_whatever_it_is(name):
    assert masked_text(f"I want a card, my name is {name}") == "I want a card, my name is Alex"


def test_a_name_stops_at_the_next_clause():
    assert masked_text("my name is anna and i want a card") == "my name is Alex and i want a card"
    assert (
        masked_text("hi i'm Kyrylo Boiko i want to get a card")
        == "hi i'm Alex i want to get a card"
    )


def test_lower_case_words_after_im_are_not_a_name():
    assert masked_text("i'm hungry") == "i'm hungry"
    assert masked_text("it's lost") == "it's lost"
    assert masked_text("what is the name on the card") == "what is the name on the card"


def test_amounts_and_references_are_constants():
    assert masked_text("send 1 500 uah to ctok_zNy56eu1Vz4juwRj") == "send 100 uah to card number"
    assert masked_text("pay 200.50 for gas") == "pay 100 for gas"
    assert masked_text("code otok_Ab3dEf6hIj9kLm2n") == "code code"


def test_dates_are_not_amounts_or_phones():
    assert find_spans("born 12.03.1995") == []
    assert find_spans("1995-03-12") == []


def test_text_without_entities_is_unchanged():
    text = "someone took my card, block it!!"
    assert find_spans(text) == [] and masked_text(text) == text
