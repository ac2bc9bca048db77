"""The case page: the pre-call summary on top, the guided call in one panel, and a few tabs
(history, plan, concession) loaded on demand so the page costs the same few queries whatever the history."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from arrears.application.call import FIELDS, CallIn, CallPartError, Situation, promise_rules, save_call
from arrears.application.contact_gate import callable_now, pack_on
from arrears.application.contacts import record_contact_with_promise
from arrears.application.figures import customer_figures
from arrears.application.personal_data import may_reveal
from arrears.application.precall import PHONE_FIELDS, address_of, mask_address, precall_summary, routes_of
from arrears.audit.operations import record
from arrears.cases.models import Case
from arrears.cases.operations import next_case
from arrears.cases.queries import case_for
from arrears.concessions.models import AuthorityRule
from arrears.contacts.models import Contact, FinancialSituation, Handoff, Note
from arrears.contacts.operations import ContactIn, add_note, capture_situation, hand_off, schedule_callback
from arrears.cycle import business_date
from arrears.delinquency.chargeoff import AFTER_CHARGE_OFF
from arrears.delinquency.models import BucketChange
from arrears.errors import ArrearsError, NotFound
from arrears.holds.models import HoldKind
from arrears.interfaces.web.context_processors import business_date_of
from arrears.interfaces.web.errors import error_line, error_text
from arrears.interfaces.web.figures import account_view, customer_view
from arrears.interfaces.web.forms import REASONS, CallbackForm, CallForm, HandoffForm, NoteForm, SituationForm
from arrears.interfaces.web.labels import case_status_label, status_reason_label
from arrears.interfaces.web.recovery import positions_view
from arrears.kernel import clock
from arrears.ledger.models import EntryKind, InstructionStatus
from arrears.ledger.queries import instructions_to_show
from arrears.legal.models import LegalCase
from arrears.payments.models import Payment
from arrears.people.operations import roles_of
from arrears.promises.models import Promise
from arrears.promises.operations import policy_in_force
from arrears.scoring.queries import ScoreView, latest_scores, view_of
from arrears.statements.models import Statement

PATH_LABELS = {
    "promise_to_pay": _lazy("take a promise to pay"),
    "hardship_plan": _lazy("offer a hardship repayment plan"),
    "escalation": _lazy("escalate"),
    "review_with_supervisor": _lazy("review with the supervisor"),
}
TABS = ("call", "history", "plan", "concession")
# The guided call's steps, in order: (key, title). The template shows one at a time (JS), or all (no JS).
STEPS = (
    ("ident", _lazy("Identify")),
    ("rpc", _lazy("Right party")),
    ("reason", _lazy("Reason")),
    ("situation", _lazy("Situation")),
    ("offer", _lazy("Offer")),
    ("wrapup", _lazy("Wrap-up")),
)
HISTORY_PAGE = 25


def _case_or_404(request: HttpRequest, case_id: int) -> Case:
    try:
        return case_for(request.user, case_id)
    except NotFound:
        raise Http404(_("No such case, or not one you can see.")) from None


def _htmx(request: HttpRequest) -> bool:
    """Asked for by htmx (the django-htmx middleware marks it; the header is the same thing)."""
    return bool(getattr(request, "htmx", False))


def _language() -> str:
    return "en" if (translation.get_language() or "").startswith("en") else "zh-hans"


ROUTE_LABELS = {
    "mobile": _lazy("phone · mobile"),
    "home_phone": _lazy("phone · home"),
    "work_phone": _lazy("phone · work"),
    "sms:mobile": _lazy("SMS"),
    "email:email": _lazy("e-mail"),
    "letter:address": _lazy("letter"),
    "visit:address": _lazy("visit"),
}


def _channel_label(choice: str) -> str:
    return str(ROUTE_LABELS.get(choice, choice))


def _routes(case: Case) -> list[tuple[str, str]]:
    """The customer's numbers and addresses as the form offers them: a key and a masked label."""
    return [
        (choice, f"{_channel_label(choice)} {mask_address(field, value)}")
        for choice, _channel, field, value in routes_of(case.customer)
    ]


