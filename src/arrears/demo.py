"""The demo portfolio: a deterministic synthetic card book, run through the daily cycle to today.

`build(accounts=N, months=M, seed=S, today=T)` creates three card products, Chinese customers
(Faker zh_CN) and their accounts opened about M months before T, then runs every date from the
first opening to T: the cycle of the date first (it sees what was posted before the date), then
the day's purchases, cash advances and payments, each posted in bulk through the operations.

Each account follows a behaviour: transactors pay the statement balance in full, revolvers pay
part of it, minimum payers pay the minimum, and about 8 % fall behind -- one missed due date then
a cure, several then a cure, partial payments, a recent stop that is still rolling, a roll all the
way to charge-off, and charge-offs followed by recovery payments. Payments are computed from the
actual statements, which are read once a day ("the statements due soon").

Deterministic: the same seed, size and today give the same data, whatever the database. Every
random draw comes from random.Random and Faker seeded from the seed, keyed by account numbers
(never by database ids). Money is integer fen, handed to the operations as Decimal.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import random
import time
import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Max, Min, Sum
from faker import Faker

from arrears.business_days import add_months, date_range, last_day_of_month
from arrears.contacts.models import Contact, Handoff
from arrears.cycle.models import CycleDay
from arrears.cycle.runner import run_date
from arrears.delinquency.models import BucketChange
from arrears.errors import Conflict, ValidationFailed
from arrears.ledger.models import Account, AccountStatus, Customer, Entry, EntryKind
from arrears.ledger.operations import (
    AccountIn,
    ChargeIn,
    CustomerIn,
    create_customers,
    open_accounts,
    post_charges,
)
from arrears.money import from_fen
from arrears.payments.models import Payment
from arrears.payments.operations import PaymentIn, post_payments
from arrears.products.models import Product, ProductVersion
from arrears.products.rules import ProductParams, build_params
from arrears.promises.models import Promise
from arrears.statements.models import Statement

ACTOR = "demo"
PRODUCT_PREFIX = "demo-"
DEMO_PASSWORD = "arrears-demo"  # demo logins only; printed on purpose
OPENING_SPREAD_DAYS = 28  # accounts open within two weeks either side of M months ago
MAX_LEAD_DAYS = 10  # payments arrive up to this many days before the due date
DELINQUENT_SHARE_PERMILLE = 80  # 8 % of accounts fall behind


@dataclasses.dataclass(frozen=True)
class ProductSpec:
    code: str
    name: str
    bin: str  # the first six digits of its card numbers
    parameters: dict[str, Any]
    limits_yuan: tuple[int, int, int]  # low, high, step
    share_permille: int


PRODUCTS = (
    ProductSpec("demo-standard", "标准信用卡", "622588", {"statement_day": 5}, (5_000, 30_000, 1_000), 550),
    ProductSpec(
        "demo-platinum",
        "白金信用卡",
        "622609",
        {
            "annual_fee": "1200.00",
            "due_days_after_statement": 20,
            "cash_advance_fee_min": "20.00",
            "late_fee_cap": "500.00",
        },
        (50_000, 150_000, 5_000),
        200,
    ),
    ProductSpec(
        "demo-youth",
        "青春信用卡（未还部分计息）",
        "625901",
        {"interest_on_partial_payment": "unpaid_portion", "late_fee_floor": "10.00", "cash_advance_fee_min": "5.00"},
        (2_000, 8_000, 500),
        250,
    ),
)

MERCHANTS = (
    "美团外卖",
    "京东商城",
    "淘宝网",
    "天猫超市",
    "滴滴出行",
    "中国石化加油站",
    "盒马鲜生",
    "星巴克",
    "瑞幸咖啡",
    "携程旅行",
    "苏宁易购",
    "永辉超市",
    "海底捞",
    "万达影城",
    "屈臣氏",
    "中国国航",
    "拼多多",
    "华为商城",
    "优衣库",
    "肯德基",
    "12306 铁路",
    "大润发",
    "饿了么",
    "国美电器",
)
# Multipliers (percent) of an account's average purchase: many small, a few large.
PURCHASE_SIZES = (15, 25, 40, 60, 80, 100, 120, 150, 200, 350)


class Behaviour(enum.StrEnum):
    TRANSACTOR = "transactor"  # pays the statement balance in full
    REVOLVER = "revolver"  # pays between the minimum and the balance
    MINIMUM = "minimum"  # pays the minimum payment
    MISSED_ONCE = "missed_once"  # misses one due date, then pays what is past due: cures
    LATE_THEN_CURE = "late_then_cure"  # misses two to four due dates, then pays up: cures
    PARTIAL = "partial"  # from some month on pays only part of the minimum
    ROLLING = "rolling"  # stopped paying recently and is still rolling today
    CHARGE_OFF = "charge_off"  # stops paying and rolls all the way to charge-off
    RECOVERY = "recovery"  # rolls to charge-off, then pays something back


PAYING = (Behaviour.TRANSACTOR, Behaviour.REVOLVER, Behaviour.MINIMUM)
PAYING_WEIGHTS = (40, 35, 25)
# Falling behind, in the order the accounts are chosen: the charge-offs need the earliest due dates.
DELINQUENT_WEIGHTS = {
    Behaviour.RECOVERY: 10,
    Behaviour.CHARGE_OFF: 15,
    Behaviour.LATE_THEN_CURE: 20,
    Behaviour.MISSED_ONCE: 25,
    Behaviour.PARTIAL: 15,
    Behaviour.ROLLING: 15,
}
# In a small portfolio, still at least these: two rolling accounts sit in two different buckets.
DELINQUENT_AT_LEAST = {**dict.fromkeys(DELINQUENT_WEIGHTS, 1), Behaviour.ROLLING: 2}


class PortfolioExists(Conflict):
    code = "portfolio_exists"


@dataclasses.dataclass(kw_only=True)
class Profile:
    """How one account spends and pays: drawn once, from the seed, before the first day."""

    number: str
    customer: int  # the customer's place in the draw (two cards share it)
    product: ProductSpec
    opened_on: dt.date
    statement_day: int
    limit_fen: int
    behaviour: Behaviour = Behaviour.REVOLVER
    base: Behaviour = Behaviour.REVOLVER  # how it pays outside its missed statements
    purchases_per_month: int = 10
    spend_fen: int = 0  # average a month
    cash_user: bool = False
    lead_days: int = 3  # pays this many days before the due date
    missed: frozenset[dt.date] = frozenset()  # statement dates it does not pay
    stops_on: dt.date | None = None  # from this statement date on it pays nothing (or a part)
    partial_permille: int = 0
    recovery_after_days: tuple[int, ...] = ()
    big_first_purchase: bool = False

    def stopped(self, statement_date: dt.date) -> bool:
        return self.stops_on is not None and statement_date >= self.stops_on


@dataclasses.dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    created: bool


@dataclasses.dataclass(frozen=True)
class Summary:
    accounts: int
    customers: int
    customers_with_two_cards: int
    by_bucket: dict[str, int]  # open accounts, M0 .. M7
    charged_off: int
    charged_off_fen: int
    recovered_fen: int
    cured: int  # accounts that came back to M0 from a bucket
    statements: int
    payments: int
    entries: int
    first_day: dt.date | None
    last_day: dt.date | None
    behaviours: dict[str, int] = dataclasses.field(default_factory=dict)
    contacts: int = 0
    right_party_contacts: int = 0
    promises: dict[str, int] = dataclasses.field(default_factory=dict)
    handoffs: int = 0
    work: dict[str, int] = dataclasses.field(default_factory=dict)  # concessions and plans made today
    logins: tuple[DemoLogin, ...] = ()  # the demo users, when this build created them
    quality: dict[str, Any] = dataclasses.field(default_factory=dict)  # the review of the last 14 days
    scoring: dict[str, Any] = dataclasses.field(default_factory=dict)  # the legacy-trained model

    def lines(self) -> list[str]:
        buckets = "  ".join(f"{k} {v}" for k, v in self.by_bucket.items())
        out = [
            f"portfolio: {self.accounts} accounts, {self.customers} customers "
            f"({self.customers_with_two_cards} with two cards); cycle {self.first_day} .. {self.last_day}",
            f"open accounts by bucket: {buckets}",
            f"charged off: {self.charged_off} accounts, {from_fen(self.charged_off_fen)} CNY; "
            f"recovered since: {from_fen(self.recovered_fen)} CNY",
            f"cured (back to M0 from a bucket): {self.cured} accounts",
            f"statements {self.statements}, payments {self.payments}, ledger entries {self.entries}",
        ]
        if self.behaviours:
            out.append("behaviours: " + ", ".join(f"{k} {v}" for k, v in self.behaviours.items()))
        promises = ", ".join(f"{k} {v}" for k, v in self.promises.items())
        out.append(
            f"collections history: {self.contacts} contacts ({self.right_party_contacts} right-party), "
            f"promises {promises or 'none'}, hand-offs {self.handoffs}"
        )
        if self.work:
            out.append("today: " + ", ".join(f"{k} {v}" for k, v in sorted(self.work.items())))
        if self.quality:
            q = self.quality
            out.append(
                f"quality review: {q['days']} days sampled, {q['tasks']} tasks; {q['reviewed']} reviewed, "
                f"{q['acknowledged']} acknowledged, {q['disputed']} disputed ({q['resolved']} resolved), "
                f"{q['calibration_sessions']} calibration session ({q['calibration_reviews']} scores)"
                f" in {q.get('seconds', 0)} s"
            )
        if self.scoring:
            m = self.scoring
            out.append(
                f"propensity to pay: {m['model']} trained on a synthetic legacy file ({m['n_train']} + "
                f"{m['n_test']} rows, AUC {m['auc']:.3f}, KS {m['ks']:.3f}) by {m['maker']}, promoted by "
                f"{m['checker']}; {m['scored']} accounts scored in {m.get('seconds', 0)} s"
            )
        return out


def first_day(*, months: int, today: dt.date) -> dt.date:
    """The earliest opening date, and so the first date the cycle runs."""
    return add_months(today, -months) - dt.timedelta(days=OPENING_SPREAD_DAYS // 2)


def check_empty() -> None:
    """Refuse to build into a database that already holds accounts or cycle days."""
    accounts = Account.objects.count()
    if accounts or CycleDay.objects.exists():
        demo = Product.objects.filter(code__startswith=PRODUCT_PREFIX).exists()
        what = "the demo portfolio" if demo else "a portfolio"
        raise PortfolioExists(
            f"the database already holds {what} ({accounts} accounts); the demo builds only into an "
            "empty database: remove the SQLite file (var/arrears.sqlite3) or point DATABASE_URL at a new "
            "database, run `arrears migrate`, and build again",
            field="database",
        )


def holds_demo_portfolio() -> bool:
    return Product.objects.filter(code__startswith=PRODUCT_PREFIX).exists()


def build(
    *,
    accounts: int,
    months: int,
    seed: int,
    today: dt.date,
    progress: Callable[[dt.date], None] | None = None,
) -> Summary:
    """Create the portfolio and run it day by day through `today`; the database must be empty."""
    if accounts < 1:
        raise ValidationFailed("must be at least 1", field="accounts")
    if months < 1:
        raise ValidationFailed("must be at least 1", field="months")
    # One transaction: a build that fails leaves the database empty, ready for the next try.
    with transaction.atomic():
        check_empty()
        rng = random.Random(seed)
        fake = Faker("zh_CN")
        fake.seed_instance(seed)
        start = first_day(months=months, today=today)
        products = _create_products(start)
        params = {spec.code: ProductVersion.objects.get(product=products[spec.code]).params for spec in PRODUCTS}
        profiles = _draw_profiles(rng, accounts=accounts, start=start, today=today)
        _assign_behaviours(rng, profiles, params=params, today=today)
        _open(fake, rng, profiles, products)
        by_number = {p.number: p for p in profiles}
        for day in date_range(start, today + dt.timedelta(days=1)):
            run_date(day)
            _post_day(day, seed=seed, profiles=profiles, by_number=by_number)
            if progress:
                progress(day)
        # The desk's side: logins, the team and its queue, then months of collections history.
        logins = ensure_demo_users(business_date=today)
        _collections_history(seed=seed, today=today, by_number=by_number)
        work = _concessions_and_plans(today=today)
        # What the insight pages read: quality reviews of the last two weeks, a champion score model.
        started = time.perf_counter()
        quality = _quality_review(seed=seed, today=today)
        quality["seconds"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        scoring = _propensity_model(seed=seed, today=today)
        scoring["seconds"] = round(time.perf_counter() - started, 1)
    result = summary(behaviours=Counter(p.behaviour.value for p in profiles))
    return dataclasses.replace(result, logins=tuple(logins), work=work, quality=quality, scoring=scoring)


# --- the plan -------------------------------------------------------------------------------


def _create_products(start: dt.date) -> dict[str, Product]:
    created = {}
    for spec in PRODUCTS:
        product = Product.objects.create(code=spec.code, name=spec.name)
        build_params(spec.parameters)  # fail here, not in the cycle
        ProductVersion.objects.create(
            product=product, effective_from=dt.date(start.year - 1, 1, 1), parameters=spec.parameters
        )
        created[spec.code] = product
    return created


def _weighted(rng: random.Random, options: Sequence[Any], weights: Sequence[int]) -> Any:
    point = rng.randrange(sum(weights))
    for option, weight in zip(options, weights, strict=True):
        if point < weight:
            return option
        point -= weight
    raise AssertionError("unreachable")


def _card_number(spec: ProductSpec, serial: int) -> str:
    digits = f"{spec.bin}{serial:09d}"
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return digits + str((10 - total % 10) % 10)


def _draw_profiles(rng: random.Random, *, accounts: int, start: dt.date, today: dt.date) -> list[Profile]:
    """Accounts in customer order; about 7 % of customers hold a second card."""
    profiles: list[Profile] = []
    customer = 0
    while len(profiles) < accounts:
        customer += 1
        cards = 2 if rng.randrange(100) < 7 and len(profiles) + 2 <= accounts else 1
        opened = start + dt.timedelta(days=rng.randrange(OPENING_SPREAD_DAYS))
        first_product: ProductSpec | None = None
        for card in range(cards):
            choices = [s for s in PRODUCTS if s is not first_product]
            spec = _weighted(rng, choices, [s.share_permille for s in choices])
            first_product = spec
            if card:
                opened = min(today, opened + dt.timedelta(days=rng.randrange(1, 21)))
            low, high, step = spec.limits_yuan
            limit_yuan = low + step * rng.randrange((high - low) // step + 1)
            profiles.append(
                Profile(
                    number=_card_number(spec, len(profiles) + 1),
                    customer=customer,
                    product=spec,
                    opened_on=opened,
                    statement_day=rng.randrange(1, 29),
                    limit_fen=limit_yuan * 100,
                    purchases_per_month=rng.randrange(2, 13),
                    cash_user=rng.randrange(100) < 12,
                    lead_days=rng.randrange(MAX_LEAD_DAYS - 1),
                )
            )
    return profiles


def _statement_dates(p: Profile, today: dt.date) -> list[dt.date]:
    """The account's statement dates after opening, up to today (statement days 1-28 here)."""
    out = []
    month = dt.date(p.opened_on.year, p.opened_on.month, 1)
    while month <= today:
        day = dt.date(month.year, month.month, min(p.statement_day, last_day_of_month(month.year, month.month)))
        if p.opened_on < day <= today:
            out.append(day)
        month = add_months(month, 1, day=1)
    return out


