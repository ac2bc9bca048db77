"""Selling charged-off debt (CN-PI-PROVIDE): only the accounts of customers who consented leave, the
others are listed with their reasons, and the export records what left (who, when, buyer, fields,
file SHA-256, rows). Through the domain door and the `arrears recovery` command.

Three customers bought 1,000.00, 1,100.00 and 1,200.00 on 03-10 and never paid; the product charges
off at DPD 30, on 05-23: 1,033.00, 1,136.50 and 1,240.00 (principal, 5 % late fee on the 04-05 minimum,
28 days... of interest: see test_chargeoff_recovery for the first).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from arrears.audit.models import AuditEntry
from arrears.delinquency.models import SaleConsent, SaleExport, SaleExportRow
from arrears.delinquency.sale import FIELDS, export_sale, plan_sale, record_consent
from arrears.errors import NotFound, ValidationFailed
from arrears.ledger.models import AccountStatus
from tests.builders import Debtor, past_due, pay
from tests.factories import make_product

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 15)


@pytest.fixture
def debtors() -> list[Debtor]:
    found = past_due(dpd=30, count=3, product=make_product(charge_off_dpd=30))
    assert all(d.account.status == AccountStatus.CHARGED_OFF for d in found)
    return found


def test_only_consenting_customers_accounts_leave_and_the_export_records_what_left(
    debtors: list[Debtor], tmp_path: Path
) -> None:
    first, second, third = debtors
    record_consent(actor="officer", customer_id=first.customer.pk, evidence="signed form F-1", given_on=TODAY)
    # A consent given after the business date is not in force yet.
    record_consent(
        actor="officer", customer_id=second.customer.pk, evidence="signed form F-2", given_on=TODAY.replace(day=20)
    )
    out = tmp_path / "sale.csv"
    export, plan = export_sale(actor="officer", buyer="Buyer AMC", out=out, business_date=TODAY)

    assert [c.account_id for c in plan.included] == [first.account.pk]
    assert {c.account_id: c.reason for c in plan.excluded} == {
        second.account.pk: "no_consent",
        third.account.pk: "no_consent",
    }
    content = out.read_bytes()
    assert export.sha256 == hashlib.sha256(content).hexdigest()
    [row] = list(csv.DictReader(io.StringIO(content.decode())))
    assert list(row) == list(FIELDS) == export.fields
    assert row["account_ref"] == first.account.ref
    assert row["card_number_masked"] != first.account.number and row["card_number_masked"].endswith(
        first.account.number[-4:]
    )
    assert (row["principal_charged_off"], row["interest_charged_off"], row["fees_charged_off"]) == (
        "1000.00",
        "28.00",
        "5.00",
    )
    assert (row["charged_off"], row["recovered"], row["still_owed"]) == ("1033.00", "0.00", "1033.00")
    assert row["customer_name"] == first.customer.name
    for other in (second, third):
        assert other.customer.name not in content.decode()

    assert (export.buyer, export.exported_by, export.exported_on) == ("Buyer AMC", "officer", TODAY)
    assert (export.included, export.excluded, export.total_fen) == (1, 2, 103300)
    rows = {r.account_id: (r.included, r.reason) for r in SaleExportRow.objects.filter(export=export)}
    assert rows == {
        first.account.pk: (True, ""),
        second.account.pk: (False, "no_consent"),
        third.account.pk: (False, "no_consent"),
    }
    audit = AuditEntry.objects.get(action="sale.export")
    assert audit.after["sha256"] == export.sha256 and audit.after["excluded"] == {"no_consent": 2}

    # Sold once: a second export holds it back, and with nothing else to sell refuses, writing nothing.
    with pytest.raises(ValidationFailed) as refused:
        export_sale(
            actor="officer",
            buyer="Other",
            out=tmp_path / "again.csv",
            business_date=TODAY,
            accounts=[first.account.ref],
        )
    assert refused.value.field == "accounts" and "already_sold" in refused.value.message
    assert not (tmp_path / "again.csv").exists()
    assert SaleExport.objects.count() == 1


def test_without_any_consent_nothing_leaves(debtors: list[Debtor], tmp_path: Path) -> None:
    out = tmp_path / "sale.csv"
    with pytest.raises(ValidationFailed) as refused:
        export_sale(actor="officer", buyer="Buyer AMC", out=out, business_date=TODAY, vintage="2026-05")
    assert refused.value.field == "accounts" and "3 excluded: no_consent" in refused.value.message
    assert not out.exists()
    assert not SaleExport.objects.exists() and not SaleExportRow.objects.exists()


def test_paid_off_and_settled_accounts_are_held_back_with_their_reasons(debtors: list[Debtor]) -> None:
    first, second, third = debtors
    for d in debtors:
        record_consent(actor="officer", customer_id=d.customer.pk, evidence="recorded call R-9", given_on=TODAY)
    pay(accounts=[second.account], amounts=["1136.50"], on=TODAY)
    plan = plan_sale(accounts=[a.account.number for a in debtors], business_date=TODAY)
    assert [c.account_id for c in plan.included] == [first.account.pk, third.account.pk]
    assert {c.account_id: c.reason for c in plan.excluded} == {second.account.pk: "nothing_owed"}


def test_bad_input_names_the_field_and_writes_nothing(debtors: list[Debtor], tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed) as e:
        record_consent(actor="officer", customer_id=debtors[0].customer.pk, evidence="  ", given_on=TODAY)
    assert e.value.field == "evidence"
    with pytest.raises(NotFound) as nf:
        record_consent(actor="officer", customer_id=999999, evidence="form", given_on=TODAY)
    assert nf.value.field == "customer"
    with pytest.raises(ValidationFailed) as e:
        export_sale(actor="officer", buyer=" ", out=tmp_path / "x.csv", business_date=TODAY)
    assert e.value.field == "buyer"
    with pytest.raises(ValidationFailed) as e:
        plan_sale(vintage="2026-13", business_date=TODAY)
    assert e.value.field == "vintage"
    with pytest.raises(NotFound) as nf:
        plan_sale(accounts=["6299999999999999"], business_date=TODAY)
    assert nf.value.field == "accounts" and "6299999999999999" not in nf.value.message
    assert not SaleConsent.objects.exists() and not SaleExport.objects.exists()


def test_the_recovery_command(debtors: list[Debtor], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first, second, _ = debtors
    call_command("recovery", "consent", "--customer", str(first.customer.pk), "--evidence", "signed form F-1")
    assert SaleConsent.objects.filter(customer=first.customer).count() == 1
    out = tmp_path / "sale.csv"
    call_command(
        "recovery",
        "export-sale",
        "--buyer",
        "Buyer AMC",
        "--out",
        str(out),
        "--accounts",
        first.account.number,
        second.account.ref,
    )
    captured = capsys.readouterr()
    summary = json.loads(captured.out.strip().splitlines()[-1])
    # What was asked for is kept without the card number in clear.
    recorded = SaleExport.objects.get().selection["accounts"]
    assert recorded[1] == second.account.ref and recorded[0].endswith(first.account.number[-4:])
    assert first.account.number not in json.dumps(recorded)
    assert (summary["included"], summary["excluded"]) == (1, 1)
    assert summary["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert f"excluded {second.account.ref}" in captured.err and "no_consent" in captured.err
    assert second.account.number not in captured.err

    with pytest.raises(CommandError, match="evidence"):
        call_command("recovery", "consent", "--customer", str(second.customer.pk))
    call_command("recovery", "consent", "--customer", str(first.customer.pk), "--withdraw")
    assert SaleConsent.objects.get(customer=first.customer).withdrawn_on is not None
    assert "withdrawn" in capsys.readouterr().out

    call_command("recovery", "vintages", "--json")
    [vintage] = json.loads(capsys.readouterr().out)
    assert (vintage["vintage"], vintage["accounts"], vintage["recovered"]) == ("2026-05", 3, "0.00")
    call_command("recovery", "vintages")
    assert "2026-05" in capsys.readouterr().out