@login_required
def case_page(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    tab = request.GET.get("tab", "call")
    tab = tab if tab in TABS else "call"
    routes = _routes(case)
    form = CallForm(routes=routes)
    if request.method == "POST":
        action = request.POST.get("action", "call")
        if action == "call":
            form = CallForm(request.POST, routes=routes)
            done = _save_call(request, case, form)
            if done is not None:
                return done
        else:
            done_legacy = _act(request, case, action, routes)
            if done_legacy:
                return redirect("case", case_id=case.pk)
    if _htmx(request) and tab != "call" and request.method == "GET":  # a tab asked for by htmx: only its body
        return render(request, "arrears/case/_tab.html", {"case": case, "tab": tab, **_tab_data(request, case, tab)})
    today = business_date_of(request)
    summary = precall_summary(case, user=request.user, at=clock.now(), business_date=today, language=_language())
    if _htmx(request) and request.method == "POST":  # the call panel again, with what was wrong
        return render(request, "arrears/case/_call.html", _call_context(request, case, form, summary, today))
    figures = summary.figures
    views = {a.account_id: account_view(a) for a in figures.accounts}
    record(
        actor=request.user.get_username(), action="customer.view", object_type="customer", object_id=case.customer_id
    )
    mobile = next((c for c in summary.channels if c.choice == "mobile"), None)
    context: dict[str, Any] = {
        "case": case,
        "customer": case.customer,
        "s": summary,
        "mobile_status": mobile,
        "figures": customer_view(figures),
        "rows": [{"a": a, **views[a.account_id]} for a in figures.accounts],
        "positions": list(
            positions_view(a.account_id for a in figures.accounts if a.account_status in AFTER_CHARGE_OFF).values()
        ),
        "accounts": [_AccountChoice(a.ref, a.number) for a in figures.accounts],
        "leased": case.lease_holder_id == request.user.pk,
        "may_reveal": may_reveal(request.user),
        "reveal_ref": figures.accounts[0].ref if figures.accounts else "",
        "tab": tab,
        "tabs": [
            ("call", _("Call")),
            ("history", _("History")),
            ("plan", _("Plan")),
            ("concession", _("Concession")),
        ],
        "hold_labels": _hold_labels(summary.holds),
        # The gate's load read the legal stages the customer's cases reached: none, no legal case to show.
        "legal_cases": list(LegalCase.objects.filter(customer_id=case.customer_id).exclude(stage="closed"))
        if summary.legal_stages
        else [],
        "channel_rows": [(_channel_label(c.choice), c) for c in summary.channels],
        # the latest score of each account (one query): PIPL-AUTO, a person may ask why
        "scores": _scores(case, {a.account_id: a.number for a in figures.accounts}),
        "score_with_account": True,
        # host-feed mode only (one query): what the card host has not applied yet, or refused lately
        "host_instructions": _host_instructions({a.account_id: a.number for a in figures.accounts}, today)
        if settings.ARREARS_LEDGER_MODE == "host_feed"
        else [],
    }
    if tab == "call":
        context.update(_call_context(request, case, form, summary, today))
    else:
        context.update(_tab_data(request, case, tab))
    return render(request, "arrears/case.html", context)


def _scores(case: Case, numbers: dict[int, str]) -> list[ScoreView]:
    latest = latest_scores(customer_id=case.customer_id)
    return [view_of(latest[a], account=n) for a, n in numbers.items() if a in latest]


# How long a refused instruction stays on the case page; the admin lists every one.
REJECTED_SHOWN_DAYS = 30


def _host_instructions(numbers: dict[int, str], today: Any) -> list[dict[str, Any]]:
    since = today - timedelta(days=REJECTED_SHOWN_DAYS)
    return [
        {
            "business_date": i.business_date,
            "account": numbers.get(i.account_id, ""),
            "kind": EntryKind(i.kind).label,
            "amount_fen": i.amount_fen,
            "rejected": i.status == InstructionStatus.REJECTED,
            "status": InstructionStatus(i.status).label,
            "reason": i.reason,
        }
        for i in instructions_to_show(numbers, since=since)
    ]


class _AccountChoice:
    """An account as the plan and concession forms list it: its reference and masked number."""

    def __init__(self, ref: str, masked_number: str) -> None:
        self.ref, self.masked_number = ref, masked_number


def _hold_labels(holds: tuple[tuple[str, tuple[str, ...]], ...]) -> list[str]:
    names = dict(HoldKind.choices)
    return [
        f"{names.get(kind, kind)}" + (f" ({', '.join(chans)})" if chans else f" ({_('every channel')})")
        for kind, chans in holds
    ]


def _call_context(request: HttpRequest, case: Case, form: CallForm, summary: Any, today: Any) -> dict[str, Any]:
    rules = promise_rules(
        policy=policy_in_force(),
        past_due_fen=case.past_due_fen,
        business_date=today,
        open_promises=summary.promises_open,
    )
    return {
        "case": case,
        "customer": case.customer,
        "s": summary,
        "form": form,
        "steps": STEPS,
        "promise_rules": rules,
        "script": _ident_script(request, case),
        "ident_title": _ident_title(case, today),
    }


def _ident_script(request: HttpRequest, case: Case) -> str:
    """CN-IDENT: the opening the collector reads, in the customer's language (not the page's)."""
    from django.conf import settings

    issuer = settings.ARREARS_ISSUER["name"]
    user: Any = request.user
    who = user.get_full_name() or user.get_username()
    with translation.override("en" if case.customer.language == "en" else "zh-hans"):
        return _(
            "Hello, this is %(who)s of %(issuer)s, calling about your credit card account. "
            "May I speak with %(name)s? Before we go on, please confirm the last four digits of your ID number."
        ) % {"who": who, "issuer": issuer, "name": case.customer.name}


def _ident_title(case: Case, today: Any) -> str:
    rule = pack_on(today).rules.get("CN-IDENT")
    if rule is None:
        return ""
    return rule.title.get("en" if translation.get_language() == "en" else "zh-hans", "")  # for the collector


def _save_call(request: HttpRequest, case: Case, form: CallForm) -> HttpResponse | None:
    """Save the guided call; a response when done (the case again, or the next account)."""
    if not form.is_valid():
        return None
    d = form.cleaned_data
    address = _resolved_address(case, d)
    reason = dict(REASONS).get(d["reason"], "") if d["reason"] else ""
    notes = f"[{reason}] {d['notes']}".strip() if reason else d["notes"]
    situation = None
    if d["monthly_income"] is not None:
        situation = Situation(
            monthly_income=d["monthly_income"],
            monthly_expenses=d["monthly_expenses"],
            ability=d["ability"],
            willingness=d["willingness"],
            dependants=d["dependants"] or 0,
            hardship_reason=str(reason),
        )
    callback_at = d["callback_at"]
    if callback_at is not None and not timezone.is_aware(callback_at):
        callback_at = timezone.make_aware(callback_at)
    call = CallIn(
        contact=ContactIn(
            channel=d["channel"],
            direction=d["direction"],
            address=address,
            party=d["party"],
            result=d["result"],
            disposition=d["disposition"],
            duration_seconds=d["duration_seconds"],
            notes=str(notes),
            recording_ref=d["recording_ref"],
        ),
        promise_amount=d["promise_amount"],
        promise_date=d["promise_date"],
        situation=situation,
        callback_at=callback_at,
        hand_to=d["hand_to"],
        hand_comment=d["hand_comment"],
    )
    try:
        save_call(user=request.user, case=case, call=call, business_date=business_date.current())
    except CallPartError as exc:
        err = exc.error
        assert isinstance(err, ArrearsError)
        field = FIELDS[exc.part].get(err.field or "", err.field)
        if field and field in form.fields:
            form.add_error(field, error_text(err))
        else:
            form.add_error(None, error_line(err))
        return None
    messages.success(request, _("Call saved."))
    target = reverse("case", args=[case.pk])
    if d["offer"] in ("plan", "concession"):
        target += f"?tab={d['offer']}"
    if request.POST.get("go") == "next":
        following = next_case(user=request.user, business_date=business_date.current(), callable_now=callable_now)
        if following is None:
            messages.info(request, _("No case that may be called now is waiting in your queues."))
            target = reverse("workbench")
        else:
            target = reverse("case", args=[following.pk])
    if _htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return redirect(target)


def _resolved_address(case: Case, d: dict[str, Any]) -> str:
    """The full number or address behind the masked choice (blank: the mobile for a call or SMS)."""
    if d["address"]:
        return address_of(case, d["address"])[1]
    return case.customer.mobile if d["channel"] in ("phone", "sms") else ""


def _act(request: HttpRequest, case: Case, action: str, routes: list[tuple[str, str]]) -> bool:
    """The single-purpose posts (situation, callback, note, hand-off, contact) the call folds together,
    kept for the doors that still send them; a problem is a message on the page."""
    form_class: Any = {
        "contact": CallForm,
        "situation": SituationForm,
        "callback": CallbackForm,
        "note": NoteForm,
        "handoff": HandoffForm,
    }.get(action)
    if form_class is None:
        messages.error(request, _("Unknown action."))
        return False
    form = form_class(request.POST, routes=routes) if form_class is CallForm else form_class(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for e in errors:
                messages.error(request, f"{label}: {e}" if label else str(e))
        return False
    d = form.cleaned_data
    try:
        if action == "contact":
            record_contact_with_promise(
                user=request.user,
                case=case,
                data=ContactIn(
                    channel=d["channel"],
                    direction=d["direction"],
                    address=_resolved_address(case, d),
                    party=d["party"],
                    result=d["result"],
                    disposition=d["disposition"],
                    duration_seconds=d["duration_seconds"],
                    notes=d["notes"],
                    recording_ref=d["recording_ref"],
                ),
                business_date=business_date.current(),
                promise_amount=d["promise_amount"],
                promise_date=d["promise_date"],
            )
            messages.success(request, _("Contact recorded."))
        elif action == "situation":
            situation = capture_situation(
                user=request.user,
                case=case,
                monthly_income=d["monthly_income"],
                monthly_expenses=d["monthly_expenses"],
                dependants=d["dependants"],
                other_debts=d["other_debts"],
                hardship_reason=d["hardship_reason"],
                hardship_expected_end=d["hardship_expected_end"],
                ability=d["ability"],
                willingness=d["willingness"],
            )
            messages.success(
                request,
                _("Financial situation saved. Recommended path: %(path)s")
                % {"path": PATH_LABELS.get(situation.recommended_path, situation.recommended_path)},
            )
        elif action == "callback":
            due = d["due_at"] if timezone.is_aware(d["due_at"]) else timezone.make_aware(d["due_at"])
            schedule_callback(user=request.user, case=case, due_at=due, note=d["note"])
            messages.success(request, _("Callback scheduled."))
        elif action == "note":
            add_note(user=request.user, case=case, text=d["text"])
            messages.success(request, _("Note added."))
        elif action == "handoff":
            hand_off(user=request.user, case=case, to_role=d["to_role"], comment=d["comment"])
            messages.success(request, _("Handed off."))
    except ArrearsError as exc:
        messages.error(request, error_line(exc))
        return False
    return True


def _tab_data(request: HttpRequest, case: Case, tab: str) -> dict[str, Any]:
    """What a tab other than the call shows, read only when that tab is open."""
    customer = case.customer
    if tab == "history":
        contacts = Paginator(
            Contact.objects.filter(case__customer=customer).select_related("collector").order_by("-at", "-id"),
            HISTORY_PAGE,
        ).get_page(request.GET.get("page"))
        for c in contacts.object_list:
            c.shown_address = _masked_contact_address(c)  # type: ignore[attr-defined]
        status_changes = list(case.status_changes.order_by("-at")[:20])
        for sc in status_changes:
            sc.from_label, sc.to_label = case_status_label(sc.from_status), case_status_label(sc.to_status)  # type: ignore[attr-defined]
            sc.reason_label = status_reason_label(sc.reason)  # type: ignore[attr-defined]
        situations = list(FinancialSituation.objects.filter(case__customer=customer).order_by("-at")[:5])
        for s in situations:
            s.path_label = PATH_LABELS.get(s.recommended_path, s.recommended_path)  # type: ignore[attr-defined]
        return {
            "contacts": contacts,
            "promises": list(Promise.objects.filter(case__customer=customer).order_by("-taken_on", "-id")[:20]),
            "payments": list(
                Payment.objects.filter(account__customer=customer)
                .select_related("account")
                .order_by("-value_date", "-id")[:20]
            ),
            "statements": list(
                Statement.objects.filter(account__customer=customer)
                .select_related("account")
                .order_by("-statement_date", "account_id")[:24]
            ),
            "bucket_changes": list(
                BucketChange.objects.filter(account__customer=customer).order_by("-change_date")[:30]
            ),
            "status_changes": status_changes,
            "notes": list(Note.objects.filter(case__customer=customer).select_related("author").order_by("-at")[:30]),
            "situations": situations,
            "handoffs": list(Handoff.objects.filter(case__customer=customer).order_by("-created_at")[:10]),
        }
    if tab in ("plan", "concession"):
        today = business_date.current()
        money = customer_figures(customer.pk, business_date=today)[customer.pk]
        data: dict[str, Any] = {
            "figures": customer_view(money),
            "accounts": [_AccountChoice(a.ref, a.number) for a in money.accounts],
        }
        if tab == "concession":
            data["authority"] = _authority_rows(request.user)
        return data
    return {}


def _authority_rows(user: Any) -> list[AuthorityRule]:
    """The authority matrix rows of the person's role: the limits shown beside the amount."""
    from arrears.concessions.rules import acting_role

    role = acting_role(roles_of(user), superuser=user.is_superuser)
    return (
        list(AuthorityRule.objects.filter(active=True, role=role).order_by("kind", "min_bucket", "id")) if role else []
    )


def _masked_contact_address(c: Contact) -> str:
    if not c.address:
        return ""
    field = "mobile" if c.channel in ("phone", "sms") else ("email" if c.channel == "email" else "address")
    return mask_address(field if field != "mobile" else PHONE_FIELDS[0], c.address)
