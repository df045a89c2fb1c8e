"""One exception hierarchy; every error carries a hint saying what to do next."""

from __future__ import annotations


class ConsilienceError(Exception):
    """Base error. `hint` tells the user what to do; `retryable` whether retrying helps."""

    http_status = 500
    retryable = False
    code: str | None = None  # the API's error code; None: the one for http_status

    def __init__(self, message: str, hint: str = "", *, retryable: bool | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        if retryable is not None:
            self.retryable = retryable

    def __str__(self) -> str:
        return f"{self.message}\n  hint: {self.hint}" if self.hint else self.message


class ConfigurationError(ConsilienceError):
    http_status = 500


class ToolMissingError(ConfigurationError):
    """Java or Maven (or another external tool) is not installed."""


class DatabaseUnavailableError(ConsilienceError):
    http_status = 503
    retryable = True


class ServiceUnavailableError(ConsilienceError):
    """The service cannot take this now (e.g. it is stopping); trying again later helps."""

    http_status = 503
    retryable = True
    code = "service_unavailable"


class DatabaseOutOfMemoryError(ConsilienceError):
    """The database refused a transaction for lack of memory (it is still up)."""

    http_status = 503
    code = "database_out_of_memory"


class ServerError(ConsilienceError):
    """The managed Neo4j server failed to build, start or stop."""


class IngestError(ConsilienceError):
    """A document could not be read or parsed; nothing of it was written."""

    http_status = 422


class UnsupportedInputError(IngestError):
    pass


class EmptyDocumentError(IngestError):
    pass


class ModelIntegrityError(ConfigurationError):
    """Model weights (embedding or NLI) are missing, do not match their pinned checksum, or
    cannot be read as the model they should hold."""


class NotFoundError(ConsilienceError):
    http_status = 404


class InvalidInputError(ConsilienceError):
    http_status = 422


class PayloadTooLargeError(InvalidInputError):
    http_status = 413


class AuthError(ConsilienceError):
    http_status = 401


class LLMError(ConsilienceError):
    http_status = 502
    retryable = True


class NotSentError(LLMError):
    """A request not sent: the process is shutting down, or Claude failed moments ago. Claude
    read nothing of it: the question counts no attempt."""


class UnusableAnswerError(LLMError):
    """Claude answered, but nothing of the answer can be used: a refusal, an answer cut off at
    its token limit, or one not in the requested form. The question was read: asking the same
    again may fail the same way (a question counts its attempts)."""

    retryable = False

    def __init__(self, cause: str, message: str, hint: str = "") -> None:
        super().__init__(message, hint)
        self.cause = cause


def first_line(exc: BaseException, most: int = 300, *, keep_end: bool = False) -> str:
    """An exception's first line (its type's name when it has no text), cut to `most`
    characters: its start, or with `keep_end` its end (where an OS error names the file).
    For messages that quote a library's error (a validation error lists every field on
    lines of its own)."""
    first = (str(exc).splitlines() or [type(exc).__name__])[0] or type(exc).__name__
    return first[-most:] if keep_end else first[:most]
