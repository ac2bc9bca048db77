"""The demo portfolio (arrears.demo) and the bulk charge posting it stands on."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.test.utils import CaptureQueriesContext

from arrears import demo
from arrears.audit.models import AuditEntry
from arrears.cases.models import Case
from arrears.concessions.models import AuthorityRule, Concession
from arrears.contacts.models import Contact, Handoff
from arrears.delinquency.models import BucketChange
from arrears.errors import ArrearsError, Duplicate, NotFound
from arrears.ledger.models import Account, AccountStatus, Entry, EntryKind
from arrears.ledger.operations import ChargeIn, post_charges
from arrears.ledger.queries import cache_mismatches
from arrears.money import enable_float_trap
from arrears.payments.models import Payment
from arrears.plans.models import Plan
from arrears.promises.models import Promise
from tests.factories import make_account, make_product

TODAY = dt.date(2026, 6, 30)
SIZE = {"accounts": 60, "months": 7, "seed": 7, "today": TODAY}


def fingerprint() -> dict[str, Any]:
    """What the portfolio is, keyed by account numbers (database ids differ between builds)."""
    return {
        "accounts": list(
            Account.objects.order_by("number").values_list(
                "number",
                "customer__name",
                "customer__national_id",
                "customer__mobile",
                "product__code",
                "opened_on",
                "statement_day",
                "credit_limit_fen",
                "status",
                "dpd",
                "bucket",
                "principal_fen",
                "interest_fen",
                "fees_fen",
                "charged_off_on",
                "charged_off_fen",
                "recovered_fen",
            )
        ),
        "entries": list(
            Entry.objects.values("kind", "component")
            .annotate(n=Count("id"), fen=Sum("amount_fen"))
            .order_by("kind", "component")
            .values_list("kind", "component", "n", "fen")
        ),
        "bucket_changes": list(
            BucketChange.objects.order_by("account__number", "change_date").values_list(
                "account__number", "change_date", "from_bucket", "to_bucket"
            )
        ),
    }


def history() -> dict[str, Any]:
    """The collections history the demo wrote: contacts, promises against the payments, hand-offs,
    concessions and plans."""
    zone = ZoneInfo("Asia/Shanghai")
    cases = {c.pk: c for c in Case.objects.all()}
    contacts = list(Contact.objects.values("case_id", "at", "channel", "result", "collector_id"))
    payments: dict[int, list[tuple[dt.date, int]]] = {}
    for customer, day, fen in Payment.objects.values_list("account__customer", "value_date", "amount_fen"):
        payments.setdefault(customer, []).append((day, fen))
    promises = []
    for p in Promise.objects.select_related("case"):
        window = [
            fen
            for day, fen in payments.get(p.case.customer_id, [])
            if p.taken_on <= day <= p.promised_date + dt.timedelta(days=1)
        ]
        promises.append((p.status, p.amount_fen, p.paid_fen, sum(window), p.contact_id is not None))
    deep = [c for c in cases.values() if c.dpd >= 120 or c.status == "charged_off"]
    by_case: dict[int, list[dict[str, Any]]] = {}
    for c in contacts:
        by_case.setdefault(c["case_id"], []).append(c)
    return {
        "contacts": len(contacts),
        "sms": sum(1 for c in contacts if c["channel"] == "sms"),
        "right_party": sum(1 for c in contacts if c["result"] == "right_party_contact"),
        "hours": {c["at"].astimezone(zone).hour for c in contacts},
        "days": {c["at"].astimezone(zone).date() for c in contacts},
        "outside_case": [
            c
            for c in contacts
            if not (
                cases[c["case_id"]].opened_on
                <= c["at"].astimezone(zone).date()
                <= (cases[c["case_id"]].closed_on or TODAY)
            )
        ],
        "deep": [
            (
                c.dpd,
                len(by_case.get(c.pk, [])),
                min((x["at"].astimezone(zone).date() for x in by_case.get(c.pk, [])), default=None),
                sum(1 for x in by_case.get(c.pk, []) if x["result"] == "right_party_contact"),
            )
            for c in deep
        ],
        "promises": promises,
        "handoffs": list(Handoff.objects.values_list("to_role", "returned_at")),
        "concessions": sorted(Concession.objects.values_list("status", flat=True)),
        "plans": sorted(Plan.objects.values_list("status", flat=True)),
        "authority_rules": AuthorityRule.objects.count(),
        "unaudited": Contact.objects.count()
        - AuditEntry.objects.filter(action="contact.record", actor=demo.ACTOR).count(),
    }


@dataclasses.dataclass(frozen=True)
class Built:
    summary: demo.Summary
    fingerprint: dict[str, Any]
    mismatches: list[dict[str, Any]]
    cured: set[str]
    delinquent_buckets: dict[str, int]
    cash_advances: int
    history: dict[str, Any]
    insight: dict[str, Any]


def insight() -> dict[str, Any]:
    """What the demo left for the quality pages and the score model's readers."""
    from arrears.quality.models import CalibrationSession, Review, ReviewTask
    from arrears.quality.queries import collector_scores
    from arrears.scoring.models import AccountScore, ScoreModel

    champion = ScoreModel.objects.filter(status="champion").first()
    return {
        "statuses": sorted(ReviewTask.objects.values_list("status", flat=True)),
        "sampled_on": set(ReviewTask.objects.values_list("sampled_on", flat=True)),
        "kinds": sorted(set(Review.objects.values_list("kind", flat=True))),
        "scores": {str(s) for s in ReviewTask.objects.exclude(final_score=None).values_list("final_score", flat=True)},
        "calibration_reviews": [s.reviews.count() for s in CalibrationSession.objects.all()],
        "collector_scores": {
            User.objects.get(pk=pk).username: score
            for pk, score in collector_scores(TODAY - dt.timedelta(days=14), TODAY + dt.timedelta(days=1)).items()
        },
        "champion": None if champion is None else (champion.label, champion.created_by, champion.promoted_by),
        "auc": None if champion is None else champion.metrics["auc"],
        "scored": AccountScore.objects.filter(model=champion, scored_on=TODAY).count(),
        "reasons": AccountScore.objects.exclude(reasons=[]).count(),
        "accounts": Account.objects.count(),
    }


