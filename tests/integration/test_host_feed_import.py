"""`arrears feed import` (docs/host-feed.md): a snapshot then a delta taken, the balances synced through the
ledger door (cache = sum of entries), the same feed twice a no-op, and every kind of bad feed refused
whole with a per-row report and nothing changed."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.utils import translation

from arrears.audit.models import AuditEntry
from arrears.delinquency.models import BucketChange
from arrears.errors import FeedRefused
from arrears.hostfeed.models import FeedImport, HostCustomer
from arrears.hostfeed.operations import import_feed
from arrears.ledger.models import Account, Customer, Entry, EntryKind
from arrears.ledger.queries import cache_mismatches
from arrears.payments.models import Payment
from arrears.products.models import Product
from arrears.statements.models import Statement
from tests import table_snapshot
from tests.factories import make_product
from tests.hostfeed_writer import write_feed

pytestmark = pytest.mark.django_db
DAY1 = dt.date(2026, 5, 2)
DAY2 = dt.date(2026, 5, 3)


def customers(*ids: str) -> list[list[str]]:
    return [[i, f"客户{i}", f"11010119900101{n:04d}", "zh-hans"] for n, i in enumerate(ids)]


def contacts(*ids: str) -> list[list[str]]:
    return [
        [i, f"1380013{n:04d}", "", "", f"c{n}@example.com", "上海市浦东新区世纪大道100号"] for n, i in enumerate(ids)
    ]


def account(
    ref: str,
    customer: str,
    product: str,
    *,
    dpd: int = 0,
    principal: str = "1000.00",
    n: int = 1,
    interest: str = "0.00",
    fees: str = "0.00",
    status: str = "open",
) -> list[str]:
    return [
        ref,
        customer,
        f"62{n:014d}",
        product,
        "2026-01-01",
        "5",
        "10000.00",
        status,
        str(dpd),
        principal,
        interest,
        fees,
    ]


def snapshot(directory: Path, product: Product, **overrides: Any) -> Path:
    return write_feed(
        directory,
        kind="snapshot",
        business_date=DAY1,
        files={
            "customers.csv": customers("C1", "C2"),
            "contacts.csv": contacts("C1", "C2"),
            "accounts.csv": [
                account("H0001", "C1", product.code, dpd=0, principal="500.00", n=1),
                account("H0002", "C2", product.code, dpd=9, principal="1200.00", interest="35.50", fees="50", n=2),
            ],
            "statements.csv": [["H0002", "2026-04-05", "2026-04-23", "120.00", "120.00", "1200.00"]],
        },
        **overrides,
    )


def delta(directory: Path, product: Product, **files: Any) -> Path:
    return write_feed(
        directory,
        kind="delta",
        business_date=DAY2,
        files=files
        or {
            "accounts.csv": [
                account("H0002", "C2", product.code, dpd=10, principal="1100.00", interest="36.00", fees="50", n=2)
            ],
            "payments.csv": [["P-1", "H0002", "100.00", "2026-05-03"]],
        },
    )


def test_a_snapshot_then_a_delta_bring_customers_accounts_balances_dpd_statements_and_payments(tmp_path: Path) -> None:
    product = make_product()

    first = import_feed(snapshot(tmp_path / "d1", product), actor="test")
    second = import_feed(delta(tmp_path / "d2", product), actor="test")

    assert not first.already_imported and not second.already_imported
    one, two = Account.objects.get(ref="H0001"), Account.objects.get(ref="H0002")
    assert (one.principal_fen, one.interest_fen, one.fees_fen, one.dpd, one.bucket) == (50000, 0, 0, 0, 0)
    assert (two.principal_fen, two.interest_fen, two.fees_fen, two.dpd, two.bucket) == (110000, 3600, 5000, 10, 1)
    assert two.customer == HostCustomer.objects.get(host_id="C2").customer
    assert two.customer.mobile == "13800130001" and two.number == "6200000000000002"
    assert list(BucketChange.objects.filter(account=two).values_list("change_date", "from_bucket", "to_bucket")) == [
        (DAY1, 0, 1)
    ]
    statement = Statement.objects.get(account=two)
    assert (statement.due_date, statement.minimum_due_fen, statement.minimum_unpaid_fen) == (
        dt.date(2026, 4, 23),
        12000,
        12000,
    )
    payment = Payment.objects.get(reference="host:P-1")
    assert (payment.account_id, payment.amount_fen, payment.source) == (two.id, 10000, "host_feed")
    assert not Entry.objects.filter(kind=EntryKind.PAYMENT).exists()  # the sync carries the money
    assert Entry.objects.filter(account=two, kind=EntryKind.HOST_SYNC).aggregate(s=Sum("amount_fen"))["s"] == 118600
    assert cache_mismatches() == []
    assert list(FeedImport.objects.order_by("business_date").values_list("business_date", "kind")) == [
        (DAY1, "snapshot"),
        (DAY2, "delta"),
    ]
    assert AuditEntry.objects.filter(action="hostfeed.import").count() == 2


def test_the_same_feed_twice_changes_nothing(tmp_path: Path) -> None:
    product = make_product()
    feed = snapshot(tmp_path / "d1", product)
    import_feed(feed, actor="test")
    before = table_snapshot.by_id()

    again = import_feed(feed, actor="test")

    assert again.already_imported
    assert table_snapshot.by_id() == before


def test_the_command_says_so_and_a_refusal_exits_non_zero_with_its_report(tmp_path: Path, capsys: Any) -> None:
    product = make_product()
    feed = snapshot(tmp_path / "d1", product)
    with translation.override("en"):
        call_command("feed", "import", str(feed))
        call_command("feed", "import", str(feed))
    assert "imported already: nothing changed" in capsys.readouterr().out

    bad = snapshot(tmp_path / "bad", product, manifest={"business_date": "2026-05-01"})
    with pytest.raises(CommandError, match="数据文件被拒绝：共 1 个问题"):  # the page's language (zh-Hans)
        call_command("feed", "import", str(bad), "--report", str(tmp_path / "report.csv"))
    with (tmp_path / "report.csv").open() as f:
        assert list(csv.reader(f))[1] == [
            "manifest.json",
            "0",
            "business_date",
            "before the last imported feed's date 2026-05-02",
        ]


def _refused(feed: Path) -> list[tuple[str, int, str]]:
    before = table_snapshot.by_id()
    with pytest.raises(FeedRefused) as refused:
        import_feed(feed, actor="test")
    assert table_snapshot.by_id() == before, "a refused feed changed something"
    return [(p.file, p.line, p.field) for p in refused.value.problems]


def _rewrite(feed: Path, name: str, change: Any) -> None:
    """Change a file after its manifest was written (the manifest's checksum no longer matches)."""
    path = feed / name
    path.write_text(change(path.read_text()))


def test_bad_snapshots_are_refused_whole_naming_file_line_and_field(tmp_path: Path) -> None:
    product = make_product()
    good = [
        account("H0001", "C1", product.code, n=1),
        account("H0002", "C2", product.code, principal="1,50", n=2),  # the grouping comma: not 150.00
        account("H0001", "C2", product.code, n=3),  # the key again
        account("H0004", "C9", product.code, n=4),  # no such customer
        account("H0005", "C2", "nosuch", n=5),  # no such product
        account("H0006", "C2", product.code, dpd=-1, n=6),
        account("H0000000000000007", "C2", product.code, n=7),  # 17 characters: longer than a ref
        account("H0008", "C2", product.code, status="dormant", n=8),
        account("H0009", "C2", product.code, principal="12.345", n=9),
    ]
    feed = write_feed(
        tmp_path / "d1",
        kind="snapshot",
        business_date=DAY1,
        files={"customers.csv": customers("C1", "C2"), "accounts.csv": good},
    )

    assert _refused(feed) == [
        ("accounts.csv", 3, "principal"),
        ("accounts.csv", 4, "account_id"),
        ("accounts.csv", 5, "customer_id"),
        ("accounts.csv", 6, "product_code"),
        ("accounts.csv", 7, "dpd"),
        ("accounts.csv", 8, "account_id"),
        ("accounts.csv", 9, "status"),
        ("accounts.csv", 10, "principal"),
    ]
    assert not Customer.objects.exists() and not FeedImport.objects.exists()


def test_a_wrong_count_a_checksum_mismatch_and_a_bad_manifest_are_refused(tmp_path: Path) -> None:
    product = make_product()
    counted = snapshot(
        tmp_path / "count",
        product,
        manifest={"files": {}},
    )
    assert _refused(counted) == [("manifest.json", 0, "files")]

    feed = snapshot(tmp_path / "d1", product)
    manifest = json.loads((feed / "manifest.json").read_text())
    manifest["files"]["accounts.csv"]["records"] = 3
    (feed / "manifest.json").write_text(json.dumps(manifest))
    assert _refused(feed) == [("accounts.csv", 0, "records")]

    feed = snapshot(tmp_path / "d2", product)
    _rewrite(feed, "accounts.csv", lambda text: text.replace("500.00", "501.00"))
    assert _refused(feed) == [("accounts.csv", 0, "sha256")]

    feed = snapshot(tmp_path / "d3", product, manifest={"format": "other", "version": 2})
    assert _refused(feed) == [("manifest.json", 0, "format"), ("manifest.json", 0, "version")]


def test_deltas_out_of_order_unknown_accounts_and_a_changed_feed_of_a_date_are_refused(tmp_path: Path) -> None:
    product = make_product()
    assert _refused(delta(tmp_path / "early", product)) == [("manifest.json", 0, "kind")]
    import_feed(snapshot(tmp_path / "d1", product), actor="test")

    unknown = delta(
        tmp_path / "unknown",
        product,
        **{
            "payments.csv": [["P-1", "H0002", "100.00", "2026-05-03"], ["P-2", "H9999", "5.00", "2026-05-03"]],
            "statements.csv": [["H7777", "2026-05-01", "2026-05-20", "10.00", "10.00", "100.00"]],
        },
    )
    assert _refused(unknown) == [("payments.csv", 3, "account_id"), ("statements.csv", 2, "account_id")]

    changed = snapshot(tmp_path / "changed", product)
    _rewrite(changed, "accounts.csv", lambda text: text.replace("500.00", "501.00"))
    changed = write_feed(
        tmp_path / "changed2",
        kind="snapshot",
        business_date=DAY1,
        files={"customers.csv": customers("C1"), "accounts.csv": [account("H0001", "C1", product.code, n=1)]},
    )
    assert _refused(changed) == [("manifest.json", 0, "business_date")]

    import_feed(delta(tmp_path / "d2", product), actor="test")
    earlier = write_feed(
        tmp_path / "earlier",
        kind="delta",
        business_date=dt.date(2026, 5, 1),
        files={"payments.csv": [["P-9", "H0002", "1.00", "2026-05-01"]]},
    )
    assert _refused(earlier) == [("manifest.json", 0, "business_date")]
