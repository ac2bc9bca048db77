"""Host-feed mode: people see what the card host has not applied yet and what it refused, on the case page
(one query more, and none in own-ledger mode) and in the read-only admin list."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from arrears.cases.models import Case
from arrears.cycle.business_date import open_date
from arrears.ledger.models import InstructionStatus, OutboundInstruction
from arrears.ledger.outbound import acknowledge, export_instructions
from tests.collections_factories import PASSWORD, delinquent_customers, staff, team_with_queue
from tests.factories import pay

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 5, 3)
HOST = override_settings(ARREARS_LEDGER_MODE="host_feed")


@pytest.fixture
def case(tmp_path: Path) -> Case:
    """A payment of 50.00 (5.00 of fees, 45.00 of principal: two instructions) sent and refused by the
    host, and one of 1.00 not sent yet; the case is in the queue of the collector's team."""
    open_date(TODAY)
    collector = staff(team=team_with_queue())
    [case] = delinquent_customers(1, through=TODAY)
    account = case.customer.accounts.get()
    with HOST:
        pay(account, TODAY, "50.00", reference="P-REFUSED")
        export_instructions(tmp_path, business_date=TODAY)
        refused = [
            {"instruction_id": str(pk), "status": "rejected", "host_reference": "", "reason": "账户已冻结"}
            for pk in OutboundInstruction.objects.values_list("id", flat=True)
        ]
        acknowledge(rows=refused, business_date=TODAY)
        pay(account, TODAY, "1.00", reference="P-WAITING")
    case.collector_name = collector.username  # type: ignore[attr-defined]
    return case


def _page(client: Client, case: Case) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_the_case_page_shows_refused_and_waiting_instructions_for_one_query_more(case: Case) -> None:
    client = Client()
    assert client.login(username=case.collector_name, password=PASSWORD)  # type: ignore[attr-defined]
    client.get(f"/cases/{case.pk}/")  # warms the caches

    own_page, own = _page(client, case)
    with HOST:
        host_page, host = _page(client, case)

    assert 'id="host-instructions"' not in own_page
    assert host == own + 1
    section = host_page.split('id="host-instructions"', 1)[1].split("</dd>", 1)[0]
    assert section.count('class="host-instruction"') == 3
    assert section.count("发卡主机已拒绝") == 2 and "账户已冻结" in section and "待发送" in section


def test_the_admin_lists_instructions_by_status_and_changes_none(case: Case) -> None:
    User.objects.create_superuser("chief", password="pw-for-tests")
    client = Client()
    assert client.login(username="chief", password="pw-for-tests")
    base = "/admin/ledger/outboundinstruction/"

    refused = client.get(f"{base}?status__exact={InstructionStatus.REJECTED}").content.decode()
    waiting = client.get(f"{base}?status__exact={InstructionStatus.PENDING}").content.decode()

    assert refused.count("账户已冻结") == 2 and "-50.00" not in refused
    assert "-1.00" in waiting and "账户已冻结" not in waiting
    one = OutboundInstruction.objects.order_by("id").first()
    assert one is not None
    assert client.get(f"{base}{one.pk}/change/").status_code == 200  # shown, read-only
    assert client.post(f"{base}{one.pk}/change/", {"status": "acknowledged"}).status_code == 403
    assert client.get(f"{base}add/").status_code == 403
    one.refresh_from_db()
    assert one.status == InstructionStatus.REJECTED
