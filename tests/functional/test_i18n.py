"""Every page in Chinese by default and in English on request; the catalogue translates every string."""

from __future__ import annotations

import ast
import datetime as dt
import gettext
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from arrears.contacts.models import Contact
from arrears.cycle.business_date import open_date
from arrears.people.models import Role
from tests.collections_factories import PASSWORD, delinquent_customers, staff, team_with_queue

TODAY = dt.date(2026, 5, 3)
MESSAGES = Path(__file__).resolve().parents[2] / "src" / "arrears" / "locale" / "zh_Hans" / "LC_MESSAGES"


@pytest.fixture
def shift(db: None) -> dict[str, Any]:
    open_date(TODAY)
    lead = staff(Role.TEAM_LEAD)
    team = team_with_queue(lead=lead)
    collector = staff(team=team)
    cases = delinquent_customers(2, through=TODAY)
    return {"lead": lead, "collector": collector, "cases": cases}


def login(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def text(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


class TestPages:
    def test_the_workbench_is_in_chinese_by_default(self, shift: dict[str, Any]) -> None:
        page = text(login(shift["collector"]).get("/work/"))
        assert '<html lang="zh-hans">' in page
        for label in ("我的工作台", "下一个账户", "我的案件", "逾期金额", "账龄", "分配给您的案件共 2 件。"):
            assert label in page
        assert "Next account" not in page and "My workbench" not in page

    def test_the_customer_360_page_is_in_chinese_by_default(self, shift: dict[str, Any]) -> None:
        client = login(shift["collector"])
        taken = client.post("/work/next/")
        assert taken.status_code == 302
        page = text(client.get(taken["Location"]))
        for label in (
            "引导式通话",
            "保存并处理下一户",
            "财务状况",
            "逾期天数",
            "承诺还款",
            "接通对象",
            "本人接通",
            "处理中",
        ):
            assert label in page
        for english in ("Guided call", "Save and next account", "Days past due", "right-party contact"):
            assert english not in page

    def test_switching_to_english_gives_english_pages(self, shift: dict[str, Any]) -> None:
        client = login(shift["collector"])
        switched = client.post("/i18n/setlang/", {"language": "en", "next": "/work/"})
        assert switched.status_code == 302 and switched["Location"] == "/en/work/"
        page = text(client.get(switched["Location"]))
        assert '<html lang="en">' in page
        assert "Next account" in page and "My workbench" in page and "2 case(s) assigned to you." in page
        assert "下一个账户" not in page
        case = text(client.get(f"/en/cases/{shift['cases'][0].pk}/"))
        assert "Guided call" in case and "Days past due" in case and "right-party contact" in case
        assert "引导式通话" not in case

    def test_a_form_error_from_the_domain_is_in_the_language_of_the_page(self, shift: dict[str, Any]) -> None:
        client = login(shift["collector"])
        case = shift["cases"][0]
        body = {
            "action": "contact",
            "channel": "phone",
            "direction": "outbound",
            "party": "spouse",
            "result": "right_party_contact",
            "duration_seconds": "60",
        }
        assert "本人接通时，接通对象须为持卡人本人" in text(client.post(f"/cases/{case.pk}/", body))
        assert "a right-party contact reaches the cardholder" in text(client.post(f"/en/cases/{case.pk}/", body))
        assert not Contact.objects.filter(case=case).exists()

    def test_the_team_page_and_the_portfolio_are_in_chinese(self, shift: dict[str, Any]) -> None:
        client = login(shift["lead"])
        team = text(client.get("/team/"))
        assert "重新分配案件" in team and "今日本人接通" in team
        home = text(client.get("/"))
        assert "按账龄分布的资产概览" in home and "关注" in home
        assert "Special mention" not in home and "special mention" in text(client.get("/en/"))


def parse_po(path: Path) -> list[dict[str, Any]]:
    """The entries of a .po file: flags, msgctxt, msgid and msgstr (msgstr[0] for plurals), unescaped."""
    entries: list[dict[str, Any]] = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry: dict[str, Any] = {"flags": set()}
        key = None
        for line in block.strip().splitlines():
            if line.startswith("#~"):
                entry["obsolete"] = True
            elif line.startswith("#,"):
                entry["flags"].update(f.strip() for f in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                entry[key] += ast.literal_eval(line)
            else:
                key, _, quoted = line.partition(" ")
                key = "msgstr" if key == "msgstr[0]" else key
                entry[key] = ast.literal_eval(quoted)
        if "msgid" in entry and not entry.get("obsolete"):
            entries.append(entry)
    return entries


class TestCatalogue:
    def test_every_string_is_translated_and_none_is_fuzzy(self) -> None:
        entries = parse_po(MESSAGES / "django.po")
        assert len(entries) > 300
        untranslated = [e["msgid"] for e in entries if e["msgid"] and not e["msgstr"]]
        fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
        assert untranslated == [] and fuzzy == []

    def test_placeholders_are_kept(self) -> None:
        import re

        placeholder = re.compile(r"%\(\w+\)[sd]|\{\{ *\w+ *\}\}")
        for e in parse_po(MESSAGES / "django.po"):
            assert sorted(placeholder.findall(e["msgid"])) == sorted(placeholder.findall(e["msgstr"])), e["msgid"]

    def test_the_compiled_catalogue_matches_the_po_file(self) -> None:
        with (MESSAGES / "django.mo").open("rb") as f:
            compiled = gettext.GNUTranslations(f)
        for e in parse_po(MESSAGES / "django.po"):
            if not e["msgid"]:
                continue
            if "msgid_plural" in e:
                got = compiled.ngettext(e["msgid"], e["msgid_plural"], 1)
            elif "msgctxt" in e:
                got = compiled.pgettext(e["msgctxt"], e["msgid"])
            else:
                got = compiled.gettext(e["msgid"])
            assert got == e["msgstr"], f"django.mo is stale for {e['msgid']!r}: run compilemessages"
