"""`arrears agency`: the register, the entrustment, tiers, users and placement from the command line,
through the same audited operations as the pages."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from arrears.agencies.models import Agency, AgencyUser, CommissionTier, Entrustment, Placement
from arrears.audit.models import AuditEntry
from arrears.cycle import business_date
from arrears.people.models import Role
from tests.agency_world import TODAY
from tests.builders import past_due, staff


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("agency", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_register_entrust_and_place(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(business_date, "current", lambda: TODAY)
    [debtor] = past_due(dpd=10)
    run("create", "--code", "alpha", "--name", "甲催收")
    with pytest.raises(CommandError, match="agency_not_in_force"):
        run("place", debtor.account.number, "--code", "alpha")
    assert "placed 0 of 1" in run("place", debtor.account.number)  # nobody in force yet
    run(
        "entrust", "--code", "alpha", "--purpose", "催收", "--data-types", "name,mobile",
        "--from", "2026-01-01", "--until", "2026-12-31", "--deletion-duty", "结束后删除",
    )  # fmt: skip
    run("tier", "--code", "alpha", "--from-bucket", "1", "--rate", "0.12")
    user = staff(Role.AGENCY_USER)
    run("user", "--code", "alpha", "--user", user.username)
    assert "placed 1 of 1" in run("place", debtor.account.number)
    assert "alpha\t甲催收\tTrue\tTrue\t1\tTrue\t1" in run("list")
    assert Entrustment.objects.count() == CommissionTier.objects.count() == AgencyUser.objects.count() == 1
    assert Placement.objects.get().agency == Agency.objects.get(code="alpha")
    assert AuditEntry.objects.filter(action__startswith="agency.").count() == 5
    with pytest.raises(CommandError, match="invalid_code"):
        run("create", "--code", "Not Valid", "--name", "x")
