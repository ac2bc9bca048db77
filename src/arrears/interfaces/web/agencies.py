"""The agency portal (/agency/: an agency's users see only the accounts placed with their agency now)
and the bank's agency pages (/agencies/: performance, collections to confirm, the monthly remittance
statement and its CSV)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from arrears.agencies import operations as agencies
from arrears.agencies.models import Agency, CollectionStatus, Placement
from arrears.agencies.queries import performance, remittance
from arrears.application import figures
from arrears.application.reads import record_request_reads
from arrears.complaints.queries import per_agency as complaints_per_agency
from arrears.contacts.models import Channel, Party, Result
from arrears.contacts.operations import ContactIn
from arrears.cycle import business_date
from arrears.errors import ArrearsError, NotFound, NotPermitted, ValidationFailed
from arrears.interfaces.web import formatting
from arrears.interfaces.web.errors import error_line
from arrears.kernel import clock
from arrears.kernel.pan import mask_pan
from arrears.money import parse_amount
from arrears.people.rules import mask_phone

AGENCY_CHANNELS = (Channel.PHONE, Channel.SMS, Channel.LETTER, Channel.VISIT)


def _agency_or_403(request: HttpRequest) -> Agency:
    agency = agencies.agency_of(request.user)
    if agency is None:
        raise PermissionDenied(_("Only the users of a collection agency may open the agency portal."))
    return agency


def _rows(placements: list[Placement], today: dt.date) -> list[dict[str, Any]]:
    """The minimum an agency needs: masked card number and phone, amounts, DPD and bucket."""
    money = figures.account_figures([p.account_id for p in placements], business_date=today)
    return [
        {
            "placement": p,
            "account_id": p.account_id,
            "name": p.account.customer.name,
            "number": mask_pan(p.account.number),
            "phone": mask_phone(p.account.customer.mobile),
            "owed": money[p.account_id].total_owed_fen,
            "past_due": money[p.account_id].past_due_fen,
            "dpd": money[p.account_id].dpd,
            "bucket": money[p.account_id].bucket_label,
        }
        for p in placements
    ]


@login_required
def portal(request: HttpRequest) -> HttpResponse:
    agency = _agency_or_403(request)
    today = business_date.current()
    placements = list(agencies.live_placements(request.user, on=today).order_by("expires_on", "id")[:500])
    record_request_reads(request, object_type="account", ids=[p.account_id for p in placements])
    return render(request, "arrears/agency/portal.html", {"agency": agency, "rows": _rows(placements, today)})


@login_required
def account(request: HttpRequest, placed_account_id: int) -> HttpResponse:
    """One placed account: its minimum fields, and the forms to record a contact, a promise and a
    payment collected. Anyone else's account, a recalled one and an unknown one: 404 alike."""
    agency = agencies.agency_of(request.user)
    today = business_date.current()
    try:
        if agency is None:
            raise NotFound("not an agency user", field="account")
        placement = agencies.placement_of(request.user, placed_account_id, on=today)
    except NotFound:
        raise Http404(_("No such account, or not one you can see.")) from None
    if request.method == "POST":
        try:
            done = _act(request, placement, today)
        except ArrearsError as exc:
            messages.error(request, error_line(exc))
        else:
            messages.success(request, done)
        return redirect("agency-account", placed_account_id=placement.account_id)
    [row] = _rows([placement], today)
    record_request_reads(request, object_type="account", ids=[placement.account_id])
    return render(
        request,
        "arrears/agency/account.html",
        {
            "agency": agency,
            "row": row,
            "channels": [(c.value, c.label) for c in AGENCY_CHANNELS],
            "parties": Party.choices,
            "results": Result.choices,
        },
    )


def _act(request: HttpRequest, placement: Placement, today: dt.date) -> str:
    action = request.POST.get("action", "")
    if action == "contact":
        agencies.record_agency_contact(
            user=request.user,
            placement=placement,
            data=ContactIn(
                channel=request.POST.get("channel", ""),
                party=request.POST.get("party", ""),
                result=request.POST.get("result", ""),
                notes=request.POST.get("notes", "")[:4000],
            ),
            at=clock.now(),
        )
        return _("Contact recorded.")
    if action == "promise":
        agencies.record_agency_promise(
            user=request.user,
            placement=placement,
            amount=parse_amount(request.POST.get("amount", ""), field="amount"),
            promised_date=_date(request.POST.get("promised_date", ""), "promised_date"),
            business_date=today,
        )
        return _("Promise recorded.")
    if action == "payment":
        agencies.report_collection(
            user=request.user,
            placement=placement,
            amount=parse_amount(request.POST.get("amount", ""), field="amount"),
            paid_on=_date(request.POST.get("paid_on", ""), "paid_on"),
            reference=request.POST.get("reference", "").strip(),
            business_date=today,
        )
        return _("Payment reported; the bank confirms it.")
    raise ValidationFailed("choose what to record", field="action", code="not_a_choice")


