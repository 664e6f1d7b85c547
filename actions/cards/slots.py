"""The slots of the card flows, and the events that end a flow."""

from __future__ import annotations

from rasa_sdk.events import EventType, SlotSet

FLOW_SLOT = "card_flow"
TIER_SLOT = "card_tier"
ABORT_SLOT = "card_form_aborted"
BASIC, TARIFF = "basic", "tariff"

TARIFF_FIELDS = (
    "full_name", "date_of_birth", "home_address", "passport_number", "passport_issue_date",
    "passport_authority", "terms_consent",
)  # fmt: skip
# Slots each flow fills; cleared when the flow ends, however it ends.
BASIC_SLOTS = ("card_holder_name",)
TARIFF_SLOTS = (*TARIFF_FIELDS, "passport_masked", "home_address_confirmed")
PLASTIC_SLOTS = ("delivery_address", "delivery_address_confirmed")


def flow(value: str) -> SlotSet:
    return SlotSet(FLOW_SLOT, value)


def end_of_flow(*, keep_home_address: bool = False) -> list[EventType]:
    """Forget everything the card flows collected (no personal data lingers in the tracker)."""
    slots = [*BASIC_SLOTS, *TARIFF_SLOTS, *PLASTIC_SLOTS, TIER_SLOT, ABORT_SLOT]
    if keep_home_address:
        slots.remove("home_address")  # offered as the plastic card's delivery address
    return [SlotSet(name, None) for name in slots] + [flow("none")]
