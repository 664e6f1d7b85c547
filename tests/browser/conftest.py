"""The webhook stack fixture (tests/topups/stack.py) for the browser test of the hosted page."""

from tests.actions.notifications.stack import webhook_stack  # noqa: F401 (a fixture made visible here)
from tests.browser.test_topup_page import browser  # noqa: F401,E402 (the headless chromium fixture)
