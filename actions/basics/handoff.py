"""`action_human_handoff`: record a request for a person (no message text) and say what happens
next. Requests are kept in the assistant's store, where operators pick them up."""

from __future__ import annotations

import asyncio
import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy import Column, DateTime, Integer, String

from actions.basics.fallback import MISUNDERSTANDING_ACTIONS, previous_turn_actions
from actions.common import db
from actions.common.conversation import identity

logger = logging.getLogger(__name__)


class HandoffRequest(db.Base):
    """A customer asked for a person. Operators pick these up from their console."""

    __tablename__ = "handoff_requests"

    id = Column(Integer, primary_key=True, autoincrement=True)
    sender = Column(String(255), nullable=False, index=True)  # messenger identity
    reason = Column(String(64), nullable=False)  # a machine word, never the customer's text
    status = Column(String(16), nullable=False, default="open")
    created_at = Column(DateTime(timezone=True), nullable=False, default=db.utcnow)

    @property
    def reference(self) -> str:
        return format_reference(self.id)


def format_reference(request_id: int) -> str:
    return f"H-{request_id:06d}"


def create_handoff_request(sender: str, reason: str, url: str | None = None) -> str:
    """Record a handoff request; returns its reference number ("H-000042")."""
    with db.session_scope(url) as session:
        request = HandoffRequest(
            sender=sender, reason=reason, status="open", created_at=db.utcnow()
        )
        session.add(request)
        session.flush()
        return request.reference


async def create_handoff_request_async(sender: str, reason: str, url: str | None = None) -> str:
    """The same, off the event loop (the action server serves many chats on one loop)."""
    return await asyncio.to_thread(create_handoff_request, sender, reason, url)


class ActionHumanHandoff(Action):
    def name(self) -> str:
        return "action_human_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        previous = previous_turn_actions(tracker.events)
        after_fallback = any(name in previous for name in MISUNDERSTANDING_ACTIONS)
        reason = "repeated_misunderstanding" if after_fallback else "customer_request"
        try:
            reference = await create_handoff_request_async(identity(tracker), reason)
        except Exception:  # noqa: BLE001 - any storage failure gets the same honest answer
            logger.exception("could not record a handoff request")
            dispatcher.utter_message(response="utter_handoff_failed")
            return []
        dispatcher.utter_message(response="utter_handoff_requested", reference=reference)
        return []
