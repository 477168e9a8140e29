from typing import Any


class ApplicationError(Exception):
    """A business rule refused the request. Carries a stable code and a French message."""

    code = "application_error"

    def __init__(self, message: str, *, code: str | None = None, extra: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.extra = extra if extra is not None else {}
