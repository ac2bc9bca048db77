"""Quality review in a browser, in Chinese and in English: a team lead finds the contact in the
queue, reads it and scores it on the scorecard; the collector acknowledges that review and disputes
another with a reason. Two sign-ins per language."""

from __future__ import annotations

from typing import Any

import pytest

from arrears.cycle import business_date
from arrears.quality.models import ReviewTask, TaskStatus
from arrears.quality.operations import submit_review
from tests.builders import PASSWORD
from tests.functional.conftest import screenshot
from tests.quality_world import DAY, quality_world, task

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def sign_in(page: Any, url: str, user: Any) -> None:
    page.context.clear_cookies()
    page.goto(f"{url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.parametrize(
    ("prefix", "heading", "saved", "acknowledged", "disputed", "critical"),
    [
        ("", "质检任务", "质检已保存：得分 70.00。", "已确认", "申诉中", "关键项"),
        ("/en", "Review task", "Review saved: score 70.00.", "acknowledged", "disputed", "critical"),
    ],
)
def test_review_then_acknowledge_and_dispute(
    live_server: Any,
    page: Any,
    monkeypatch: pytest.MonkeyPatch,
    prefix: str,
    heading: str,
    saved: str,
    acknowledged: str,
    disputed: str,
    critical: str,
) -> None:
    monkeypatch.setattr(business_date, "current", lambda: DAY)
    world = quality_world()
    first = task(world.case, world.c1, hour=9)
    second = task(world.case, world.c1, hour=10)
    # The second is reviewed already by the compliance officer: 4,0,… — prohibited wording zeroes it.
    submit_review(
        user=world.officer,
        task=second,
        marks={"identification": 4, "wording": 0, "amounts": 4, "empathy": 4, "offer": 4},
        business_date=DAY,
    )

    sign_in(page, live_server.url, world.lead_a)
    page.goto(f"{live_server.url}{prefix}/quality/?status=open")
    assert page.locator(f"#task-row-{second.pk}").count() == 0  # filtered: reviewed already
    page.locator(f"#task-row-{first.pk} a").click()
    page.wait_for_load_state()
    assert heading in page.locator("h1").inner_text()
    assert page.locator("#contact-notes").inner_text() == "客户承诺月底还款"
    assert critical in page.locator("#score-form").inner_text()
    # 3, 4, 2, 1, 3 with weights 20/30/20/15/15: (60 + 120 + 40 + 15 + 45) / 4 = 70.00
    for name, mark in (("identification", "3"), ("wording", "4"), ("amounts", "2"), ("empathy", "1"), ("offer", "3")):
        page.select_option(f"#m-{name}", mark)
    page.fill("#m-comment", "未复述还款金额")
    screenshot(page, f"quality-task{prefix.replace('/', '-')}")
    page.click("#save-review")
    page.wait_for_load_state()
    assert saved in page.content()
    assert page.locator("#task-score").inner_text() == "70.00"

    sign_in(page, live_server.url, world.c1)
    page.goto(f"{live_server.url}{prefix}/quality/mine/")
    assert page.locator(f"#mine-score-{first.pk}").inner_text() == "70.00"
    assert page.locator(f"#mine-score-{second.pk}").inner_text() == "0.00"
    page.click(f"#acknowledge-{first.pk}")
    page.wait_for_load_state()
    assert page.locator(f"#mine-status-{first.pk}").inner_text() == acknowledged
    assert page.locator(f"#dispute-{first.pk}").count() == 0
    page.fill(f"#reason-{second.pk}", "我没有使用违规用语，请复听录音")
    page.click(f"#dispute-{second.pk}")
    page.wait_for_load_state()
    assert page.locator(f"#mine-status-{second.pk}").inner_text() == disputed
    screenshot(page, f"quality-mine{prefix.replace('/', '-')}")

    statuses = dict(ReviewTask.objects.values_list("pk", "status"))
    assert statuses == {first.pk: TaskStatus.ACKNOWLEDGED, second.pk: TaskStatus.DISPUTED}
    assert ReviewTask.objects.get(pk=second.pk).dispute_reason == "我没有使用违规用语，请复听录音"
