"""One root for domain errors: a code, the field it concerns and a message a person can act on."""

from __future__ import annotations


class ArrearsError(Exception):
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "field": self.field, "message": self.message}

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class ValidationFailed(ArrearsError):
    code = "validation_failed"


class NotFound(ArrearsError):
    code = "not_found"


class Duplicate(ArrearsError):
    code = "duplicate"


class ContactNotAllowed(ArrearsError):
    """The compliance gate blocks the contact; `decision` holds its rules, reasons and next_allowed_at."""

    code = "contact_not_allowed"

    def __init__(self, message: str, *, decision: dict[str, object], field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.decision = decision

    def as_dict(self) -> dict[str, object]:  # type: ignore[override]
        return {**super().as_dict(), "decision": self.decision}


class ConcessionExceedsAuthority(ArrearsError):
    """Above what the person (and everyone above them on the ladder) may grant."""

    code = "exceeds_authority"


class BudgetExhausted(ArrearsError):
    """The team's waiver budget for the month cannot cover the concession."""

    code = "budget_exhausted"


class NotPermitted(ArrearsError):
    """The person may not do this (e.g. approve their own request)."""

    code = "not_permitted"
