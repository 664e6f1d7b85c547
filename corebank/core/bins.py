"""BIN table: which card numbers are ours, and a guess of network and bank for the others."""

from __future__ import annotations

OWN_BANK_NAME = "Sandbox Bank"
OWN_BANK_BIC = "SNDBUAUKXXX"
OWN_BANK_CODE = "399999"  # the 6-digit bank code (MFO) inside our UA IBANs

# Own-bank BINs (contract: docs/architecture.md) -> network
OWN_BINS: dict[str, str] = {
    "414949": "visa",
    "516874": "mastercard",
    "535145": "mastercard",
}
DEFAULT_OWN_BIN = "414949"

# A few well-known other-bank BINs so the sandbox shows a plausible bank name.
OTHER_BINS: dict[str, str] = {
    "411111": "Visa Test Bank",
    "424242": "Stripe Test Bank",
    "555555": "Mastercard Test Bank",
    "537541": "Other Bank UA",
    "444111": "Other Bank UA",
}


def network_for(pan: str) -> str:
    """Card network guessed from the leading digits (ISO/IEC 7812 ranges, simplified)."""
    if pan.startswith("4"):
        return "visa"
    if pan[:2] in ("34", "37"):
        return "amex"
    if pan.startswith("5") or 2221 <= int(pan[:4]) <= 2720:
        return "mastercard"
    if pan.startswith("9"):
        return "prostir"  # Ukrainian national payment system
    if pan.startswith("6"):
        return "maestro" if pan[:2] in ("50", "56", "57", "58", "63", "67") else "discover"
    if pan.startswith("35"):
        return "jcb"
    return "other"


def classify(pan: str) -> tuple[str, str, str]:
    """(issuer 'own'|'other', network, bank_name) for a full card number."""
    bin6 = pan[:6]
    if bin6 in OWN_BINS:
        return "own", OWN_BINS[bin6], OWN_BANK_NAME
    return "other", network_for(pan), OTHER_BINS.get(bin6, "Other bank")


def is_own(pan: str) -> bool:
    return pan[:6] in OWN_BINS
