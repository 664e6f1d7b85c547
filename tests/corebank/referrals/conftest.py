"""The module-scoped sandbox of tests/corebank/harness.py (it sends webhooks to the receiver)."""

from tests.corebank.harness import bank  # noqa: F401 (fixture)
