"""A bank's overrides packs in the database: edited by compliance officers only, validated, audited."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client, override_settings

from arrears.audit.models import AuditEntry
from arrears.compliance.models import PackOverrides
from arrears.compliance.operations import save_overrides
from arrears.compliance.packs import load_pack
from arrears.compliance.parse import check_document
from arrears.compliance.queries import overrides_in_force
from arrears.errors import ValidationFailed
from tests.compliance_docs import cn_doc

pytestmark = pytest.mark.django_db
ADD_URL = "/admin/compliance/packoverrides/add/"


def stricter_hours(**fields: object) -> PackOverrides:
    values: dict[str, object] = {
        "code": "CN",
        "name": "bank",
        "version": "1",
        "effective_from": dt.date(2026, 1, 1),
        "rules": 'CN-HOURS: {params: {end: "21:00"}}',
    }
    values.update(fields)
    return PackOverrides(**values)


def user(name: str, *, group: str | None = None, staff: bool = True) -> Client:
    account = get_user_model().objects.create_user(name, password="x", is_staff=staff)
    if group:
        account.groups.add(Group.objects.get_or_create(name=group)[0])
    client = Client()
    client.force_login(account)
    return client


class TestSaveOverrides:
    def test_saves_and_audits_the_document_before_and_after(self) -> None:
        row = save_overrides(actor="officer", overrides=stricter_hours())
        row.rules = 'CN-HOURS: {params: {end: "20:30"}}'
        save_overrides(actor="officer", overrides=row)
        entries = list(AuditEntry.objects.filter(object_type="compliance.PackOverrides").order_by("id"))
        assert [e.action for e in entries] == ["compliance.overrides.created", "compliance.overrides.changed"]
        assert entries[1].before["rules"] == {"CN-HOURS": {"params": {"end": "21:00"}}}
        assert entries[1].after["rules"] == {"CN-HOURS": {"params": {"end": "20:30"}}}
        assert entries[1].actor == "officer"

    def test_refuses_a_looser_value_and_writes_nothing(self) -> None:
        with pytest.raises(ValidationFailed, match="looser"):
            save_overrides(actor="officer", overrides=stricter_hours(rules='CN-HOURS: {params: {end: "23:00"}}'))
        assert not PackOverrides.objects.exists()
        assert not AuditEntry.objects.filter(object_type="compliance.PackOverrides").exists()

    def test_refuses_a_document_that_is_not_a_mapping_of_rules(self) -> None:
        with pytest.raises(ValidationFailed) as err:
            save_overrides(actor="officer", overrides=stricter_hours(rules="- just a list"))
        assert err.value.field == "rules"

    def test_the_rows_in_force_on_a_day_layer_on_the_base_pack(self) -> None:
        save_overrides(actor="officer", overrides=stricter_hours(effective_from=dt.date(2026, 4, 1)))
        assert overrides_in_force("CN", on=dt.date(2026, 3, 31)) == []
        layers = overrides_in_force("CN", on=dt.date(2026, 4, 1))
        pack = load_pack("CN", on=dt.date(2026, 4, 1), overrides=layers)
        assert pack.time_param("CN-HOURS", "end") == dt.time(21)


class TestTheDoorsReadTheRows:
    @override_settings(ARREARS_COMPLIANCE_DB_OVERRIDES=True)
    def test_a_stricter_row_blocks_21_30_on_both_doors_paths(self) -> None:
        save_overrides(actor="officer", overrides=stricter_hours())
        doc = cn_doc("2026-03-10T21:30:00+08:00")
        assert check_document(doc)["rules"] == ["CN-HOURS"]
        client = user("caller")
        response = client.post("/api/v1/compliance/check", data=json.dumps(doc), content_type="application/json")
        assert response.json()["next_allowed_at"] == "2026-03-11T08:00:00+08:00"

    def test_rows_are_not_read_unless_the_setting_says_so(self) -> None:
        save_overrides(actor="officer", overrides=stricter_hours())
        assert check_document(cn_doc("2026-03-10T21:30:00+08:00"))["allowed"] is True


class TestAdmin:
    def form(self, **fields: str) -> dict[str, str]:
        return {
            "code": "CN",
            "name": "bank",
            "version": "1",
            "effective_from": "2026-01-01",
            "effective_to": "",
            "rules": 'CN-HOURS: {params: {end: "21:00"}}',
            "active": "on",
            **fields,
        }

    def test_a_compliance_officer_adds_an_overrides_pack_and_it_is_audited(self) -> None:
        client = user("officer", group="compliance_officer")
        response = client.post(ADD_URL, self.form())
        assert response.status_code == 302, response.content
        row = PackOverrides.objects.get()
        assert row.updated_by == "officer"
        assert AuditEntry.objects.filter(object_type="compliance.PackOverrides", object_id=str(row.pk)).exists()

    def test_the_form_shows_why_a_document_is_refused(self) -> None:
        client = user("officer", group="compliance_officer")
        response = client.post(ADD_URL, self.form(rules='CN-HOURS: {params: {end: "23:30"}}'))
        assert response.status_code == 200
        assert "looser" in response.content.decode()
        assert not PackOverrides.objects.exists()

    def test_other_staff_may_not_see_or_edit_packs(self) -> None:
        client = user("collector", group="collector")
        assert client.get(ADD_URL).status_code == 403
        assert client.post(ADD_URL, self.form()).status_code == 403
        assert not PackOverrides.objects.exists()