@pytest.fixture(scope="module")
def built(django_db_setup: None, django_db_blocker: Any) -> Built:
    """One small portfolio, built once for the module and rolled back: the facts stay, the rows go."""
    enable_float_trap()
    with django_db_blocker.unblock(), transaction.atomic():
        summary = demo.build(**SIZE)
        facts = Built(
            summary=summary,
            fingerprint=fingerprint(),
            mismatches=cache_mismatches(),
            cured=set(
                BucketChange.objects.filter(to_bucket=0, from_bucket__gt=0).values_list("account__number", flat=True)
            ),
            delinquent_buckets=dict(
                Account.objects.filter(status=AccountStatus.OPEN, dpd__gt=0).values_list("number", "bucket")
            ),
            cash_advances=Entry.objects.filter(kind=EntryKind.CASH_ADVANCE).count(),
            history=history(),
            insight=insight(),
        )
        transaction.set_rollback(True)
    return facts


class TestDemoPortfolio:
    def test_holds_the_accounts_asked_for_some_customers_with_two_cards(self, built: Built) -> None:
        assert built.summary.accounts == 60
        assert built.summary.customers_with_two_cards > 0
        assert built.summary.customers == 60 - built.summary.customers_with_two_cards

    def test_has_delinquent_accounts_in_several_buckets(self, built: Built) -> None:
        assert len(set(built.delinquent_buckets.values())) >= 2

    def test_has_cures_and_charge_offs(self, built: Built) -> None:
        assert built.cured
        assert built.summary.charged_off >= 1
        assert built.summary.charged_off_fen > 0

    def test_lets_a_few_accounts_fall_behind_each_in_its_own_way(self, built: Built) -> None:
        behind = {b: n for b, n in built.summary.behaviours.items() if b not in {x.value for x in demo.PAYING}}

        # A small portfolio still gets one of each way (two rolling); seven months are too few for a
        # recovery after charge-off, so that one rolls instead.
        assert set(behind) >= {"missed_once", "late_then_cure", "partial", "rolling", "charge_off"}
        assert 7 <= sum(behind.values()) <= 8

    def test_posts_purchases_cash_advances_and_payments(self, built: Built) -> None:
        kinds = {kind for kind, _, _, _ in built.fingerprint["entries"]}
        assert {
            EntryKind.PURCHASE,
            EntryKind.PAYMENT,
            EntryKind.INTEREST,
            EntryKind.LATE_FEE,
            EntryKind.ANNUAL_FEE,
            EntryKind.CHARGE_OFF,
        } <= kinds
        assert built.cash_advances > 0

    def test_keeps_every_balance_equal_to_its_entries(self, built: Built) -> None:
        assert built.mismatches == []

    def test_builds_the_same_portfolio_from_the_same_seed(self, built: Built, db: None) -> None:
        demo.build(**SIZE)

        assert fingerprint() == built.fingerprint

    def test_refuses_a_database_that_already_holds_accounts(self, db: None) -> None:
        make_account()

        with pytest.raises(demo.PortfolioExists) as refused:
            demo.build(**{**SIZE, "accounts": 3})

        assert refused.value.field == "database"
        assert "already holds a portfolio" in refused.value.message


