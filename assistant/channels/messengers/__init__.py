"""The four messenger channels (Telegram, Viber, WhatsApp Cloud API, Facebook Messenger), each a
`GuardedInputChannel`; what they share is in `base.py`, Meta's webhook in `meta.py`."""

from assistant.channels.messengers.meta import FacebookGuardedInput, WhatsAppInput
from assistant.channels.messengers.telegram import TelegramGuardedInput
from assistant.channels.messengers.viber import ViberInput

__all__ = ["FacebookGuardedInput", "TelegramGuardedInput", "ViberInput", "WhatsAppInput"]
