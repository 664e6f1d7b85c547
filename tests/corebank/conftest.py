"""The webhook receiver of tests/corebank/harness.py, for every module that starts a sandbox
with it (each domain directory's conftest.py adds that sandbox as `bank`)."""

from tests.corebank.harness import webhook_receiver  # noqa: F401 (fixture)
