"""The one way to write a multi-step conversation (a "flow").

A flow is a Rasa form (the mechanism underneath, so rules and stories keep working) whose
validation action subclasses `Flow` and declares:

- `form`, `intent`: the form's name and the request that starts it;
- `slots`: everything it fills (cleared when it starts, so nothing leaks from an earlier run);
- `free_text`: questions whose answer is free text (a name, an address): an answer is taken only
  when it looks like one (`answers.looks_like_answer`); "stop", a question, a greeting or another
  request is left to the rules, never stored;
- `confirm_slot`: the yes / no step before the operation; the engine reads it by the
  confirmation rule (`confirm.read_confirmation`): only an explicit yes executes;
- `corrections`: readers for earlier answers that a later message may correct ("sorry, my name
  is …", "make it 150"); a new value replaces the old one with a one-line acknowledgement;
- `instead()`: what a "no, X instead" at the confirmation means for this flow (a new amount, a
  freeze instead of a block).

The engine owns the rest: reset, naming the next question, the confirmation, corrections, and
handing "stop" / digressions to the rules (the form rejects what is not an answer, Rasa's rules
answer it, and the form asks its question again). `FlowStop` is the one "stop" action.
Amounts are read by `amount.read_amount` in every flow.
"""

from actions.common.flow.amount import AmountAnswer, read_amount
from actions.common.flow.answers import looks_like_answer, stop_words
from actions.common.flow.confirm import NO, OTHER, YES, read_confirmation
from actions.common.flow.engine import Flow, FlowStop

__all__ = [
    "NO",
    "OTHER",
    "YES",
    "AmountAnswer",
    "Flow",
    "FlowStop",
    "looks_like_answer",
    "read_amount",
    "read_confirmation",
    "stop_words",
]
