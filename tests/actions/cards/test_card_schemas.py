"""The card forms' Cerberus schemas (normalisation and the reasons given on rejection) and how
one message is read for several tariff-card fields."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from actions.cards.schemas import (
    ADULT_AGE,
    SCHEMAS,
    UNDERAGE,
    age_on,
    check_field,
    check_form,
    split_address,
)
from actions.cards.tariff_form import mask_passport
from actions.cards.tariff_message import TariffMessage


@pytest.mark.parametrize(
    "typed", ["12.03.1995", "1995-03-12", "12 March 1995", "12/03/1995", "12 mar 1995",
              "March 12th, 1995", "12-03-1995", "12.03.95"],
)  # fmt: skip
def test_dates_in_common_formats_become_iso(typed):
    assert check_field("tariff_card_form", "date_of_birth", typed) == ("1995-03-12", None)


def test_every_form_has_one_schema_in_one_place():
    assert set(SCHEMAS) == {"basic_card_form", "tariff_card_form", "plastic_card_form"}
    assert list(SCHEMAS["tariff_card_form"]) == [
        "full_name", "date_of_birth", "home_address", "passport_number", "passport_issue_date",
        "passport_authority", "terms_consent",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "typed,clean",
    [("anna ivanova", "Anna Ivanova"), ("  ANNA   IVANOVA-PETRENKO ", "Anna Ivanova-Petrenko"),
     ("o'neil mary", "O'Neil Mary"), ("Олена Коваленко", "Olena Kovalenko"),
     ("Юлія Бойко", "Iuliia Boiko")],
)  # fmt: skip
def test_holder_names_are_title_cased_and_latin(typed, clean):
    assert check_field("basic_card_form", "card_holder_name", typed) == (clean, None)


@pytest.mark.parametrize(
    "typed,reason",
    [("Anna", "first and last name"), ("Anna 123", "letters"), (None, "Anna Ivanova"),
     ("A" * 20 + " " + "B" * 20, "at most 26")],
)  # fmt: skip
def test_bad_holder_names_say_why(typed, reason):
    value, problem = check_field("basic_card_form", "card_holder_name", typed)
    assert value is None and reason in problem


def test_full_name_keeps_cyrillic_for_the_passport_check():
    assert check_field("tariff_card_form", "full_name", "анна іванова") == ("Анна Іванова", None)


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier; 29 February falls back to 28 February (so this
    test runs on every day of the year, leap days included)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def test_under_18_is_its_own_reason():
    today = date.today()
    born = years_before(today, 17).isoformat()
    assert check_field("tariff_card_form", "date_of_birth", born) == (None, UNDERAGE)
    # The boundary: 18 today is an adult; 18 tomorrow is not yet.
    eighteen_today = years_before(today, ADULT_AGE)
    assert check_field("tariff_card_form", "date_of_birth", eighteen_today.isoformat())[1] is None
    eighteen_tomorrow = years_before(today + timedelta(days=1), ADULT_AGE)
    assert check_field("tariff_card_form", "date_of_birth", eighteen_tomorrow.isoformat()) == (
        None,
        UNDERAGE,
    )


@pytest.mark.parametrize(
    ("born", "today", "age"),
    [
        (date(2008, 2, 29), date(2026, 2, 28), 17),  # a leap-day baby is 18 on 1 March
        (date(2008, 2, 29), date(2026, 3, 1), 18),
        (date(2008, 3, 1), date(2026, 3, 1), 18),
        (date(2006, 2, 28), date(2024, 2, 29), 18),  # run on a leap day
        (date(2006, 3, 1), date(2024, 2, 29), 17),
    ],
)
def test_age_around_29_february(born, today, age):
    assert age_on(born, today) == age
    assert years_before(today, 18) <= today  # the helper above never crashes on 29 February


@pytest.mark.parametrize("typed", ["2099-01-01", "01.01.1850", "31.02.1990", "yesterday"])
def test_implausible_birth_dates_are_reasked(typed):
    value, problem = check_field("tariff_card_form", "date_of_birth", typed)
    assert value is None and "12.03.1995" in problem


@pytest.mark.parametrize(
    "typed,clean",
    [("mp 123456", "MP123456"), ("MP-123456", "MP123456"), ("123 456 789", "123456789"),
     ("ptok_AbCdEfGhIjKlMnOp", "ptok_AbCdEfGhIjKlMnOp"), ("кв123456", "КВ123456")],
)  # fmt: skip
def test_passport_formats(typed, clean):
    assert check_field("tariff_card_form", "passport_number", typed) == (clean, None)


@pytest.mark.parametrize("typed", ["MP12345", "12345678", "ptok_short", "passport"])
def test_unrecognised_passports_explain_the_format(typed):
    value, problem = check_field("tariff_card_form", "passport_number", typed)
    assert value is None and "2 letters and 6 digits" in problem


def test_issue_date_cannot_be_in_the_future():
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    value, problem = check_field("tariff_card_form", "passport_issue_date", tomorrow)
    assert value is None and "future" in problem


@pytest.mark.parametrize(
    "typed,parts",
    [("Khreshchatyk 22, Kyiv", ("Khreshchatyk 22", "Kyiv", None)),
     ("Sumska 45, Kharkiv, 61000", ("Sumska 45", "Kharkiv", "61000")),
     ("vul. Franka 7, kv. 12, Ivano-Frankivsk",
      ("vul. Franka 7, apt 12", "Ivano-Frankivsk", None)),
     ("I live at 12 Khreshchatyk St, apt 5, Kyiv 01001",
      ("Khreshchatyk St 12, apt 5", "Kyiv", "01001"))],
)  # fmt: skip
def test_addresses_split_into_street_city_postcode(typed, parts):
    assert check_field("plastic_card_form", "delivery_address", typed)[1] is None
    split = split_address(typed)
    assert (split["street"], split["city"], split["postal_code"]) == parts


@pytest.mark.parametrize("typed, asked", [
    ("Kyiv", "Which street?"), ("Khreshchatyk, Kyiv", "Which house number on Khreshchatyk?"),
    ("22, 33", "Which street?"), ("", "Which street?"),
])  # fmt: skip
def test_undeliverable_addresses_are_reasked(typed, asked):
    """Only the missing part is asked for."""
    value, problem = check_field("plastic_card_form", "delivery_address", typed)
    assert value is None and asked in problem


def test_consent_must_be_given():
    assert check_field("tariff_card_form", "terms_consent", True) == (True, None)
    assert check_field("tariff_card_form", "terms_consent", False)[0] is None


def test_whole_form_at_once():
    clean, problems = check_form("tariff_card_form", {
        "full_name": "anna ivanova", "date_of_birth": "12.03.1995",
        "home_address": "Khreshchatyk 22, Kyiv", "passport_number": "mp123456",
        "passport_issue_date": "15 April 2018", "passport_authority": " 8012 ",
        "terms_consent": True,
    })  # fmt: skip
    assert problems == {}
    assert clean["passport_issue_date"] == "2018-04-15" and clean["passport_authority"] == "8012"


def test_passport_mask_keeps_only_the_ends():
    assert mask_passport("MP123456") == "MP••••56"


class FakeTracker:
    """Just what TariffMessage reads: the latest message and slots."""

    def __init__(self, text, requested=None, entities=None, intent="inform", slots=None):
        self.latest_message = {
            "text": text, "intent": {"name": intent},
            "entities": [{"entity": k, "value": v} for k, v in (entities or {}).items()],
        }  # fmt: skip
        self.slots = {"requested_slot": requested, **(slots or {})}

    def get_slot(self, name):
        return self.slots.get(name)

    def get_latest_entity_values(self, name):
        return (e["value"] for e in self.latest_message["entities"] if e["entity"] == name)


def test_one_message_several_fields():
    text = ("Anna Ivanova, born 12.03.1995, passport ptok_AbCdEfGhIjKlMnOp issued 15.04.2018 "
            "by 8012, i live at Lesi Ukrainky 5, Kyiv")
    found = TariffMessage.read(FakeTracker(
        text, "full_name", {"person_name": "Anna Ivanova", "address": "Lesi Ukrainky 5, Kyiv"}
    )).values
    assert found == {
        "full_name": "Anna Ivanova", "date_of_birth": "12.03.1995",
        "passport_number": "ptok_AbCdEfGhIjKlMnOp", "passport_issue_date": "15.04.2018",
        "passport_authority": "8012", "home_address": "Lesi Ukrainky 5, Kyiv",
    }  # fmt: skip


def test_an_unlabelled_date_answers_the_question_asked():
    found = TariffMessage.read(FakeTracker("15.04.2018", "passport_issue_date")).values
    assert found == {"passport_issue_date": "15.04.2018"}
    found = TariffMessage.read(FakeTracker("12 March 1995", "date_of_birth")).values
    assert found == {"date_of_birth": "12 March 1995"}


def test_a_question_mid_form_is_not_taken_as_a_value():
    found = TariffMessage.read(FakeTracker("what cashback do you give?", "full_name", {},
                                           intent="card_info")).values  # fmt: skip
    assert found == {}


def test_consent_from_the_button():
    found = TariffMessage.read(FakeTracker("/affirm", "terms_consent", intent="affirm")).values
    assert found == {"terms_consent": True}


def test_address_without_an_entity_after_i_live_at():
    text = "Oksana Melnychuk, i live at Shevchenka 9, Poltava, born 03.01.1993"
    found = TariffMessage.read(FakeTracker(text, "full_name", {"person_name": "Oksana Melnychuk"}))
    assert found.values["home_address"] == "Shevchenka 9, Poltava"
    assert found.values["date_of_birth"] == "03.01.1993"
