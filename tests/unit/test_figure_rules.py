"""The rules behind the figures: past due capped at the balance, what brings an account current and
why, DPD frozen at a charge-off, and a standing, bucket and classification that tell one story."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from arrears.application import rules
from arrears.application.rules import Minimum, Scheduled, Unpaid
from arrears.products.rules import ProductParams

DAY = dt.date(2026, 5, 3)
PARAMS = ProductParams()  # bucket edges 30, 60, 90, 120, 150, 180


def minimum(statement: str, due: str, unpaid: int, extended: str | None = None) -> Minimum:
    return Minimum(
        dt.date.fromisoformat(statement),
        dt.date.fromisoformat(due),
        dt.date.fromisoformat(extended) if extended else None,
        unpaid,
    )


class TestOverdueMinimums:
    def test_only_unpaid_minimums_due_before_the_business_date_count_oldest_first(self) -> None:
        minimums = [
            minimum("2026-04-05", "2026-04-23", 13300),
            minimum("2026-03-05", "2026-03-23", 10000),
            minimum("2026-05-05", "2026-05-23", 5000),  # not due yet
            minimum("2026-02-05", "2026-02-23", 0),  # paid
            minimum("2026-04-15", "2026-05-03", 700),  # due today: not yet past due
        ]

        late = rules.overdue_minimums(minimums, business_date=DAY)

        assert [(u.ref, u.due_date.isoformat(), u.amount_fen) for u in late] == [
            ("2026-03-05", "2026-03-23", 10000),
            ("2026-04-05", "2026-04-23", 13300),
        ]

    def test_an_extended_due_date_replaces_the_one_the_statement_was_issued_with(self) -> None:
        late = rules.overdue_minimums(
            [minimum("2026-04-05", "2026-04-23", 100, extended="2026-05-10")], business_date=DAY
        )

        assert late == []


class TestPastDue:
    def test_is_the_overdue_minimums_when_the_balance_is_larger(self) -> None:
        late = [Unpaid("statement", "2026-04-05", dt.date(2026, 4, 23), 10000)]

        assert rules.past_due_fen(late, balance_fen=103300) == 10000

    @pytest.mark.parametrize("balance", [4000, 0, -5000])
    def test_never_exceeds_the_balance_and_is_never_negative(self, balance: int) -> None:
        late = [Unpaid("statement", "2026-04-05", dt.date(2026, 4, 23), 10000)]

        assert rules.past_due_fen(late, balance_fen=balance) == max(balance, 0)


class TestDaysPastDue:
    def test_count_from_the_oldest_overdue_minimum(self) -> None:
        late = rules.overdue_minimums(
            [minimum("2026-04-05", "2026-04-23", 1), minimum("2026-03-05", "2026-03-23", 1)], business_date=DAY
        )

        assert rules.dpd(late, business_date=DAY, charged_off_on=None) == 41

    def test_of_a_charged_off_account_stay_at_what_they_were_on_the_day_of_the_charge_off(self) -> None:
        late = rules.overdue_minimums([minimum("2026-03-05", "2026-03-23", 1)], business_date=DAY)

        assert rules.dpd(late, business_date=DAY, charged_off_on=dt.date(2026, 4, 22)) == 30

    def test_are_zero_when_nothing_is_overdue(self) -> None:
        assert rules.dpd([], business_date=DAY, charged_off_on=None) == 0


SCHEDULE = [
    Scheduled(1, dt.date(2026, 4, 1), 30753),
    Scheduled(2, dt.date(2026, 5, 1), 30753),
    Scheduled(3, dt.date(2026, 6, 1), 30753),
]


class TestPlanInstalments:
    def test_payments_count_against_the_oldest_instalments_first(self) -> None:
        overdue = rules.overdue_instalments(SCHEDULE, paid_fen=40000, business_date=DAY)

        # 400.00 paid: instalment 1 in full, 92.47 of instalment 2; instalment 3 is not due yet.
        assert [(u.ref, u.amount_fen) for u in overdue] == [("2", 30753 * 2 - 40000)]

    def test_the_amount_due_runs_up_to_the_next_instalment_falling_due(self) -> None:
        assert rules.plan_amount_due(SCHEDULE, paid_fen=40000, business_date=DAY) == 30753 * 3 - 40000
        assert rules.plan_amount_due(SCHEDULE, paid_fen=0, business_date=dt.date(2026, 4, 1)) == 30753


class TestToBringCurrent:
    def test_is_the_past_due_minimums_and_the_overdue_instalments_oldest_first_and_the_parts_add_up(self) -> None:
        minimums = [Unpaid("statement", "2026-03-05", dt.date(2026, 3, 23), 5000)]
        instalments = [Unpaid("instalment", "1", dt.date(2026, 3, 1), 30753)]

        total, parts = rules.to_bring_current(minimums, instalments, past_due_fen=5000)

        assert [p.kind for p in parts] == ["instalment", "statement"]
        assert total == sum(p.amount_fen for p in parts) == 35753

    def test_lists_only_as_much_of_the_statements_as_the_capped_past_due(self) -> None:
        minimums = [
            Unpaid("statement", "2026-03-05", dt.date(2026, 3, 23), 5000),
            Unpaid("statement", "2026-04-05", dt.date(2026, 4, 23), 5000),
        ]

        total, parts = rules.to_bring_current(minimums, [], past_due_fen=7000)

        assert total == 7000
        assert [(p.ref, p.amount_fen) for p in parts] == [("2026-03-05", 5000), ("2026-04-05", 2000)]


class TestStandingBucketAndClassification:
    @pytest.mark.parametrize(
        ("dpd", "bucket", "klass"),
        [
            (0, 0, "正常"),
            (1, 1, "关注"),
            (30, 1, "关注"),
            (31, 2, "关注"),
            (90, 3, "关注"),
            (91, 4, "次级"),
            (121, 5, "可疑"),
            (180, 6, "可疑"),
            (181, 7, "损失"),
        ],
    )
    def test_follow_cn_class_from_the_days_past_due(self, dpd: int, bucket: int, klass: str) -> None:
        standing = rules.standing(account_status="open", dpd=dpd, in_plan=False)
        b = PARAMS.bucket_for(dpd)

        assert (b, rules.loan_class(bucket=b, standing=standing)) == (bucket, klass)

    def test_a_charged_off_account_is_a_loss_whatever_its_bucket(self) -> None:
        standing = rules.standing(account_status="charged_off", dpd=30, in_plan=False)

        assert (standing, rules.loan_class(bucket=1, standing=standing)) == ("charged_off", "损失")

    def test_an_account_in_a_plan_with_nothing_overdue_on_the_card_is_in_plan(self) -> None:
        assert rules.standing(account_status="open", dpd=0, in_plan=True) == "in_plan"
        assert rules.standing(account_status="open", dpd=12, in_plan=True) == "past_due"

    def test_never_contradict_each_other_for_any_status_and_dpd(self) -> None:
        for status, dpd, in_plan in itertools.product(
            ("open", "blocked", "charged_off", "closed"), range(0, 400, 7), (False, True)
        ):
            days = 0 if status == "closed" else dpd
            standing = rules.standing(account_status=status, dpd=days, in_plan=in_plan)
            bucket = PARAMS.bucket_for(days)
            klass = rules.loan_class(bucket=bucket, standing=standing)

            assert rules.consistent(standing=standing, dpd=days, bucket=bucket, loan_class=klass), (status, dpd)

    def test_the_check_catches_current_beside_129_days_past_due(self) -> None:
        assert not rules.consistent(standing="current", dpd=129, bucket=5, loan_class="正常")
        assert not rules.consistent(standing="past_due", dpd=129, bucket=0, loan_class="正常")

    def test_the_worst_of_several_accounts_is_the_most_severe(self) -> None:
        assert rules.worst_class(["正常", "次级", "关注"]) == "次级"
        assert rules.worst_standing(["current", "charged_off", "past_due"]) == "charged_off"
