"""The Rasa process's input channels, all behind one channel guard (`guard.py`).

Same names as Rasa's own channels ("rest", "socketio"), so the URLs stay standard:
POST /webhooks/rest/webhook and the socket.io path /socket.io. credentials.yml:

    assistant.channels.RedactingRestInput: {}
    assistant.channels.RedactingSocketIOInput: {...}

The messengers (assistant/channels/messengers/): TelegramGuardedInput ("telegram"), ViberInput
("viber"), WhatsAppInput ("whatsapp"), FacebookGuardedInput ("facebook").

A new channel subclasses `GuardedInputChannel` (alone, or together with the stock Rasa
connector it reuses) and gets validation, limits, tokenization and redaction from it.
"""

from assistant.channels.guard import BadMessage, GuardedInputChannel, MessageGuard
from assistant.channels.messengers import (
    FacebookGuardedInput,
    TelegramGuardedInput,
    ViberInput,
    WhatsAppInput,
)
from assistant.channels.rest import RedactingRestInput
from assistant.channels.socketio import RedactingSocketIOInput

__all__ = [
    "BadMessage",
    "FacebookGuardedInput",
    "TelegramGuardedInput",
    "ViberInput",
    "WhatsAppInput",
    "GuardedInputChannel",
    "MessageGuard",
    "RedactingRestInput",
    "RedactingSocketIOInput",
]
