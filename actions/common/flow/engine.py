"""`Flow`: the validation action every multi-step conversation subclasses (see the package's
docstring), and `FlowStop`, the one "stop" action."""

from __future__ import annotations

import abc
from collections.abc import Callable
from typing import Any, ClassVar

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common.conversation import request_message
from actions.common.flow.answers import looks_like_answer
from actions.common.flow.confirm import YES, read_confirmation
from actions.common.flow.wording import CORRECTED

FLOWS: dict[str, type[Flow]] = {}
REQUESTED = "requested_slot"

# A correction reader: the new value the message gives for an earlier answer, or None.
Reader = Callable[[dict[str, Any]], Any]


class Flow(FormValidationAction):
    form: ClassVar[str] = ""  # the form's name in the domain
    intent: ClassVar[str | None] = None  # the request that starts it
    slots: ClassVar[tuple[str, ...]] = ()  # everything it fills: cleared when it starts
    # Actions that end an earlier run: the starting request is never looked up past them.
    boundaries: ClassVar[frozenset[str]] = frozenset({"action_restart"})
    confirm_slot: ClassVar[str | None] = None  # the yes / no step, read by the confirmation rule
    free_text: ClassVar[frozenset[str]] = frozenset()  # questions answered in free text
    # slot -> (what the customer calls it, reader): a later message may correct the answer.
    corrections: ClassVar[dict[str, tuple[str, Reader]]] = {}
    # Requests that belong to this flow: at the confirmation they are asked again, not handed on.
    own_intents: ClassVar[frozenset[str]] = frozenset()
    unclear_response: ClassVar[str] = ""  # said before the confirmation is asked again
    stop_action: ClassVar[str] = ""  # the action the flow's "no" / "stop" rule runs
    stopped_response: ClassVar[str] = ""  # what that action says for this flow

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.form:
            FLOWS[cls.form] = cls

    def name(self) -> str:
        return f"validate_{self.form}"

    ended_by: ClassVar[str | None] = None  # a slot that, once set, ends the flow (done/aborted)

    # -- what a flow may add --------------------------------------------------------------------

    async def questions(self, slots: list[str], tracker: Tracker) -> list[str]:
        """The questions still to ask, in order: the form's own by default; a flow may add
        (a step-up code, a meter reading) or drop some."""
        return slots

    def on_start(self, tracker: Tracker) -> dict[str, Any]:
        """Values known when the flow starts (from the request, or earlier in the chat)."""
        return {}

    async def after_answers(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        """Called once a turn after the answers are read (e.g. ask the bank for a quote)."""
        return {}

    async def instead(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        """"no, X instead" at the confirmation: the changes X means, or {} (a plain no)."""
        return {}

    # -- reading the turn -----------------------------------------------------------------------

    @staticmethod
    def starting(tracker: Tracker) -> bool:
        """Rasa gives the validation no requested slot on the form's first run."""
        return tracker.get_slot(REQUESTED) is None

    @staticmethod
    def asked(tracker: Tracker, *slots: str | None) -> bool:
        return tracker.get_slot(REQUESTED) in slots

    def source(self, tracker: Tracker) -> dict[str, Any]:
        """The message to read: the request when starting (maybe from before a login)."""
        if self.starting(tracker) and self.intent:
            return request_message(tracker, self.intent, self.boundaries)
        return tracker.latest_message or {}

    # -- the engine -----------------------------------------------------------------------------

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if self.ended_by and tracker.get_slot(self.ended_by):
            return []  # completed, stopped or aborted: the form ends
        return await self.questions(list(domain_slots), tracker)

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        before: list[EventType] = []
        if self.starting(tracker):
            # A new run: forget what an earlier one left (not as tracker events: those would
            # be "validated" again and override what this message says).
            tracker.slots.update({name: None for name in self.slots})
            before = [SlotSet(name, None) for name in self.slots]
            known = self.on_start(tracker)
            tracker.slots.update(known)
            before += [SlotSet(k, v) for k, v in known.items()]
        else:
            corrected = self._corrections(dispatcher, tracker)
            tracker.add_slots(corrected)  # validated below like any answer
            before += corrected
        events = await super().run(dispatcher, tracker, domain)
        extra = await self.after_answers(dispatcher, tracker)
        tracker.slots.update(extra)
        if not (before or extra or events):
            return []  # nothing read: Rasa rejects the form and the rules answer the message
        required = await self.required_slots(
            self.domain_slots(domain), dispatcher, tracker, domain
        )
        missing = next((s for s in required if tracker.slots.get(s) is None), None)
        kept = [e for e in events if e.get("name") != REQUESTED]
        return [*before, *kept, *(SlotSet(k, v) for k, v in extra.items()),
                SlotSet(REQUESTED, missing)]

    def _corrections(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[EventType]:
        """A new value for an earlier answer replaces it, acknowledged in one line."""
        message = tracker.latest_message or {}
        requested = tracker.get_slot(REQUESTED)
        events: list[EventType] = []
        for slot, (what, reader) in self.corrections.items():
            old = tracker.get_slot(slot)
            if slot == requested or old is None:
                continue
            new = reader(message)
            if new is not None and new != old:
                dispatcher.utter_message(text=CORRECTED.format(what=what))
                events.append(SlotSet(slot, new))
                if self.confirm_slot:  # whatever was confirmed is no longer what is asked
                    events.append(SlotSet(self.confirm_slot, None))
        return events

    async def _extract_slot(
        self, slot_name: str, dispatcher: CollectingDispatcher, tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        if slot_name == self.confirm_slot:
            if not self.asked(tracker, slot_name):
                return {}
            return await self._confirmation(dispatcher, tracker)
        if (slot_name in self.free_text and self.asked(tracker, slot_name)
                and not looks_like_answer(tracker.latest_message or {})):
            return {}  # not an answer: the rules handle it (stop, a question, a digression)
        return await super()._extract_slot(slot_name, dispatcher, tracker, domain)

    async def _confirmation(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        """Only an explicit yes executes; "no, X instead" changes the request and asks again;
        a plain no or another request is left to the rules (the form rejects it); anything
        else (ambiguous, a question the rules don't answer) asks again with the buttons."""
        slot = self.confirm_slot
        assert slot
        verdict = read_confirmation(tracker.latest_message or {})
        if verdict == YES:
            return {slot: True}
        changes = await self.instead(dispatcher, tracker)
        if changes:
            return {**changes, slot: None}
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        if intent not in {"affirm", "inform", "nlu_fallback", None, self.intent,
                          *self.own_intents}:
            return {}  # "no", a balance question, help: the rules answer, then we ask again
        if self.unclear_response:
            dispatcher.utter_message(response=self.unclear_response)
        return {slot: None}


class FlowStop(Action):
    """"no" / "stop" / "cancel" in a flow: one acknowledgement (the active flow's
    `stopped_response`), the form ends, and every flow stopped by this action forgets what it
    collected. Subclasses give the action's name and may add end events."""

    default_response: ClassVar[str] = ""

    @abc.abstractmethod
    def name(self) -> str:
        """Abstract, so the action server registers the subclasses only."""

    def end_events(self, tracker: Tracker) -> list[EventType]:
        return []

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        flow = FLOWS.get(tracker.active_loop_name or "")
        response = (flow.stopped_response if flow and flow.stop_action == self.name()
                    else "") or self.default_response
        if response:
            dispatcher.utter_message(response=response)
        cleared = dict.fromkeys(
            slot for f in FLOWS.values() if f.stop_action == self.name() for slot in f.slots
        )
        return [ActiveLoop(None), SlotSet(REQUESTED, None),
                *(SlotSet(slot, None) for slot in cleared), *self.end_events(tracker)]