def _assign_behaviours(
    rng: random.Random, profiles: list[Profile], *, params: dict[str, ProductParams], today: dt.date
) -> None:
    for p in profiles:
        p.behaviour = p.base = _weighted(rng, PAYING, PAYING_WEIGHTS)
        share = {Behaviour.TRANSACTOR: (100, 400), Behaviour.REVOLVER: (100, 300), Behaviour.MINIMUM: (50, 150)}[p.base]
        p.spend_fen = min(p.limit_fen * rng.randrange(*share) // 1000, 3_000_000)
    least = sum(DELINQUENT_AT_LEAST.values())
    delinquent = max(least, len(profiles) * DELINQUENT_SHARE_PERMILLE // 1000)
    delinquent = min(delinquent, len(profiles))
    counts = _apportion(delinquent, DELINQUENT_WEIGHTS, DELINQUENT_AT_LEAST if delinquent >= least else {})
    free = list(range(len(profiles)))
    rng.shuffle(free)
    for behaviour, count in counts.items():
        for nth in range(count):
            chosen = next((i for i in free if _plan_delinquency(rng, profiles[i], behaviour, params, today, nth)), None)
            if chosen is None and behaviour in (Behaviour.CHARGE_OFF, Behaviour.RECOVERY):
                # Too few months for a charge-off: the deepest roll there is instead.
                chosen = next(
                    (
                        i
                        for i in free
                        if _plan_delinquency(rng, profiles[i], Behaviour.ROLLING, params, today, nth, deepest=True)
                    ),
                    None,
                )
            if chosen is None:
                break
            free.remove(chosen)


def _apportion(total: int, weights: dict[Behaviour, int], least: dict[Behaviour, int]) -> dict[Behaviour, int]:
    """The least of each, the rest by weight (largest remainder)."""
    counts = {b: least.get(b, 0) for b in weights}
    left = total - sum(counts.values())
    scale = sum(weights.values())
    shares = {b: left * w for b, w in weights.items()}
    for b in weights:
        counts[b] += shares[b] // scale
    rest = total - sum(counts.values())
    for b in sorted(weights, key=lambda b: -(shares[b] % scale))[:rest]:
        counts[b] += 1
    return counts


def _plan_delinquency(
    rng: random.Random,
    p: Profile,
    behaviour: Behaviour,
    params: dict[str, ProductParams],
    today: dt.date,
    nth: int,
    *,
    deepest: bool = False,
) -> bool:
    """Give the account this way of falling behind if its dates allow it; False when they do not.

    `nth` counts the accounts already given this behaviour: rolling accounts stop one, two, ...
    five statements before today in turn, so that they spread over the buckets M1 to M5."""
    product = params[p.product.code]
    dates = _statement_dates(p, today)
    due = [d + dt.timedelta(days=product.due_days_after_statement) for d in dates]
    past = sum(1 for d in due if d < today)  # statements whose due date has passed
    if behaviour in (Behaviour.CHARGE_OFF, Behaviour.RECOVERY):
        margin = product.charge_off_dpd + (25 if behaviour == Behaviour.RECOVERY else 1)
        feasible = [i for i, d in enumerate(due) if d + dt.timedelta(days=margin) <= today]
        if not feasible:
            return False
        k = feasible[rng.randrange(min(2, len(feasible)))]
        p.stops_on = dates[k]
        p.big_first_purchase = k == 0
        if behaviour == Behaviour.RECOVERY:
            first = rng.randrange(5, 21)
            p.recovery_after_days = (first, first + rng.randrange(25, 40))
    elif behaviour == Behaviour.MISSED_ONCE:
        if past < 3:
            return False
        p.missed = frozenset({dates[rng.randrange(1, past - 1)]})
    elif behaviour == Behaviour.LATE_THEN_CURE:
        if past < 4:
            return False
        run = rng.randrange(2, min(4, past - 2) + 1)
        k = rng.randrange(1, past - run)
        p.missed = frozenset(dates[k : k + run])
    elif behaviour == Behaviour.PARTIAL:
        if past < 2:
            return False
        p.stops_on = dates[rng.randrange(1, past)]
        p.partial_permille = rng.randrange(300, 700)
    elif behaviour == Behaviour.ROLLING:
        if past < 1:
            return False
        p.stops_on = dates[0 if deepest else past - 1 - nth % min(5, past)]
        p.big_first_purchase = deepest
    p.behaviour = behaviour
    p.base = Behaviour.MINIMUM if rng.randrange(2) else Behaviour.REVOLVER
    return True


def _open(fake: Faker, rng: random.Random, profiles: list[Profile], products: dict[str, Product]) -> None:
    """The customers and their accounts, in bulk."""
    people: dict[int, CustomerIn] = {}
    for p in profiles:
        number = p.customer
        if number in people:
            continue
        province = fake.province()
        people[number] = CustomerIn(
            name=fake.name(),
            national_id=fake.ssn(),
            mobile=fake.phone_number(),
            email=fake.safe_email(),
            region=province,
            address=f"{province}{fake.city()}{fake.district()}区{fake.street_name()}{fake.building_number()}号",
            work_phone=fake.phone_number() if rng.randrange(3) == 0 else "",
        )
    order = sorted(people)
    customers = dict(zip(order, create_customers(actor=ACTOR, customers=[people[n] for n in order]), strict=True))
    open_accounts(
        actor=ACTOR,
        accounts=[
            AccountIn(
                customer=customers[p.customer],
                product=products[p.product.code],
                number=p.number,
                opened_on=p.opened_on,
                credit_limit=from_fen(p.limit_fen),
                statement_day=p.statement_day,
            )
            for p in profiles
        ],
    )


# --- one day --------------------------------------------------------------------------------


@dataclasses.dataclass
class _State:
    status: str
    dpd: int
    balance_fen: int
    limit_fen: int
    charged_off_on: dt.date | None
    charged_off_fen: int


def _jitter(seed: int, *key: object) -> int:
    """A stable small number from a key: the same for the same statement, whatever the day."""
    return zlib.crc32(":".join(map(str, (seed, *key))).encode())


def _post_day(day: dt.date, *, seed: int, profiles: list[Profile], by_number: dict[str, Profile]) -> None:
    rng = random.Random(seed * 1_000_003 + day.toordinal())
    state = {
        number: _State(status, dpd, p + i + f, limit, co_on, co_fen)
        for number, status, dpd, p, i, f, limit, co_on, co_fen in Account.objects.filter(
            opened_on__lte=day
        ).values_list(
            "number",
            "status",
            "dpd",
            "principal_fen",
            "interest_fen",
            "fees_fen",
            "credit_limit_fen",
            "charged_off_on",
            "charged_off_fen",
        )
    }
    payments = _payments(day, seed=seed, rng=rng, by_number=by_number, state=state)
    if payments:
        post_payments(actor=ACTOR, payments=payments, business_date=day, source="demo")
    charges = _charges(day, rng=rng, profiles=profiles, state=state)
    if charges:
        post_charges(actor=ACTOR, charges=charges, business_date=day)


def _payments(
    day: dt.date, *, seed: int, rng: random.Random, by_number: dict[str, Profile], state: dict[str, _State]
) -> list[PaymentIn]:
    """Payments of the statements due soon (one query) and recoveries after charge-off."""
    due_soon = (
        Statement.objects.filter(
            due_date__gte=day,
            due_date__lte=day + dt.timedelta(days=MAX_LEAD_DAYS),
            account__status=AccountStatus.OPEN,
            new_balance_fen__gt=0,
        )
        .order_by("account__number", "statement_date")
        .values_list("account__number", "statement_date", "due_date", "new_balance_fen", "minimum_payment_fen")
    )
    out = []
    for number, statement_date, due_date, balance, minimum in due_soon:
        p = by_number.get(number)
        if p is None:
            continue
        lead = min(MAX_LEAD_DAYS, max(0, p.lead_days + _jitter(seed, number, statement_date) % 5 - 2))
        if due_date - dt.timedelta(days=lead) != day:
            continue
        fen = _payment_fen(rng, p, statement_date, balance, minimum)
        fen = min(fen, state[number].balance_fen)
        if fen > 0:
            out.append(
                PaymentIn(
                    account_number=number,
                    amount=from_fen(fen),
                    value_date=day,
                    reference=f"DEMO-{number}-{statement_date:%Y%m%d}",
                )
            )
    for number, s in sorted(state.items()):
        p = by_number.get(number)
        if p is None or not p.recovery_after_days or s.status != AccountStatus.CHARGED_OFF:
            continue
        assert s.charged_off_on is not None
        for n, after in enumerate(p.recovery_after_days):
            if s.charged_off_on + dt.timedelta(days=after) == day:
                share = rng.randrange(150, 400) if n == 0 else rng.randrange(50, 200)
                fen = s.charged_off_fen * share // 1000 // 100 * 100
                if fen > 0:
                    out.append(
                        PaymentIn(
                            account_number=number,
                            amount=from_fen(fen),
                            value_date=day,
                            reference=f"DEMO-{number}-R{day:%Y%m%d}",
                        )
                    )
    return out


def _payment_fen(rng: random.Random, p: Profile, statement_date: dt.date, balance: int, minimum: int) -> int:
    if statement_date in p.missed:
        return 0
    if p.stopped(statement_date):
        return minimum * p.partial_permille // 1000 // 100 * 100 if p.partial_permille else 0
    if p.base == Behaviour.TRANSACTOR or minimum <= 0:
        return balance
    if p.base == Behaviour.MINIMUM:
        return minimum
    part = minimum + (balance - minimum) * rng.randrange(150, 800) // 1000
    return max(minimum, part // 1000 * 1000)  # revolvers pay round amounts of ten yuan


def _charges(day: dt.date, *, rng: random.Random, profiles: list[Profile], state: dict[str, _State]) -> list[ChargeIn]:
    out = []
    for p in profiles:
        s = state.get(p.number)
        if s is None or s.status != AccountStatus.OPEN:
            continue
        if day == p.opened_on and p.product.parameters.get("annual_fee"):
            out.append(
                ChargeIn(
                    account_number=p.number,
                    kind=EntryKind.ANNUAL_FEE,
                    amount=Decimal(p.product.parameters["annual_fee"]),
                    reference=f"annual_fee:{day}",
                    description="首年年费",
                )
            )
        if s.dpd > 0 or (p.stops_on is not None and day >= p.stops_on):
            continue  # behind, or about to be: the card is not used
        available = s.limit_fen - s.balance_fen
        if day == p.opened_on and p.big_first_purchase:
            fen = p.limit_fen * rng.randrange(300, 600) // 1000
            out.append(
                ChargeIn(
                    account_number=p.number,
                    kind=EntryKind.PURCHASE,
                    amount=from_fen(fen),
                    description=rng.choice(("苏宁易购", "国美电器", "华为商城")),
                )
            )
            available -= fen
        average = p.spend_fen // p.purchases_per_month
        for _ in range(3):  # up to three purchases a day, purchases_per_month on average
            if rng.randrange(90) >= p.purchases_per_month:
                continue
            fen = max(500, average * rng.choice(PURCHASE_SIZES) // 100 + rng.randrange(100))
            if fen > available:
                continue
            available -= fen
            out.append(
                ChargeIn(
                    account_number=p.number,
                    kind=EntryKind.PURCHASE,
                    amount=from_fen(fen),
                    description=rng.choice(MERCHANTS),
                )
            )
        if p.cash_user and rng.randrange(45) == 0:
            fen = rng.randrange(5, 31) * 10_000
            if fen * 2 <= available:
                out.append(
                    ChargeIn(
                        account_number=p.number,
                        kind=EntryKind.CASH_ADVANCE,
                        amount=from_fen(fen),
                        description="ATM 取现",
                    )
                )
    return out


# --- reports and logins -----------------------------------------------------------------------


def summary(*, behaviours: Counter[str] | None = None) -> Summary:
    """The portfolio as it stands: a handful of aggregate queries."""
    open_by_bucket = dict(
        Account.objects.filter(status__in=(AccountStatus.OPEN, AccountStatus.BLOCKED))
        .values("bucket")
        .annotate(n=Count("id"))
        .values_list("bucket", "n")
    )
    top = max([7, *open_by_bucket])
    charged = Account.objects.filter(status=AccountStatus.CHARGED_OFF).aggregate(
        n=Count("id"), fen=Sum("charged_off_fen")
    )
    cycle = CycleDay.objects.aggregate(first=Min("business_date"), last=Max("business_date"))
    two_cards = Customer.objects.annotate(n=Count("accounts")).filter(n__gte=2).count()
    return Summary(
        accounts=Account.objects.count(),
        customers=Customer.objects.count(),
        customers_with_two_cards=two_cards,
        by_bucket={f"M{b}": open_by_bucket.get(b, 0) for b in range(top + 1)},
        charged_off=charged["n"] or 0,
        charged_off_fen=charged["fen"] or 0,
        recovered_fen=Account.objects.aggregate(s=Sum("recovered_fen"))["s"] or 0,
        cured=BucketChange.objects.filter(to_bucket=0, from_bucket__gt=0).values("account").distinct().count(),
        statements=Statement.objects.count(),
        payments=Payment.objects.count(),
        entries=Entry.objects.count(),
        first_day=cycle["first"],
        last_day=cycle["last"],
        behaviours=dict(sorted((behaviours or Counter()).items(), key=lambda kv: -kv[1])),
        contacts=Contact.objects.count(),
        right_party_contacts=Contact.objects.filter(result="right_party_contact").count(),
        promises=dict(
            Promise.objects.values("status").annotate(n=Count("id")).order_by("status").values_list("status", "n")
        ),
        handoffs=Handoff.objects.count(),
    )


DEMO_USERS = (
    ("admin", "administrator", True),
    ("lead", "team_lead", False),
    ("collector", "collector", False),
    ("manager", "collections_manager", False),  # every team's insight page and weekly report
    ("compliance", "compliance_officer", False),  # reviews contacts across teams (质检)
)


def ensure_demo_users(*, business_date: dt.date) -> list[DemoLogin]:
    """The demo logins (idempotent: an existing user is left as it is); cases routed as of `business_date`."""
    from arrears.people.operations import create_staff

    logins = []
    for username, role, superuser in DEMO_USERS:
        created = not User.objects.filter(username=username).exists()
        if created:
            create_staff(
                actor=ACTOR,
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                is_superuser=superuser,
                is_staff=superuser,
            )
        logins.append(DemoLogin(username, DEMO_PASSWORD, role, created))
    _demo_team(business_date=business_date)
    _demo_authority(business_date=business_date)
    return logins


def _demo_team(*, business_date: dt.date) -> None:
    """The lead's team with the collector, and one queue for every past-due bucket, so that the
    collector's workbench has cases from the first login."""
    from arrears.cases.cycle import allocate_collectors, route_cases
    from arrears.cases.models import Queue
    from arrears.ledger.models import Customer
    from arrears.people.models import Team

    lead, collector = User.objects.get(username="lead"), User.objects.get(username="collector")
    team, _ = Team.objects.get_or_create(name="催收一组", defaults={"lead": lead})
    team.members.add(lead, collector)
    Queue.objects.get_or_create(name="M1-M7 全部逾期", defaults={"team": team, "min_bucket": 1, "max_bucket": 7})
    # Written-off balances in their own queue (served after the cases that may still cure).
    Queue.objects.get_or_create(
        name="核销回收", defaults={"team": team, "min_bucket": 0, "max_bucket": 7, "treatment": "recovery", "rank": 50}
    )
    route_cases(business_date, 0, (Customer.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1)
    allocate_collectors(business_date)


# The demo's delegated-authority matrix (role, kind, lowest bucket, highest bucket, most yuan, most share
# of the balance, most days), as a Chinese card issuer might set it: a collector waives small late fees
# and interest and extends a week in M1-M2; a team lead (主管) more, up to M4, and agrees settlements
# writing off up to 30 % in M3-M6; the administrator (the department's manager) everything else.
DEMO_AUTHORITY: tuple[tuple[str, str, int, int, int | None, str | None, int | None], ...] = (
    ("collector", "late_fee_waiver", 1, 2, 200, None, None),
    ("collector", "interest_waiver", 1, 2, 100, None, None),
    ("collector", "extension", 1, 2, None, None, 7),
    ("team_lead", "late_fee_waiver", 1, 4, 2_000, None, None),
    ("team_lead", "interest_waiver", 1, 4, 1_000, "0.3000", None),
    ("team_lead", "extension", 1, 4, None, None, 30),
    ("team_lead", "settlement", 3, 6, 20_000, "0.3000", None),
    ("administrator", "late_fee_waiver", 0, 7, 50_000, None, None),
    ("administrator", "interest_waiver", 0, 7, 50_000, None, None),
    ("administrator", "extension", 0, 7, None, None, 90),
    ("administrator", "settlement", 1, 7, 500_000, "0.6000", None),
)
DEMO_TEAM_BUDGET_YUAN = 100_000  # what the demo team may waive or write off in a month


def _demo_authority(*, business_date: dt.date) -> None:
    """The authority matrix and the demo team's budget for the month, so that a lead's approval is
    within authority (idempotent: a matrix already set, by the demo or the admin, is left as it is)."""
    from arrears.audit.operations import record
    from arrears.concessions.models import AuthorityRule, TeamBudget
    from arrears.concessions.operations import set_budget
    from arrears.people.models import Team

    with transaction.atomic():
        if not AuthorityRule.objects.exists():
            rows = AuthorityRule.objects.bulk_create(
                AuthorityRule(
                    role=role,
                    kind=kind,
                    min_bucket=low,
                    max_bucket=high,
                    max_amount_fen=None if yuan is None else yuan * 100,
                    max_share=None if share is None else Decimal(share),
                    max_days=days,
                )
                for role, kind, low, high, yuan, share, days in DEMO_AUTHORITY
            )
            record(
                actor=ACTOR,
                action="authority.seed",
                object_type="authority_rule",
                object_id="demo",
                after={"rules": len(rows)},
            )
    team = Team.objects.filter(name="催收一组").first()
    if team is not None and not TeamBudget.objects.filter(team=team, month=business_date.replace(day=1)).exists():
        set_budget(actor=ACTOR, team=team, month=business_date, limit=Decimal(DEMO_TEAM_BUDGET_YUAN))


# --- collections history ----------------------------------------------------------------------
#
# After the cycle has run to today, every case gets the history a collections desk would have made
# of it: calls with their outcomes (mostly unanswered, some right-party contacts), weekly SMS, promises
# (kept where the customer did pay, partly kept by partial payers, broken where nothing came), and
# hand-offs. It is written set-based (bulk_create in batches, one audit entry per row through
# record_many) and keyed by the seed, so the same seed gives the same history. What moves money --
# concessions and plans -- goes through their operations, on today's business date.

HISTORY_BATCH = 2000
CALL_HOURS = (9, 20)  # calls between 09:00 and 20:59 Beijing time, well inside CN-HOURS
DEMO_DECISION = {"allowed": True, "rules": [], "reasons": [], "next_allowed_at": None}
NOTES = {
    "no_answer": ("无人接听。", "响铃至自动挂断。", "未接通，稍后再拨。"),
    "busy": ("占线。", "用户忙。"),
    "message_left": ("已留言，请客户回电。",),
    "wrong_number": ("号码错误，接听人不认识持卡人。",),
    "refused_to_talk": ("客户听到来意后挂断。",),
    "third_party": ("家属接听，仅告知请持卡人回电，未透露欠款信息。",),
    "promise": ("客户承诺于{date}还款{amount}元。",),
    "hardship_claimed": ("客户称近期失业，收入减少，暂时无力足额还款。", "客户称家人住院，开支较大，希望分期。"),
    "callback": ("客户在开车，约定稍后回电。", "客户在开会，约定晚些时候再联系。"),
    "refuses_to_pay": ("客户表示暂不还款，已告知逾期后果。",),
    "dispute_raised": ("客户对一笔消费有异议，已告知提交证据。",),
    "sms": ("逾期提醒短信已发送。",),
}
HARDSHIP_EVIDENCE = "客户电话中说明失业，收入证明已上传。"


@dataclasses.dataclass
class _Draft:
    """A contact before it is written, with the promise it carries (if any)."""

    contact: Any
    promise: Any = None


def _collections_history(*, seed: int, today: dt.date, by_number: dict[str, Profile]) -> None:
    from arrears.audit.operations import record_many
    from arrears.cases.models import Case, CaseStatus
    from arrears.kernel import clock
    from arrears.promises.models import Promise

    collector = User.objects.get(username="collector")
    lead = User.objects.get(username="lead")
    zone = clock.bank_zone()
    cases = list(
        Case.objects.select_related("customer").order_by("customer__national_id", "opened_on", "customer__name")
    )
    behaviour_of: dict[int, Behaviour] = {}
    for number, customer_id in Account.objects.values_list("number", "customer_id"):
        p = by_number.get(number)
        if p is not None and (customer_id not in behaviour_of or p.behaviour not in PAYING):
            behaviour_of[customer_id] = p.behaviour
    paid: dict[int, list[tuple[dt.date, int]]] = {}
    for customer_id, value_date, fen in (
        Payment.objects.filter(account__customer__in={c.customer_id for c in cases})
        .order_by("account__customer", "value_date", "id")
        .values_list("account__customer", "value_date", "amount_fen")
    ):
        paid.setdefault(customer_id, []).append((value_date, fen))

    drafts: list[_Draft] = []
    handoffs: list[Any] = []
    last_contact: dict[int, dt.datetime] = {}
    broken_on: dict[int, dt.date] = {}
    for case in cases:
        _case_history(
            case,
            seed=seed,
            today=today,
            behaviour_of=behaviour_of,
            paid=paid,
            users=(collector, lead),
            zone=zone,
            out=(drafts, handoffs, broken_on),
        )
    for draft in drafts:
        last = last_contact.get(draft.contact.case_id)
        if last is None or draft.contact.at > last:
            last_contact[draft.contact.case_id] = draft.contact.at

    contacts = [d.contact for d in drafts]
    Contact.objects.bulk_create(contacts, batch_size=HISTORY_BATCH)
    record_many(
        actor=ACTOR,
        action="contact.record",
        object_type="case",
        items=[
            (c.case_id, {"contact": c.pk, "channel": c.channel, "result": c.result, "disposition": c.disposition})
            for c in contacts
        ],
    )
    promises = []
    for d in drafts:
        if d.promise is not None:
            d.promise.contact = d.contact
            promises.append(d.promise)
    Promise.objects.bulk_create(promises, batch_size=HISTORY_BATCH)
    record_many(
        actor=ACTOR,
        action="promise.take",
        object_type="case",
        items=[
            (p.case_id, {"promise": p.pk, "amount": from_fen(p.amount_fen), "date": p.promised_date}) for p in promises
        ],
    )
    Handoff.objects.bulk_create(handoffs, batch_size=HISTORY_BATCH)
    record_many(
        actor=ACTOR,
        action="handoff.create",
        object_type="case",
        items=[(h.case_id, {"handoff": h.pk, "to_role": h.to_role}) for h in handoffs],
    )
    updated = []
    for case in cases:
        if case.pk in last_contact:
            case.last_contact_at = last_contact[case.pk]
            if case.pk in broken_on and case.status != CaseStatus.CLOSED:
                case.promise_broken_on = broken_on[case.pk]
            updated.append(case)
    Case.objects.bulk_update(updated, ["last_contact_at", "promise_broken_on"], batch_size=HISTORY_BATCH)


def _case_history(
    case: Any,
    *,
    seed: int,
    today: dt.date,
    behaviour_of: dict[int, Behaviour],
    paid: dict[int, list[tuple[dt.date, int]]],
    users: tuple[User, User],
    zone: Any,
    out: tuple[list[_Draft], list[Any], dict[int, dt.date]],
) -> None:
    """One case's calls, texts, promises and hand-off, appended to `out` (drafts, hand-offs, broken-on)."""
    from arrears.cases.models import CaseStatus
    from arrears.contacts.models import Contact
    from arrears.promises.models import PromiseStatus

    collector, lead = users
    drafts, handoffs, broken_on = out
    rng = random.Random(_jitter(seed, "history", case.customer.national_id, case.opened_on))
    end = min(case.closed_on or today, today)  # nothing today: today's dials are the collector's
    if end <= case.opened_on:
        return
    behaviour = behaviour_of.get(case.customer_id, Behaviour.MINIMUM)

    def at(day: dt.date, rng: random.Random = rng) -> dt.datetime:
        return dt.datetime.combine(
            day, dt.time(rng.randrange(*CALL_HOURS), rng.randrange(60), rng.randrange(60)), tzinfo=zone
        )

    def call(day: dt.date, result: str, disposition: str = "", party: str = "cardholder", **kw: Any) -> _Draft:
        key = disposition or result
        text = rng.choice(NOTES[key]).format(**kw)
        right = result == "right_party_contact"
        draft = _Draft(
            Contact(
                case=case,
                collector=collector,
                at=at(day),
                channel="phone",
                address=case.customer.mobile,
                party=party if result not in ("no_answer", "busy", "wrong_number") else "none",
                result=result,
                disposition=disposition,
                duration_seconds=rng.randrange(90, 420) if right else rng.randrange(0, 40),
                notes=text,
                recording_ref=f"REC-{case.customer.national_id[-6:]}-{day:%Y%m%d}" if right else "",
                decision=DEMO_DECISION,
                source=ACTOR,
            )
        )
        drafts.append(draft)
        return draft

    # Promises around the payments that came in while the case was open: kept (partly, for
    # partial payers), each taken on a right-party call a few days before the money arrived.
    promised_days: set[dt.date] = set()
    window_paid = any(case.opened_on < d <= end for d, _fen in paid.get(case.customer_id, []))
    for value_date, fen in paid.get(case.customer_id, []):
        if not case.opened_on < value_date <= end:
            continue
        taken = max(case.opened_on + dt.timedelta(days=1), value_date - dt.timedelta(days=rng.randrange(2, 7)))
        if taken >= value_date or taken in promised_days:
            continue
        promised_days.add(taken)
        amount = fen if behaviour != Behaviour.PARTIAL else (fen * 2 // 10_000 + 1) * 10_000
        due = value_date + dt.timedelta(days=rng.randrange(0, 3))
        draft = call(taken, "right_party_contact", "promise", date=f"{due.month}月{due.day}日", amount=from_fen(amount))
        draft.promise = Promise(
            case=case,
            amount_fen=amount,
            promised_date=due,
            taken_on=taken,
            taken_by=collector,
            status=PromiseStatus.KEPT if fen >= amount else PromiseStatus.PARTLY_KEPT,
            paid_fen=min(fen, amount),
            judged_on=min(value_date if fen >= amount else due + dt.timedelta(days=1), today),
        )
    # The attempts: most days in the first month, fewer later; a text every week.
    day = case.opened_on + dt.timedelta(days=1)
    handed = False
    next_promise = day + dt.timedelta(days=rng.randrange(8, 20))
    while day < end:
        age = (day - case.opened_on).days
        if age % 7 == 3:
            drafts.append(
                _Draft(
                    Contact(
                        case=case,
                        collector=None,
                        at=at(day),
                        channel="sms",
                        address=case.customer.mobile,
                        party="cardholder",
                        result="message_left",
                        notes=NOTES["sms"][0],
                        decision=DEMO_DECISION,
                        source=ACTOR,
                    )
                )
            )
        if day not in promised_days and rng.randrange(100) < (60 if age <= 30 else 35):
            roll = rng.randrange(100)
            if day >= next_promise and not window_paid and day + dt.timedelta(days=9) < end:
                due = day + dt.timedelta(days=rng.randrange(3, 8))
                amount = max(20_000, case.past_due_fen // 2 // 10_000 * 10_000)
                draft = call(
                    day, "right_party_contact", "promise", date=f"{due.month}月{due.day}日", amount=from_fen(amount)
                )
                draft.promise = Promise(
                    case=case,
                    amount_fen=amount,
                    promised_date=due,
                    taken_on=day,
                    taken_by=collector,
                    status=PromiseStatus.BROKEN,
                    judged_on=due + dt.timedelta(days=2),
                )
                broken_on[case.pk] = due + dt.timedelta(days=2)
                next_promise = day + dt.timedelta(days=rng.randrange(20, 40))
            elif roll < 48:
                call(day, "no_answer")
            elif roll < 58:
                call(day, "busy")
            elif roll < 68:
                call(day, "message_left")
            elif roll < 71:
                call(day, "third_party", party=rng.choice(("spouse", "relative")))
            elif roll < 73:
                call(day, "refused_to_talk")
            elif roll < 74 and age > 20:
                call(day, "wrong_number")
            else:
                disposition = _weighted(
                    rng,
                    ("callback", "hardship_claimed", "refuses_to_pay", "dispute_raised"),
                    (50, 30, 15, 5) if behaviour != Behaviour.PARTIAL else (40, 50, 10, 0),
                )
                draft = call(day, "right_party_contact", disposition)
                if (
                    disposition in ("hardship_claimed", "dispute_raised")
                    and case.status != CaseStatus.CLOSED
                    and not handed
                    and rng.randrange(3) == 0
                ):
                    handoffs.append(_handoff(case, draft.contact.at, disposition, collector, lead, today, zone))
                    handed = True
        day += dt.timedelta(days=1)


def _handoff(
    case: Any, at: dt.datetime, disposition: str, collector: User, lead: User, today: dt.date, zone: Any
) -> Any:
    """Hardship to a credit assessor, a dispute to customer service; the older ones came back."""
    from arrears.contacts.models import HandoffTo

    hardship = disposition == "hardship_claimed"
    handoff = Handoff(
        case=case,
        from_user=collector,
        to_role=HandoffTo.CREDIT_ASSESSOR if hardship else HandoffTo.CUSTOMER_SERVICE,
        comment="客户称失业，请评估是否适合个性化分期。" if hardship else "客户对一笔消费有异议，请核实交易。",
        created_at=at,
    )
    if (today - at.astimezone(zone).date()).days > 20:
        handoff.taken_by = lead
        handoff.returned_at = at + dt.timedelta(days=5)
        handoff.return_comment = "已评估：可按 12 期分期。" if hardship else "已核实：交易属实，已告知客户。"
    return handoff


def _concessions_and_plans(*, today: dt.date) -> dict[str, int]:
    """Through the operations (the ledger stays the one door): late-fee waivers granted and still
    awaiting approval, a plan in force and one proposed, each on its own past-due case."""
    from arrears.cases.models import Case, CaseStatus
    from arrears.concessions.models import ReasonCode
    from arrears.concessions.operations import ConcessionIn, request_concession
    from arrears.errors import ArrearsError
    from arrears.plans.models import Evidence, PlanStatus
    from arrears.plans.operations import accept_plan, activate_plan, approve_plan, offer_plan, propose_plan

    users = {u.username: u for u in User.objects.filter(username__in=[name for name, _r, _s in DEMO_USERS])}
    collector = users["collector"]
    cases = list(
        Case.objects.filter(status=CaseStatus.OPEN, dpd__gt=0, collector=collector)
        .select_related("customer")
        .order_by("customer__national_id")
    )
    done: Counter[str] = Counter()
    plan_first_due = today + dt.timedelta(days=30)
    # In turn: a waiver approved up the ladder, a plan in force, a waiver awaiting approval, a plan
    # awaiting the lead; then again a waiver approved and one pending, as far as the cases go.
    roles = ("waiver_approved", "plan_active", "waiver_pending", "plan_proposed", "waiver_approved", "waiver_pending")
    # A pending waiver is one above the collector's authority (M1-M2) and within the lead's (M3-M4) where
    # the portfolio has such cases, so that the lead's inbox has work she may approve.
    beyond = sorted((c for c in cases if c.dpd > 60), key=lambda c: c.dpd)
    cases = [c for c in cases if c not in beyond]
    chosen = [beyond.pop(0) if role == "waiver_pending" and beyond else cases.pop(0) for role in roles if cases]
    for role, case in zip(roles, chosen, strict=False):
        account = (
            Account.objects.filter(customer=case.customer_id, status=AccountStatus.OPEN, dpd__gt=0)
            .order_by("-dpd", "number")
            .first()
        )
        if account is None:
            continue
        try:
            if role.startswith("waiver") and account.fees_fen > 0:
                concession = request_concession(
                    user=collector,
                    case=case,
                    data=ConcessionIn(
                        kind="late_fee_waiver",
                        reason=ReasonCode.INCOME_LOSS if role.endswith("pending") else ReasonCode.FIRST_DELINQUENCY,
                        evidence=HARDSHIP_EVIDENCE,
                        account_number=account.number,
                        amount=from_fen(account.fees_fen),
                    ),
                    business_date=today,
                )
                if role == "waiver_approved":
                    _approve_up_the_ladder(concession, (users["lead"], users["admin"]), today=today)
                concession.refresh_from_db()
                done[f"concession_{concession.status}"] += 1
            elif role.startswith("plan"):
                plan = propose_plan(
                    actor=collector,
                    case=case,
                    account_number=account.number,
                    scope="whole",
                    method="flat_fee",
                    instalments=12,
                    first_due_date=plan_first_due,
                    fee_rate=Decimal("0.006"),
                    business_date=today,
                )
                if role == "plan_active":  # agreed on a recorded call and in force
                    if plan.status != PlanStatus.APPROVED:
                        approve_plan(actor=users["lead"], plan=plan)
                    offer_plan(actor=collector, plan=plan, business_date=today)
                    accept_plan(
                        actor=collector,
                        plan=plan,
                        evidence=Evidence.RECORDED_CALL,
                        evidence_ref=f"REC-{case.customer.national_id[-6:]}-{today:%Y%m%d}",
                        business_date=today,
                    )
                    activate_plan(actor=collector, plan=plan, business_date=today)
                plan.refresh_from_db()
                done[f"plan_{plan.status}"] += 1
        except ArrearsError:
            done["refused"] += 1  # a demo case the rules do not allow it on: the others still show it
    return dict(done)


def _approve_up_the_ladder(concession: Any, approvers: Sequence[User], *, today: dt.date) -> None:
    """Each approver in turn approves the pending request; one above their authority passes it up.
    The authority matrix decides who can grant: where no role's rule allows it, it stays pending."""
    from arrears.concessions.models import ApprovalRequest, ApprovalStatus
    from arrears.concessions.operations import decide_approval
    from arrears.errors import ConcessionExceedsAuthority

    for approver in approvers:
        pending = ApprovalRequest.objects.filter(concession=concession, status=ApprovalStatus.PENDING).first()
        if pending is None:
            return
        try:
            decide_approval(user=approver, approval_id=pending.pk, decision="approve", business_date=today)
        except ConcessionExceedsAuthority:
            return


# --- quality review and the propensity model ------------------------------------------------------
#
# After the history: the insight pages, the quality pages and the strategy's score bands read these.
# Both go through the operations (audited) and are keyed by the seed. Nothing is e-mailed.

QUALITY_DAYS = 14  # the days before today whose contacts are sampled for review
QUALITY_REVIEWED_PERCENT = 70  # of the sampled tasks, this share is reviewed; the rest waits in the queue
# Marks 0-4 per criterion, drawn with these weights: mostly good, some weak, prohibited wording rare.
MARK_WEIGHTS = {
    "identification": (0, 2, 8, 35, 55),
    "wording": (2, 3, 10, 30, 55),
    "amounts": (0, 3, 12, 35, 50),
    "empathy": (1, 6, 25, 40, 28),
    "offer": (1, 5, 20, 40, 34),
}
REVIEW_COMMENTS = (
    "身份核实完整，语气平和。",
    "未复述还款金额，请注意核对。",
    "方案介绍清楚，客户理解。",
    "可多倾听客户困难，适当安抚。",
    "",
)


def _marks(rng: random.Random) -> dict[str, int]:
    return {name: _weighted(rng, range(5), weights) for name, weights in MARK_WEIGHTS.items()}


def _quality_review(*, seed: int, today: dt.date) -> dict[str, Any]:
    """Sample the last QUALITY_DAYS days' contacts by the sampling rules (idempotent per day), review
    most tasks (the lead two in three, the compliance officer the rest), the day after the contact or a
    few days later; the collector acknowledges some reviews and disputes one, which the other reviewer
    amends; one calibration session in which both score the same contact."""
    from arrears.quality import operations as quality
    from arrears.quality.models import ReviewTask, TaskStatus

    quality.ensure_defaults()
    lead, officer, collector = (User.objects.get(username=n) for n in ("lead", "compliance", "collector"))
    days = date_range(today - dt.timedelta(days=QUALITY_DAYS), today)
    for day in days:
        quality.sample(day=day, actor=ACTOR)
    rng = random.Random(_jitter(seed, "quality"))
    tasks = list(
        ReviewTask.objects.filter(sampled_on__gte=days[0], status=TaskStatus.OPEN, collector=collector).order_by(
            "sampled_on", "contact__at", "id"
        )
    )
    reviewed: list[tuple[Any, User, dt.date, Any]] = []  # task, reviewer, date, review
    for task in tasks:
        if rng.randrange(100) >= QUALITY_REVIEWED_PERCENT:
            continue
        reviewer = lead if rng.randrange(3) else officer
        on = min(today, task.sampled_on + dt.timedelta(days=rng.randrange(1, 4)))
        review = quality.submit_review(
            user=reviewer, task=task, marks=_marks(rng), comment=rng.choice(REVIEW_COMMENTS), business_date=on
        )
        reviewed.append((task, reviewer, on, review))
    counts = Counter(
        tasks=len(tasks) + ReviewTask.objects.filter(sampled_on__gte=days[0]).exclude(collector=collector).count(),
        days=len(days),
        reviewed=len(reviewed),
    )
    # The collector answers the older reviews: disputes the lowest score of the lead's, acknowledges
    # every third of the rest; the compliance officer (not the first reviewer) amends the disputed one.
    older = [r for r in reviewed if r[2] < today]
    by_lead = [r for r in older if r[1] == lead]
    if by_lead:
        disputed = min(by_lead, key=lambda r: (r[3].score, r[0].pk))
        task, _first, on, first = disputed
        quality.dispute(user=collector, task=task, reason="通话开头已核实身份，此项评分偏低。", business_date=on)
        counts["disputed"] += 1
        quality.resolve_dispute(
            user=officer,
            task=task,
            upheld=False,
            marks={**first.marks, "identification": 4},
            comment="复听录音：已核实身份，更正该项评分。",
            business_date=min(today, on + dt.timedelta(days=1)),
        )
        counts["resolved"] += 1
        older.remove(disputed)
    for task, _reviewer, on, _review in older[::3]:
        quality.acknowledge(user=collector, task=task, business_date=min(today, on + dt.timedelta(days=1)))
        counts["acknowledged"] += 1
    # One calibration: the lead and the compliance officer score the same contact.
    if reviewed:
        session = quality.open_calibration(user=lead, task=reviewed[-1][0], business_date=today)
        for reviewer in (lead, officer):
            quality.score_in_calibration(user=reviewer, session=session, marks=_marks(rng), business_date=today)
            counts["calibration_reviews"] += 1
        counts["calibration_sessions"] += 1
    return {
        k: counts[k]
        for k in (
            "days",
            "tasks",
            "reviewed",
            "acknowledged",
            "disputed",
            "resolved",
            "calibration_sessions",
            "calibration_reviews",
        )
    }


LEGACY_ROWS = 4000  # the synthetic legacy file's rows (accounts of the bank's old system)
LEGACY_MAPPING = """\
name: propensity
target: DEFAULT_NEXT_6M
id: ACCT_ID
features:
  limit: CREDIT_LINE
{months}
protected: [GENDER, AGE_BAND]
"""


def _sigmoid(x: float) -> float:
    import math

    return 1.0 / (1.0 + math.exp(-x))


def legacy_history(seed: int, rows: int = LEGACY_ROWS) -> str:
    """A synthetic CSV as a bank's old system would export it: six statement months per account
    (repayment status -2/-1/0/k, statement balance, paid in the month, in yuan, m1 the latest), two
    protected columns, and whether the account defaulted in the next six months. The signal is known: a
    hidden risk drives months behind, utilisation and default (the default also rises with status_m1)."""
    import csv
    import io

    rng = random.Random(_jitter(seed, "legacy"))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = ["ACCT_ID", "CREDIT_LINE"]
    for k in range(1, 7):
        header += [f"REPAY_STATUS_{k}", f"STMT_BAL_{k}", f"PAID_AMT_{k}"]
    writer.writerow([*header, "GENDER", "AGE_BAND", "DEFAULT_NEXT_6M"])
    for i in range(rows):
        risk = rng.gauss(0, 1)
        limit = rng.choice((5_000, 10_000, 20_000, 30_000, 50_000, 100_000))
        months: list[tuple[int, int, int]] = []  # m6 (oldest) first, then reversed
        behind = 0
        for _ in range(6):
            if rng.random() < _sigmoid(1.4 * risk - 2.2 + 0.8 * min(behind, 2)):
                behind += 1
            elif behind and rng.random() < 0.5:
                behind = 0
            use = min(1.0, max(0.0, rng.gauss(0.35 + 0.15 * risk, 0.2)))
            balance = round(limit * use)
            if behind:
                status, paid = behind, 0
            elif balance == 0:
                status, paid = -2, 0
            elif rng.random() < _sigmoid(-1.2 * risk):
                status, paid = -1, balance
            else:
                status, paid = 0, max(round(balance * 0.1), min(balance, 100))
            months.append((status, balance, paid))
        row: list[object] = [f"L{i + 1:06d}", limit]
        for status, balance, paid in reversed(months):
            row += [status, balance, paid]
        default = rng.random() < _sigmoid(1.6 * risk - 2.0 + 0.6 * max(months[-1][0], 0))
        writer.writerow([*row, rng.choice("FM"), rng.choice(("18-29", "30-44", "45-59", "60+")), int(default)])
    return out.getvalue()


def _propensity_model(*, seed: int, today: dt.date) -> dict[str, Any]:
    """Train on the legacy file through `arrears score train` (a temporary directory: never kept), the
    collections manager the maker, promoted by the administrator (maker != checker), then every account
    scored as of today in bulk."""
    import json
    import tempfile
    from io import StringIO
    from pathlib import Path

    from django.core.management import call_command

    from arrears.scoring import operations as scoring

    months = "\n".join(
        f"  {name}_m{k}: {column}_{k}"
        for k in range(1, 7)
        for name, column in (("status", "REPAY_STATUS"), ("balance", "STMT_BAL"), ("payment", "PAID_AMT"))
    )
    with tempfile.TemporaryDirectory(prefix="arrears-demo-") as tmp:
        data, mapping = Path(tmp) / "legacy_history.csv", Path(tmp) / "legacy_history.map.yaml"
        data.write_text(legacy_history(seed), encoding="utf-8")
        mapping.write_text(LEGACY_MAPPING.format(months=months), encoding="utf-8")
        printed = StringIO()
        call_command(
            "score", "train", str(data), "--mapping", str(mapping), "--seed", "1", "--actor", "manager", stdout=printed
        )
    trained = json.loads(printed.getvalue())
    model = scoring.promote(user=User.objects.get(username="admin"), model=scoring.find(trained["model"]))
    scored = scoring.score_accounts(model=model, day=today, actor=ACTOR)
    return {**trained, "maker": model.created_by, "checker": model.promoted_by, "scored": scored}
