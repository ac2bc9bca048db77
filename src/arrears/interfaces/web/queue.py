"""The collector's workbench (the queue in the order it is served) and next account."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from arrears.application.contact_gate import callable_now
from arrears.application.desk import CallState, allowed_work, call_state
from arrears.application.figures import customer_figures
from arrears.application.reads import record_request_reads
from arrears.cases.models import WORKABLE, Case, CaseStatus
from arrears.cases.operations import next_case
from arrears.cases.queries import in_serving_order, visible_cases
from arrears.cycle import business_date
from arrears.kernel import clock
from arrears.people.rules import mask_phone

# The cases listed (and judged against the gate) on the workbench, in the order they are served.
SHOWN = 50


@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    today = business_date.current()
    now = clock.now()
    mine = visible_cases(request.user).filter(collector=request.user.pk, status__in=WORKABLE)
    shown = list(in_serving_order(mine.select_related("customer", "queue"))[:SHOWN])
    money = customer_figures([c.customer_id for c in shown], business_date=today)
    state = call_state(shown, at=now, language=translation.get_language() or "zh-hans")
    rows = [_row(c, money[c.customer_id], c.pk in state.callable_ids) for c in shown]
    work = allowed_work(user=request.user, mine=mine, at=now, business_date=today)
    record_request_reads(
        request,
        object_type="case",
        ids=[c.pk for c in shown] + [c.pk for c in (*work.broken, *work.letters)],
    )
    return render(
        request,
        "arrears/workbench.html",
        {
            "rows": rows,
            "count": mine.count(),
            "state": state,
            "opens": _opens(state),
            "work": work,
            "callbacks": work.callbacks,
        },
    )


def _opens(state: CallState) -> dict[str, str] | None:
    """When calling opens, as the page writes it: one date format, the zone named."""
    o = state.opening
    if o is None:
        return None
    return {
        "iso": o.at.isoformat(),
        "at": formats.date_format(o.at, "DATETIME_FORMAT"),
        "zone": o.zone,
        "local_at": formats.date_format(o.local_at, "DATETIME_FORMAT") if o.local_at else "",
        "local_zone": o.local_zone,
    }


def _row(case: Case, figures: Any, may_call: bool) -> dict[str, Any]:
    badge = "badge-ok" if figures.bucket <= 1 else "badge-warn"
    return {
        "case": case,
        "figures": figures,
        "mobile": mask_phone(case.customer.mobile),
        "queue": case.queue.name if case.queue else "",
        "may_call": may_call,
        "charged_off": case.status == CaseStatus.CHARGED_OFF,
        "badge": "badge-bad" if case.status == CaseStatus.CHARGED_OFF or figures.bucket >= 4 else badge,
    }


@login_required
@require_POST
def take_next(request: HttpRequest) -> HttpResponse:
    case = next_case(user=request.user, business_date=business_date.current(), callable_now=callable_now)
    if case is None:
        messages.info(request, _("No case that may be called now is waiting in your queues."))
        return redirect("workbench")
    return redirect("case", case_id=case.pk)
