"""No English left on Chinese pages, no Chinese on English pages, and nothing missing from the catalogue.

(a) every msgid of django.po has a msgstr, and none is fuzzy;
(b) every string the code marks for translation is in the catalogue: `makemessages` is run into a
    temporary copy of the locale directory and its msgids compared with the committed file's (the
    committed file is never rewritten);
(c) every page a person uses, found by walking the URL patterns (as the IDOR sweep does) over a
    seeded world (tests/functional/two_teams.py), rendered in zh-Hans for a collector, a team lead
    and an administrator: the visible text carries no ASCII word outside an allow-list;
(d) the same pages in English carry no CJK character outside the names of customers, products and
    teams the data holds.

A failure lists every offending string with the page it was found on, so a developer can act.
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import LocalePrefixPattern, URLPattern, URLResolver

from arrears.cases.models import Queue
from arrears.complaints.models import Complaint
from arrears.concessions.models import Concession
from arrears.contacts.models import Handoff, Note
from arrears.cycle import business_date
from arrears.disputes.models import Dispute
from arrears.interfaces.web.concessions import masked_name
from arrears.ledger.models import Customer
from arrears.people.models import Role
from arrears.products.models import Product
from arrears.urls import urlpatterns
from tests.builders import PASSWORD, pay, staff
from tests.functional.test_i18n import parse_po
from tests.functional.test_idor_sweep import ID_PARAMS, _template
from tests.functional.two_teams import TODAY, World, two_teams

SRC = Path(__file__).resolve().parents[2] / "src" / "arrears"
PO = SRC / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


# -- (a) and (b): the catalogue ---------------------------------------------------------------------


def test_every_msgid_has_a_msgstr_and_none_is_fuzzy() -> None:
    entries = parse_po(PO)
    assert len(entries) > 300
    untranslated = [e["msgid"] for e in entries if e["msgid"] and not e["msgstr"]]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert untranslated == [], "msgids without a msgstr in django.po:\n" + "\n".join(map(repr, untranslated))
    assert fuzzy == [], "fuzzy entries in django.po:\n" + "\n".join(map(repr, fuzzy))


def _key(entry: dict[str, object]) -> tuple[str, str]:
    return (str(entry.get("msgctxt", "")), str(entry["msgid"]))


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext tools are not installed")
def test_every_string_marked_in_the_code_is_in_the_catalogue(tmp_path: Path) -> None:
    committed_bytes = PO.read_bytes()
    copy = tmp_path / "arrears"
    shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("__pycache__", "static"))
    # makemessages walks the current directory: run it in the copy, with the aliases the code uses
    # for the lazy gettext (`gettext_lazy as _lazy`) as keywords too.
    script = (
        "import django; django.setup(); "
        "from django.conf import settings; settings.LOCALE_PATHS = []; "  # never the committed catalogue
        "from django.core.management import call_command; "
        "from django.core.management.commands.makemessages import Command; "
        "Command.xgettext_options = [*Command.xgettext_options, '--keyword=_lazy']; "
        "call_command('makemessages', locale=['zh_Hans'], no_obsolete=True, no_location=True, verbosity=0)"
    )
    run = subprocess.run(
        [sys.executable, "-c", script],
        cwd=copy,
        capture_output=True,
        text=True,
        env={"DJANGO_SETTINGS_MODULE": "arrears.settings", "PATH": "/usr/bin:/bin", "PYTHONPATH": ":".join(sys.path)},
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert PO.read_bytes() == committed_bytes, "makemessages must not touch the committed catalogue"
    found = {_key(e) for e in parse_po(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po") if e["msgid"]}
    committed = {_key(e) for e in parse_po(PO) if e["msgid"]}
    assert len(found) > 300
    missing = sorted(found - committed)
    assert missing == [], "strings marked for translation but missing from django.po (append them):\n" + "\n".join(
        f"{'[' + c + '] ' if c else ''}{m!r}" for c, m in missing
    )


# -- (c) and (d): the pages ---------------------------------------------------------------------------

# Routes not rendered, by name, and why.
NOT_RENDERED = {
    "logout": "signs out (a POST), shows nothing",
    "take-next": "a POST that redirects to a case page, which is rendered",
    "plan-document": "a PDF (its text is checked in the letter tests)",
    "optout": "public, needs a signed token (tests/functional/test_handoffs_and_callbacks.py)",
    "pay-test": "public, needs a checkout: scanned in both languages by tests/integration/test_payment_gateway.py",
    "plan-act": "POST only",
    "plan-propose": "POST only",
    "plan-quote": "POST only",
    "concession-create": "POST only",
    "dispute-open": "POST only: the form on the case and account pages",
    "dispute-evidence": "a PDF (its text is checked in tests/functional/test_disputes_pages.py)",
    "dispute-letter": "a PDF (its text is checked in tests/integration/test_disputes_worked_examples.py)",
    "account-reveal": "POST only: the reveal is a form on the account page",
    "set_language": "POST only: the language menu of every page",
    "team-export-csv": "a CSV file (its headers are checked in tests/functional/test_lead_page.py)",
    "team-export-xlsx": "an XLSX file (its headers are checked in tests/functional/test_lead_page.py)",
    "insight-export-csv": "a CSV file (its headers and rows are checked in tests/functional/test_insight_page.py)",
    "insight-export-xlsx": "an XLSX file (its headers and rows are checked in tests/functional/test_insight_page.py)",
    "legal-case": "needs a legal case: rendered and scanned in both languages by tests/functional/test_legal_pages.py",
    "agency-account": "agency users only: rendered in both languages by tests/functional/test_agency_in_browser.py",
    "agency-remittance": "an agency's month: rendered in both languages by tests/functional/test_agency_in_browser.py",
    "agency-remittance-csv": "a CSV file (its rows are checked in tests/functional/test_agency_access.py)",
    "insight-mine-weekly": "a PDF (its text is checked in both languages in tests/integration/test_weekly_report.py)",
    "insight-weekly-pdf": "a PDF (its text is checked in both languages in tests/integration/test_weekly_report.py)",
    "scoring-model": "needs a score model: rendered and scanned in both languages by "
    "tests/functional/test_scoring_pages.py",
    "scoring-model-promote": "POST only: the button on the score model's page",
    "quality-task": "needs a review task: rendered and scanned in both languages by "
    "tests/functional/test_quality_pages.py",
    "quality-calibration": "needs a calibration session: rendered and scanned in both languages by "
    "tests/functional/test_quality_pages.py",
}


def admin_pages() -> list[str]:
    """The admin's index and each app's page (model names); the users' list.

    Each model's list, add form and change form, with a row in every list, is scanned in both
    languages by tests/functional/test_admin_translated.py."""
    from django.contrib import admin

    found = ["/admin/", "/admin/auth/user/"]
    for model in admin.site._registry:
        found.append(f"/admin/{model._meta.app_label}/")
    return list(dict.fromkeys(found))


# ASCII words a Chinese page may show: codes, abbreviations and the product's name.
ALLOWED_ASCII = re.compile(
    r"""^(?:
        APR|DPD|SMS|PDF|CSV|XLSX|API|ID|IVR|OTP|UTC|CST|PTP|RPC|KPI|OK|HTMX|Arrears|Excel|
        English|                                                # the language picker names each language in itself
        True|False|                                             # the admin's boolean icons (Django's own alt text)
        M[0-7]|CN-[A-Z0-9-]+|US-[A-Z0-9-]+|[A-Z]{2,4}\d*|     # rule ids and short codes
        [\d.,:%/+\-*×]+[A-Za-z]?|                              # amounts, dates, times, rates
        [\dXx*•·]+|                                             # masked numbers
        [A-Z]{1,3}[A-Z0-9]{6,}|                                 # account references
        [\w.+-]+@[\w.-]+                                        # e-mail addresses
    )$""",
    re.X,
)
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]+")
WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9._%:/@+\-*]*")
VISIBLE_ATTRIBUTES = {"title", "placeholder", "aria-label"}
# Not read: scripts and styles, and <code>, which shows stored records verbatim (the audit trail).
# Not read as the page's language: code, and the keys of the keyboard as printed on it (Enter, Esc).
HIDDEN_ELEMENTS = {"script", "style", "template", "noscript", "code", "kbd"}


class VisibleText(HTMLParser):
    """The text a person reads: element text, a few attributes, button and submit values."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.other_language: list[str] = []  # open elements marked lang="…": the customer's words, by design

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in HIDDEN_ELEMENTS:
            self.hidden += 1
        values = dict(attrs)
        if tag != "html" and values.get("lang"):
            self.other_language.append(tag)
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value:
                self.parts.append(value)
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.parts.append(values["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN_ELEMENTS and self.hidden:
            self.hidden -= 1
        if self.other_language and self.other_language[-1] == tag:
            self.other_language.pop()

    def handle_data(self, data: str) -> None:
        if not self.hidden and not self.other_language and data.strip():
            self.parts.append(data.strip())


def visible_text(page: str) -> list[str]:
    parser = VisibleText()
    parser.feed(page)
    return [html.unescape(p) for p in parser.parts]


def english_words(texts: list[str], names: set[str]) -> set[str]:
    found = set()
    for text in texts:
        for name in sorted(names, key=len, reverse=True):  # the longest first: a queue named after its team
            text = text.replace(name, " ")
        for word in WORD.findall(text):
            word = word.rstrip(".:,-/")
            if word and not ALLOWED_ASCII.match(word) and re.search(r"[A-Za-z]{2,}", word):
                found.add(f"{word!r} in {text[:80]!r}")
    return found


def chinese_strings(texts: list[str], names: set[str]) -> set[str]:
    found = set()
    for text in texts:
        for name in sorted(names, key=len, reverse=True):  # the longest first: a queue named after its team
            text = text.replace(name, " ")
        for run in CJK.findall(text):
            if run.strip("\u3000 ·，。：（）"):
                found.add(f"{run!r} in {text[:80]!r}")
    return found


def pages(world: World) -> Iterator[tuple[str, str]]:
    """(route name, path) of every page with A's ids substituted, GET only."""

    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> Iterator[tuple[str, str]]:
        for p in patterns:
            if isinstance(p, URLResolver):
                if (p.namespace or p.app_name) in ("admin", "api-v1", "portal", "portal-api") or str(
                    p.pattern
                ).startswith(("api/", "portal/api/")):
                    continue
                if str(p.pattern) == "i18n/":
                    continue
                if isinstance(p.pattern, LocalePrefixPattern):  # the language prefix is added per request
                    yield from walk(p.url_patterns, prefix)
                    continue
                yield from walk(p.url_patterns, prefix + _template("", p.pattern).lstrip("/"))
            elif isinstance(p, URLPattern):
                name = p.name or str(p.pattern)
                if name in NOT_RENDERED or str(p.pattern).startswith(("api/", "^api/", "portal/api/", "^portal/api/")):
                    continue
                template = _template(prefix, p.pattern)
                params = re.findall(r"\{(\w+)\}", template)
                unknown = [x for x in params if x not in ID_PARAMS]
                assert not unknown, f"{name}: path parameter(s) {unknown}: add a value or list it in NOT_RENDERED"
                yield name, template.format(**{x: ID_PARAMS[x](world.a) for x in params})

    yield from walk(urlpatterns, "")


@pytest.fixture(autouse=True)
def _business_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(business_date, "current", lambda: TODAY)


@pytest.fixture
def world(db: None, monkeypatch: pytest.MonkeyPatch) -> World:
    """The two teams, and on A's case a history to show: a payment, a contact with a promise, a
    financial situation, a callback and a note, recorded as a collector does (10:05 Beijing time)."""
    from arrears.contacts.models import Contact
    from arrears.kernel import clock

    ticks = itertools.count()
    monkeypatch.setattr(
        clock, "now", lambda: dt.datetime(2026, 5, 3, 2, 5, tzinfo=dt.UTC) + dt.timedelta(seconds=next(ticks))
    )
    w = two_teams()
    pay(accounts=[w.a.account], amounts=["50.00"], on=TODAY)
    client = Client()
    assert client.login(username=w.a.collector.username, password=PASSWORD)
    case = f"/cases/{w.a.case.pk}/"
    for body in (
        {
            "action": "contact",
            "channel": "phone",
            "direction": "outbound",
            "party": "cardholder",
            "result": "right_party_contact",
            "disposition": "promise",
            "duration_seconds": "120",
            "promise_amount": "100.00",
            "promise_date": "2026-05-10",
        },
        {
            "action": "situation",
            "monthly_income": "8000.00",
            "monthly_expenses": "6000.00",
            "dependants": "1",
            "other_debts": "500.00",
            "ability": "able",
            "willingness": "willing",
        },
        {"action": "callback", "due_at": "2026-05-04T10:00"},
        {"action": "note", "text": "客户称下周发工资后还款"},
    ):
        client.post(case, body)
    assert Contact.objects.filter(case=w.a.case).exists()
    return w


def people(world: World) -> dict[str, User]:
    admin = staff(Role.ADMINISTRATOR)
    User.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    return {
        "collector": world.a.collector,
        "lead": world.a.lead,
        "service": staff(Role.CUSTOMER_SERVICE),
        "compliance": staff(Role.COMPLIANCE_OFFICER),
        "admin": User.objects.get(pk=admin.pk),
    }


def data_names() -> set[str]:
    """Names the data holds (customers, products, teams), which a page shows as they are."""
    from arrears.people.models import Team

    names = set(Customer.objects.values_list("name", flat=True))
    names |= {masked_name(n) for n in names}  # as the inboxes show them
    names |= set(Product.objects.values_list("name", flat=True))
    names |= set(Team.objects.values_list("name", flat=True))
    names |= set(Queue.objects.values_list("name", flat=True))
    names |= set(User.objects.values_list("username", flat=True))
    names |= set(Group.objects.values_list("name", flat=True))  # the roles' groups, named by their codes
    # Free text people typed: hand-off comments, concession evidence.
    names |= set(Handoff.objects.values_list("comment", flat=True))
    names |= set(Concession.objects.values_list("evidence", flat=True))
    names |= set(Note.objects.values_list("text", flat=True))
    names |= set(Dispute.objects.values_list("reason", flat=True))
    names |= set(Dispute.objects.values_list("proposed_reasons", flat=True))
    names |= set(Complaint.objects.values_list("description", flat=True))
    names |= {"简体中文"}  # the language picker names each language in itself
    return {n for n in names if n}


def render_all(world: World, language: str) -> tuple[dict[str, list[str]], list[str]]:
    """Every page's visible text, by 'who page', and the pages that did not render."""
    prefix = "" if language == "zh-hans" else "/en"
    rendered: dict[str, list[str]] = {}
    broken: list[str] = []
    case_path = f"/cases/{world.a.case.pk}/"
    for who, user in people(world).items():
        client = Client(raise_request_exception=False)
        assert client.login(username=user.username, password=PASSWORD)
        paths = [(name, path) for name, path in pages(world)]
        if who == "admin":
            paths += [(p, p) for p in admin_pages()]
        # The case page after a form error, so the errors are scanned too.
        posts = [
            ("case (contact error)", case_path, {"action": "contact", "channel": "phone", "party": "spouse"}),
            ("plan-propose (error)", f"/cases/{world.a.case.pk}/plans/propose/", {"method": "flat_fee"}),
            ("concession-create (error)", f"/cases/{world.a.case.pk}/concessions/", {"kind": "late_fee_waiver"}),
        ]
        for name, path in paths:
            response = client.get(prefix + path)
            if response.status_code == 403:  # forbidden pages are read too
                rendered[f"{who} {name} (403)"] = visible_text(response.content.decode())
                continue
            if response.status_code != 200:
                broken.append(f"{who} GET {prefix}{path}: {response.status_code}")
                continue
            if "text/html" in response["Content-Type"]:
                rendered[f"{who} {name}"] = visible_text(response.content.decode())
        if who == "collector":
            for name, path, body in posts:
                response = client.post(prefix + path, body, follow=True)
                if response.status_code == 200 and "text/html" in response["Content-Type"]:
                    rendered[f"{who} {name}"] = visible_text(response.content.decode())
    return rendered, broken


def test_chinese_pages_carry_no_english(world: World) -> None:
    rendered, broken = render_all(world, "zh-hans")
    assert broken == []
    names = data_names()
    assert {"collector case", "collector workbench", "lead team", "admin home", "admin /admin/"} <= set(rendered)
    assert {f"collector {n} (error)" for n in ("plan-propose", "concession-create")} <= set(rendered)
    assert "collector case (contact error)" in rendered
    offending = {page: sorted(english_words(texts, names)) for page, texts in rendered.items()}
    offending = {page: words for page, words in offending.items() if words}
    assert offending == {}, "English words on zh-Hans pages (translate them, or allow a code):\n" + "\n".join(
        f"{page}: {word}" for page, words in sorted(offending.items()) for word in words
    )


def test_english_pages_carry_no_chinese(world: World) -> None:
    rendered, broken = render_all(world, "en")
    assert broken == []
    names = data_names()
    assert {"collector case", "collector workbench", "lead team", "admin home", "admin /admin/"} <= set(rendered)
    assert {f"collector {n} (error)" for n in ("plan-propose", "concession-create")} <= set(rendered)
    assert "collector case (contact error)" in rendered
    offending = {page: sorted(chinese_strings(texts, names)) for page, texts in rendered.items()}
    offending = {page: words for page, words in offending.items() if words}
    assert offending == {}, "Chinese on English pages (mark the string for translation):\n" + "\n".join(
        f"{page}: {word}" for page, words in sorted(offending.items()) for word in words
    )


def test_the_scan_finds_what_it_should() -> None:
    """The scanners are not blind: an English word on a Chinese page and Chinese on an English page are found."""
    page = (
        '<p>逾期金额 ¥1,234.56 DPD 12 M2 CN-DIALS</p><button title="Save">保存</button><script>var x="Hello"</script>'
    )
    assert english_words(visible_text(page), set()) == {"'Save' in 'Save'"}
    assert chinese_strings(visible_text("<p>Amount 逾期</p><p>张三</p>"), {"张三"}) == {"'逾期' in 'Amount 逾期'"}
    assert english_words(visible_text("<p>first_due_date: 必填</p>"), set())


def test_the_compliance_gate_answers_in_the_language_of_the_page(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """A call at 22:05 Beijing time is refused, and the reason is worded in the page's language."""
    from arrears.contacts.models import Contact
    from arrears.kernel import clock

    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2026, 5, 3, 14, 5, tzinfo=dt.UTC))
    client = Client()
    assert client.login(username=world.a.collector.username, password=PASSWORD)
    body = {
        "action": "contact",
        "channel": "phone",
        "direction": "outbound",
        "party": "cardholder",
        "result": "no_answer",
        "duration_seconds": "0",
    }
    before = Contact.objects.count()
    english = client.post(f"/en/cases/{world.a.case.pk}/", body)
    chinese = client.post(f"/cases/{world.a.case.pk}/", body)
    assert Contact.objects.count() == before
    names = data_names()
    english_text = [t for t in visible_text(english.content.decode()) if "CN-HOURS" in t]
    chinese_text = [t for t in visible_text(chinese.content.decode()) if "CN-HOURS" in t]
    assert english_text and chinese_text, "the refusal names its rule"
    assert chinese_strings(english_text, names) == set()
    assert english_words(chinese_text, names) == set()


@pytest.mark.parametrize(
    ("prefix", "wording"),
    [
        ("", "首期到期还款日：不能早于营业日（2026年5月3日）"),
        ("/en", "First due date: must not be before the business date (3 May 2026)"),
    ],
)
def test_a_plan_error_names_the_field_by_its_label_and_says_what_is_wrong(
    world: World, prefix: str, wording: str
) -> None:
    client = Client()
    assert client.login(username=world.a.collector.username, password=PASSWORD)
    body = {
        "account": world.a.account.ref,
        "scope": "overdue",
        "method": "flat_fee",
        "instalments": "6",
        "first_due_date": "2026-01-01",
        "fee_rate": "0.005",
    }
    page = client.post(f"{prefix}/cases/{world.a.case.pk}/plans/propose/", body, follow=True)
    texts = visible_text(page.content.decode())
    assert any(t.startswith(wording) for t in texts), [t for t in texts if "2026" in t]
    assert not any("first_due_date" in t for t in texts)
