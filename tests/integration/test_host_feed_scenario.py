"""Host-feed mode's scenario (issue 14): two days of feed files, a snapshot then a delta, each followed
by the daily cycle in host_feed mode; after them the cases, the workbench's next account and the strategy
behave as in own-ledger mode for the same account (same DPD: same bucket, case, queue, collector,
strategy action). The own-ledger run is made first and rolled back, in the same test."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import transaction

from arrears.cases.models import Case
from arrears.cases.operations import next_case
from arrears.cycle.models import StepRun
from arrears.cycle.registry import HOST_COMPUTED
from arrears.cycle.runner import run_date
from arrears.delinquency.models import BucketChange
from arrears.hostfeed.operations import import_feed
from arrears.ledger.models import Account
from arrears.ledger.queries import cache_mismatches
from arrears.products.models import Product
from arrears.statements.models import Statement
from arrears.strategy.models import StrategyAction
from arrears.strategy.operations import approve_version, draft_version, make_live
from tests.builders import past_due, staff, team_with_queue
from tests.factories import make_product
from tests.hostfeed_writer import write_feed

pytestmark = pytest.mark.django_db
ON = dt.date(2026, 3, 1)
DAY1, DAY2 = dt.date(2026, 5, 2), dt.date(2026, 5, 3)  # the own-ledger debtor is 9, then 10 days past due
PATH = """
segments:
  - code: collections
    when: {dpd: {min: 1}, not_flags: [charged_off]}
    path:
      - {day: 0, action: call_queue}
"""


class _RollBack(Exception):
    pass


def _strategy() -> None:
    version = draft_version(actor="maker", code="feed", definition=PATH, effective_from=ON, business_date=ON)
    approve_version(actor="checker", version=version, business_date=ON)
    make_live(actor="checker", strategy=version.strategy)


def _outcome(account: Account, collector: User, day: dt.date) -> dict[str, Any]:
    account.refresh_from_db()
    case = Case.objects.get(customer_id=account.customer_id)
    taken = next_case(user=collector, business_date=day)
    return {
        "dpd": account.dpd,
        "bucket": account.bucket,
        "buckets": list(BucketChange.objects.filter(account=account).values_list("from_bucket", "to_bucket")),
        "balance": account.balance_fen,
        "case": (case.status, case.dpd, case.worst_bucket, case.past_due_fen, case.balance_fen),
        "queue": case.queue.name if case.queue else None,
        "collector": case.collector_id,
        "next account": taken.pk == case.pk if taken else None,
        "strategy": sorted(
            StrategyAction.objects.filter(account=account).values_list("segment", "kind", "outcome").distinct()
        ),
    }


def _own_ledger(product: Product, collector: User) -> tuple[dict[str, Any], dict[str, Any]]:
    """The outcome for a debtor of the own ledger 10 days past due on DAY2, its balances and its
    statement as the host would send them; then everything rolled back."""
    try:
        with transaction.atomic():
            [debtor] = past_due(dpd=10, amounts=["1000.00"], product=product)
            account = debtor.account
            assert account.dpd == 10
            statement = Statement.objects.get(account=account, new_balance_fen__gt=0)
            host = {
                "principal": account.principal_fen,
                "interest": account.interest_fen,
                "fees": account.fees_fen,
                "statement": statement,
            }
            outcome = _outcome(account, collector, DAY2)
            raise _RollBack
    except _RollBack:
        pass
    return outcome, host


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def _accounts(product: Product, host: dict[str, Any], dpd: int, interest: int) -> list[list[str]]:
    return [
        [
            "H1",
            "C1",
            "6200000000000001",
            product.code,
            "2026-03-01",
            "5",
            "10000.00",
            "open",
            str(dpd),
            _yuan(host["principal"]),
            _yuan(interest),
            _yuan(host["fees"]),
        ],
    ]


def test_after_a_snapshot_and_a_delta_cases_workbench_and_strategy_behave_as_in_own_ledger_mode(
    tmp_path: Path, settings: Any
) -> None:
    product = make_product()
    team = team_with_queue()
    collector = staff(team=team)
    _strategy()
    own, host = _own_ledger(product, collector)
    statement = host["statement"]

    settings.ARREARS_LEDGER_MODE = "host_feed"
    statements = [
        [
            "H1",
            statement.statement_date.isoformat(),
            statement.due_date.isoformat(),
            _yuan(statement.minimum_due_fen),
            _yuan(statement.minimum_unpaid_fen),
            _yuan(statement.new_balance_fen),
        ]
    ]
    import_feed(
        write_feed(
            tmp_path / "d1",
            kind="snapshot",
            business_date=DAY1,
            files={
                "customers.csv": [["C1", "客户1", "", "zh-hans"]],
                "contacts.csv": [["C1", "13800138000", "", "", "", "上海市浦东新区世纪大道100号"]],
                "accounts.csv": _accounts(product, host, 9, host["interest"] - 100),
                "statements.csv": statements,
            },
        ),
        actor="test",
    )
    assert run_date(DAY1)
    import_feed(
        write_feed(
            tmp_path / "d2",
            kind="delta",
            business_date=DAY2,
            files={"accounts.csv": _accounts(product, host, 10, host["interest"])},
        ),
        actor="test",
    )
    assert run_date(DAY2)

    account = Account.objects.get(ref="H1")
    assert _outcome(account, collector, DAY2) == own
    assert own["case"][0] == "open" and own["queue"] and own["next account"] and own["strategy"]
    assert cache_mismatches() == []
    ran = set(StepRun.objects.filter(business_date=DAY2).values_list("step", flat=True))
    assert ran and not ran & HOST_COMPUTED
    assert {"open_cases", "update_cases", "route_cases", "apply_strategy", "seal_audit"} <= ran
