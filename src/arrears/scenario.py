"""The scenario runner: the executable specification of the ledger.

A YAML file names a product, an account, dated events and a date to run until; the real daily
cycle runs every date in order (the cycle of a date first, then that date's events) and the result
is the account's statements, balances and delinquency as JSON-ready data.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import yaml

from arrears.application.figures import account_figures
from arrears.bureau.cycle import credit_report_of
from arrears.cycle.runner import run_date
from arrears.errors import ValidationFailed
from arrears.ledger.models import Account, Entry, EntryKind
from arrears.ledger.operations import create_customer, open_account, post_charge
from arrears.money import AmountError, format_fen, parse_amount
from arrears.payments.operations import PaymentIn, post_payment
from arrears.products.models import Product, ProductVersion
from arrears.products.rules import build_params, params_as_json
from arrears.statements.models import Statement

EVENT_TYPES = ("purchase", "cash_advance", "payment", "annual_fee")
ACTOR = "scenario"


class _ExactLoader(yaml.SafeLoader):
    """YAML as people write it: numbers with a fraction become Decimals read from their text
    (never a float), and only true/false are booleans (YAML 1.1 would read the key `on` as True)."""


_ExactLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_ExactLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _exact_number(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal | str:
    """A number with a fraction as an exact Decimal; what Decimal cannot read (.inf, .nan) stays text,
    for the validation to name its key."""
    text = loader.construct_scalar(node)
    try:
        return Decimal(text)
    except ArithmeticError:
        return text


def _date_or_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    """A date; one that looks like a date but is not (2026-02-30) stays text, for the validation
    to name its key."""
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


_ExactLoader.add_constructor("tag:yaml.org,2002:float", _exact_number)
_ExactLoader.add_constructor("tag:yaml.org,2002:timestamp", _date_or_text)


def load(text: str) -> dict[str, Any]:
    try:
        data = yaml.load(text, Loader=_ExactLoader)
    except yaml.YAMLError as exc:
        raise ValidationFailed(f"not valid YAML: {exc}", field="file") from None
    if not isinstance(data, dict):
        raise ValidationFailed("the file must be a mapping with product, account, events, run_until", field="file")
    return data


def _date(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed(f"{value!r} is not a date like 2026-03-12", field=field) from None


def _amount(value: Any, field: str) -> Decimal:
    amount = parse_amount(value, field=field)
    if amount <= 0:
        raise ValidationFailed("must be greater than zero", field=field)
    return amount


def parse(data: dict[str, Any]) -> dict[str, Any]:
    """Validate a scenario, naming the key of the first problem."""
    unknown = sorted(set(data) - {"product", "account", "events", "run_until"})
    if unknown:
        raise ValidationFailed("unknown key; expected product, account, events, run_until", field=unknown[0])
    product = data.get("product") or {}
    if not isinstance(product, dict):
        raise ValidationFailed("must be a mapping of product parameters", field="product")
    try:
        params = build_params(product)
    except ValidationFailed as exc:
        raise ValidationFailed(exc.message, field=f"product.{exc.field}") from None
    account = data.get("account")
    if not isinstance(account, dict):
        raise ValidationFailed("must be a mapping with opened_on and credit_limit", field="account")
    bad = sorted(set(account) - {"opened_on", "credit_limit", "statement_day"})
    if bad:
        raise ValidationFailed(
            "unknown key; expected opened_on, credit_limit, statement_day", field=f"account.{bad[0]}"
        )
    if "opened_on" not in account:
        raise ValidationFailed("is required", field="account.opened_on")
    opened_on = _date(account["opened_on"], "account.opened_on")
    try:
        limit = parse_amount(account.get("credit_limit", "10000.00"), field="account.credit_limit")
    except AmountError:
        limit = Decimal(-1)
    if limit < 0:
        raise ValidationFailed('must be a non-negative amount like "10000.00"', field="account.credit_limit")
    statement_day = account.get("statement_day", params.statement_day)
    if isinstance(statement_day, bool) or not isinstance(statement_day, int) or not 1 <= statement_day <= 31:
        raise ValidationFailed("must be a day of the month, 1 to 31", field="account.statement_day")
    if "run_until" not in data:
        raise ValidationFailed("is required", field="run_until")
    run_until = _date(data["run_until"], "run_until")
    if run_until < opened_on:
        raise ValidationFailed("must not be before account.opened_on", field="run_until")
    raw_events = data.get("events") or []
    if not isinstance(raw_events, list):
        raise ValidationFailed("must be a list of events", field="events")
    events = []
    for i, event in enumerate(raw_events):
        where = f"events[{i}]"
        if not isinstance(event, dict):
            raise ValidationFailed("must be a mapping with on, type, amount", field=where)
        extra = sorted(set(event) - {"on", "type", "amount", "reference"})
        if extra:
            raise ValidationFailed("unknown key; expected on, type, amount, reference", field=f"{where}.{extra[0]}")
        for key in ("on", "type", "amount"):
            if key not in event:
                raise ValidationFailed("is required", field=f"{where}.{key}")
        on = _date(event["on"], f"{where}.on")
        if not opened_on <= on <= run_until:
            raise ValidationFailed(
                f"must be between account.opened_on and run_until ({opened_on} to {run_until})", field=f"{where}.on"
            )
        if event["type"] not in EVENT_TYPES:
            raise ValidationFailed(f"must be one of {', '.join(EVENT_TYPES)}", field=f"{where}.type")
        events.append(
            {
                "on": on,
                "type": event["type"],
                "amount": _amount(event["amount"], f"{where}.amount"),
                "reference": str(event.get("reference") or f"scenario-{i + 1}"),
            }
        )
    return {
        "params": params,
        "opened_on": opened_on,
        "credit_limit": limit,
        "statement_day": statement_day,
        "events": sorted(events, key=lambda e: e["on"]),
        "run_until": run_until,
    }


def run(data: dict[str, Any]) -> dict[str, Any]:
    """Run a parsed scenario on the current database and report on the account."""
    spec = parse(data)
    product = Product.objects.create(code=f"scenario-{Product.objects.count() + 1}", name="scenario")
    ProductVersion.objects.create(
        product=product, effective_from=spec["opened_on"], parameters=params_as_json(spec["params"])
    )
    customer = create_customer(actor=ACTOR, name="Scenario")
    account = open_account(
        actor=ACTOR,
        customer=customer,
        product=product,
        number=f"SCN{Account.objects.count() + 1:08d}",
        opened_on=spec["opened_on"],
        credit_limit=spec["credit_limit"],
        statement_day=spec["statement_day"],
    )
    events = list(spec["events"])
    day = spec["opened_on"]
    while day <= spec["run_until"]:
        run_date(day, actor=ACTOR)
        while events and events[0]["on"] == day:
            event = events.pop(0)
            account.refresh_from_db()
            if event["type"] == "payment":
                post_payment(
                    actor=ACTOR,
                    business_date=day,
                    payment=PaymentIn(
                        account_number=account.number,
                        amount=event["amount"],
                        value_date=day,
                        reference=event["reference"],
                    ),
                )
            else:
                post_charge(actor=ACTOR, account=account, kind=event["type"], amount=event["amount"], business_date=day)
        day += dt.timedelta(days=1)
    account.refresh_from_db()
    return report(account, as_of=spec["run_until"])


def report(account: Account, *, as_of: dt.date) -> dict[str, Any]:
    """The account's statements and its figures on the date, as the read model gives them."""
    statements = list(account.statements.order_by("statement_date"))
    figures = account_figures([account.pk], business_date=as_of)[account.pk]
    # The plan component is named only when there is one, so that reports of cards without a
    # plan read as they always have.
    balances = {c: fen for c, fen in figures.components_fen().items() if c not in ("plan", "costs") or fen}
    return {
        "as_of": as_of.isoformat(),
        "statements": [statement_json(s) for s in statements],
        "balance": format_fen(figures.balance_fen),
        "balances": {k: format_fen(v) for k, v in balances.items()},
        "dpd": figures.dpd,
        "bucket": figures.bucket_label,
        "status": figures.account_status,
        "credit_report": credit_report_of(account.pk, as_of=as_of),
    }


