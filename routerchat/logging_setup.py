"""Keep the OpenRouter key out of every log line, whoever logs it."""
from __future__ import annotations

import logging

from .text_safety import redact_secrets

REDACTED = "[redacted-api-key]"


class SecretRedactionFilter(logging.Filter):
    def __init__(self, secret: str):
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.secret in message or "bearer" in message.lower():
            record.msg = self._redact(message)
            record.args = ()
        self._redact_traceback(record)
        return True

    def _redact(self, text: str) -> str:
        return redact_secrets(text.replace(self.secret, REDACTED))

    def _redact_traceback(self, record: logging.LogRecord) -> None:
        """An exception's text (a requests error that quotes headers, a local in a message) is
        formatted here once, redacted, and kept in `exc_text`, which handlers print as it is."""
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self._redact(record.stack_info)


def install_secret_redaction(secret: str) -> None:
    """Attach the filter to the root handlers so records from any library pass through it."""
    if not secret:
        return
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, SecretRedactionFilter) and f.secret == secret for f in handler.filters):
            handler.addFilter(SecretRedactionFilter(secret))
