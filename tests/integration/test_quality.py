"""Quality review on a small built set: the sample by rule (and its idempotence), the review, the
collector's acknowledgement or dispute, the second review, calibration, and `collector_scores`."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arrears.audit.models import AuditEntry
from arrears.complaints.operations import register_complaint
from arrears.errors import Conflict, NotFound, NotPermitted, ValidationFailed
from arrears.quality import queries
from arrears.quality.models import ReviewTask, RuleKind, SamplingRule, TaskStatus
from arrears.quality.operations import (
    acknowledge,
    calibration_of,
    dispute,
    open_calibration,
    resolve_dispute,
    sample,
    score_in_calibration,
    submit_review,
)
from arrears.quality.rules import random_draw
from tests.quality_world import DAY, QualityWorld, contact, quality_world, task

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> QualityWorld:
    return quality_world()


def marks(i: int, w: int, a: int, e: int, o: int) -> dict[str, int]:
    return {"identification": i, "wording": w, "amounts": a, "empathy": e, "offer": o}


def tasks() -> dict[int, list[str]]:
    return {t.contact_id: t.reasons for t in ReviewTask.objects.order_by("contact_id")}


def test_the_sample_follows_every_rule_and_a_second_run_changes_nothing(world: QualityWorld) -> None:
    SamplingRule.objects.filter(kind=RuleKind.RANDOM).update(percent=Decimal("50"), seed=1)
    SamplingRule.objects.filter(kind=RuleKind.NEW_COLLECTOR).update(first_n=2)
    case, c1, c2 = world.case, world.c1, world.c2
    before = DAY - dt.timedelta(days=2)
    [contact(case, c1, before, h) for h in (9, 10, 11)]  # c1's first contacts: two days before
    k0 = contact(case, c1, DAY - dt.timedelta(days=1), 15)  # the day before, complained of today
    k1 = contact(case, c1, DAY, 9)
    k2 = contact(case, c1, DAY, 10, flagged=True)  # judged a breach after the fact (a dialer's call)
    k3 = contact(case, c1, DAY, 11, decision={"allowed": False, "rules": ["CN-HOURS"], "reasons": ["too late"]})
    k4 = contact(case, c1, DAY, 12, decision={"allowed": True, "rules": ["CN-HOURS"], "reasons": []})
    m1, m2, m3 = (contact(case, c2, DAY, h) for h in (13, 14, 15))  # c2's very first contacts
    contact(case, c1, DAY + dt.timedelta(days=1), 9)  # another day: never drawn for DAY
    contact(case, None, DAY, 16)  # no collector (an automated message): not a collector's conduct
    register_complaint(
        actor="cs",
        opened_by=world.officer,
        customer=case.customer,
        case=case,
        category="contact_frequency",
        severity="medium",
        channel="phone",
        description="太多电话",
        business_date=DAY,
        contacts=[k0, k4],
    )

    with CaptureQueriesContext(connection) as queries_run:
        report = sample(day=DAY, actor="test")
    assert len(queries_run) <= 12  # set-based: a handful of queries whatever the number of contacts

    # Random 50 %: c1 has 4 contacts on DAY → ceil(2) = 2; c2 has 3 → ceil(1.5) = 2.
    random_c1 = random_draw([(k.pk, c1.pk) for k in (k1, k2, k3, k4)], percent=Decimal(50), seed=1, day="2026-05-03")
    random_c2 = random_draw([(m.pk, c2.pk) for m in (m1, m2, m3)], percent=Decimal(50), seed=1, day="2026-05-03")
    assert (len(random_c1), len(random_c2)) == (2, 2)
    expected: dict[int, set[str]] = {}
    for ids, why in (
        (random_c1 | random_c2, "random"),
        ({k2.pk, k3.pk}, "gate_flag"),  # flagged, refused; k4 allowed without a warning is no flag
        ({k0.pk, k4.pk}, "complaint"),  # k0 was the day before, complained of on DAY
        ({m1.pk, m2.pk}, "new_collector"),  # c2's first two; c1's first two were two days before
    ):
        for i in ids:
            expected.setdefault(i, set()).add(why)
    assert tasks() == {i: sorted(w) for i, w in sorted(expected.items())}
    assert report.created == len(expected)
    assert report.by_reason == {"random": 4, "gate_flag": 2, "complaint": 2, "new_collector": 2}
    assert ReviewTask.objects.get(contact=k0).collector_id == c1.pk
    assert ReviewTask.objects.filter(sampled_on=DAY, status=TaskStatus.OPEN).count() == len(expected)

    snapshot = list(ReviewTask.objects.order_by("id").values())
    audits = AuditEntry.objects.filter(action="quality.sample").count()
    out = StringIO()
    call_command("quality", "sample", "--date", DAY.isoformat(), stdout=out)
    assert json.loads(out.getvalue()) == {
        "date": "2026-05-03",
        "created": 0,
        "updated": 0,
        "by_reason": {"complaint": 2, "gate_flag": 2, "new_collector": 2, "random": 4},
    }
    assert list(ReviewTask.objects.order_by("id").values()) == snapshot
    assert AuditEntry.objects.filter(action="quality.sample").count() == audits == 1


def test_rules_switched_off_draw_nothing(world: QualityWorld) -> None:
    SamplingRule.objects.update(active=False)
    contact(world.case, world.c1, DAY, 9, flagged=True)
    assert sample(day=DAY, actor="test").created == 0
    assert not ReviewTask.objects.exists()


def test_review_acknowledge_dispute_second_review_and_the_scores(world: QualityWorld) -> None:
    t1 = task(world.case, world.c1, hour=9)
    t2 = task(world.case, world.c2, hour=10)
    t3 = task(world.case, world.c2, hour=11)

    # Who sees what: lead A their team's, lead B none of team A's, compliance and the permission all.
    assert set(queries.visible_tasks(world.lead_a)) == {t1, t2, t3}
    assert not queries.visible_tasks(world.lead_b).exists()
    with pytest.raises(NotFound):
        queries.task_for(world.lead_b, t1.pk)
    assert set(queries.visible_tasks(world.officer)) == {t1, t2, t3}
    assert set(queries.visible_tasks(world.reviewer)) == {t1, t2, t3}
    assert not queries.visible_tasks(world.c1).exists()
    with pytest.raises(NotPermitted):
        submit_review(user=world.c2, task=t1, marks=marks(4, 4, 4, 4, 4), business_date=DAY)

    # Nobody reviews their own contacts, even with the permission.
    own = task(world.case, world.reviewer, hour=12)
    with pytest.raises(NotPermitted):
        submit_review(user=world.reviewer, task=own, marks=marks(4, 4, 4, 4, 4), business_date=DAY)
    assert own not in set(queries.visible_tasks(world.reviewer))

    with pytest.raises(ValidationFailed) as bad:
        submit_review(user=world.lead_a, task=t1, marks=marks(4, 4, 9, 4, 4), business_date=DAY)
    assert (bad.value.field, bad.value.code) == ("amounts", "out_of_range")
    assert not t1.reviews.exists()

    # v1 weights 20/30/20/15/15. t1: 60 + 120 + 40 + 15 + 45 = 280; /4 = 70.00
    assert submit_review(user=world.lead_a, task=t1, marks=marks(3, 4, 2, 1, 3), business_date=DAY).score == Decimal(
        "70.00"
    )
    with pytest.raises(Conflict):
        submit_review(user=world.officer, task=t1, marks=marks(4, 4, 4, 4, 4), business_date=DAY)
    # t2: prohibited wording zeroes the review; t3: full marks, 100.00.
    assert submit_review(user=world.lead_a, task=t2, marks=marks(4, 0, 4, 4, 4), business_date=DAY).score == 0
    assert submit_review(user=world.officer, task=t3, marks=marks(4, 4, 4, 4, 4), business_date=DAY).score == 100

    # Only the collector answers; c2 acknowledges both of theirs.
    with pytest.raises(NotPermitted):
        acknowledge(user=world.c2, task=t1, business_date=DAY)
    acknowledge(user=world.c2, task=t2, business_date=DAY)
    acknowledge(user=world.c2, task=t3, business_date=DAY)
    with pytest.raises(Conflict):
        dispute(user=world.c2, task=t2, reason="不同意", business_date=DAY)

    # c1 disputes: a reason is required; while disputed the score does not count.
    with pytest.raises(ValidationFailed) as bad:
        dispute(user=world.c1, task=t1, reason="  ", business_date=DAY)
    assert bad.value.field == "reason"
    dispute(user=world.c1, task=t1, reason="我核实了身份", business_date=DAY)
    end = DAY + dt.timedelta(days=1)
    # c2: (0 + 100) / 2 = 50.00; c1's disputed 70.00 left out.
    assert queries.collector_scores(DAY, end) == {world.c2.pk: Decimal("50.00")}

    # The second reviewer is neither the first nor the collector.
    with pytest.raises(NotPermitted):
        resolve_dispute(user=world.lead_a, task=t1, upheld=True, business_date=DAY)
    later = DAY + dt.timedelta(days=2)
    with pytest.raises(ValidationFailed):
        resolve_dispute(user=world.officer, task=t1, upheld=False, marks={}, business_date=later)
    # Amended: 80 + 120 + 60 + 45 + 45 = 350; /4 = 87.50, final on the later date.
    second = resolve_dispute(
        user=world.officer, task=t1, upheld=False, marks=marks(4, 4, 3, 3, 3), comment="身份已核实", business_date=later
    )
    assert (second.score, second.upheld) == (Decimal("87.50"), False)
    t1.refresh_from_db()
    assert (t1.status, t1.final_score, t1.final_on) == (TaskStatus.RESOLVED, Decimal("87.50"), later)
    assert queries.collector_scores(DAY, end) == {world.c2.pk: Decimal("50.00")}
    assert queries.collector_scores(later, later + dt.timedelta(days=1)) == {world.c1.pk: Decimal("87.50")}
    assert queries.collector_scores(DAY, later + dt.timedelta(days=1)) == {
        world.c1.pk: Decimal("87.50"),
        world.c2.pk: Decimal("50.00"),
    }
    assert queries.collector_scores(end, later) == {}

    actions = set(AuditEntry.objects.filter(action__startswith="quality.").values_list("action", flat=True))
    assert actions == {"quality.review", "quality.acknowledge", "quality.dispute", "quality.resolve_dispute"}


def test_an_upheld_dispute_keeps_the_first_score(world: QualityWorld) -> None:
    t = task(world.case, world.c1)
    submit_review(user=world.lead_a, task=t, marks=marks(3, 4, 2, 1, 3), business_date=DAY)
    dispute(user=world.c1, task=t, reason="wrong", business_date=DAY)
    review = resolve_dispute(user=world.reviewer, task=t, upheld=True, business_date=DAY)
    assert (review.score, review.upheld, review.marks) == (Decimal("70.00"), True, marks(3, 4, 2, 1, 3))
    assert queries.collector_scores(DAY, DAY + dt.timedelta(days=1)) == {world.c1.pk: Decimal("70.00")}


def test_calibration_spread_and_flag(world: QualityWorld) -> None:
    t = task(world.case, world.c1)
    session = open_calibration(user=world.officer, task=t, business_date=DAY, threshold=Decimal("15"))
    with pytest.raises(NotFound):
        queries.session_for(world.lead_b, session.pk)
    with pytest.raises(NotPermitted):
        score_in_calibration(user=world.c1, session=session, marks=marks(4, 4, 4, 4, 4), business_date=DAY)
    # 100.00, 70.00, 87.50 (worked in tests/unit/test_quality_rules.py): mean 85.83, deviations
    # 14.17, −15.83, 1.67; the threshold 15 flags the lead.
    score_in_calibration(user=world.officer, session=session, marks=marks(4, 4, 4, 4, 4), business_date=DAY)
    score_in_calibration(user=world.lead_a, session=session, marks=marks(3, 4, 2, 1, 3), business_date=DAY)
    score_in_calibration(user=world.reviewer, session=session, marks=marks(4, 4, 3, 3, 3), business_date=DAY)
    with pytest.raises(Conflict):
        score_in_calibration(user=world.lead_a, session=session, marks=marks(4, 4, 4, 4, 4), business_date=DAY)
    reviews, result = calibration_of(session)
    assert [r.score for r in reviews] == [Decimal("100.00"), Decimal("70.00"), Decimal("87.50")]
    assert result.mean == Decimal("85.83")
    assert result.spread == {"identification": 1, "wording": 0, "amounts": 2, "empathy": 3, "offer": 1}
    assert result.deviation == {
        world.officer.pk: Decimal("14.17"),
        world.lead_a.pk: Decimal("-15.83"),
        world.reviewer.pk: Decimal("1.67"),
    }
    assert result.flagged == {world.lead_a.pk}
    # Calibration scores never feed the collector's figures.
    assert queries.collector_scores(DAY, DAY + dt.timedelta(days=1)) == {}
