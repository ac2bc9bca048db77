"""The admin in zh-Hans names our apps and models in Chinese (Django's own strings come translated from
Django, the few it lacks from our catalogue), under our own title rather than Django's."""

from __future__ import annotations

import html
import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import Client, override_settings

from arrears.cycle import business_date
from tests.factories import pay
from tests.functional.test_translations_complete import chinese_strings, data_names, english_words, visible_text
from tests.functional.two_teams import TODAY, World, two_teams

pytestmark = pytest.mark.django_db

# Latin words a Chinese bank's staff read as they are: the product's name and the signed-in user's.
ALLOWED = {"Arrears", "chief"}


def _latin_words(page: str) -> set[str]:
    body = page.split("<body", 1)[1].split(">", 1)[1]
    body = re.sub(r"<script\b.*?</script>|<style\b.*?</style>", " ", body, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", body))
    return {w for w in re.findall(r"[A-Za-z][A-Za-z-]+", text)} - ALLOWED


@pytest.fixture
def chief() -> Client:
    User.objects.create_superuser("chief", password="pw-for-tests")
    client = Client()
    assert client.login(username="chief", password="pw-for-tests")
    return client


def test_the_admin_index_names_every_app_and_model_in_chinese(chief: Client) -> None:
    response = chief.get("/admin/")
    assert response.status_code == 200
    page = response.content.decode()
    assert _latin_words(page) == set()
    assert "Arrears 催收系统管理" in page and "Django" not in page
    for name in ("案件", "合规", "员工与团队"):
        assert name in page


def test_in_english_the_admin_stays_english(chief: Client) -> None:
    page = chief.get("/en/admin/").content.decode()
    assert "Arrears administration" in page and "Staff and teams" in page
    assert not re.search(r"[\u4e00-\u9fff]", page.split("<body", 1)[1].replace("简体中文", ""))


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_every_list_is_titled_in_chinese(chief: Client, model: type) -> None:
    opts = model._meta
    response = chief.get(f"/admin/{opts.app_label}/{opts.model_name}/")
    assert response.status_code == 200
    title = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)
    assert title and not set(re.findall(r"[A-Za-z][A-Za-z-]+", title.group(1))) - ALLOWED, title


# -- every registered model's list, add form and change form, with rows to show -----------------------

# Permission names in the user's and group's permission pickers ("案件 | 案件 | Can view case"): Django
# words its own in English and stores them, as it stores ours (Team's "Can reveal phone numbers,
# audited"), in the database, and shows them as stored, with no translation hook. Allowed there only.
DJANGO_PERMISSION_WORDS = re.compile(r"^(?:.* \| )?Can (?:add|change|delete|view|reveal|supervise|search|review) .*")
# Django's own Chinese names the keys of the keyboard (按住 Control 键或 Mac 上的 Command 键来选择多项);
# the user's page shows the password hasher's name and a masked salt and hash as Django renders them.
DJANGO_WORDS = {"Control", "Mac", "Command"}
PASSWORD_HASH = re.compile(r"^(?:md5|pbkdf2_sha256|pbkdf2_sha1|argon2|bcrypt_sha256|scrypt|[\w+/=]{2,}\*{4,})$")


@pytest.fixture
def world(db: None, monkeypatch: pytest.MonkeyPatch) -> World:
    """The two teams (cases, queues, teams, profiles, products, the authority matrix, concessions and
    approvals) and beside them a hold, an opt-out, a consent, an overrides pack and a team budget, each
    made by its operation: a row in every list."""
    monkeypatch.setattr(business_date, "current", lambda: TODAY)
    w = two_teams()
    _admin_world(w)
    return w


def _admin_world(world: World) -> None:
    import datetime as dt
    from decimal import Decimal

    from arrears.compliance.models import PackOverrides
    from arrears.compliance.operations import save_overrides
    from arrears.concessions.operations import set_budget
    from arrears.holds.operations import hold_amount, opt_out, record_consent, set_hold
    from arrears.kernel import clock

    side = world.a
    set_hold(user=side.lead, customer=side.customer, kind="dispute", reason="客户对账单有异议", starts_on=TODAY)
    hold_amount(
        actor=side.lead.username, account=side.account, amount_fen=10000, reason="客户对年费有异议", starts_on=TODAY
    )
    opt_out(actor="sms-gateway", customer=side.customer, channel="sms", source="短信回复退订")
    now = clock.now()
    record_consent(
        user=side.collector, customer=side.customer, channel="phone", from_at=now, to_at=now + dt.timedelta(days=1)
    )
    save_overrides(
        actor="chief",
        overrides=PackOverrides(
            code="CN",
            name="本行",
            version="1",
            effective_from=dt.date(2026, 1, 1),
            rules='CN-HOURS: {params: {end: "21:00"}}',
        ),
    )
    set_budget(actor="chief", team=side.team, month=dt.date(2026, 5, 1), limit=Decimal("10000.00"))
    with override_settings(ARREARS_LEDGER_MODE="host_feed"):  # a payment the card host is to apply
        pay(side.account, TODAY, "1.00")


