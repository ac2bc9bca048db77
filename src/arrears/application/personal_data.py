"""Card numbers and personal data: the search by card number or reference, and the audited reveal.

Pages, letters, exports and the API show the card number (PAN), the phone and the national ID masked.
The full value goes out one at a time through `reveal`, to a role that holds the field's permission,
with a reason, and only after the audit trail has recorded who asked, for what and why.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from arrears.audit.operations import record
from arrears.cases.queries import account_for, account_matching
from arrears.errors import NotFound, NotPermitted, ValidationFailed
from arrears.kernel.pan import is_account_ref, mask_pan
from arrears.ledger.models import Account

# What may be revealed, and the permission each needs.
REVEALABLE: dict[str, str] = {
    "number": "people.view_full_pan",
    "phone": "people.view_full_phone",
    "national_id": "people.view_full_national_id",
}
REASON_MAX = 500


def may_reveal(user: Any) -> dict[str, bool]:
    """Which fields this person may reveal (to offer the action only to them)."""
    return {field: bool(user.is_superuser or user.has_perm(perm)) for field, perm in REVEALABLE.items()}


def reveal(*, user: Any, ref: str, field: str, reason: str) -> str:
    """The full value of one masked field of an account (its card number) or of its customer (mobile
    phone, national ID). NotFound when the person may not see the account, NotPermitted when their
    role may not reveal the field; the audit entry is written before the value is returned."""
    account = account_for(user, ref)
    if field not in REVEALABLE:
        choices = ", ".join(REVEALABLE)
        raise ValidationFailed(
            f"{field!r} is not one of {choices}", field="field", code="not_a_choice", params={"values": choices}
        )
    reason = reason.strip()
    if not reason:
        raise ValidationFailed("give the reason for revealing it", field="reason", code="required")
    if len(reason) > REASON_MAX:
        raise ValidationFailed(
            f"at most {REASON_MAX} characters",
            field="reason",
            code="out_of_range",
            params={"low": 1, "high": REASON_MAX},
        )
    if not may_reveal(user)[field]:
        raise NotPermitted(f"your role may not reveal the {field}", field="field")
    value = _value(account, field)
    with transaction.atomic():
        record(
            actor=user.get_username(),
            action="personal_data.reveal",
            object_type="account" if field == "number" else "customer",
            object_id=account.ref if field == "number" else account.customer_id,
            after={"field": field, "reason": reason, "account": account.ref},
        )
    return value


def _value(account: Account, field: str) -> str:
    if field == "number":
        return account.number
    if field == "phone":
        return account.customer.mobile
    return account.customer.national_id


def find_account(*, user: Any, query: str) -> Account | None:
    """The account with this card number or reference, if the person may see it; otherwise None, the
    same for an account that does not exist and one they may not see. A look-up by card number reads
    personal data, so every search is audited (with the card number masked)."""
    query = query.strip()
    if not query:
        return None
    try:
        account = account_matching(user, query)
    except NotFound:
        account = None
    by_pan = not is_account_ref(query)
    record(
        actor=user.get_username(),
        action="account.search",
        object_type="account",
        object_id=account.ref if account else "",
        after={
            "by": "number" if by_pan else "ref",
            "query": mask_pan(query) if by_pan else query,
            "found": account is not None,
        },
    )
    return account
