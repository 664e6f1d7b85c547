"""The bank's quote for a transfer (route, fee, total, recipient's masked name for our own
cards), asked as soon as amount and card are known. A refused quote says why and clears the part
the customer must change (the card, or the amount)."""

from __future__ import annotations

from decimal import Decimal

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common.bank import bank
from actions.common.conversation import identity
from actions.common.money import DEFAULT_CURRENCY, money_text
from actions.transfers.flow import stop
from bankclient import (
    BankError,
    CardBlocked,
    CardFrozen,
    InsufficientFunds,
    InvalidAmount,
    InvalidCard,
    InvalidRequest,
    LimitExceeded,
    NotFound,
    OwnCard,
    user_message,
)


def clear_card() -> list[EventType]:
    return [SlotSet("transfer_card_token", None), SlotSet("transfer_card_masked", None)]


def _stop_events(dispatcher: CollectingDispatcher, err: BankError) -> list[EventType]:
    return [SlotSet(k, v) for k, v in stop(dispatcher, err, "quote").items()]


def _limit_text(err: BankError) -> str:
    details = err.details
    currency = DEFAULT_CURRENCY
    if details.get("limit") == "daily" and details.get("daily_remaining") is not None:
        left = money_text(details["daily_remaining"], currency)
        return f"today you can send {left} more"
    if details.get("per_transfer") is not None:
        return f"one transfer can be at most {money_text(details['per_transfer'], currency)}"
    return err.message or "the bank's transfer limit"


async def quote_if_ready(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Slot events for a new quote (or why there is none); nothing while the quote the customer
    is looking at still matches amount, card and currency."""
    if tracker.get_slot("transfer_status"):
        return []
    amount = tracker.get_slot("transfer_amount")
    card = tracker.get_slot("transfer_card_token")
    currency = tracker.get_slot("transfer_currency") or DEFAULT_CURRENCY
    quote = tracker.get_slot("transfer_quote") or {}
    if not amount or not card:
        return []
    if (
        quote
        and quote.get("to_card_token") == card
        and quote.get("requested_amount") == amount
        and quote.get("currency") == currency
    ):
        return []  # still the offer the customer is looking at
    stale = [
        SlotSet("transfer_quote_id", None),
        SlotSet("transfer_quote", None),
        SlotSet("transfer_confirmed", None),
    ]
    try:
        result = await bank().transfers.quote(identity(tracker), card, Decimal(amount), currency)
    except OwnCard:
        dispatcher.utter_message(response="utter_transfer_own_card")
        return stale + clear_card()
    except CardFrozen as err:
        # The customer's own card is frozen: nothing leaves the account, whatever the card.
        dispatcher.utter_message(response="utter_transfer_failed", reason=user_message(err))
        return stale + [SlotSet("transfer_status", "failed")]
    except CardBlocked:
        dispatcher.utter_message(response="utter_transfer_card_blocked")
        return stale + clear_card()
    except NotFound:
        dispatcher.utter_message(response="utter_transfer_card_not_found")
        return stale + clear_card()
    except InvalidCard:
        dispatcher.utter_message(response="utter_transfer_card_invalid")
        return stale + clear_card()
    except InsufficientFunds as err:
        available = err.details.get("available")
        total = err.details.get("total", amount)
        dispatcher.utter_message(
            response="utter_transfer_insufficient_funds",
            total=money_text(total, currency),
            available=money_text(available, currency) if available is not None else "less",
        )
        return stale + [SlotSet("transfer_amount", None)]
    except LimitExceeded as err:
        dispatcher.utter_message(response="utter_transfer_limit_exceeded", limit=_limit_text(err))
        return stale + [SlotSet("transfer_amount", None)]
    except InvalidAmount as err:
        dispatcher.utter_message(response="utter_transfer_amount_invalid",
                                 problem=user_message(err))  # fmt: skip
        return stale + [SlotSet("transfer_amount", None)]
    except InvalidRequest as err:
        if err.details.get("field") == "currency":
            dispatcher.utter_message(response="utter_transfer_no_account", currency=currency)
            return stale + [SlotSet("transfer_amount", None), SlotSet("transfer_currency", None)]
        return stale + _stop_events(dispatcher, err)
    except BankError as err:
        return stale + _stop_events(dispatcher, err)
    recipient = result.recipient_masked_name if result.own_bank else (
        tracker.get_slot("transfer_recipient") or "another bank"
    )
    quote = {
        "quote_id": result.quote_id,
        "to_card_token": card,
        "requested_amount": amount,
        "amount": str(result.amount),
        "fee": str(result.fee),
        "total": str(result.total),
        "currency": str(result.currency or currency),
        "route": result.route,
        "requires_step_up": bool(result.requires_step_up),
        "step_up_reason": result.step_up_reason,
    }
    return [
        SlotSet("transfer_quote_id", quote["quote_id"]),
        SlotSet("transfer_quote", quote),
        SlotSet("transfer_recipient", recipient),
        SlotSet("transfer_confirmed", None),
    ]
