"""Hashing of PINs and passwords (stdlib scrypt, per-secret salt) and their policies."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

# Interactive-login cost; about 20 ms on the sandbox machine.
_N, _R, _P = 2**14, 8, 1

WEAK_PINS = {"0000", "1234", "4321", "1111", "2222", "3333", "4444", "5555", "6666", "7777",
             "8888", "9999", "1212", "1004", "2000", "6969", "0123", "9876"}


def hash_secret(value: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(value.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    b64 = base64.urlsafe_b64encode
    return f"scrypt${_N}${_R}${_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_secret(value: str, stored: str) -> bool:
    try:
        _alg, n, r, p, salt, digest = stored.split("$")
        expected = base64.urlsafe_b64decode(digest)
        got = hashlib.scrypt(
            value.encode(), salt=base64.urlsafe_b64decode(salt), n=int(n), r=int(r), p=int(p),
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


# The most common passwords that still pass the length and character rules (lower-cased).
COMMON_PASSWORDS = {"password1", "password12", "password123", "password1234", "qwerty1234",
                    "qwerty12345", "qwerty123456", "1q2w3e4r5t", "1qaz2wsx3edc", "abcd123456",
                    "iloveyou123", "welcome123", "welcome1234", "admin12345", "letmein123",
                    "passw0rd123", "p@ssw0rd123", "qwertyuiop1", "football123", "monkey12345",
                    "sunshine123", "princess123", "dragon12345", "baseball123", "mustang1234",
                    "superman123", "trustno1234", "1234567890a", "a1234567890", "zaq12wsxcde"}


def pin_problem(pin: str, confirm: str, birth_year: int | None = None) -> str | None:
    if not re.fullmatch(r"\d{4}", pin or ""):
        return "The PIN must be exactly 4 digits."
    if pin != confirm:
        return "The two PINs do not match."
    if pin in WEAK_PINS or len(set(pin)) == 1:
        return "This PIN is too easy to guess. Choose another one."
    if birth_year is not None and pin == f"{birth_year:04d}":
        return "Don't use your year of birth as the PIN. Choose another one."
    return None


def password_problem(password: str, confirm: str) -> str | None:
    if not 10 <= len(password or "") <= 128:
        return "The password must be 10 to 128 characters long."
    if not (re.search(r"[a-z]", password) and re.search(r"[A-Z]", password)
            and re.search(r"\d", password)):
        return "Use at least one lower-case letter, one upper-case letter and one digit."
    if password.lower() in COMMON_PASSWORDS or _is_sequence(password):
        return "This password is too common. Choose one that is harder to guess."
    if password != confirm:
        return "The two passwords do not match."
    return None


def _is_sequence(password: str) -> bool:
    """One character repeated, or a run like abcdefgh12 / 1234567890 with a letter case change."""
    low = password.lower()
    return len(set(low)) <= 2 or low in "abcdefghijklmnopqrstuvwxyz0123456789" * 2
