"""Domain errors: a stable code, the field it concerns and a message a person can act on.

Every error the domain raises is an `ArrearsError`. Three things travel with it:

- `code`: a stable snake_case identifier, public: the API returns it and the pages choose their
  (translated) wording by it. Each class has its own code; a raise may name a more specific code from
  the list below, and `params` then holds the values the wording needs (an amount, a date).
- `field`: the input it concerns (`amount`, `promised_date`), or None.
- `message`: plain English with the specifics, for logs, the CLI, the API and English pages.

Each class declares its HTTP status once (`status`); the API has one handler that reads it.
The statuses follow one rule:

- 401 `not_authenticated`: nobody is signed in (or the token is unknown).
- 403 `not_permitted`: this person may not do it, though someone else could (their role, their own request).
- 404 `not_found`: no such thing, or not one this person may see: unknown and forbidden look alike,
  so an id cannot be probed.
- 409 `conflict`: the request is well formed but clashes with the current state of what is recorded; it
  may succeed once that state changes (a reference already used, the team's budget for the month spent,
  a contact the compliance rules block until a window opens).
- 422 `validation_failed`: the input itself is refused, whoever sends it and whenever (a malformed amount,
  a date in the past, a concession larger than any role on the ladder may grant).

Two more belong to the HTTP door rather than the domain: 405 `method_not_allowed` (an API path asked with a
method it does not serve) and 413 `body_too_large` (a request body above the server's limit).

The public list of codes (`CODES` below holds the same list; a test keeps the two and the raises agreed):

Kinds, one per class, with their status:
    validation_failed (422), amount_invalid (422, AmountError), exceeds_authority (422),
    not_found (404), not_permitted (403), not_authenticated (401),
    conflict (409), duplicate (409), budget_exhausted (409), contact_not_allowed (409),
    portfolio_exists (409, the demo command), method_not_allowed (405), body_too_large (413),
    feed_refused (422, FeedRefused: a card host feed refused whole, docs/host-feed.md).

Specific codes a raise may name (the status stays its class's):
    required, not_a_choice, not_a_number, not_a_whole_number, not_a_date, not_finite, too_large,
    too_many_decimals, amount_not_a_string, amount_grouping, amount_exponent, amount_underscore,
    amount_full_width, amount_spaces, amount_plus_sign, payment_above_maximum, value_date_after_business_date,
    value_date_too_old, must_be_positive, must_not_be_negative, out_of_range,
    must_be_in_future, must_not_be_past, right_party_is_cardholder, correction_not_on_case,
    handoff_needs_comment, handoff_needs_answer, handoff_already_returned, promise_beyond_horizon,
    promise_below_minimum, too_many_open_promises, promise_needs_amount_and_date, nothing_chosen,
    not_yours_to_reassign, collector_not_in_team, payment_line_malformed, payment_line_no_amount,
    waiver_above_waivable, settlement_not_below_balance, malformed_body, before_business_date,
    rate_not_used, rate_above_maximum, plan_in_force, account_settled, invalid_code, ends_before_start,
    not_agency_user, invalid_reference, before_placement, national_id_invalid, last_four_invalid,
    wrong_sign_in_code (the cardholder portal's sign-in), period_end_before_start, period_too_long (the
    insight page's filters), too_long, instruction_unknown, instruction_not_exported,
    instruction_answered (the card host's answers to outbound instructions);
    sign_in_locked, too_many_codes, plan_not_offered, plan_document_changed (409, the cardholder portal's);
    not_placeable, already_decided, agency_not_in_force, already_recalled (409, the agencies' conflicts);
    token_expired, token_revoked (401); scope_missing, csrf_failed (403);
    signature_invalid, timestamp_out_of_window, signature_replayed (401, a system's signed request),
    wrong_integration_kind (403), idempotency_key_reused (409);
    above_amount_owed, checkout_amount_mismatch (422), checkout_expired, checkout_finished (409, the payment
    gateway's checkouts).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar


class ArrearsError(Exception):
    """The root; never raised itself (a raise names what kind of error it is)."""

    code: str = "error"
    status: ClassVar[int] = 400

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str | None = None,
        params: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.params: dict[str, object] = dict(params or {})
        if code:
            self.code = code  # a specific code on the instance; the kind stays on the class

    @property
    def kind(self) -> str:
        """The code of the class, whatever more specific code the raise named."""
        return type(self).code

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "field": self.field, "message": self.message}

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class ValidationFailed(ArrearsError):
    """The input itself is refused."""

    code = "validation_failed"
    status = 422


class FeedRefused(ValidationFailed):
    """A card host feed refused whole, nothing changed (arrears.hostfeed): `problems` says why, each
    with its file, line and field."""

    code = "feed_refused"

    def __init__(self, message: str, *, problems: Sequence[Any], params: Mapping[str, object] | None = None) -> None:
        super().__init__(message, params=params)
        self.problems = list(problems)


class NotFound(ArrearsError):
    """No such thing, or not one this person may see (the two look alike)."""

    code = "not_found"
    status = 404


class NotPermitted(ArrearsError):
    """The person may not do this (e.g. approve their own request); someone else could."""

    code = "not_permitted"
    status = 403


class NotAuthenticated(ArrearsError):
    """Nobody is signed in, or the token is unknown."""

    code = "not_authenticated"
    status = 401


class Conflict(ArrearsError):
    """Well formed, but it clashes with the current state of what is recorded."""

    code = "conflict"
    status = 409


class Duplicate(Conflict):
    """Already recorded (a payment reference, an account number)."""

    code = "duplicate"


class ContactNotAllowed(Conflict):
    """The compliance gate blocks the contact now; `decision` holds its rules, reasons and next_allowed_at."""

    code = "contact_not_allowed"

    def __init__(
        self, message: str, *, decision: dict[str, object], field: str | None = None, code: str | None = None
    ) -> None:
        rules = decision.get("rules") or []
        shown = ", ".join(str(r) for r in rules) if isinstance(rules, list | tuple) else str(rules)
        super().__init__(message, field=field, code=code, params={"rules": shown})
        self.decision = decision

    def as_dict(self) -> dict[str, object]:
        return {**super().as_dict(), "decision": self.decision}


class BudgetExhausted(Conflict):
    """The team's waiver budget for the month cannot cover the concession (it may next month)."""

    code = "budget_exhausted"