def statement_json(s: Statement) -> dict[str, Any]:
    return {
        "statement_date": s.statement_date.isoformat(),
        "due_date": s.due_date.isoformat(),
        "period": [s.period_start.isoformat(), (s.statement_date - dt.timedelta(days=1)).isoformat()],
        "new_balance": format_fen(s.new_balance_fen),
        "minimum_payment": format_fen(s.minimum_payment_fen),
        "interest": format_fen(s.interest_charged_fen),
        "fees": format_fen(s.fees_charged_fen),
        "payments": format_fen(s.payments_fen),
        "past_due": format_fen(s.past_due_fen),
        "lines": statement_lines(s),
    }


def statement_lines(s: Statement) -> list[dict[str, Any]]:
    """The entries of the cycle, a payment's parts joined into one line with its allocation."""
    entries = Entry.objects.filter(
        account_id=s.account_id, posting_date__gte=s.period_start, posting_date__lt=s.statement_date
    ).order_by("posting_date", "id")
    lines: list[dict[str, Any]] = []
    by_payment: dict[str, dict[str, Any]] = {}
    for e in entries:
        if e.kind in (EntryKind.PAYMENT, EntryKind.RECOVERY) and e.reference in by_payment:
            line = by_payment[e.reference]
            line["amount_fen"] += e.amount_fen
            line["allocation"][e.component] = format_fen(-e.amount_fen)
            continue
        line = {
            "date": e.posting_date.isoformat(),
            "value_date": e.value_date.isoformat(),
            "type": e.kind,
            "description": e.description,
            "amount_fen": e.amount_fen,
        }
        if e.explanation and e.kind != EntryKind.PAYMENT:
            line["explanation"] = e.explanation
        if e.kind in (EntryKind.PAYMENT, EntryKind.RECOVERY):
            line["reference"] = e.reference
            line["allocation"] = {e.component: format_fen(-e.amount_fen)}
            by_payment[e.reference] = line
        lines.append(line)
    for line in lines:
        line["amount"] = format_fen(line.pop("amount_fen"))
    return lines
