"""The shell in a real browser: sign-in lands by role, the navigation's inbox counts in both languages,
the language choice sticks (cookie, unprefixed addresses, profile across sign-out and sign-in), a
forbidden page inside the layout, and /api/docs working with nothing but this server reachable."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from arrears.cycle.business_date import open_date
from arrears.people.models import Profile, Role
from tests.builders import PASSWORD, staff
from tests.functional.conftest import screenshot
from tests.functional.two_teams import TODAY, two_teams

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def log_in(page: Any, base: str, username: str, *, prefix: str = "") -> None:
    page.goto(f"{base}{prefix}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def path_of(page: Any) -> str:
    return urlsplit(page.url).path


class TestTheShell:
    def test_a_lead_lands_on_the_team_page_with_counted_inboxes_and_the_language_sticks(
        self, live_server: Any, page: Any, browser: Any
    ) -> None:
        open_date(TODAY)
        world = two_teams()
        base = live_server.url

        log_in(page, base, world.a.lead.username)
        assert path_of(page) == "/team/"
        approvals = page.locator("#nav-approvals")
        assert approvals.inner_text().split() == ["审批", "1"]
        assert page.locator("#nav-plans").inner_text().split() == ["还款计划", "0"]
        assert page.locator("#nav-handoffs").count() == 0
        page.goto(f"{base}/")
        assert page.locator("#portfolio tr").count() >= 1
        screenshot(page, "shell-portfolio-zh")
        page.click("#nav-approvals")
        page.wait_for_url("**/approvals/")
        assert page.locator("#nav-approvals").get_attribute("aria-current") == "page"
        screenshot(page, "shell-approvals-zh")

        # Choose English in the header: the same page in English, the cookie set, the profile kept.
        with page.expect_navigation():
            page.select_option("select[name=language]", "en")
        assert path_of(page) == "/en/approvals/"
        assert page.locator("#nav-approvals").inner_text().split() == ["Approvals", "1"]
        assert Profile.objects.get(user=world.a.lead).language == "en"
        # An address without a language prefix honours the choice.
        page.goto(f"{base}/work/")
        assert path_of(page) == "/en/work/"
        assert page.locator("html").get_attribute("lang") == "en"
        screenshot(page, "shell-workbench-en")

        # Sign out; a fresh browser (no cookie) signs in and opens in English, from the profile.
        page.click("text=Log out")
        page.wait_for_load_state()
        other = browser.new_context(locale="zh-CN")
        fresh = other.new_page()
        try:
            log_in(fresh, base, world.a.lead.username)
            assert path_of(fresh) == "/en/team/"
            assert fresh.locator("#nav-approvals").inner_text().split() == ["Approvals", "1"]
            fresh.goto(f"{base}/approvals/")
            assert path_of(fresh) == "/en/approvals/"
            # Back to Chinese: unprefixed addresses are Chinese again, and so is the next sign-in.
            with fresh.expect_navigation():
                fresh.select_option("select[name=language]", "zh-hans")
            assert path_of(fresh) == "/approvals/"
            assert fresh.locator("#nav-approvals").inner_text().split() == ["审批", "1"]
            assert Profile.objects.get(user=world.a.lead).language == "zh-hans"
        finally:
            other.close()

    def test_a_collector_lands_on_the_workbench_and_meets_a_forbidden_page_inside_the_layout(
        self, live_server: Any, page: Any
    ) -> None:
        open_date(TODAY)
        collector = staff(Role.COLLECTOR)
        base = live_server.url

        page.goto(f"{base}/login/")
        screenshot(page, "shell-login-zh")
        log_in(page, base, collector.username)
        assert path_of(page) == "/work/"
        page.goto(f"{base}/team/")
        assert page.locator("#forbidden h1").inner_text() == "您的角色无权打开此页面"
        assert page.locator("#reason").inner_text() == "此页面仅供主管使用。"
        assert page.locator("nav.mainnav").is_visible() and page.locator("#business-date").is_visible()
        screenshot(page, "shell-forbidden-zh")

        response = page.goto(f"{base}/en/audit/")
        assert response is not None and response.status == 403
        assert page.locator("#forbidden h1").inner_text() == "This page is not open to your role"
        assert "组长" not in page.content()
        page.goto(f"{base}/en/no-such-page/")
        assert page.locator("#not-found h1").inner_text() == "There is nothing here"

    def test_the_api_docs_render_with_only_this_server_reachable(self, live_server: Any, page: Any) -> None:
        open_date(TODAY)
        lead = staff(Role.TEAM_LEAD)
        base = live_server.url
        elsewhere: list[str] = []

        def only_here(route: Any) -> None:
            if route.request.url.startswith(base) or route.request.url.startswith("data:"):
                route.continue_()
            else:
                elsewhere.append(route.request.url)
                route.abort()

        page.route("**/*", only_here)
        log_in(page, base, lead.username)
        blocked: list[str] = []
        page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto(f"{base}/api/docs")
        page.wait_for_selector(".opblock", timeout=20_000)
        assert page.locator(".opblock").count() > 10
        assert page.locator(".information-container .title").inner_text().strip() != ""
        assert elsewhere == [] and blocked == []
        screenshot(page, "shell-api-docs")