class MethodNotAllowed(ArrearsError):
    """The path exists, but not with this HTTP method."""

    code = "method_not_allowed"
    status = 405


class BodyTooLarge(ArrearsError):
    """The request body is larger than the server accepts."""

    code = "body_too_large"
    status = 413


class ConcessionExceedsAuthority(ArrearsError):
    """Above what every role on the ladder may grant: refused whoever asks, hence 422 and not 403."""

    code = "exceeds_authority"
    status = 422


# The public list: every code, with the code of the class it is raised with (that class or a subclass).
CODES: dict[str, str] = {
    **{
        kind: kind
        for kind in (
            "validation_failed",
            "amount_invalid",
            "exceeds_authority",
            "not_found",
            "not_permitted",
            "not_authenticated",
            "conflict",
            "duplicate",
            "budget_exhausted",
            "contact_not_allowed",
            "portfolio_exists",
            "method_not_allowed",
            "body_too_large",
            "feed_refused",
        )
    },
    **dict.fromkeys(
        (
            "required",
            "not_a_choice",
            "not_a_number",
            "not_a_whole_number",
            "not_a_date",
            "amount_not_a_string",
            "must_be_positive",
            "must_not_be_negative",
            "out_of_range",
            "must_be_in_future",
            "must_not_be_past",
            "right_party_is_cardholder",
            "correction_not_on_case",
            "handoff_needs_comment",
            "handoff_needs_answer",
            "handoff_already_returned",
            "promise_beyond_horizon",
            "promise_below_minimum",
            "too_many_open_promises",
            "promise_needs_amount_and_date",
            "nothing_chosen",
            "collector_not_in_team",
            "payment_line_malformed",
            "payment_line_no_amount",
            "waiver_above_waivable",
            "settlement_not_below_balance",
            "payment_above_maximum",
            "value_date_after_business_date",
            "value_date_too_old",
            "malformed_body",
            "before_business_date",
            "rate_not_used",
            "rate_above_maximum",
            "plan_in_force",
            "account_settled",
            "invalid_code",
            "ends_before_start",
            "not_agency_user",
            "invalid_reference",
            "before_placement",
            "national_id_invalid",
            "last_four_invalid",
            "wrong_sign_in_code",
            "period_end_before_start",
            "period_too_long",
            "too_long",
            "instruction_unknown",
            "instruction_not_exported",
            "instruction_answered",
        ),
        "validation_failed",
    ),
    **dict.fromkeys(("not_placeable", "already_decided", "agency_not_in_force", "already_recalled"), "conflict"),
    **dict.fromkeys(
        (
            "not_finite",
            "too_large",
            "too_many_decimals",
            "amount_grouping",
            "amount_exponent",
            "amount_underscore",
            "amount_full_width",
            "amount_spaces",
            "amount_plus_sign",
        ),
        "amount_invalid",
    ),
    **dict.fromkeys(("token_expired", "token_revoked"), "not_authenticated"),
    **dict.fromkeys(("scope_missing", "csrf_failed"), "not_permitted"),
    "not_yours_to_reassign": "not_found",
    **dict.fromkeys(("signature_invalid", "timestamp_out_of_window", "signature_replayed"), "not_authenticated"),
    "wrong_integration_kind": "not_permitted",
    "idempotency_key_reused": "conflict",
    **dict.fromkeys(("sign_in_locked", "too_many_codes", "plan_not_offered", "plan_document_changed"), "conflict"),
    **dict.fromkeys(("above_amount_owed", "checkout_amount_mismatch"), "validation_failed"),
    **dict.fromkeys(("checkout_expired", "checkout_finished"), "conflict"),
}


def status_of(exc: ArrearsError) -> int:
    """The HTTP status of an error: its class's, declared once."""
    return type(exc).status


def error_for_status(status: int, message: str, *, field: str | None = None) -> ArrearsError:
    """An error of the kind that answers `status` (for failures met outside the domain: routing, auth)."""
    kinds: dict[int, type[ArrearsError]] = {
        k.status: k for k in (NotAuthenticated, NotPermitted, NotFound, Conflict, ValidationFailed)
    }
    return kinds.get(status, ArrearsError)(message, field=field)
