"""assistant/logging.yml + log_filter: what Rasa and rasa-sdk log is redacted.

Runs in a subprocess that configures logging the way `rasa run --logging-config-file` does
(dictConfig, then coloredlogs replacing the console handler, then structlog), so the test sees
the real handler chain and the test process's own logging stays untouched.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

from scripts.services import LOGGING_CONFIG, REPO_ROOT

SCRIPT = textwrap.dedent(
    f"""
    import logging, logging.config, structlog, yaml
    logging.config.dictConfig(yaml.safe_load(open({str(LOGGING_CONFIG)!r})))
    import rasa.utils.io
    rasa.utils.io.configure_colored_logging("DEBUG")      # replaces the console handler
    from rasa.utils.log_utils import configure_structlog
    configure_structlog(logging.DEBUG)
    log = logging.getLogger("rasa.core.processor")
    log.debug("Received user message 'pay 4111 1111 1111 1111' with intent")
    log.info("tracker %s", {{"events": [{{"text": "my pin is 1234"}}], "slot": 5555555555554444}})
    log.warning("user said: password: hunter2, cvv 321, passport AB1234567")
    try:
        raise ValueError("bad card 4000056655665556")
    except ValueError:
        log.exception("failed for code 654321")
    structlog.get_logger().debug("rest.message.received", text="card 6011000990139424")
    logging.getLogger("sanic.access").info("plain line without secrets")
    """
)
# Short secrets (pin 1234, cvv 321) could also appear inside timestamps: checked by phrase.
SECRETS = [
    "4111 1111 1111 1111", "5555555555554444", "hunter2", "AB1234567", "4000056655665556",
    "654321", "6011000990139424", "pin is 1234", "cvv 321",
]  # fmt: skip


def test_rasa_style_logging_is_redacted() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "•••• 1111" in output and "pin is [redacted]" in output and "cvv [redacted]" in output
    assert "plain line without secrets" in output
    for secret in SECRETS:
        assert secret not in output, f"{secret!r} leaked into the logs:\n{output}"