class TestDemoHistory:
    def test_cases_deep_in_arrears_have_months_of_calls_with_right_party_contacts(self, built: Built) -> None:
        deep = built.history["deep"]
        assert deep, "the demo has no case at DPD 120 or more"
        for dpd, count, first, right_party in deep:
            assert first is not None and (TODAY - first).days >= 90, (dpd, first)
            assert count >= 30, (dpd, count)
            assert right_party >= 1, dpd

    def test_contacts_are_calls_and_texts_in_calling_hours_within_the_case_and_before_today(self, built: Built) -> None:
        h = built.history
        assert h["contacts"] > 0 and h["sms"] > 0 and 0 < h["right_party"] < h["contacts"]
        assert h["hours"] <= set(range(8, 22))  # CN-HOURS: 08:00-22:00 Beijing time
        assert TODAY not in h["days"]  # today's dials are left to the collector (CN-DIALS)
        assert h["outside_case"] == []
        assert h["unaudited"] == 0

    def test_promises_kept_and_broken_agree_with_the_payments(self, built: Built) -> None:
        promises = built.history["promises"]
        statuses = {status for status, *_ in promises}
        assert {"kept", "broken"} <= statuses
        for status, amount, paid, window, on_a_call in promises:
            assert on_a_call
            if status == "kept":
                assert paid == amount and window >= amount
            elif status == "partly_kept":
                assert 0 < paid < amount and window >= paid
            else:
                assert status == "broken" and paid == 0 and window == 0

    def test_hand_offs_concessions_and_plans_exist(self, built: Built) -> None:
        assert built.history["handoffs"]
        concessions = built.history["concessions"]
        assert "pending" in concessions
        # Approved up the ladder: granted where the demo's authority matrix lets a role grant it.
        assert built.history["authority_rules"] > 0
        assert "applied" in concessions
        assert "active" in built.history["plans"]
        assert built.summary.work.get("refused", 0) == 0
        assert built.summary.logins and all(login.created for login in built.summary.logins)


class TestDemoInsight:
    def test_leaves_reviewed_quality_tasks_an_acknowledgement_a_resolved_dispute_and_a_calibration(
        self, built: Built
    ) -> None:
        q = built.insight
        statuses = set(q["statuses"])
        assert {"open", "reviewed", "acknowledged", "resolved"} <= statuses, q["statuses"]
        assert q["statuses"].count("resolved") == 1 and "disputed" not in statuses
        assert min(q["sampled_on"]) >= TODAY - dt.timedelta(days=14) and max(q["sampled_on"]) < TODAY
        assert q["kinds"] == ["calibration", "first", "second"]
        assert len(q["scores"]) >= 3  # varied marks, not one score for all
        assert q["calibration_reviews"] == [2]
        assert list(q["collector_scores"]) == ["collector"] and 0 < q["collector_scores"]["collector"] <= 100
        assert built.summary.quality["reviewed"] >= built.summary.quality["acknowledged"] + 1

    def test_leaves_a_champion_promoted_by_another_user_and_every_account_scored(self, built: Built) -> None:
        q = built.insight
        assert q["champion"] == ("propensity@1", "manager", "admin")
        assert q["auc"] > 0.7  # the synthetic legacy file carries a strong signal
        assert q["scored"] == q["accounts"] == 60
        assert q["reasons"] > 0
        assert built.summary.scoring["scored"] == 60


class TestDemoLogins:
    def test_creates_the_demo_users_once(self, db: None) -> None:
        first = demo.ensure_demo_users(business_date=TODAY)
        again = demo.ensure_demo_users(business_date=TODAY)

        assert [(x.username, x.role, x.created) for x in first] == [
            ("admin", "administrator", True),
            ("lead", "team_lead", True),
            ("collector", "collector", True),
            ("manager", "collections_manager", True),
            ("compliance", "compliance_officer", True),
        ]
        assert not any(x.created for x in again)


