"""Queues by treatment: charged-off cases in recovery queues, early buckets served before late ones
unless the queue says otherwise, in next account as in the workbench list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from arrears.cases.cycle import allocate_collectors, route_cases
from arrears.cases.models import Case, CaseStatus, Queue, QueueOrder, Treatment
from arrears.cases.operations import next_case, release_lease
from arrears.cases.queries import in_serving_order
from arrears.cases.rules import serving_key
from arrears.ledger.models import Customer
from arrears.people.models import Team
from tests.builders import staff

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 5, 3)


def _priority(bucket: int, balance_fen: int, dpd: int) -> int:
    """The cycle's priority score (cases.cycle.update_cases): bucket, then balance, then DPD."""
    return bucket * 10**9 + min(balance_fen // 10_000, 10**6 - 1) * 1000 + min(dpd, 999)


def _case(
    team: Team | None, *, bucket: int, balance: int, status: str = CaseStatus.OPEN, queue: Queue | None = None
) -> Case:
    dpd = {0: 0, 1: 10, 2: 40, 3: 70, 4: 100, 5: 130, 6: 160, 7: 185}[bucket]
    customer = Customer.objects.create(name=f"客户{bucket}-{balance}")
    return Case.objects.create(
        customer=customer,
        team=team,
        queue=queue,
        opened_on=TODAY - dt.timedelta(days=dpd),
        status=status,
        worst_bucket=bucket,
        dpd=dpd,
        balance_fen=balance,
        past_due_fen=balance // 10,
        priority=_priority(bucket, balance, dpd),
    )


def _served(user: object) -> list[int]:
    """Every case next account hands this collector, one after the other (each lease released)."""
    served = []
    now = dt.datetime(2026, 5, 3, 2, 0, tzinfo=dt.UTC)
    while (case := next_case(user=user, business_date=TODAY, now=now)) is not None and len(served) < 20:
        served.append(case.pk)
        Case.objects.filter(pk=case.pk).update(last_contact_at=now)  # worked: rests before it comes again
        release_lease(case=case, user=user)
    return served


class TestServingOrder:
    def _desk(self, order: str) -> tuple[object, dict[str, Case]]:
        team = Team.objects.create(name=f"team-{order}")
        queue = Queue.objects.create(name=f"q-{order}", team=team, min_bucket=1, max_bucket=7, serving_order=order)
        collector = staff(team=team)
        cases = {
            "m6_small": _case(team, bucket=6, balance=300_000, queue=queue),
            "m1_small": _case(team, bucket=1, balance=200_000, queue=queue),
            "m1_large": _case(team, bucket=1, balance=900_000, queue=queue),
            "charged_off": _case(team, bucket=7, balance=5_000_000, status=CaseStatus.CHARGED_OFF, queue=queue),
            "m3": _case(team, bucket=3, balance=100_000, queue=queue),
        }
        return collector, cases

    def test_cases_that_may_still_cure_come_before_written_off_ones_by_default(self) -> None:
        collector, c = self._desk(QueueOrder.EARLY_FIRST)
        assert Queue.objects.get().serving_order == QueueOrder.EARLY_FIRST  # the default of a new queue
        names = {v.pk: k for k, v in c.items()}
        assert [names[i] for i in _served(collector)] == ["m1_large", "m1_small", "m3", "m6_small", "charged_off"]

    def test_a_late_first_queue_reverses_it(self) -> None:
        collector, c = self._desk(QueueOrder.LATE_FIRST)
        names = {v.pk: k for k, v in c.items()}
        assert [names[i] for i in _served(collector)] == ["charged_off", "m6_small", "m3", "m1_large", "m1_small"]

    def test_a_balance_queue_serves_the_largest_balance_first(self) -> None:
        collector, c = self._desk(QueueOrder.BALANCE)
        names = {v.pk: k for k, v in c.items()}
        assert [names[i] for i in _served(collector)] == ["charged_off", "m1_large", "m6_small", "m1_small", "m3"]

    def test_a_due_callback_still_comes_first(self) -> None:
        collector, c = self._desk(QueueOrder.EARLY_FIRST)
        Case.objects.filter(pk=c["m6_small"].pk).update(next_callback_at=dt.datetime(2026, 5, 3, 1, 0, tzinfo=dt.UTC))
        picked = next_case(user=collector, business_date=TODAY, now=dt.datetime(2026, 5, 3, 2, 0, tzinfo=dt.UTC))
        assert picked is not None and picked.pk == c["m6_small"].pk

    @pytest.mark.parametrize("order", list(QueueOrder))
    def test_the_sql_order_is_the_rule(self, order: str) -> None:
        self._desk(order)
        rows = list(in_serving_order(Case.objects.all()))
        expected = sorted(
            rows,
            key=lambda r: (
                serving_key(
                    order=order,
                    bucket=r.worst_bucket,
                    charged_off=r.status == CaseStatus.CHARGED_OFF,
                    priority=r.priority,
                    balance_fen=r.balance_fen,
                ),
                r.pk,
            ),
        )
        assert [r.pk for r in rows] == [r.pk for r in expected]

    def test_next_account_picks_with_one_query(self) -> None:
        collector, c = self._desk(QueueOrder.EARLY_FIRST)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            picked = next_case(user=collector, business_date=TODAY, now=dt.datetime(2026, 5, 3, 2, 0, tzinfo=dt.UTC))
        assert picked is not None and picked.pk == c["m1_large"].pk
        selects = [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
        assert len(selects) == 1, selects


class TestRecoveryQueues:
    def test_charged_off_cases_go_to_the_recovery_queue_and_the_others_never_do(self) -> None:
        early = Team.objects.create(name="早期催收")
        recovery = Team.objects.create(name="核销回收")
        # The recovery queue ranks first and covers every bucket: only the treatment keeps M1 out of it.
        rq = Queue.objects.create(
            name="回收", team=recovery, rank=1, min_bucket=0, max_bucket=7, treatment=Treatment.RECOVERY
        )
        eq = Queue.objects.create(name="M1-M7", team=early, rank=10, min_bucket=1, max_bucket=7)
        m1 = _case(None, bucket=1, balance=100_000)
        m6 = _case(None, bucket=6, balance=100_000)
        written_off = _case(None, bucket=7, balance=100_000, status=CaseStatus.CHARGED_OFF)
        route_cases(TODAY, 0, 10**9)
        got = {c.pk: (c.queue_id, c.team_id) for c in Case.objects.all()}
        assert got[m1.pk] == (eq.pk, early.pk)
        assert got[m6.pk] == (eq.pk, early.pk)
        assert got[written_off.pk] == (rq.pk, recovery.pk)

    def test_with_no_recovery_queue_a_charged_off_case_stays_with_collections(self) -> None:
        team = Team.objects.create(name="全部")
        queue = Queue.objects.create(name="M1-M7", team=team, min_bucket=1, max_bucket=7)
        written_off = _case(None, bucket=7, balance=100_000, status=CaseStatus.CHARGED_OFF)
        route_cases(TODAY, 0, 10**9)
        assert Case.objects.get(pk=written_off.pk).queue_id == queue.pk

    def test_a_full_team_keeps_the_cases_it_serves_first(self) -> None:
        team = Team.objects.create(name="小组")
        Queue.objects.create(name="M1-M7", team=team, min_bucket=1, max_bucket=7)
        collector = staff(team=team)
        collector.profile.max_cases = 1
        collector.profile.save()
        m6 = _case(team, bucket=6, balance=900_000)
        m1 = _case(team, bucket=1, balance=100_000)
        assert allocate_collectors(TODAY) == 1
        assert Case.objects.get(pk=m1.pk).collector_id == collector.pk
        assert Case.objects.get(pk=m6.pk).collector_id is None


class TestQueueValidation:
    def test_an_unknown_order_or_inverted_buckets_are_refused(self) -> None:
        team = Team.objects.create(name="t")
        for language, words in (("en", "lowest bucket"), ("zh-hans", "最低账龄")):
            with translation.override(language), pytest.raises(ValidationError) as err:
                Queue(name="bad", team=team, serving_order="random", min_bucket=5, max_bucket=2).full_clean()
            assert "serving_order" in err.value.message_dict
            assert any(words in m for m in err.value.messages), err.value.messages


class TestTheCycleRoutes:
    def test_the_daily_cycle_moves_a_case_to_recovery_when_its_account_is_charged_off(self) -> None:
        from tests.builders import charged_off

        early = Team.objects.create(name="早期")
        recovery = Team.objects.create(name="回收")
        Queue.objects.create(name="M1-M7", team=early, rank=1, min_bucket=1, max_bucket=7)
        rq = Queue.objects.create(
            name="核销回收", team=recovery, rank=2, min_bucket=0, max_bucket=7, treatment=Treatment.RECOVERY
        )
        debtor = charged_off(charge_off_dpd=60)
        case = Case.objects.get(customer=debtor.customer)
        assert (case.status, case.queue_id, case.team_id) == (CaseStatus.CHARGED_OFF, rq.pk, recovery.pk)
        # The status history records the write-off that moved it.
        assert case.status_changes.filter(to_status=CaseStatus.CHARGED_OFF).exists()
