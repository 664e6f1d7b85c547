"""`action_referral` (behind the login gate): a typed invitation code is applied; otherwise the
customer's own invitation code, the link for this messenger, and what inviting has earned."""

from __future__ import annotations

import logging
from datetime import datetime

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common.conversation import request_message
from actions.common.login_gate import SensitiveAction
from actions.common.money import format_money
from actions.referrals.codes import code_in
from actions.referrals.links import invitation_link
from actions.referrals.outcome import tell
from bankclient import Bank

logger = logging.getLogger(__name__)


def _date(iso: str | None) -> str:
    if not iso:
        return "-"
    try:
        return datetime.fromisoformat(iso.rstrip("Z")).strftime("%d %b %Y")
    except ValueError:
        return "-"


class ActionReferral(SensitiveAction):
    intent = "referral"

    def name(self) -> str:
        return "action_referral"

    async def perform(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        bank: Bank,
        who: str,
    ) -> list[EventType]:
        typed = code_in(request_message(tracker, "referral").get("text"))
        if typed:
            out = await bank.referrals.attribute(who, typed, "code")
            tell(dispatcher, out, typed)
            return []
        mine = await bank.referrals.mine(who)
        link = invitation_link(tracker.get_latest_input_channel(), mine.code)
        dispatcher.utter_message(
            response="utter_referral_info",
            code=mine.code,
            expires=_date(mine.expires_at),
            link_text=f" Your link to share: {link}" if link else "",
            reward=format_money(mine.reward, mine.currency),
            cap=format_money(mine.monthly_cap, mine.currency),
            welcome_bonus=format_money(mine.welcome_bonus, mine.currency),
            invited=mine.invited,
            joined=mine.joined,
            earned=format_money(mine.earned, mine.currency),
            earned_month=format_money(mine.earned_this_month, mine.currency),
        )
        return []
