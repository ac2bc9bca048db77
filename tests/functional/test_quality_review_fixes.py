"""Review of issue 13: the quality task page's posts that ended in a server error (500) answer with
the field and the reason instead, and write nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from arrears.audit.models import AuditEntry
from arrears.cycle import business_date
from arrears.interfaces.web.errors import FIELDS, MESSAGES
from arrears.quality.models import CalibrationSession, Review, TaskStatus
from arrears.quality.operations import submit_review
from tests.builders import PASSWORD
from tests.quality_world import DAY, QualityWorld, quality_world, task

pytestmark = pytest.mark.django_db

MARKS = {"identification": 3, "wording": 4, "amounts": 2, "empathy": 1, "offer": 3}


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> QualityWorld:
    monkeypatch.setattr(business_date, "current", lambda: DAY)
    return quality_world()


def client_of(user: Any) -> Client:
    client = Client(raise_request_exception=False)
    assert client.login(username=user.username, password=PASSWORD)
    return client


def zh(text: object) -> str:
    with translation.override("zh-hans"):
        return str(text)


def test_resolving_a_task_never_reviewed_is_refused_not_a_server_error(world: QualityWorld) -> None:
    # Before: resolve_dispute read the first review with .get() before checking the task was disputed:
    # Review.DoesNotExist, a 500.
    open_task = task(world.case, world.c1)
    response = client_of(world.officer).post(
        f"/quality/tasks/{open_task.pk}/", {"action": "resolve", "decision": "uphold"}
    )
    assert response.status_code == 200
    assert zh(MESSAGES["already_decided"]) in response.content.decode()
    open_task.refresh_from_db()
    assert open_task.status == TaskStatus.OPEN and not Review.objects.exists()
    assert not AuditEntry.objects.filter(action="quality.resolve_dispute").exists()


@pytest.mark.parametrize(
    ("threshold", "code"),
    [
        ("NaN", "not_a_number"),
        ("sNaN", "not_a_number"),
        ("Infinity", "not_a_number"),
        ("-1", "out_of_range"),
        ("1e400", "out_of_range"),
        ("12.345", "validation_failed"),
    ],
)
def test_a_calibration_threshold_that_is_not_a_number_of_points_names_the_field(
    world: QualityWorld, threshold: str, code: str
) -> None:
    # Before: Decimal("NaN") compared with 0 raised InvalidOperation (a 500); "12.345" failed at the
    # database (two decimal places).
    open_task = task(world.case, world.c1)
    response = client_of(world.officer).post(
        f"/quality/tasks/{open_task.pk}/", {"action": "calibrate", "threshold": threshold}
    )
    assert response.status_code == 200, threshold
    wording = zh(MESSAGES[code]) % {"low": 0, "high": 100} if code == "out_of_range" else zh(MESSAGES[code])
    assert f"{zh(FIELDS['threshold'])}：{wording}" in response.content.decode()
    assert not CalibrationSession.objects.exists()


def queries_of(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as seen:
        assert client.get(path).status_code == 200
    return len(seen)


def test_the_queue_and_my_reviews_cost_as_many_queries_for_six_tasks_as_for_one(world: QualityWorld) -> None:
    first = task(world.case, world.c1)
    submit_review(user=world.officer, task=first, marks=MARKS, business_date=DAY)
    officer, collector = client_of(world.officer), client_of(world.c1)
    queries_of(officer, "/quality/"), queries_of(collector, "/quality/mine/")  # warm: the first load caches
    queue_one, mine_one = queries_of(officer, "/quality/"), queries_of(collector, "/quality/mine/")
    for hour in range(10, 15):  # five more tasks of c1, each reviewed
        submit_review(user=world.officer, task=task(world.case, world.c1, hour=hour), marks=MARKS, business_date=DAY)
    assert queries_of(officer, "/quality/") == queue_one
    assert queries_of(collector, "/quality/mine/") == mine_one
