"""The promises' step of the daily cycle: judge the promises that fell due, for customers lo <= id < hi."""

from __future__ import annotations

import datetime as dt

from django.db.models import OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from arrears.cases.cycle import history
from arrears.cases.models import Case, CaseStatus
from arrears.payments.models import Payment
from arrears.promises.models import Promise, PromisePolicy, PromiseStatus
from arrears.promises.rules import judge


def judge_promises(d: dt.date, lo: int, hi: int) -> int:
    """A promise is judged the day after its date plus grace: kept, partly kept or broken."""
    policy = PromisePolicy.objects.order_by("-id").first()
    grace = policy.grace_days if policy else 1
    last_day = d - dt.timedelta(days=grace + 1)
    paid = (
        Payment.objects.filter(
            account__customer_id=OuterRef("case__customer_id"),
            value_date__gte=OuterRef("taken_on"),
            value_date__lte=OuterRef("promised_date") + dt.timedelta(days=grace),
        )
        .values("account__customer_id")
        .annotate(s=Sum("amount_fen"))
        .values("s")
    )
    due = list(
        Promise.objects.filter(
            status=PromiseStatus.OPEN,
            promised_date__lte=last_day,
            case__customer_id__gte=lo,
            case__customer_id__lt=hi,
        )
        .annotate(paid=Coalesce(Subquery(paid), Value(0)))
        .select_related("case")
    )
    broken_cases: list[int] = []
    settled_cases: list[int] = []
    for p in due:
        p.paid_fen = p.paid
        p.status = judge(amount_fen=p.amount_fen, paid_fen=p.paid)
        p.judged_on = d
        (broken_cases if p.status != PromiseStatus.KEPT else settled_cases).append(p.case_id)
    Promise.objects.bulk_update(due, ["paid_fen", "status", "judged_on"], batch_size=2000)
    Case.objects.filter(id__in=broken_cases).update(promise_broken_on=d)
    back = list(
        Case.objects.filter(id__in=broken_cases + settled_cases, status=CaseStatus.PROMISED).values_list(
            "id", flat=True
        )
    )
    Case.objects.filter(id__in=back).update(status=CaseStatus.OPEN)
    history([(c, CaseStatus.PROMISED, CaseStatus.OPEN) for c in back], d, "promise judged")
    return len(due)
