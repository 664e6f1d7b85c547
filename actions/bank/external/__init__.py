"""Partners' systems (promo codes, offers, partner onboarding links).

Each partner gets a `PartnerClient` subclass in its own module with its own base URL, auth,
timeouts and error mapping, registered with `register_partner(name, factory)` and reached through
the process-wide `PartnerRegistry` (`get_bank().partners.get(name)`).
No partner is registered yet: the referral/partner work adds them.
"""

from .base import (
    PartnerClient,
    PartnerError,
    PartnerRegistry,
    PartnerSettings,
    PartnerUnavailable,
    register_partner,
)

__all__ = [
    "PartnerClient",
    "PartnerError",
    "PartnerRegistry",
    "PartnerSettings",
    "PartnerUnavailable",
    "register_partner",
]
