"""Quality review's pages through the Django test client: who may open them, another team's ids
answering as unknown ones, the scorecard form's errors, and the task and calibration pages read in
Chinese and in English with nothing of the other language."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from arrears.cycle import business_date
from arrears.interfaces.web.concessions import masked_name
from arrears.quality.models import CalibrationSession, Review, ReviewTask, TaskStatus
from arrears.quality.operations import open_calibration, submit_review
from tests.builders import PASSWORD
from tests.functional.test_translations_complete import chinese_strings, english_words, visible_text
from tests.quality_world import DAY, QualityWorld, quality_world, task

pytestmark = pytest.mark.django_db

MARKS = {"identification": "3", "wording": "4", "amounts": "2", "empathy": "1", "offer": "3"}  # 70.00


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> QualityWorld:
    monkeypatch.setattr(business_date, "current", lambda: DAY)
    return quality_world()


def client_of(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def body(response: Any) -> str:
    return str(response.content.decode())


def test_who_may_open_what_and_other_teams_ids_are_not_found(world: QualityWorld) -> None:
    mine = task(world.case, world.c1)
    theirs = task(world.case, world.c3, hour=10)  # team B's collector
    session = open_calibration(user=world.officer, task=mine, business_date=DAY)

    collector = client_of(world.c1)
    for path in ("/quality/", f"/quality/tasks/{mine.pk}/", f"/quality/calibration/{session.pk}/"):
        assert collector.get(path).status_code == 403, path
        assert collector.post(path, MARKS).status_code == 403, path
    assert collector.get("/quality/mine/").status_code == 200

    lead_a, lead_b = client_of(world.lead_a), client_of(world.lead_b)
    queue = body(lead_a.get("/quality/"))
    assert f"task-row-{mine.pk}" in queue and f"task-row-{theirs.pk}" not in queue
    assert lead_a.get(f"/quality/tasks/{theirs.pk}/").status_code == 404
    for path in (f"/quality/tasks/{mine.pk}/", f"/quality/calibration/{session.pk}/"):
        unknown = path.replace(str(mine.pk if "tasks" in path else session.pk), "987654321")
        b, u = lead_b.get(path), lead_b.get(unknown)
        assert (b.status_code, u.status_code) == (404, 404), path
        assert lead_b.post(path, MARKS).status_code == 404
    assert not Review.objects.exists()
    assert f"task-row-{theirs.pk}" in body(lead_b.get("/quality/"))
    ReviewTask.objects.filter(pk=mine.pk).update(reasons=["complaint", "new_collector"])
    assert f"task-row-{mine.pk}" in body(lead_a.get("/quality/?reason=new_collector"))
    assert f"task-row-{mine.pk}" in body(lead_a.get("/quality/?reason=complaint"))
    assert f"task-row-{mine.pk}" not in body(lead_a.get("/quality/?reason=random"))
    assert f"task-row-{mine.pk}" not in body(lead_a.get("/quality/?reason=gate_flag"))
    assert f"task-row-{mine.pk}" not in body(lead_a.get("/quality/?status=reviewed"))
    assert f"task-row-{mine.pk}" not in body(lead_a.get(f"/quality/?from={DAY + dt.timedelta(days=1)}"))
    # A team lead who is also… a collector's contact: nobody sees their own contacts in the queue.
    officer = client_of(world.officer)
    page = body(officer.get("/quality/?status=open&collector=" + str(world.c3.pk)))
    assert f"task-row-{theirs.pk}" in page and f"task-row-{mine.pk}" not in page

    # The collector's page: another collector's review, posted, is not found; nothing changes.
    submit_review(user=world.lead_a, task=mine, marks={k: int(v) for k, v in MARKS.items()}, business_date=DAY)
    other = client_of(world.c2)
    assert other.post("/quality/mine/", {"task": mine.pk, "action": "acknowledge"}).status_code == 404
    assert other.post("/quality/mine/", {"task": "987654321", "action": "acknowledge"}).status_code == 404
    assert f"mine-{mine.pk}" not in body(other.get("/quality/mine/"))
    assert ReviewTask.objects.get(pk=mine.pk).status == TaskStatus.REVIEWED


def test_score_dispute_and_resolve_through_the_pages(world: QualityWorld) -> None:
    t = task(world.case, world.c1)
    lead = client_of(world.lead_a)
    bad = lead.post(f"/en/quality/tasks/{t.pk}/", {**MARKS, "amounts": "9"}, follow=True)
    assert "Accuracy of amounts: must be between 0 and 4" in body(bad)
    bad = lead.post(f"/quality/tasks/{t.pk}/", {**MARKS, "amounts": ""}, follow=True)
    assert "金额准确" in body(bad)
    assert not Review.objects.exists()
    done = lead.post(f"/en/quality/tasks/{t.pk}/", {**MARKS, "comment": "did not confirm the amount"}, follow=True)
    assert "Review saved: score 70.00." in body(done)

    collector = client_of(world.c1)
    page = body(collector.get("/en/quality/mine/"))
    assert f'id="mine-score-{t.pk}">70.00<' in page
    refused = collector.post("/en/quality/mine/", {"task": t.pk, "action": "dispute", "reason": " "}, follow=True)
    assert "Reason: must not be empty" in body(refused)
    collector.post("/quality/mine/", {"task": t.pk, "action": "dispute", "reason": "我核对了金额"})
    assert ReviewTask.objects.get(pk=t.pk).status == TaskStatus.DISPUTED

    assert 'id="resolve-form"' not in body(lead.get(f"/quality/tasks/{t.pk}/"))  # the first reviewer
    officer = client_of(world.officer)
    page = body(officer.get(f"/quality/tasks/{t.pk}/"))
    assert 'id="resolve-form"' in page and "我核对了金额" in page
    officer.post(
        f"/quality/tasks/{t.pk}/",
        {"action": "resolve", "decision": "amend", **MARKS, "amounts": "4"},  # 70 + 20·2/4 = 80.00
    )
    t.refresh_from_db()
    assert (t.status, t.final_score) == (TaskStatus.RESOLVED, Decimal("80.00"))

    # Calibration from the task page.
    response = officer.post(f"/quality/tasks/{t.pk}/", {"action": "calibrate", "threshold": "15"})
    session = CalibrationSession.objects.get()
    assert response["Location"].endswith(f"/quality/calibration/{session.pk}/")
    officer.post(f"/quality/calibration/{session.pk}/", {k: "4" for k in MARKS})  # 100.00
    lead.post(f"/quality/calibration/{session.pk}/", MARKS)  # 70.00
    page = body(lead.get(f"/en/quality/calibration/{session.pk}/"))
    # mean 85.00; deviations +15.00 and −15.00: not beyond 15.
    assert 'id="session-mean">85.00<' in page and "beyond the threshold" not in page
    assert 'id="calibration-form"' not in page  # scored already


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_pages_read_in_one_language(world: QualityWorld, language: str) -> None:
    t = task(world.case, world.c1)
    submit_review(user=world.lead_a, task=t, marks={k: int(v) for k, v in MARKS.items()}, business_date=DAY)
    ReviewTask.objects.filter(pk=t.pk).update(status=TaskStatus.DISPUTED, dispute_reason="x")
    session = open_calibration(user=world.officer, task=t, business_date=DAY)
    client_of(world.officer).post(f"/quality/calibration/{session.pk}/", MARKS)
    prefix = "" if language == "zh-hans" else "/en"
    names = {u.username for u in (world.c1, world.lead_a, world.officer)} | {
        masked_name(world.case.customer.name),
        t.contact.notes,
        "x",
        "简体中文",  # the language picker names each language in itself
    }
    seen = []
    for who, path in (
        (world.officer, f"/quality/tasks/{t.pk}/"),
        (world.officer, f"/quality/calibration/{session.pk}/"),
        (world.officer, "/quality/"),
        (world.c1, "/quality/mine/"),
        (world.c1, "/quality/"),  # the 403 page
    ):
        response = client_of(who).get(prefix + path)
        assert response.status_code in (200, 403)
        text = visible_text(body(response))
        seen.append(" ".join(text))
        wrong = english_words(text, names) if language == "zh-hans" else chinese_strings(text, names)
        assert wrong == set(), (path, wrong)
    joined = " ".join(seen)
    assert ("身份核实" in joined) if language == "zh-hans" else ("Identification" in joined)
    assert ("合规记录" in joined) if language == "zh-hans" else ("Compliance record" in joined)


def test_dates_are_business_dates(world: QualityWorld) -> None:
    t = task(world.case, world.c1)
    client_of(world.lead_a).post(f"/quality/tasks/{t.pk}/", MARKS)
    t.refresh_from_db()
    assert t.final_on == DAY and t.final_on != DAY + dt.timedelta(days=1)
