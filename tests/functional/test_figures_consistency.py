"""The figures of the 360 page, the accounts table, the API and the portfolio page agree, and add up,
for accounts in every state: current, revolving, past due, in a plan, plan broken, settled, charged
off, and recovering (charged off, then a payment).

The states are built through the public operations on seven cycle dates, each account on its own
timeline (default product: statement day 5, due 18 days later, minimum 10 %, late fee 5 % of the
unpaid minimum, charged off at 180 DPD):

- Customer 甲, opened 02-01: 1,000.00 and 2,000.00 bought 02-10, statement 03-05 due 03-23, never
  paid; 180 DPD on 09-19, when both are charged off; 300.00 recovered on 09-25 on the second.
  Opened 09-01 beside them: bought 09-10, statement 10-05 due 10-23 — one paid in full and used
  again (current), one paid its minimum (revolving), one never paid (past due), one settled for 60 %.
- Customer 乙: the same card as the past-due one; on 10-24 the whole balance goes into a 4-instalment
  plan from 11-20 (in plan).
- Customer 丙: the same; on 10-24 a 3-instalment plan from 10-26, whose first instalment is never
  paid; the plan breaks on 10-28 (grace 0 days, broken after 1 miss).

The pages are read on 11-06 as a collector of the team that works the cases.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from arrears.application import rules
from arrears.application.figures import account_figures, customer_figures
from arrears.cases.models import Case
from arrears.concessions.models import AuthorityRule
from arrears.concessions.operations import ConcessionIn, request_concession
from arrears.cycle.runner import run_date
from arrears.ledger.models import Account
from arrears.ledger.operations import open_account
from arrears.people.models import Role
from arrears.plans.models import Evidence, Plan, PlanPolicy
from arrears.plans.operations import accept_plan, activate_plan, approve_plan, offer_plan, propose_plan
from tests.collections_factories import PASSWORD, staff, team_with_queue
from tests.conftest import FROZEN_NOW
from tests.factories import make_account, make_product, pay, purchase

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 6)
D = dt.date


@pytest.fixture(autouse=True)
def _business_today(monkeypatch: pytest.MonkeyPatch) -> None:
    from arrears.cycle import business_date

    monkeypatch.setattr(business_date, "current", lambda: TODAY)


def _open_beside(first: Account, opened_on: dt.date) -> Account:
    return open_account(
        actor="test",
        customer=first.customer,
        product=first.product,
        number=f"{first.number}{Account.objects.filter(customer=first.customer).count()}",
        opened_on=opened_on,
        credit_limit=Decimal("10000.00"),
    )


def _plan(case: Case, account: Account, *, collector: Any, lead: Any, instalments: int, first_due: dt.date) -> Plan:
    on = D(2026, 10, 24)
    plan = propose_plan(
        actor=collector,
        case=case,
        account_number=account.number,
        scope="whole",
        method="flat_fee",
        instalments=instalments,
        first_due_date=first_due,
        fee_rate=Decimal("0.005"),
        business_date=on,
    )
    approve_plan(actor=lead, plan=plan)
    offer_plan(actor=collector, plan=plan, business_date=on)
    accept_plan(actor=collector, plan=plan, evidence=Evidence.RECORDED_CALL, evidence_ref="REC-1", business_date=on)
    return activate_plan(actor=collector, plan=plan, business_date=on)


def _build() -> dict[str, Any]:
    PlanPolicy.objects.create(grace_days=0, missed_to_break=1)
    AuthorityRule.objects.create(role=Role.COLLECTOR, kind="settlement", max_share=Decimal("0.50"))
    lead = staff(Role.TEAM_LEAD)
    team = team_with_queue(lead=lead, min_bucket=0)
    collector = staff(team=team)
    product = make_product()

    charged_off = make_account(product=product, opened_on=D(2026, 2, 1), name="甲")
    recovering = _open_beside(charged_off, D(2026, 2, 1))
    purchase(charged_off, D(2026, 2, 10), "1000.00")
    purchase(recovering, D(2026, 2, 10), "2000.00")
    run_date(D(2026, 3, 5))
    run_date(D(2026, 3, 24))  # past due: the customer's case opens and goes to the team
    run_date(D(2026, 9, 19))  # 180 DPD: both written off
    pay(recovering, D(2026, 9, 25), "300.00")

    current, revolving, past_due, settled = (_open_beside(charged_off, D(2026, 9, 1)) for _ in range(4))
    in_plan = make_account(product=product, opened_on=D(2026, 9, 1), name="乙")
    broken = make_account(product=product, opened_on=D(2026, 9, 1), name="丙")
    for account, amount in [
        (current, "800.00"),
        (revolving, "1000.00"),
        (past_due, "1000.00"),
        (settled, "1000.00"),
        (in_plan, "1200.00"),
        (broken, "1000.00"),
    ]:
        purchase(account, D(2026, 9, 10), amount)
    run_date(D(2026, 10, 5))
    pay(current, D(2026, 10, 10), "800.00")
    pay(revolving, D(2026, 10, 10), "100.00")
    purchase(current, D(2026, 10, 15), "300.00")
    run_date(D(2026, 10, 24))  # late fees; 乙 and 丙 are past due and have cases

    cases = {a.customer.name: Case.objects.get(customer=a.customer) for a in (charged_off, in_plan, broken)}
    _plan(cases["乙"], in_plan, collector=collector, lead=lead, instalments=4, first_due=D(2026, 11, 20))
    _plan(cases["丙"], broken, collector=collector, lead=lead, instalments=3, first_due=D(2026, 10, 26))
    settled.refresh_from_db()
    agreed = Decimal(settled.balance_fen * 6 // 10) / 100  # 60 % of 1,005.00
    request_concession(
        user=collector,
        case=cases["甲"],
        data=ConcessionIn(
            kind="settlement",
            reason="income_loss",
            evidence="lost job, letter seen",
            account_number=settled.number,
            amount=agreed,
            payments=[(D(2026, 10, 27), agreed)],
        ),
        business_date=D(2026, 10, 24),
    )
    pay(settled, D(2026, 10, 25), str(agreed))
    run_date(D(2026, 10, 28))  # the settlement is judged paid; 丙's plan breaks
    run_date(D(2026, 11, 5))  # statements: the revolving card is charged interest
    return {
        "collector": collector.username,
        "cases": cases,
        "accounts": {
            "current": current,
            "revolving": revolving,
            "past_due": past_due,
            "settled": settled,
            "charged_off": charged_off,
            "recovering": recovering,
            "in_plan": in_plan,
            "broken": broken,
        },
    }


@pytest.fixture(scope="module")
def built(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """The book is built once for the module, in a transaction rolled back after its last test (each
    test runs in a savepoint inside it)."""
    from arrears.cycle import business_date
    from arrears.kernel import clock

    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(clock, "now", lambda: FROZEN_NOW)
        patch.setattr(business_date, "current", lambda: TODAY)
        with transaction.atomic():
            yield _build()
            transaction.set_rollback(True)


@pytest.fixture
def book(built: dict[str, Any]) -> dict[str, Any]:
    """The built book and a client logged in as a collector of the team that works its cases."""
    client = Client()
    assert client.login(username=built["collector"], password=PASSWORD)
    return {**built, "client": client}


# -- reading the numbers off the page ----------------------------------------------------------


class _Figures(HTMLParser):
    """Text of every element with an id, and of every table cell with data-fig in a row with data-account."""

    def __init__(self) -> None:
        super().__init__()
        self.by_id: dict[str, str] = {}
        self.rows: dict[str, dict[str, str]] = {}
        self.explained: list[str] = []
        self._open: list[tuple[str, str | None, str | None]] = []  # tag, id, data-fig
        self._row: str | None = None
        self._text: dict[int, list[str]] = {}
        self._in_explained = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "tr":
            self._row = a.get("data-account") or (f"case-{a['data-case']}" if a.get("data-case") else None)
        if a.get("id") == "fig-explained":
            self._in_explained = True
        if tag == "li" and self._in_explained:
            self.explained.append("")
        self._open.append((tag, a.get("id"), a.get("data-fig")))
        self._text[len(self._open)] = []

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            depth = len(self._open)
            open_tag, ident, fig = self._open.pop()
            text = "".join(self._text.pop(depth, [])).strip()
            if self._open:
                self._text[len(self._open)].append(text)
            if ident:
                self.by_id[ident] = text
                if ident == "fig-explained":
                    self._in_explained = False
            if fig and self._row:
                self.rows.setdefault(self._row, {})[fig] = text
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._open:
            self._text[len(self._open)].append(data)
        if self._in_explained and self.explained:
            self.explained[-1] += data


def _parse(html: str) -> _Figures:
    parser = _Figures()
    parser.feed(html)
    return parser


def money(text: str) -> int:
    """'1,234.56' (or '—' for nothing) as fen."""
    text = text.strip()
    if text in ("—", ""):
        return 0
    return int(Decimal(text.replace(",", "")) * 100)


def _page(client: Client, url: str) -> _Figures:
    response = client.get(url)
    assert response.status_code == 200, url
    return _parse(response.content.decode())


def _api(client: Client, ref: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/accounts/{ref}")
    assert response.status_code == 200, ref
    data: dict[str, Any] = response.json()
    return data


FIELDS = ("principal", "interest", "fees", "plan", "balance", "past_due", "to_bring_current")


# -- the checks --------------------------------------------------------------------------------


class TestEveryStateOnThe360Page:
    def test_components_add_up_and_past_due_never_exceeds_the_balance_in_every_row(self, book: dict[str, Any]) -> None:
        client = book["client"]

        pages = [_page(client, f"/cases/{case.pk}/") for case in book["cases"].values()]

        rows = {number: row for page in pages for number, row in page.rows.items()}
        assert set(rows) == {a.ref for a in book["accounts"].values()}
        for number, row in rows.items():
            parts = [money(row[c]) for c in ("principal", "interest", "fees", "plan")]
            assert sum(parts) == money(row["balance"]), number
            assert 0 <= money(row["past_due"]) <= max(money(row["balance"]), 0), number

    def test_the_header_is_the_sum_of_the_accounts_table_and_each_row_is_what_the_api_says(
        self, book: dict[str, Any]
    ) -> None:
        client = book["client"]

        for name, case in book["cases"].items():
            page = _page(client, f"/cases/{case.pk}/")

            for field, ident in [("balance", "fig-balance"), ("past_due", "fig-past-due")]:
                total = sum(money(row[field]) for row in page.rows.values())
                assert money(page.by_id[ident]) == total, (name, field)
            assert money(page.by_id["fig-to-bring-current"]) == sum(
                money(r["to_bring_current"]) for r in page.rows.values()
            )
            assert int(page.by_id["fig-dpd"]) == max(int(r["dpd"]) for r in page.rows.values())
            assert page.by_id["fig-bucket"] == max((r["bucket"] for r in page.rows.values()), key=lambda b: int(b[1:]))
            for number, row in page.rows.items():
                api = _api(client, number)
                for field in FIELDS:
                    source = api["balances"][field] if field in api["balances"] else api[field]
                    assert money(row[field]) == money(source), (number, field)
                assert (int(row["dpd"]), row["bucket"]) == (api["dpd"], api["bucket"]), number

    def test_the_amount_to_bring_current_is_explained_by_lines_that_add_up_to_it(self, book: dict[str, Any]) -> None:
        client = book["client"]

        for name, case in book["cases"].items():
            page = _page(client, f"/cases/{case.pk}/")

            amounts = [money(re.findall(r"[\d,]+\.\d\d", line)[-1]) for line in page.explained]
            assert sum(amounts) == money(page.by_id["fig-to-bring-current"]), name
            # Each line names its due date, in the page's one date format (2026年4月23日).
            assert all(re.search(r"\d{4}年\d{1,2}月\d{1,2}日", line) for line in page.explained), name
        past_due = _page(client, f"/cases/{book['cases']['甲'].pk}/")
        assert any(book["accounts"]["past_due"].masked_number in line for line in past_due.explained)

    def test_status_bucket_and_classification_never_contradict(self, book: dict[str, Any]) -> None:
        client = book["client"]

        for account in book["accounts"].values():
            api = _api(client, account.ref)

            assert rules.consistent(
                standing=api["standing"],
                dpd=api["dpd"],
                bucket=int(api["bucket"][1:]),
                loan_class=api["classification"],
            ), api

    def test_each_state_shows_what_makes_it_that_state(self, book: dict[str, Any]) -> None:
        client, a = book["client"], book["accounts"]

        api = {k: _api(client, acc.ref) for k, acc in a.items()}

        assert {k: v["standing"] for k, v in api.items()} == {
            "current": "current",
            "revolving": "current",
            "past_due": "past_due",
            "settled": "closed",
            "charged_off": "charged_off",
            "recovering": "charged_off",
            "in_plan": "in_plan",
            "broken": "past_due",
        }
        assert api["past_due"]["dpd"] == (TODAY - D(2026, 10, 23)).days
        assert money(api["revolving"]["balances"]["interest"]) > 0  # it revolves: interest on 11-05
        assert money(api["current"]["past_due"]) == money(api["revolving"]["past_due"]) == 0
        assert money(api["settled"]["balance"]) == 0
        assert api["broken"]["dpd"] == (TODAY - D(2026, 10, 26)).days  # from the missed instalment
        assert any(p["kind"] == "statement" for p in api["broken"]["to_bring_current_parts"])

    def test_a_charged_off_account_shows_what_was_charged_off_and_recovered_and_no_past_due_above_its_balance(
        self, book: dict[str, Any]
    ) -> None:
        client, a = book["client"], book["accounts"]

        page = _page(client, f"/cases/{book['cases']['甲'].pk}/")

        written, recovering = page.rows[a["charged_off"].ref], page.rows[a["recovering"].ref]
        assert money(written["charged_off"]) == 100500  # 1,000.00 and the 5.00 late fee of 03-24
        assert money(written["recovered"]) == 0
        assert (money(recovering["charged_off"]), money(recovering["recovered"])) == (201000, 30000)
        assert money(written["past_due"]) == money(recovering["past_due"]) == 0
        assert money(page.by_id["fig-charged-off"]) == 100500 + 201000
        assert money(page.by_id["fig-recovered"]) == 30000
        assert money(page.by_id["fig-still-owed"]) == 100500 + 201000 - 30000
        assert _api(client, a["recovering"].ref)["still_owed"] == "1710.00"
        assert written["classification"] == recovering["classification"]

    def test_the_plan_balance_is_shown_in_the_header_the_table_and_with_the_plan(self, book: dict[str, Any]) -> None:
        client, account = book["client"], book["accounts"]["in_plan"]
        account.refresh_from_db()
        plan = Plan.objects.get(account=account, status="active")

        page = _page(client, f"/cases/{book['cases']['乙'].pk}/?tab=plan")

        assert account.plan_fen > 0
        assert money(page.rows[account.ref]["plan"]) == account.plan_fen
        assert money(page.by_id["fig-plan"]) == account.plan_fen
        assert money(page.by_id[f"plan-balance-{plan.pk}"]) == account.plan_fen
        first = plan.schedule.order_by("n").first()
        assert first is not None
        assert money(page.by_id[f"plan-due-{plan.pk}"]) == first.amount_fen
        assert money(page.by_id["fig-past-due"]) == 0


class TestTheWorkbench:
    def test_lists_each_case_with_the_figures_of_its_360_header(self, book: dict[str, Any]) -> None:
        client = book["client"]

        work = _page(client, "/work/")

        listed = [c for c in book["cases"].values() if f"case-{c.pk}" in work.rows]  # a case in plan is not worked
        assert {c.customer.name for c in listed} == {"甲", "丙"}
        for case in listed:
            header, row = _page(client, f"/cases/{case.pk}/").by_id, work.rows[f"case-{case.pk}"]
            assert (money(row["balance"]), money(row["past_due"])) == (
                money(header["fig-balance"]),
                money(header["fig-past-due"]),
            )
            assert (int(row["dpd"]), row["bucket"]) == (int(header["fig-dpd"]), header["fig-bucket"])


class TestThePortfolioPage:
    def test_its_amounts_are_the_sums_of_the_account_figures(self, book: dict[str, Any]) -> None:
        client = book["client"]
        api = [_api(client, a.ref) for a in Account.objects.all()]

        page = _page(client, "/")

        assert page.by_id  # the page rendered its tables
        html = client.get("/").content.decode()
        buckets = re.findall(
            r'<tr data-bucket="([^"]+)">.*?data-fig="balance">([^<]+)<.*?data-fig="still_owed">([^<]+)<',
            html,
            re.S,
        )
        assert sum(money(b) for _, b, _ in buckets) == sum(money(x["balance"]) for x in api)
        assert sum(money(s) for _, _, s in buckets) == sum(money(x["still_owed"]) for x in api)
        for number, row in page.rows.items():
            one = next(x for x in api if x["ref"] == number)
            assert (money(row["balance"]), int(row["dpd"]), row["bucket"]) == (
                money(one["balance"]),
                one["dpd"],
                one["bucket"],
            )


class TestTheReadModel:
    def test_reads_any_number_of_accounts_in_the_same_five_queries(self, book: dict[str, Any]) -> None:
        one = [book["accounts"]["in_plan"].pk]
        every = [a.pk for a in book["accounts"].values()]

        with CaptureQueriesContext(connection) as few:
            account_figures(one, business_date=TODAY)
        with CaptureQueriesContext(connection) as many:
            found = account_figures(every, business_date=TODAY)
        with CaptureQueriesContext(connection) as customers:
            customer_figures([c.customer_id for c in book["cases"].values()], business_date=TODAY)

        # accounts, unpaid minimums, product versions, active plans, their instalments
        assert len(few) == len(many) == len(customers) == 5
        assert set(found) == set(every)


class TestInBothLanguages:
    @pytest.mark.parametrize(
        ("language", "statement", "plan"),
        [
            ("en", "minimum payment of the statement of", "Plan balance"),
            ("zh-hans", "账单的最低还款额", "还款计划余额"),
        ],
    )
    def test_the_amount_to_bring_current_is_explained_in_the_language_of_the_page(
        self, book: dict[str, Any], language: str, statement: str, plan: str
    ) -> None:
        client = book["client"]
        prefix = "/en" if language == "en" else ""  # the language is in the path; Chinese has none

        past_due = _page(client, f"{prefix}/cases/{book['cases']['甲'].pk}/")
        in_plan = client.get(f"{prefix}/cases/{book['cases']['乙'].pk}/?tab=plan").content.decode()

        assert past_due.explained and all(statement in line for line in past_due.explained)
        assert plan in in_plan