def _date(text: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationFailed("a date as YYYY-MM-DD", field=field, code="not_a_date") from None


# -- the bank's pages -------------------------------------------------------------------------------


def _bank_or_403(request: HttpRequest) -> None:
    try:
        agencies.require_bank_role(request.user)
    except NotPermitted:
        raise PermissionDenied(_("Only team leads and administrators may open the agency pages.")) from None


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """Agency performance, and the collections the agencies reported, to confirm or reject."""
    _bank_or_403(request)
    today = business_date.current()
    if request.method == "POST" and request.POST.get("action") == "place":
        try:
            account = agencies.account_to_place(request.user, request.POST.get("account", "").strip())
            agency = Agency.objects.filter(code=request.POST.get("agency", "")).first()
            if agency is None:
                raise NotFound("no such agency", field="agency")
            placement = agencies.place_by_hand(
                user=request.user,
                account=account,
                agency=agency,
                business_date=today,
                days=_posted_days(request.POST.get("days", "")),
            )
            messages.success(request, _("Placed until %(date)s.") % {"date": formatting.day(placement.expires_on)})
        except ArrearsError as exc:
            messages.error(request, error_line(exc))
        return redirect("agencies")
    if request.method == "POST":
        try:
            collection = agencies.collection_for(request.user, _posted_int(request.POST.get("collection", "")))
            if request.POST.get("decision") == "confirm":
                agencies.confirm_collection(user=request.user, collection=collection, business_date=today)
                messages.success(request, _("Payment confirmed and posted."))
            else:
                agencies.reject_collection(user=request.user, collection=collection, business_date=today)
                messages.success(request, _("Reported payment rejected."))
        except ArrearsError as exc:
            messages.error(request, error_line(exc))
        return redirect("agencies")
    register = complaints_per_agency()  # the complaints register, per 1,000 of the agency's contacts
    pending = list(
        agencies.visible_collections(request.user)
        .filter(status=CollectionStatus.REPORTED)
        .select_related("placement__agency", "placement__account")
        .order_by("reported_on", "id")[:200]
    )
    return render(
        request,
        "arrears/agency/overview.html",
        {
            "rows": [(r, register.get(r.agency.code)) for r in performance(on=today)],
            "pending": [(c, mask_pan(c.placement.account.number)) for c in pending],
            "month": today.strftime("%Y-%m"),
            "in_force": list(agencies.in_force(today).order_by("code")),
        },
    )


def _posted_days(text: str) -> int:
    try:
        return int(text or "90")
    except ValueError:
        raise ValidationFailed("a whole number of days", field="days", code="not_a_number") from None


def _posted_int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise NotFound("no such collection", field="collection") from None


def _remittance_or_404(request: HttpRequest, code: str, month: str) -> Any:
    _bank_or_403(request)
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        raise Http404(_("No such agency."))
    try:
        return remittance(agency, month)
    except ValueError:
        raise Http404(_("No such month.")) from None


@login_required
def remittance_page(request: HttpRequest, code: str, month: str) -> HttpResponse:
    statement = _remittance_or_404(request, code, month)
    return render(request, "arrears/agency/remittance.html", {"statement": statement})


@login_required
def remittance_csv(request: HttpRequest, code: str, month: str) -> HttpResponse:
    statement = _remittance_or_404(request, code, month)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["account", "card", "placed_on", "recalled_on", "bucket", "rate", "recovered", "commission"])
    for line in statement.lines:
        writer.writerow(
            [
                line.account_ref,
                line.account_number,
                line.placed_on.isoformat(),
                line.recalled_on.isoformat() if line.recalled_on else "",
                f"M{line.bucket}",
                f"{line.rate}",
                _fen(line.recovered_fen),
                _fen(line.commission_fen),
            ]
        )
    writer.writerow(["total", "", "", "", "", "", _fen(statement.recovered_fen), _fen(statement.commission_fen)])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="remittance-{statement.agency.code}-{statement.month}.csv"'
    return response


def _fen(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"
