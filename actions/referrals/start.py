"""`action_deep_link_start`: a newcomer opened the bot through a link carrying an invitation or
a partner campaign code (Telegram `start`, Viber `context`, Facebook `ref`).

The parameter is trusted only when the turn came through a messenger channel, whose webhook
is verified (signature / secret token): the channel puts it in the turn's metadata. A turn from
any other channel (REST, socket.io: the caller writes the metadata) only gets the greeting.
No login is needed: the bank attributes the chat now and the customer once they have a card.
"""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common.bank import bank
from actions.common.conversation import identity
from actions.referrals.codes import START_PARAM_RE
from actions.referrals.outcome import deep_link_intro
from bankclient import BankError

logger = logging.getLogger(__name__)

VERIFIED_CHANNELS = frozenset({"telegram", "viber", "facebook", "whatsapp"})


def start_param(tracker: Tracker) -> str | None:
    if tracker.get_latest_input_channel() not in VERIFIED_CHANNELS:
        return None
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    param = metadata.get("start_param")
    return param if isinstance(param, str) and START_PARAM_RE.match(param) else None


class ActionDeepLinkStart(Action):
    def name(self) -> str:
        return "action_deep_link_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        param = start_param(tracker)
        if param is None:
            dispatcher.utter_message(response="utter_greet")
            return []
        try:
            out = await bank().referrals.attribute(identity(tracker), param, "link")
        except BankError as err:
            logger.warning("deep link attribution failed: bank error %s", err.code)
            intro = ("I couldn't check your invitation right now; send me the code later "
                     "(\"my invitation code is …\") and it still counts.")
        else:
            intro = deep_link_intro(out)
        dispatcher.utter_message(response="utter_deep_link_welcome", intro=intro)
        return []
