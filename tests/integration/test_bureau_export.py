"""The bureau files: Metro 2 fixed width (426 bytes a record, header and trailer) and the PBOC
delimited file; validated whole before writing, a file with one invalid record refused with a
report and nothing written; held and expired records left out; the export audited."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from arrears.audit.models import AuditEntry
from arrears.bureau import cycle as bureau
from arrears.bureau.export import build
from arrears.bureau.models import BureauRecord, CreditNotice, DisputeTask
from arrears.bureau.operations import record_notice
from arrears.cycle.business_date import open_date
from arrears.ledger.models import Account, Customer
from tests.builders import advance, buy, open_card_accounts, pay
from tests.factories import make_product

MAY = dt.date(2026, 5, 1)


def portfolio() -> list[Account]:
    """Three customers who bought on 03-10: two never paid (39 days past due at May's close, the
    notice sent on 04-01), the third paid in full on 04-20."""
    product = make_product(charge_off_dpd=400)
    accounts = open_card_accounts(count=3, product=product, names=["John Smith", "Mary Ann Jones", "Li Lei"])
    ids = ["123456789", "987654321", "11010519491231002X"]
    for account, number in zip(accounts, ids, strict=True):
        Customer.objects.filter(pk=account.customer_id).update(
            national_id=number, mobile="2125550123", address="1 Main St"
        )
    buy(accounts=accounts[:2], amounts=["1000.00", "2000.00"])
    buy(accounts=accounts[2:], amounts=["10.00"])
    for account in accounts[:2]:
        record_notice(
            actor="test", account=account, channel="letter", sent_on=dt.date(2026, 4, 1),
            business_date=dt.date(2026, 4, 1),
        )  # fmt: skip
    advance(through=dt.date(2026, 4, 20))
    pay(accounts=accounts[2:], amounts=["10.00"], on=dt.date(2026, 4, 20))
    advance(through=dt.date(2026, 5, 1))
    advance(through=dt.date(2026, 6, 1))
    bureau.report_month(dt.date(2026, 4, 1))
    bureau.report_month(MAY)
    return accounts


@pytest.mark.django_db
class TestMetro2:
    def test_fixed_width_426_bytes_with_header_base_segments_and_trailer(self) -> None:
        accounts = portfolio()
        Customer.objects.filter(pk=accounts[2].customer_id).update(national_id="111223333")
        export = build(MAY, "metro2")
        assert export.problems == []
        records = export.text.encode("ascii").split(b"\n")[:-1]
        assert [len(r) for r in records] == [426] * 5
        header, smith, jones, lei, trailer = (r.decode() for r in records)
        assert header.startswith("0426HEADER")
        assert trailer.startswith("0426TRAILER000000003")
        # 1-based positions of docs/credit-reporting.md
        field = lambda rec, a, b: rec[a - 1 : b]  # noqa: E731
        assert field(smith, 43, 72).rstrip() == accounts[0].ref
        assert field(smith, 124, 125) == "71"  # 39 days past due at the close of May
        # April 0; March has no record (only April and May were reported): D, no data
        assert field(smith, 127, 150) == "0D" + "B" * 22
        assert field(smith, 190, 197) == "04242026"  # DOFD, MMDDYYYY
        assert field(smith, 232, 256).rstrip() == "SMITH"
        assert field(smith, 257, 276).rstrip() == "JOHN"
        assert field(jones, 232, 256).rstrip() == "JONES"
        assert field(jones, 257, 276).rstrip() == "MARY ANN"
        assert field(smith, 298, 306) == "123456789"
        assert field(lei, 124, 125) == "11"
        assert field(lei, 190, 197) == "00000000"
        record = BureauRecord.objects.get(account=accounts[0], month=MAY)
        assert field(smith, 155, 163) == f"{record.balance_fen // 100:09d}"
        assert field(smith, 164, 172) == f"{record.past_due_fen // 100:09d}"
        # trailer counts by status: 11, 13, 64, 71 ...
        assert trailer[20:29] == "000000001" and trailer[47:56] == "000000002"

    def test_one_invalid_record_refuses_the_whole_file_and_nothing_is_written(self, tmp_path: Path) -> None:
        accounts = portfolio()
        Customer.objects.filter(pk=accounts[1].customer_id).update(name="王小明")
        export = build(MAY, "metro2")
        assert export.text == ""
        # Li Lei's 18-character PRC number is not an SSN; 王小明 is not a single-byte name.
        assert {(p.ref, p.field) for p in export.problems} == {
            (accounts[1].ref, "name"),
            (accounts[2].ref, "national_id"),
        }
        out = tmp_path / "metro2.txt"
        open_date(dt.date(2026, 6, 2))
        with pytest.raises(CommandError, match="refused whole"):
            call_command("bureau", "export", "--month", "2026-05", "--format", "metro2", "--out", str(out))
        assert not out.exists() and not list(tmp_path.iterdir())
        assert not AuditEntry.objects.filter(action="bureau.export").exists()


@pytest.mark.django_db
class TestPboc:
    def test_delimited_file_written_and_audited(self, tmp_path: Path) -> None:
        accounts = portfolio()
        for account, number in zip(
            accounts, ["11010519491231002X", "440524188001010014", "11010519491231002X"], strict=True
        ):
            Customer.objects.filter(pk=account.customer_id).update(national_id=number)
        out = tmp_path / "pboc.txt"
        call_command("bureau", "export", "--month", "2026-05", "--format", "pboc", "--out", str(out))
        lines = out.read_text(encoding="utf-8").splitlines()
        assert lines[0].split("|")[:4] == ["H", "PBOC-CC-1", "ARREARS0001", "202605"]
        assert lines[0].split("|")[5] == "3"
        smith = lines[1].split("|")
        assert smith[:5] == ["D", accounts[0].ref, "John Smith", "0", "11010519491231002X"]
        assert smith[7:10] == ["2026-05", "2", "/" * 21 + "#12"]  # March: no record
        assert lines[-1].split("|")[:2] == ["T", "3"]
        entry = AuditEntry.objects.get(action="bureau.export")
        assert entry.object_id == "pboc:2026-05" and entry.after["records"] == 3

    def test_refused_for_an_invalid_identity_number(self) -> None:
        accounts = portfolio()
        export = build(MAY, "pboc")
        assert {(p.ref, p.field) for p in export.problems} == {
            (accounts[0].ref, "national_id"),
            (accounts[1].ref, "national_id"),
        }
        assert "must be an 18-character resident identity number" in str(export.problems[0])


@pytest.mark.django_db
def test_held_and_expired_records_are_left_out() -> None:
    accounts = portfolio()
    for account, number in zip(
        accounts, ["11010519491231002X", "440524188001010014", "11010519491231002X"], strict=True
    ):
        Customer.objects.filter(pk=account.customer_id).update(national_id=number)
    BureauRecord.objects.filter(account=accounts[0], month=MAY).update(held_pboc=True)
    BureauRecord.objects.filter(account=accounts[1], month=MAY).update(removed_pboc=True)
    export = build(MAY, "pboc")
    assert (export.records, export.held, export.removed) == (1, 1, 1)
    assert accounts[2].ref in export.text and accounts[0].ref not in export.text


@pytest.mark.django_db
def test_the_report_command_refuses_a_month_not_closed_and_a_malformed_month() -> None:
    open_card_accounts()
    open_date(dt.date(2026, 5, 20))
    with pytest.raises(CommandError, match="not closed yet"):
        call_command("bureau", "report", "--month", "2026-05")
    with pytest.raises(CommandError, match="month: '2026-5'"):
        call_command("bureau", "report", "--month", "2026-5")
    call_command("bureau", "report", "--month", "2026-04")
    assert BureauRecord.objects.filter(month=dt.date(2026, 4, 1)).count() == 1


@pytest.mark.django_db
def test_dispute_resolve_and_notice_commands(capsys: pytest.CaptureFixture[str]) -> None:
    [account] = open_card_accounts()
    open_date(dt.date(2026, 5, 10))
    call_command("bureau", "dispute", "--account", account.ref, "--reason", "4月账单有误")
    task = DisputeTask.objects.get(account=account)
    assert (task.opened_on, task.due_on, task.opened_by) == (dt.date(2026, 5, 10), dt.date(2026, 5, 30), "cli:bureau")
    call_command("bureau", "resolve", "--task", str(task.pk), "--answer", "已核实并书面答复")
    task.refresh_from_db()
    assert task.resolved_on == dt.date(2026, 5, 10)
    call_command("bureau", "notice", "--account", account.ref, "--channel", "letter", "--sent-on", "2026-05-09")
    assert CreditNotice.objects.get(account=account).sent_on == dt.date(2026, 5, 9)
    with pytest.raises(CommandError, match="sent_on: must not be after the business date"):
        call_command("bureau", "notice", "--account", account.ref, "--channel", "letter", "--sent-on", "2026-05-11")
    with pytest.raises(CommandError, match="account: no account"):
        call_command("bureau", "dispute", "--account", "AC000", "--reason", "x")
    assert [e.action for e in AuditEntry.objects.filter(action__startswith="bureau.").order_by("seq", "id")] == [
        "bureau.dispute_open",
        "bureau.dispute_resolve",
        "bureau.credit_notice",
    ]
