"""Errors on the pages: the wording chosen by the error's code, the field shown by its label.

The domain's errors carry a stable code (the public list is in arrears.errors), the field they concern,
the values their wording needs (`params`) and a message in English. A page never reads that English to
decide what to say: it looks the code up in MESSAGES, translates it with gettext and fills in the params;
a code not listed here falls back to the wording of its kind (the class's code), so every error still
reads in the page's language. The field is shown by its translated label (FIELDS), never by its name.
On English pages the domain's message follows as detail when it says more than the wording of its code
(a limit, an amount), since it is English already.

Every view that shows an error uses `error_text` (next to the form field it concerns) or `error_line`
(in the page's messages, with the field's label in front).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from arrears.errors import ArrearsError
from arrears.interfaces.web import formatting

MESSAGES: dict[str, Any] = {
    # The kinds: one per class.
    "error": _("something went wrong"),
    "validation_failed": _("this value is not accepted"),
    "amount_invalid": _("not a valid amount"),
    "exceeds_authority": _("above the authority of every role"),
    "not_found": _("not found, or not one you can see"),
    "not_permitted": _("you may not do this"),
    "not_authenticated": _("please sign in"),
    "conflict": _("this clashes with what is already recorded"),
    "duplicate": _("this has already been recorded"),
    "budget_exhausted": _("the team's budget for the month cannot cover this"),
    "contact_not_allowed": _("the compliance rules (%(rules)s) do not allow this contact now"),
    "portfolio_exists": _("a portfolio already exists"),
    "method_not_allowed": _("this address does not accept this method"),
    "body_too_large": _("the request is too large"),
    # The specific codes a raise may name.
    "required": _("must not be empty"),
    "not_a_choice": _("must be one of %(values)s"),
    "not_a_number": _("not a number"),
    "not_a_whole_number": _("give a whole number"),
    "not_a_date": _("give a date like 2026-06-15"),
    "not_finite": _("must be a finite number"),
    "too_large": _("too large (at most %(limit)s)"),
    "too_many_decimals": _("has more than two decimals"),
    "amount_not_a_string": _("give the amount as a string, not a float"),
    "amount_grouping": _(
        "a comma may only separate thousands, in groups of three (1,500.00); decimals take a point (1.50)"
    ),
    "amount_exponent": _("write the amount out in digits, without an exponent"),
    "amount_underscore": _("write the amount without underscores, e.g. 1234.56"),
    "amount_full_width": _("use half-width digits 0-9 and a point; full-width digits are not accepted"),
    "amount_spaces": _("the amount must not contain spaces"),
    "amount_plus_sign": _("write the amount without a plus sign"),
    "payment_above_maximum": _("above the product's maximum for a single payment (%(limit)s)"),
    "value_date_after_business_date": _("must not be after the business date (%(date)s)"),
    "value_date_too_old": _(
        "must not be more than %(days)s days before the business date (%(earliest)s at the earliest)"
    ),
    "must_be_positive": _("must be greater than zero"),
    "must_not_be_negative": _("must not be negative"),
    "out_of_range": _("must be between %(low)s and %(high)s"),
    "must_be_in_future": _("must be in the future"),
    "must_not_be_past": _("must not be in the past"),
    "right_party_is_cardholder": _("a right-party contact reaches the cardholder"),
    "correction_not_on_case": _("the contact to correct is not on this case"),
    "handoff_needs_comment": _("say what you need from them"),
    "handoff_needs_answer": _("say what you found or did"),
    "handoff_already_returned": _("this hand-off has already been returned"),
    "promise_beyond_horizon": _("must be on or before %(date)s (policy: %(days)s days ahead)"),
    "promise_below_minimum": _("must be at least %(amount)s (%(share)s of the past-due amount)"),
    "too_many_open_promises": _("the case already has %(n)s open promise(s)"),
    "promise_needs_amount_and_date": _("a promise needs an amount and a date"),
    "nothing_chosen": _("choose at least one case"),
    "not_yours_to_reassign": _("one or more of these cases is not yours to reassign"),
    "collector_not_in_team": _("%(who)s is not in the team of case %(case)s"),
    "payment_line_malformed": _("line %(line)s: give a date as YYYY-MM-DD, then the amount"),
    "payment_line_no_amount": _("line %(line)s: the amount is missing"),
    "too_long": _("too long"),
    "instruction_unknown": _("row %(row)s: no such outbound instruction"),
    "instruction_not_exported": _("row %(row)s: this instruction has not been sent to the card host yet"),
    "instruction_answered": _("row %(row)s: this instruction has already been answered otherwise"),
    "waiver_above_waivable": _("more than can be waived (at most %(limit)s)"),
    "settlement_not_below_balance": _("a settlement must be less than the balance (%(balance)s)"),
    "signature_invalid": _("the request's signature is missing or does not match"),
    "timestamp_out_of_window": _("the request's timestamp is too far from the server's clock"),
    "signature_replayed": _("this signed request has been received already"),
    "wrong_integration_kind": _("this kind of integration may not call this endpoint"),
    "idempotency_key_reused": _("this request key was used for another request"),
    "malformed_body": _("the request body cannot be read"),
    "token_expired": _("this API token has expired"),
    "token_revoked": _("this API token has been revoked"),
    "scope_missing": _("this API token lacks the %(scope)s scope"),
    "csrf_failed": _("the form has expired: reload the page and try again"),
    "before_business_date": _("must not be before the business date (%(date)s)"),
    "rate_not_used": _("this method does not use this rate: leave it empty"),
    "rate_above_maximum": _("above the highest rate the policy allows (%(maximum)s)"),
    "plan_in_force": _("this account already has a plan offered, accepted or in force"),
    "account_settled": _("the debt on this account was settled after charge-off: nothing more is owed"),
    "invalid_code": _("2 to 12 lower-case letters, digits or hyphens"),
    "ends_before_start": _("the end must not be before the start"),
    "not_agency_user": _("the person must have the agency user role"),
    "invalid_reference": _("1 to 40 letters, digits, dots, hyphens or underscores"),
    "before_placement": _("must not be before the account was placed with the agency"),
    "not_placeable": _(
        "this account cannot be placed: already placed, nothing owed, not delinquent, in a plan, under a hold "
        "or without an open case"
    ),
    "already_decided": _("this was already decided"),
    "agency_not_in_force": _("the agency is not published and active with an entrustment in force"),
    "already_recalled": _("the placement was already recalled"),
    "national_id_invalid": _("this is not a valid 18-character resident ID number"),
    "last_four_invalid": _("give the last four digits of your card number"),
    "wrong_sign_in_code": _("the code is wrong or no longer valid; ask for a new code if it has expired"),
    "sign_in_locked": _("too many wrong codes: signing in is locked until %(until)s"),
    "too_many_codes": _("too many codes were asked for: please wait a while before asking again"),
    "plan_not_offered": _("this plan is no longer offered"),
    "plan_document_changed": _("the plan document changed since it was shown: please read it again"),
    # The payment gateway's checkouts.
    "above_amount_owed": _("more than the %(owed)s owed on the account"),
    "checkout_amount_mismatch": _("the amount paid is not the %(amount)s of the checkout"),
    "checkout_expired": _("this payment has expired; start a new one"),
    "checkout_finished": _("this payment is already finished"),
    # The insight page's filters.
    "period_end_before_start": _("must not be before the first day (%(date)s)"),
    "period_too_long": _("the period may be at most %(months)s months long"),
    # The card host's feed (docs/host-feed.md).
    "feed_refused": _("the feed is refused: %(count)s problem(s); nothing was imported"),
}

# The fields errors name, by their label on the pages.
FIELDS: dict[str, Any] = {
    "account": _("Account"),
    "address": _("Number or address used"),
    "amount": _("Amount"),
    "annual_rate": _("Annual rate"),
    "approval": _("Approval request"),
    "balance": _("Balance"),
    "case": _("Case"),
    "cases": _("Cases"),
    "channel": _("Channel"),
    "collector": _("Collector"),
    "comment": _("Comment"),
    "concession": _("Concession"),
    "corrects": _("Contact to correct"),
    "days": _("Days"),
    "decision": _("Decision"),
    "dependants": _("Dependants"),
    "direction": _("Direction"),
    "dispute": _("Dispute"),
    "disposition": _("Disposition"),
    "down_payment": _("Down payment"),
    "due_at": _("Call back at"),
    "duration_seconds": _("Duration (seconds)"),
    "entry": _("Statement line or fee"),
    "evidence": _("Evidence"),
    "evidence_ref": _("Evidence reference"),
    "fee_rate": _("Fee rate per instalment"),
    "first_due_date": _("First due date"),
    "handoff": _("Hand-off"),
    "instalments": _("Instalments"),
    "kind": _("Type"),
    "last_four": _("Last four digits of the card"),
    "national_id": _("National ID"),
    "code": _("One-time code"),
    "document": _("Plan document"),
    "method": _("Method"),
    "monthly_expenses": _("Monthly expenses"),
    "monthly_income": _("Monthly income"),
    "other_debts": _("Other debt payments a month"),
    "outcome": _("Outcome"),
    "party": _("Party reached"),
    "payment_date": _("Date of the payment not credited"),
    "payment_reference": _("Payment reference"),
    "payments": _("Payments"),
    "plan": _("Plan"),
    "promise_amount": _("Promised amount"),
    "promise_date": _("Promised date"),
    "promised_date": _("Promised date"),
    "reason": _("Reason"),
    "reasons": _("Reasons"),
    "result": _("Result"),
    "scope": _("Scope"),
    "text": _("Note"),
    "to_role": _("Hand to"),
    "token": _("Link"),
    "question": _("Question"),
    "on": _("Date"),
    "answer": _("Answer"),
    "template_code": _("Message template"),
    "category": _("Category"),
    "score": _("Score"),
    "language": _("Language"),
    "inquiry": _("Inquiry"),
    # Complaints and the payment gateway.
    "agency": _("Agency involved"),
    "complaint": _("Complaint"),
    "contacts": _("Contacts concerned"),
    "description": _("Description"),
    "hold_channels": _("Channels to hold"),
    "received_on": _("Received on"),
    "return_url": _("Return address"),
    "root_cause": _("Root cause"),
    "root_cause_note": _("Root cause in detail"),
    "severity": _("Severity"),
    "staff": _("Staff involved"),
    "week": _("Week"),
    # The insight page's filters.
    "from": _("From"),
    "to": _("To"),
    "by": _("Group by"),
    "basis": _("Basis"),
    # Quality review's scorecard.
    "identification": _("Identification"),
    "wording": _("No prohibited wording"),
    "amounts": _("Accuracy of amounts"),
    "empathy": _("Empathy"),
    "offer": _("Correct offer"),
    "task": _("Review task"),
    "session": _("Calibration session"),
    "threshold": _("Flag a reviewer beyond (points)"),
}


def field_label(field: str | None) -> str:
    """The field's label in the page's language; a field not listed is named by its words, not its code."""
    if not field:
        return ""
    label = FIELDS.get(field)
    return str(label) if label is not None else field.replace("_", " ").replace(".", " · ")


# Params that are rates, by code: shown as percentages.
RATE_PARAMS = {"rate_above_maximum": ("maximum",)}


def _shown(code: str, params: dict[str, object]) -> dict[str, object]:
    """The params as the page shows them: dates in the page's format, rates as percentages."""
    shown = dict(params)
    for key, value in params.items():
        if isinstance(value, dt.date):
            shown[key] = formatting.day(value)
        elif key in RATE_PARAMS.get(code, ()):
            shown[key] = formatting.percent(value)
    return shown


def _wording(exc: ArrearsError) -> str:
    for code in (exc.code, exc.kind):
        template = MESSAGES.get(code)
        if template is None:
            continue
        try:
            return str(template) % _shown(code, exc.params)
        except (KeyError, TypeError, ValueError):
            continue  # the raise did not give the values this wording needs: its kind's wording then
    return str(MESSAGES["error"])


def error_text(exc: ArrearsError) -> str:
    """What is wrong, in the page's language (for beside the form field it concerns)."""
    text = _wording(exc)
    english = (translation.get_language() or "").startswith("en")
    if english and exc.message and exc.message != text:
        return f"{text} — {exc.message}"
    return text


def error_line(exc: ArrearsError) -> str:
    """The error as a line of its own: the field's label, then what is wrong."""
    if not exc.field:
        return error_text(exc)
    return gettext("%(field)s: %(message)s") % {"field": field_label(exc.field), "message": error_text(exc)}
