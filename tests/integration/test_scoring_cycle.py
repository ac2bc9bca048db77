"""The cycle's two insight steps: `score_accounts` (the champion and the models the live strategy's arms
name, for the accounts whose latest score is older than ARREARS_RESCORE_DAYS) and `quality_sample` (the
day's contacts drawn for review). Both set-based, both idempotent: a date run again writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from arrears.audit.models import AuditEntry
from arrears.cycle import registry
from arrears.cycle.models import CycleDay, StepRun
from arrears.cycle.runner import last_completed, run_date
from arrears.quality.models import ReviewTask
from arrears.scoring.cycle import score_due
from arrears.scoring.models import AccountScore
from arrears.strategy.operations import approve_version, draft_version, make_live
from tests import table_snapshot
from tests.builders import past_due
from tests.quality_world import contact, quality_world
from tests.scoring_world import hand_model

pytestmark = pytest.mark.django_db
EVERYONE = (0, 10**12)


def rerun_changes(day: dt.date, step: str) -> dict[str, object]:
    """Forget that `step` ran on `day`, run the date again: the tables that changed (rolled back after)."""
    before = table_snapshot.by_id()
    with transaction.atomic():
        StepRun.objects.filter(business_date=day, step=step).delete()
        CycleDay.objects.filter(business_date=day).delete()
        assert run_date(day)
        changed = table_snapshot.differences(before, table_snapshot.by_id())
        transaction.set_rollback(True)
    return changed


def test_the_night_after_a_champion_is_promoted_every_account_is_scored_once() -> None:
    debtors = past_due(dpd=10, count=3)  # the cycle ran through 05-03 without a model: nothing scored
    assert not AccountScore.objects.exists()
    model = hand_model()
    day = last_completed() + dt.timedelta(days=1)  # type: ignore[operator]

    assert run_date(day)

    scores = AccountScore.objects.order_by("account_id")
    assert [s.account_id for s in scores] == sorted(d.account.pk for d in debtors)
    # tests/scoring_world.py worked example: 1 month behind -> p 0.5 -> 500 points, reason status_m1 2.0
    assert {(s.model_id, s.scored_on, s.score, s.points) for s in scores} == {(model.pk, day, 0.5, 500)}
    assert scores[0].reasons == [
        {
            "feature": "status_m1",
            "weight": 2.0,
            "en": "Repayment status, last statement month",
            "zh": "最近一个账单月的还款状态",
        }
    ]
    assert StepRun.objects.get(business_date=day, step="score_accounts").rows == 3
    assert AuditEntry.objects.filter(action="score_model.score", actor="cycle").count() == 1
    # the step run again for the date, and the whole date again: nothing changes
    assert rerun_changes(day, "score_accounts") == {}
    assert score_due(day, *EVERYONE) == 0


def test_an_account_is_rescored_when_its_score_is_30_days_old() -> None:
    past_due(dpd=10, count=2)
    hand_model()
    day = dt.date(2026, 5, 4)
    assert score_due(day, *EVERYONE) == 2
    assert score_due(day + dt.timedelta(days=29), *EVERYONE) == 0  # scored 29 days ago: fresh
    assert score_due(day + dt.timedelta(days=30), *EVERYONE) == 2  # 30 days: due again
    assert AccountScore.objects.count() == 4


def test_no_champion_scores_nothing_and_a_closed_account_is_not_scored() -> None:
    [debtor] = past_due(dpd=10)
    assert score_due(dt.date(2026, 5, 4), *EVERYONE) == 0  # no model at all
    hand_model()
    debtor.account.status = "closed"
    debtor.account.save(update_fields=["status"])
    assert score_due(dt.date(2026, 5, 4), *EVERYONE) == 0


BANDED = """
arms: [{code: champion, percent: 50}, {code: challenger, percent: 50, model: propensity@2}]
segments:
  - code: will_pay
    when: {dpd: {min: 1}, score_band: [high]}
    path: [{day: 0, action: no_action}]
  - code: needs_call
    when: {dpd: {min: 1}}
    path: [{day: 0, action: call_queue}]
"""


def test_the_models_the_live_strategys_arms_name_are_scored_too() -> None:
    past_due(dpd=10, count=2)
    champion, challenger = hand_model(), hand_model(champion=False)  # propensity@1, propensity@2
    day = dt.date(2026, 5, 4)
    version = draft_version(actor="maker", code="banded", definition=BANDED, effective_from=day, business_date=day)
    approve_version(actor="checker", version=version, business_date=day)
    make_live(actor="checker", strategy=version.strategy)

    assert registry.score_accounts(day, *EVERYONE) == 4
    assert sorted(AccountScore.objects.values_list("model_id", flat=True)) == sorted([champion.pk, challenger.pk] * 2)


def test_the_step_costs_the_same_queries_for_one_account_as_for_three() -> None:
    debtors = past_due(dpd=10, count=3)
    hand_model()
    first = min(d.account.pk for d in debtors)
    with CaptureQueriesContext(connection) as one:
        assert registry.score_accounts(dt.date(2026, 5, 4), first, first + 1) == 1
    with CaptureQueriesContext(connection) as three:
        assert registry.score_accounts(dt.date(2026, 6, 3), *EVERYONE) == 3  # the first one due again too
    # the strategy in force, the champion, the accounts due, six feature queries, the insert, the audit's
    assert len(one) == len(three)


def test_the_quality_sample_of_the_date_is_drawn_by_the_cycle_once() -> None:
    world = quality_world()
    day = last_completed() + dt.timedelta(days=1)  # type: ignore[operator]
    flagged = contact(world.case, world.c1, day, 10, flagged=True)
    contact(world.case, world.c1, day, 11)  # a plain contact: the random rule's default draw may or may not take it

    assert run_date(day)

    task = ReviewTask.objects.get(contact=flagged)
    assert (task.sampled_on, "gate_flag" in task.reasons) == (day, True)
    assert StepRun.objects.get(business_date=day, step="quality_sample").rows == ReviewTask.objects.count()
    assert rerun_changes(day, "quality_sample") == {}
