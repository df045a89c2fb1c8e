"""Keep secrets out of the access log: query values whose name looks like a credential.

Keys belong in the X-API-Key header; a client that puts one in the query string is refused,
but uvicorn's access log would still have written the URL, key and all, to disk.
"""

from __future__ import annotations

import logging
import re

SECRET_NAMES = re.compile(r"(?i)(?:key|token|secret|password|passwd|auth)")
_PAIR = re.compile(r"([^&=?]+)=([^&]*)")


def redact_query(path: str) -> str:
    """'/x?api_key=abc&q=1' -> '/x?api_key=[redacted]&q=1'."""
    head, sep, query = path.partition("?")
    if not sep:
        return path
    return (
        head
        + "?"
        + _PAIR.sub(
            lambda m: f"{m.group(1)}=[redacted]" if SECRET_NAMES.search(m.group(1)) else m.group(0),
            query,
        )
    )


class RedactSecrets(logging.Filter):
    """For uvicorn.access records: args are (client, method, path, http_version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact_query(args[2]), *args[3:])
        return True


def install(logger_name: str = "uvicorn.access") -> None:
    """Attach the filter once (idempotent: several apps in one process share the logger)."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, RedactSecrets) for f in logger.filters):
        logger.addFilter(RedactSecrets())
