"""A page a person may not open, or that does not exist, answers inside the layout, in the page's
language, with the reason the view gave: never bare text."""

from __future__ import annotations

import pytest
from django.test import Client

from arrears.people.models import Role
from tests.builders import PASSWORD, staff

pytestmark = pytest.mark.django_db

FORBIDDEN_TO_A_COLLECTOR = {
    "/team/": ("此页面仅供主管使用。", "This page is for team leads."),
    "/audit/": ("此页面仅供合规专员使用。", "This page is for compliance officers."),
    "/handoffs/": ("此页面仅供客服代表和信用评估员使用。", "This page is for customer service and credit assessors."),
    "/plans/inbox/": ("此页面仅供信用评估员和主管使用。", "This page is for credit assessors and team leads."),
    "/insight/": ("此页面仅供催收经理和主管使用。", "This page is for collections managers and team leads."),
}


@pytest.fixture
def collector() -> Client:
    client = Client()
    assert client.login(username=staff(Role.COLLECTOR).username, password=PASSWORD)
    return client


@pytest.mark.parametrize("url", list(FORBIDDEN_TO_A_COLLECTOR))
def test_a_forbidden_page_is_the_layouts_in_both_languages(collector: Client, url: str) -> None:
    chinese, english = FORBIDDEN_TO_A_COLLECTOR[url]
    zh = collector.get(url)
    en = collector.get("/en" + url)

    assert zh.status_code == en.status_code == 403
    zh_page, en_page = zh.content.decode(), en.content.decode()
    for page in (zh_page, en_page):
        assert '<header class="site-header">' in page and 'id="forbidden"' in page and "<nav" in page
    assert "您的角色无权打开此页面" in zh_page and "This page is not open to your role" in en_page
    assert f'<p id="reason">{english}</p>' in en_page
    assert f'<p id="reason">{chinese}</p>' in zh_page
    assert english not in zh_page


def test_a_missing_page_is_the_layouts(collector: Client) -> None:
    response = collector.get("/en/nowhere/")
    assert response.status_code == 404
    page = response.content.decode()
    assert 'id="not-found"' in page and '<header class="site-header">' in page
    assert "There is nothing here" in page


def test_an_api_path_still_answers_json(collector: Client) -> None:
    response = collector.get("/api/v1/nowhere")
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")