def _balances(*accounts: Account) -> list[tuple[int, int, int]]:
    return [
        tuple(Account.objects.filter(pk=a.pk).values_list("principal_fen", "interest_fen", "fees_fen")[0])
        for a in accounts
    ]


class TestPostCharges:
    @pytest.fixture
    def accounts(self, db: None) -> tuple[Account, Account]:
        product = make_product(cash_advance_fee_rate="0.01", cash_advance_fee_min="10.00")
        return make_account(product=product), make_account(product=product)

    def test_moves_the_cache_by_exactly_the_posted_amounts(self, accounts: tuple[Account, Account]) -> None:
        a, b = accounts
        day = dt.date(2026, 3, 10)

        entries = post_charges(
            actor="test",
            business_date=day,
            charges=[
                ChargeIn(account_number=a.number, kind="purchase", amount=Decimal("100.00")),
                ChargeIn(account_number=a.number, kind="purchase", amount=Decimal("50.55")),
                ChargeIn(account_number=b.number, kind="cash_advance", amount=Decimal("2000.00")),
                ChargeIn(account_number=b.number, kind="annual_fee", amount=Decimal("300.00")),
            ],
        )

        assert _balances(a, b) == [(15055, 0, 0), (200000, 0, 2000 + 30000)]
        assert [e.kind for e in entries] == ["purchase", "purchase", "cash_advance", "cash_advance_fee", "annual_fee"]
        assert cache_mismatches() == []
        assert AuditEntry.objects.filter(action__startswith="entry.").count() == 4

    def test_runs_the_same_number_of_queries_for_any_count(self, accounts: tuple[Account, Account]) -> None:
        def charges(n: int) -> list[ChargeIn]:
            return [
                ChargeIn(account_number=accounts[i % 2].number, kind="purchase", amount=Decimal("1.00"))
                for i in range(n)
            ]

        day = dt.date(2026, 3, 10)

        with CaptureQueriesContext(connection) as few:
            post_charges(actor="test", business_date=day, charges=charges(2))
        with CaptureQueriesContext(connection) as many:
            post_charges(actor="test", business_date=day, charges=charges(60))

        assert len(many) == len(few)

    @pytest.mark.parametrize(
        ("bad", "field", "error"),
        [
            ({"amount": Decimal("0.00")}, "amount", ArrearsError),
            ({"amount": Decimal("-5.00")}, "amount", ArrearsError),
            ({"amount": Decimal("1.005")}, "amount", ArrearsError),
            ({"kind": "payment"}, "kind", ArrearsError),
            ({"value_date": dt.date(2026, 3, 11)}, "value_date", ArrearsError),
            ({"account_number": "0000"}, "account", NotFound),
            ({"reference": "r-1"}, "reference", Duplicate),
        ],
    )
    def test_refuses_a_bad_charge_naming_its_field_and_writes_nothing(
        self, accounts: tuple[Account, Account], bad: dict[str, Any], field: str, error: type[Exception]
    ) -> None:
        a, b = accounts
        good = ChargeIn(account_number=a.number, kind="purchase", amount=Decimal("10.00"), reference="r-1")
        wrong = dataclasses.replace(ChargeIn(account_number=b.number, kind="purchase", amount=Decimal("10.00")), **bad)
        if field == "reference":  # the same reference twice on one account
            wrong = dataclasses.replace(wrong, account_number=a.number)
        before = (Entry.objects.count(), AuditEntry.objects.count(), _balances(a, b))

        with pytest.raises(error) as refused:
            post_charges(actor="test", business_date=dt.date(2026, 3, 10), charges=[good, wrong])

        assert refused.value.field == field  # type: ignore[attr-defined]
        assert "(charge 2)" in str(refused.value)
        assert (Entry.objects.count(), AuditEntry.objects.count(), _balances(a, b)) == before

    def test_refuses_a_charge_on_a_charged_off_account(self, accounts: tuple[Account, Account]) -> None:
        a, _ = accounts
        Account.objects.filter(pk=a.pk).update(status=AccountStatus.CHARGED_OFF)

        with pytest.raises(ArrearsError) as refused:
            post_charges(
                actor="test",
                business_date=dt.date(2026, 3, 10),
                charges=[ChargeIn(account_number=a.number, kind="purchase", amount=Decimal("10.00"))],
            )

        assert refused.value.field == "account"
        assert Entry.objects.count() == 0