def _admin_pages(client: Client) -> dict[str, str]:
    pages: dict[str, str] = {}
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        base = f"/admin/{opts.app_label}/{opts.model_name}/"
        pages[base] = ""
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            pages[f"{base}{first.pk}/change/"] = ""
        if model_admin.has_add_permission(_superuser_request()):
            pages[f"{base}add/"] = ""
    for path in list(pages):
        response = client.get(path)
        assert response.status_code == 200, path
        pages[path] = response.content.decode()
        if path.endswith("/add/"):  # and the form sent as it came, unfilled: the errors, in the page's language
            response = client.post(path, _as_sent(pages[path]))
            assert response.status_code == 200 and "errornote" in response.content.decode(), path
            pages[f"{path} (sent empty)"] = response.content.decode()
    return pages


def _as_sent(form: str) -> dict[str, str]:
    """What a browser sends of a form nobody filled in: its hidden inputs (the inlines' management forms)
    and what its text areas hold from the start."""
    data = {
        name: html.unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)
        if name != "csrfmiddlewaretoken"
    }
    for name, value in re.findall(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        data[name] = html.unescape(value).strip()
    return data


def _admin_data() -> set[str]:
    """What the admin shows as it is stored: the wording sent to an English-speaking customer, an
    overrides pack's rules (YAML, with the example its help gives), the languages a person speaks."""
    from arrears.compliance.models import PackOverrides
    from arrears.concessions.models import Concession
    from arrears.people.models import Profile

    data = set(Concession.objects.values_list("summary_en", flat=True))
    data |= set(PackOverrides.objects.values_list("rules", flat=True))
    data |= set(Profile.objects.values_list("languages", flat=True))
    data |= {'CN-HOURS: {params: {end: "21:00"}}', "zh-hans,en"}
    return {d for d in data if d}


def _superuser_request() -> object:
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = User.objects.get(username="chief")
    return request


def test_every_list_and_form_of_the_admin_is_in_chinese(world: World, chief: Client) -> None:
    pages = _admin_pages(chief)
    for model in admin.site._registry:
        opts = model._meta
        assert model._default_manager.exists(), f"{opts.label} has no row to show"
        assert f"/admin/{opts.app_label}/{opts.model_name}/" in pages
    assert "逾期金额（元）" in pages["/admin/cases/case/"], "the money columns in yuan"
    assert re.search(r"field-past_due\">\d{1,3}(,\d{3})*\.\d\d<", pages["/admin/cases/case/"])
    names = data_names() | {"chief"} | _admin_data()
    found = {}
    for path, page in pages.items():
        texts = [
            t
            for t in visible_text(page)
            if not (path.startswith("/admin/auth/") and DJANGO_PERMISSION_WORDS.match(t.strip()))
            and not PASSWORD_HASH.match(t.strip())
        ]
        words = {w for w in english_words(texts, names) if w.split(" in ", 1)[0].strip("'") not in DJANGO_WORDS}
        if words:
            found[path] = sorted(words)
    assert found == {}, "\n".join(f"{p}: {w}" for p, w in found.items())


def test_in_english_every_list_and_form_stays_english(world: World, chief: Client) -> None:
    from arrears.compliance.models import PackOverrides
    from arrears.concessions.models import Concession
    from arrears.holds.models import AmountHold, ChannelOptOut, Hold

    pages = {}
    for path in _admin_pages(chief):
        if path.endswith("(sent empty)"):
            continue
        response = chief.get("/en" + path)
        assert response.status_code == 200, path
        pages[path] = response.content.decode()
    assert "Past due (yuan)" in pages["/admin/cases/case/"]
    names = data_names() | set(Concession.objects.values_list("summary_zh", flat=True))
    names |= set(Hold.objects.values_list("reason", flat=True))
    names |= set(AmountHold.objects.values_list("reason", flat=True))
    names |= set(ChannelOptOut.objects.values_list("source", flat=True))
    names |= set(PackOverrides.objects.values_list("name", flat=True))
    found = {p: sorted(w) for p, page in pages.items() if (w := chinese_strings(visible_text(page), names))}
    assert found == {}, "\n".join(f"{p}: {w}" for p, w in found.items())


def test_the_scan_catches_an_english_label() -> None:
    assert english_words(["逾期金额", "Past due fen"], set())
    assert DJANGO_PERMISSION_WORDS.match("案件 | 案件 | Can view case")
    assert not DJANGO_PERMISSION_WORDS.match("Past due fen")
