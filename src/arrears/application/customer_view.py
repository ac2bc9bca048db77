"""The customer 360 view: everything about a case's customer for one screen."""

from __future__ import annotations

from typing import Any

from arrears.cases.models import Case
from arrears.contacts.models import Contact, FinancialSituation, Handoff, Note
from arrears.delinquency.models import BucketChange
from arrears.people.rules import mask_national_id, mask_phone
from arrears.promises.models import Promise
from arrears.statements.models import Statement


def customer_360(case: Case, *, user: Any) -> dict[str, Any]:
    """Everything about a case's customer for one screen, in a fixed number of queries."""
    customer = case.customer
    accounts = list(customer.accounts.select_related("product").order_by("id"))
    statements = list(
        Statement.objects.filter(account__customer=customer)
        .select_related("account")
        .order_by("-statement_date", "account_id")[:24]
    )
    return {
        "case": case,
        "customer": customer,
        # Always masked, whatever the role: the full value only through the audited reveal.
        "national_id": mask_national_id(customer.national_id),
        "mobile": mask_phone(customer.mobile),
        "accounts": accounts,
        "statements": statements,
        "bucket_changes": list(BucketChange.objects.filter(account__customer=customer).order_by("-change_date")[:30]),
        "contacts": list(
            Contact.objects.filter(case__customer=customer).select_related("collector").order_by("-at")[:50]
        ),
        "promises": list(Promise.objects.filter(case__customer=customer).order_by("-taken_on", "-id")[:20]),
        "notes": list(Note.objects.filter(case__customer=customer).select_related("author").order_by("-at")[:30]),
        "situations": list(FinancialSituation.objects.filter(case__customer=customer).order_by("-at")[:5]),
        "handoffs": list(Handoff.objects.filter(case__customer=customer).order_by("-created_at")[:10]),
        "status_changes": list(case.status_changes.order_by("-at")[:20]),
    }
