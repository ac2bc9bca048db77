"""The workbench by day: cases listed in the order the queue serves them, masked numbers, no night state."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from arrears.cases.models import Case
from tests.collections_factories import PASSWORD, delinquent_customers, staff, team_with_queue

pytestmark = pytest.mark.django_db


def test_by_day_the_cases_may_be_called_and_numbers_are_masked() -> None:
    team = team_with_queue()
    collector = staff(team=team)
    cases = delinquent_customers(2)
    Case.objects.filter(pk=cases[0].pk).update(worst_bucket=6, priority=6 * 10**9)
    for i, case in enumerate(cases):
        case.customer.mobile = f"1380013800{i}"
        case.customer.save()
    client = Client()
    client.login(username=collector.username, password=PASSWORD)
    page = client.get("/work/").content.decode()
    assert 'id="night-state"' not in page
    assert re.search(r'data-count="callable">\s*2<', page)
    assert "1380013800" not in page  # masked
    # Early buckets first: the M1 case is listed before the one made M6.
    assert page.index(f'data-case="{cases[1].pk}"') < page.index(f'data-case="{cases[0].pk}"')
