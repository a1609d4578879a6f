"""One family of errors: each says what went wrong and how to fix it, in one line.

Every error the product reports on purpose derives from :class:`CopilotError` through one
of five families. A family carries the HTTP status the handlers answer with and the word
the CLI puts before the message, so neither keeps its own list of exception classes.
Nothing here imports anything: the kernel side uses it too.
"""

from __future__ import annotations

from typing import ClassVar


class CopilotError(Exception):
    """Base of every deliberate error; ``str(error)`` is the message for the user."""

    http_status: ClassVar[int] = 500
    cli_label: ClassVar[str] = "error"


class BadRequestError(CopilotError):
    """The input is malformed or out of range (HTTP 400)."""

    http_status = 400
    cli_label = "error"


class NotFoundError(CopilotError):
    """The thing asked for does not exist (HTTP 404)."""

    http_status = 404
    cli_label = "not found"


class TooLargeError(CopilotError):
    """The input is larger than allowed (HTTP 413)."""

    http_status = 413
    cli_label = "too large"


class BusyError(CopilotError):
    """Too much is waiting; try again after ``retry_after`` seconds (HTTP 429)."""

    http_status = 429
    cli_label = "busy"

    def __init__(self, message: str, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class UnavailableError(CopilotError):
    """A model, the index or a server cannot serve now; the message says how to fix it
    (HTTP 503)."""

    http_status = 503
    cli_label = "unavailable"
