"""Host-feed mode: the outbound instruction file and the host's answers (arrears.ledger.outbound;
docs/host-instructions.md). Instructions are made by posting through the ledger door in host-feed mode."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Sum
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrears.audit.models import AuditEntry
from arrears.errors import ValidationFailed
from arrears.ledger import posting
from arrears.ledger.models import (
    OUTSTANDING,
    Account,
    Entry,
    EntryKind,
    InstructionStatus,
    OutboundInstruction,
)
from arrears.ledger.outbound import acknowledge, export_instructions
from tests.factories import make_account

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 5, 6)
NEXT = DAY + dt.timedelta(days=1)
HOST = override_settings(ARREARS_LEDGER_MODE="host_feed")


def post(account: Account, *moves: tuple[str, str, int], on: dt.date = DAY, reference: str = "R") -> None:
    with HOST:
        posting.post(
            [
                posting.Line(
                    account_id=account.pk,
                    kind=kind,
                    component=component,
                    amount_fen=fen,
                    posting_date=on,
                    reference=reference,
                    description=f'{kind} 说明, "quoted"',
                )
                for kind, component, fen in moves
            ]
        )


@pytest.fixture
def account() -> Account:
    return make_account()


@pytest.fixture
def three(account: Account) -> list[int]:
    """A payment over two components and a fee waiver, on DAY: three pending instructions."""
    post(account, (EntryKind.PAYMENT, "fees", -500), (EntryKind.PAYMENT, "principal", -1234), reference="PAY-1")
    post(account, (EntryKind.FEE_WAIVER, "fees", -300), reference="WAIVE-1")
    return list(OutboundInstruction.objects.order_by("id").values_list("id", flat=True))


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def statuses() -> list[tuple[int, str, str, str, dt.date | None]]:
    return list(
        OutboundInstruction.objects.order_by("id").values_list(
            "id", "status", "host_reference", "reason", "answered_on"
        )
    )


class TestExport:
    def test_writes_the_file_and_a_manifest_whose_count_and_checksum_match(
        self, tmp_path: Path, account: Account, three: list[int]
    ) -> None:
        result = export_instructions(tmp_path, business_date=DAY)

        day = tmp_path / "2026-05-06"
        assert result.path == day and sorted(p.name for p in tmp_path.iterdir()) == ["2026-05-06"]
        data = (day / "instructions.csv").read_bytes()
        manifest = json.loads((day / "manifest.json").read_text(encoding="utf-8"))
        assert manifest == {
            "format": "arrears-host-instructions",
            "version": 1,
            "business_date": "2026-05-06",
            "files": {
                "instructions.csv": {"records": 3, "sha256": hashlib.sha256(data).hexdigest(), "total_amount": "-20.34"}
            },
        }
        assert (result.records, result.sha256, result.total_fen) == (3, hashlib.sha256(data).hexdigest(), -2034)
        rows = read_csv(day / "instructions.csv")
        assert [(r["instruction_id"], r["kind"], r["component"], r["amount"]) for r in rows] == [
            (str(three[0]), "payment", "fees", "-5.00"),
            (str(three[1]), "payment", "principal", "-12.34"),
            (str(three[2]), "fee_waiver", "fees", "-3.00"),
        ]
        assert rows[0]["account_ref"] == account.ref and rows[0]["business_date"] == "2026-05-06"
        assert rows[0]["reference"] == "PAY-1" and rows[0]["description"] == 'payment 说明, "quoted"'
        assert set(OutboundInstruction.objects.values_list("status", "exported_on", "file_name")) == {
            (InstructionStatus.EXPORTED, DAY, "2026-05-06/instructions.csv")
        }
        audit = AuditEntry.objects.get(action="outbound.export")
        assert audit.object_id == "2026-05-06/instructions.csv" and audit.after["records"] == 3

    def test_exporting_a_date_again_writes_the_same_bytes_and_later_moves_wait_for_the_next_date(
        self, tmp_path: Path, account: Account, three: list[int]
    ) -> None:
        first = export_instructions(tmp_path, business_date=DAY)
        before = (first.path / "instructions.csv").read_bytes(), (first.path / "manifest.json").read_bytes()
        post(account, (EntryKind.PAYMENT, "principal", -100), reference="LATE")  # dated DAY, after the export

        again = export_instructions(tmp_path, business_date=DAY)

        assert again.rewritten and (again.records, again.sha256) == (first.records, first.sha256)
        assert ((again.path / "instructions.csv").read_bytes(), (again.path / "manifest.json").read_bytes()) == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-05-06"]  # nothing left beside it
        following = export_instructions(tmp_path, business_date=NEXT)
        assert [r["reference"] for r in read_csv(following.path / "instructions.csv")] == ["LATE"]

    def test_only_moves_up_to_the_date_go_and_an_empty_day_is_a_file_with_its_header(
        self, tmp_path: Path, account: Account
    ) -> None:
        post(account, (EntryKind.PAYMENT, "principal", -100), on=NEXT)

        result = export_instructions(tmp_path, business_date=DAY)

        assert (result.records, result.total_fen) == (0, 0)
        assert (result.path / "instructions.csv").read_text(encoding="utf-8") == (
            "instruction_id,account_ref,kind,component,amount,business_date,reference,description\n"
        )
        assert OutboundInstruction.objects.get().status == InstructionStatus.PENDING

    def test_a_crash_while_writing_leaves_no_file_and_the_instructions_pending(
        self, tmp_path: Path, three: list[int]
    ) -> None:
        def crash(done: int) -> None:
            raise OSError("disk full")

        with pytest.raises(OSError, match="disk full"):
            export_instructions(tmp_path, business_date=DAY, progress=crash)

        assert list(tmp_path.iterdir()) == []
        assert set(OutboundInstruction.objects.values_list("status", flat=True)) == {InstructionStatus.PENDING}
        assert not AuditEntry.objects.filter(action="outbound.export").exists()

    def test_progress_counts_every_record(self, tmp_path: Path, three: list[int]) -> None:
        counted: list[int] = []
        result = export_instructions(tmp_path, business_date=DAY, progress=counted.append)
        assert sum(counted) == result.records == 3


class TestAcknowledge:
    def test_acknowledged_and_rejected_are_recorded_audited_and_idempotent(
        self, tmp_path: Path, three: list[int]
    ) -> None:
        export_instructions(tmp_path, business_date=DAY)
        rows = [
            {"instruction_id": str(three[0]), "status": "acknowledged", "host_reference": "H-1", "reason": ""},
            {"instruction_id": str(three[1]), "status": "acknowledged", "host_reference": "H-2", "reason": ""},
            {"instruction_id": str(three[2]), "status": "rejected", "host_reference": "", "reason": "card closed"},
        ]

        assert acknowledge(rows=rows, business_date=NEXT) == 3

        assert statuses() == [
            (three[0], "acknowledged", "H-1", "", NEXT),
            (three[1], "acknowledged", "H-2", "", NEXT),
            (three[2], "rejected", "", "card closed", NEXT),
        ]
        assert AuditEntry.objects.filter(action="outbound.acknowledged").count() == 2
        rejected = AuditEntry.objects.get(action="outbound.rejected")
        assert rejected.object_id == str(three[2]) and rejected.after["reason"] == "card closed"
        # a rejected instruction no longer counts as outstanding: the next balance sync takes the host's figure
        assert not OutboundInstruction.objects.filter(status__in=OUTSTANDING).exists()

        assert acknowledge(rows=rows, business_date=NEXT + dt.timedelta(days=1)) == 0  # the same feed again
        assert statuses()[2][4] == NEXT
        assert AuditEntry.objects.filter(action__startswith="outbound.").exclude(action="outbound.export").count() == 3

    @pytest.mark.parametrize(
        ("bad", "field", "code"),
        [
            ({"instruction_id": "x1"}, "instruction_id", "not_a_whole_number"),
            ({"instruction_id": "999999"}, "instruction_id", "instruction_unknown"),
            ({"instruction_id": "PENDING"}, "instruction_id", "instruction_not_exported"),
            ({"status": "applied"}, "status", "not_a_choice"),
            ({"status": ""}, "status", "not_a_choice"),
            ({"reason": "x" * 201}, "reason", "too_long"),
            ({"host_reference": "x" * 81}, "host_reference", "too_long"),
            ({"status": "rejected"}, "status", "instruction_answered"),  # acknowledged by an earlier feed
            ({"instruction_id": "FIRST", "host_reference": "OTHER"}, "status", "instruction_answered"),  # same file
        ],
    )
    def test_a_bad_row_refuses_the_whole_file_naming_its_row_and_field(
        self, tmp_path: Path, account: Account, three: list[int], bad: dict[str, str], field: str, code: str
    ) -> None:
        export_instructions(tmp_path, business_date=DAY)
        acknowledge(
            rows=[{"instruction_id": str(three[2]), "status": "acknowledged", "host_reference": "OLD", "reason": ""}],
            business_date=DAY,
        )
        post(account, (EntryKind.PAYMENT, "principal", -1), on=NEXT)
        pending = OutboundInstruction.objects.get(status=InstructionStatus.PENDING).pk
        before = statuses()
        ids = {"PENDING": str(pending), "FIRST": str(three[0])}
        good = {"status": "acknowledged", "host_reference": "H", "reason": ""}
        row: dict[str, str] = {"instruction_id": str(three[2]), **good, "host_reference": "OLD", **bad}
        row["instruction_id"] = ids.get(row["instruction_id"], row["instruction_id"])
        rows = [{"instruction_id": str(three[0]), **good}, {"instruction_id": str(three[1]), **good}, row]

        with pytest.raises(ValidationFailed) as refused:
            acknowledge(rows=rows, business_date=NEXT)

        error = refused.value
        assert (error.field, error.code, error.params["row"]) == (field, code, 3)
        assert f"row 3, {field}:" in error.message
        assert statuses() == before

    def test_every_bad_row_is_listed(self, tmp_path: Path, three: list[int]) -> None:
        export_instructions(tmp_path, business_date=DAY)
        rows = [
            {"instruction_id": "a", "status": "acknowledged"},
            {"instruction_id": str(three[0]), "status": "ok"},
            {"instruction_id": str(three[1]), "status": "rejected", "reason": "no such card"},
        ]
        with pytest.raises(ValidationFailed) as refused:
            acknowledge(rows=rows, business_date=NEXT)
        problems = refused.value.params["problems"]
        assert isinstance(problems, list)
        assert [(p["row"], p["field"]) for p in problems] == [(1, "instruction_id"), (2, "status")]
        assert set(OutboundInstruction.objects.values_list("status", flat=True)) == {InstructionStatus.EXPORTED}


# --- the property ----------------------------------------------------------------------------------


@contextmanager
def rolled_back() -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


KINDS = [EntryKind.PAYMENT, EntryKind.FEE_WAIVER, EntryKind.ADJUSTMENT, EntryKind.HOST_SYNC, EntryKind.PLAN_TRANSFER]
move = st.tuples(
    st.integers(0, 2),  # which account
    st.sampled_from(KINDS),
    st.sampled_from(["principal", "interest", "fees", "plan"]),
    st.integers(-100_000, 100_000).filter(bool),
)


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=st.lists(st.lists(move, min_size=1, max_size=8), min_size=1, max_size=4))
def test_the_instructions_sum_to_the_entries_that_are_not_the_hosts_own(
    batches: list[list[tuple[int, str, str, int]]], monkeypatch_chunk: Any, accounts: list[Account]
) -> None:
    with rolled_back(), HOST:
        for batch in batches:
            posting.post(
                [
                    posting.Line(
                        account_id=accounts[n].pk, kind=kind, component=component, amount_fen=fen, posting_date=DAY
                    )
                    for n, kind, component, fen in batch
                ]
            )
        entries = Entry.objects.exclude(kind=EntryKind.HOST_SYNC)
        assert (
            OutboundInstruction.objects.aggregate(s=Sum("amount_fen"))["s"]
            == entries.aggregate(s=Sum("amount_fen"))["s"]
        )
        assert sorted(
            entries.values_list("id", "account_id", "kind", "component", "amount_fen", "posting_date")
        ) == sorted(
            OutboundInstruction.objects.values_list(
                "entry_id", "account_id", "kind", "component", "amount_fen", "business_date"
            )
        )


@pytest.fixture
def monkeypatch_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(posting, "CHUNK", 2)  # three accounts: more than one chunk per post


@pytest.fixture
def accounts() -> list[Account]:
    return [make_account(name=f"客户{n}") for n in range(3)]
