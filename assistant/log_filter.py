"""Log redaction: every log record passes through `redact_text` before any handler writes it.

Two layers, because the processes configure logging in several steps:
- `RedactingFilter` for handlers declared in `assistant/logging.yml`;
- `install()` wraps the process-wide log record factory, so records are redacted when they are
  created — including records that reach handlers added later (Rasa and rasa-sdk replace the
  console handler with a coloured one after reading the logging config file, and structlog
  renders its events into ordinary records). Constructing the filter installs the factory too,
  so `--logging-config-file assistant/logging.yml` alone is enough.
"""

from __future__ import annotations

import logging
import traceback

from assistant.redaction import redact_text

_installed = False


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """Render the message with its args, redact it, and drop the args (already applied)."""
    if getattr(record, "_redacted", False):
        return record
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: keep what we can show safely
        message = f"{record.msg!r} {record.args!r}"
    record.msg = redact_text(message)
    record.args = None
    if record.exc_info and not record.exc_text:
        # Tracebacks can quote local values: format once here, redacted.
        record.exc_text = redact_text("".join(traceback.format_exception(*record.exc_info)))
    if record.stack_info:
        record.stack_info = redact_text(record.stack_info)
    record._redacted = True
    return record


class RedactingFilter(logging.Filter):
    """Handler/logger filter: never drops a record, only rewrites it."""

    def __init__(self, name: str = "") -> None:
        super().__init__(name)
        install()

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


def install() -> None:
    """Redact every record this process creates (idempotent)."""
    global _installed
    if _installed:
        return
    make_record = logging.getLogRecordFactory()

    def redacting_factory(*args, **kwargs) -> logging.LogRecord:
        return redact_record(make_record(*args, **kwargs))

    logging.setLogRecordFactory(redacting_factory)
    _installed = True
