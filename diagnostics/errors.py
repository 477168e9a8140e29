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

    @property
    def field(self) -> str | None:
        """The input the error is about (`extra["field"]`), if the service named one."""
        return self.extra.get("field") if isinstance(self.extra, dict) else None

    def add_to(self, form: Any) -> None:
        """Show the error on the form's field it is about, else on the form as a whole."""
        form.add_error(self.field if self.field in form.fields else None, self.message)
