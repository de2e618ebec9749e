"""Keep the OpenRouter key out of every log line, whoever logs it."""
from __future__ import annotations

import logging

REDACTED = "[redacted-api-key]"


class SecretRedactionFilter(logging.Filter):
    def __init__(self, secret: str):
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.secret in message:
            record.msg = message.replace(self.secret, REDACTED)
            record.args = ()
        return True


def install_secret_redaction(secret: str) -> None:
    """Attach the filter to the root handlers so records from any library pass through it."""
    if not secret:
        return
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, SecretRedactionFilter) and f.secret == secret for f in handler.filters):
            handler.addFilter(SecretRedactionFilter(secret))
