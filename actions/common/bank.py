"""The actions' one way to the bank: `bank()`, the process-wide `bankclient.Bank`.

    from actions.common.bank import bank
    balances = await bank().accounts.balances(who)

Results are typed (`bankclient`'s frozen dataclasses) and errors are `bankclient`'s `BankError`
subclasses, imported from `bankclient` where they are caught. Every action reaches the bank
through this accessor, so a test (or another client) has one seam to replace.
"""

from __future__ import annotations

from bankclient import Bank, get_bank

__all__ = ["Bank", "bank"]


def bank() -> Bank:
    """Looked up on every call: the client keeps one connection pool per event loop."""
    return get_bank()
