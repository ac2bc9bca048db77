"""Host-feed mode end to end: a payment Arrears takes goes to the host as an instruction, the host's next
feeds before and after applying it leave the balance where it belongs, and a refusal brings the account
back to what the host holds (docs/host-feed.md, docs/host-instructions.md)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from django.test import override_settings

from arrears.hostfeed.operations import import_feed
from arrears.ledger.models import Account, Entry, EntryKind, InstructionStatus, OutboundInstruction
from arrears.ledger.outbound import export_instructions
from arrears.ledger.queries import cache_mismatches
from tests.factories import make_product, pay
from tests.hostfeed_writer import write_feed

pytestmark = pytest.mark.django_db
DAY1, DAY2, DAY3 = dt.date(2026, 5, 2), dt.date(2026, 5, 3), dt.date(2026, 5, 4)
HOST = override_settings(ARREARS_LEDGER_MODE="host_feed")


def _account_row(product_code: str, principal: str) -> list[str]:
    return ["H0001", "C1", "6200000000000001", product_code, "2026-01-01", "5", "10000.00", "open", "0", principal,
            "0.00", "0.00"]  # fmt: skip


def _feed(
    directory: Path, day: dt.date, kind: str, principal: str, product_code: str, **files: list[list[str]]
) -> Path:
    base: dict[str, list[list[str]]] = {"accounts.csv": [_account_row(product_code, principal)]}
    if kind == "snapshot":
        base["customers.csv"] = [["C1", "客户C1", "110101199001010000", "zh-hans"]]
    return write_feed(directory, kind=kind, business_date=day, files={**base, **files})


def _paid_and_exported(tmp_path: Path) -> tuple[Account, str, str]:
    product = make_product()
    import_feed(_feed(tmp_path / "d1", DAY1, "snapshot", "500.00", product.code), actor="test")
    account = Account.objects.get(ref="H0001")
    pay(account, DAY1, "100.00", reference="PORTAL-1")  # taken by Arrears (the portal), not yet at the host
    exported = export_instructions(tmp_path / "out", business_date=DAY1)
    with (exported.path / "instructions.csv").open(encoding="utf-8") as f:
        [row] = list(csv.DictReader(f))
    assert (row["account_ref"], row["kind"], row["component"], row["amount"]) == (
        "H0001",
        "payment",
        "principal",
        "-100.00",
    )
    return account, row["instruction_id"], product.code


def _principal(account: Account) -> int:
    account.refresh_from_db()
    return account.principal_fen


def test_the_host_applies_the_instruction_a_day_later_and_the_balance_never_moves_back(tmp_path: Path) -> None:
    with HOST:
        account, instruction, code = _paid_and_exported(tmp_path)
        assert _principal(account) == 40000

        # Day 2: the host has not applied it yet (500.00): the instruction outstanding keeps 400.00.
        import_feed(_feed(tmp_path / "d2", DAY2, "delta", "500.00", code), actor="test")
        assert _principal(account) == 40000
        assert not Entry.objects.filter(account=account, kind=EntryKind.HOST_SYNC, posting_date=DAY2).exists()

        # Day 3: applied (400.00) and acknowledged: nothing to sync, the instruction is done.
        ack = [[instruction, "acknowledged", "HOST-77", ""]]
        import_feed(_feed(tmp_path / "d3", DAY3, "delta", "400.00", code, **{"acknowledgements.csv": ack}), actor="t")

    assert _principal(account) == 40000
    done = OutboundInstruction.objects.get(pk=instruction)
    assert (done.status, done.host_reference, done.answered_on) == (InstructionStatus.ACKNOWLEDGED, "HOST-77", DAY3)
    assert not Entry.objects.filter(account=account, kind=EntryKind.HOST_SYNC, posting_date=DAY3).exists()
    assert cache_mismatches() == []


def test_a_refused_instruction_brings_the_account_back_to_what_the_host_holds(tmp_path: Path) -> None:
    with HOST:
        account, instruction, code = _paid_and_exported(tmp_path)
        refusal = [[instruction, "rejected", "", "card closed"]]
        import_feed(
            _feed(tmp_path / "d2", DAY2, "delta", "500.00", code, **{"acknowledgements.csv": refusal}), actor="t"
        )

    assert _principal(account) == 50000
    assert OutboundInstruction.objects.get(pk=instruction).status == InstructionStatus.REJECTED
    [sync] = Entry.objects.filter(account=account, kind=EntryKind.HOST_SYNC, posting_date=DAY2)
    assert (sync.component, sync.amount_fen) == ("principal", 10000)
    assert cache_mismatches() == []
