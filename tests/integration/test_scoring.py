"""Propensity to pay against the database: features from Arrears' own data (a hand-checked example and
one through the real cycle), `arrears score train|accounts|promote`, bad files registering nothing,
maker != checker promotion, and a strategy segment reading score bands per arm's model."""

from __future__ import annotations

import datetime as dt
import io
import json
import math
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arrears.audit.models import AuditEntry
from arrears.cases.models import Case
from arrears.contacts.models import Channel, Contact, Party, Result
from arrears.errors import NotPermitted
from arrears.kernel import clock
from arrears.people.models import Role
from arrears.plans.models import Plan, PlanStatus
from arrears.promises.models import Promise, PromiseStatus
from arrears.scoring import features
from arrears.scoring.models import AccountScore, ModelStatus, ScoreModel
from arrears.scoring.operations import promote, score_accounts
from arrears.statements.models import Statement
from arrears.strategy.cycle import preview
from arrears.strategy.operations import approve_version, draft_version
from tests.builders import past_due, staff
from tests.factories import make_account

AS_OF = dt.date(2026, 9, 10)


def statement(account: object, on: dt.date, balance: str, minimum: str, paid_by_due: str | None, paid: str) -> None:
    fen = lambda s: round(float(s) * 100)  # noqa: E731 (test amounts are exact in two decimals)
    Statement.objects.create(
        account=account,
        statement_date=on,
        period_start=on - dt.timedelta(days=30),
        due_date=on + dt.timedelta(days=20),
        principal_fen=fen(balance),
        interest_fen=0,
        fees_fen=0,
        new_balance_fen=fen(balance),
        minimum_payment_fen=fen(minimum),
        minimum_due_fen=fen(minimum),
        minimum_unpaid_fen=0,
        payments_fen=fen(paid),
        paid_by_due_fen=None if paid_by_due is None else fen(paid_by_due),
    )


@pytest.mark.django_db
def test_features_worked_example() -> None:
    a = make_account(credit_limit="12000.00")
    b = make_account(credit_limit="5000.00")
    # (statement date, balance, minimum, paid by the due date, paid in the month) -> status, by hand:
    for on, bal, mini, by_due, paid in [
        (dt.date(2026, 2, 5), "500.00", "50.00", "0.00", "0.00"),  # behind 1 (older than m6: starts the chain)
        (dt.date(2026, 3, 5), "600.00", "100.00", "0.00", "0.00"),  # m6: behind 1 + 1 = 2
        (dt.date(2026, 4, 5), "700.00", "150.00", "150.00", "150.00"),  # m5: the minimum paid -> 0
        (dt.date(2026, 5, 5), "600.00", "60.00", "600.00", "600.00"),  # m4: paid in full -> -1
        (dt.date(2026, 6, 5), "0.00", "0.00", "0.00", "0.00"),  # m3: nothing due -> -2
        (dt.date(2026, 7, 5), "800.00", "80.00", "0.00", "0.00"),  # m2: behind 1 (chain restarts)
        (dt.date(2026, 8, 5), "900.00", "170.00", "100.00", "100.00"),  # m1: behind 1 + 1 = 2
        (dt.date(2026, 9, 5), "950.00", "95.00", None, "0.00"),  # due 09-25, not decided on 09-10: left out
    ]:
        statement(a, on, bal, mini, by_due, paid)
    user = staff(Role.COLLECTOR)
    case = Case.objects.create(customer=a.customer, opened_on=dt.date(2026, 7, 1))
    zone = clock.bank_zone()
    contacts = [
        (dt.date(2026, 9, 10), Result.RIGHT_PARTY),
        (dt.date(2026, 6, 13), Result.RIGHT_PARTY),
        (dt.date(2026, 6, 12), Result.RIGHT_PARTY),
        (dt.date(2026, 9, 1), Result.NO_ANSWER),
    ]
    for day, result in contacts:
        at = dt.datetime(day.year, day.month, day.day, 10, tzinfo=zone)
        Contact.objects.create(
            case=case, collector=user, at=at, channel=Channel.PHONE, party=Party.CARDHOLDER, result=result
        )
    promises = [
        (dt.date(2026, 8, 1), PromiseStatus.KEPT),
        (dt.date(2026, 8, 20), PromiseStatus.BROKEN),
        (dt.date(2026, 9, 2), PromiseStatus.PARTLY_KEPT),
        (dt.date(2026, 5, 1), PromiseStatus.KEPT),
    ]
    for judged, status in promises:
        Promise.objects.create(
            case=case,
            amount_fen=10_000,
            promised_date=judged,
            taken_on=judged - dt.timedelta(days=5),
            status=status,
            judged_on=judged,
        )
    Plan.objects.create(
        case=case,
        account=a,
        status=PlanStatus.ACTIVE,
        scope="overdue",
        method="equal",
        instalments=6,
        first_due_date=AS_OF,
        balance_fen=90_000,
        total_amount_fen=90_000,
        proposed_by=user,
        proposed_on=AS_OF,
    )

    with CaptureQueriesContext(connection) as queries:
        matrix = features.build(AS_OF, ids=[a.pk, b.pk])
    assert len(queries) == 6  # accounts, statements, contacts, promises kept, promises broken, plans
    row = matrix.row(a.pk)
    assert [row[f"status_m{k}"] for k in range(1, 7)] == [2, 1, -2, -1, 0, 2]
    assert [row[f"balance_m{k}"] for k in range(1, 7)] == [900.0, 800.0, 0.0, 600.0, 700.0, 600.0]
    assert [row[f"payment_m{k}"] for k in range(1, 7)] == [100.0, 0.0, 0.0, 600.0, 150.0, 0.0]
    assert row["limit"] == 12_000.0
    # the 90 days are 06-13 .. 09-10: the 06-12 contact and the 05-01 promise are out; a partly kept one is broken
    assert (row["contacts_rpc_90d"], row["promises_kept_90d"], row["promises_broken_90d"]) == (2, 1, 2)
    assert row["plan_active"] == 1
    other = matrix.row(b.pk)
    assert other["limit"] == 5_000.0 and other["plan_active"] == 0 and other["contacts_rpc_90d"] == 0
    assert all(math.isnan(other[f"{kind}_m{k}"]) for kind in ("status", "balance", "payment") for k in range(1, 7))


@pytest.mark.django_db
def test_features_through_the_real_cycle() -> None:
    # Bought 1,000.00 on 03-10 and never paid: the 04-05 statement (due 04-23) is missed -> 1 behind,
    # the 05-05 one (due 05-23) too -> 2 behind; 40 days past 04-23 is 06-02.
    [debtor] = past_due(dpd=40, amounts=["1000.00"])
    row = features.build(dt.date(2026, 6, 2), ids=[debtor.account.pk]).row(debtor.account.pk)
    assert (row["status_m1"], row["status_m2"]) == (2, 1)
    assert row["balance_m2"] == 1000.0 and row["payment_m1"] == 0.0


def legacy_csv(path: Path, n: int = 600, seed: int = 3) -> Path:
    rng = np.random.default_rng(seed)
    status = rng.choice([-2, -1, 0, 1, 2, 3], n, p=[0.2, 0.3, 0.25, 0.12, 0.08, 0.05])
    bill = rng.integers(0, 40_000, n)
    ratio = rng.uniform(0, 1, n)
    logit = -1.8 + 1.0 * status - 1.5 * ratio
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(int)
    lines = ["ID,PAY_0,BILL_AMT1,PAY_AMT1,LIMIT_BAL,CONST,SEX,default"]
    for i in range(n):
        lines.append(
            f"{i},{status[i]},{bill[i]},{round(ratio[i] * bill[i], 2)},{20000 + 1000 * (i % 5)},7,{1 + i % 2},{y[i]}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


MAP = """
target: default
id: ID
features: {status_m1: PAY_0, balance_m1: BILL_AMT1, payment_m1: PAY_AMT1, limit: LIMIT_BAL, plan_active: CONST}
protected: [SEX]
"""


def train(tmp_path: Path, mapping: str = MAP, *extra: str, csv: Path | None = None) -> dict[str, object]:
    (tmp_path / "map.yaml").write_text(mapping, encoding="utf-8")
    out = io.StringIO()
    call_command(
        "score", "train", str(csv or legacy_csv(tmp_path / "legacy.csv")), "--mapping", str(tmp_path / "map.yaml"),
        *extra, stdout=out,
    )  # fmt: skip
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1  # only the JSON on stdout
    result: dict[str, object] = json.loads(lines[0])
    return result


@pytest.mark.django_db
def test_train_from_the_command_line_registers_a_draft(tmp_path: Path) -> None:
    result = train(tmp_path, MAP, "--actor", "maker")
    assert list(result) == ["model", "auc", "ks", "n_train", "n_test", "features", "excluded", "fairness"]
    assert result["model"] == "propensity@1"
    assert (result["n_train"], result["n_test"]) == (420, 180)
    assert "status_m1" in result["features"]  # type: ignore[operator]
    assert "plan_active" in result["excluded"]  # type: ignore[operator]  # constant 7: nothing to learn
    assert 0.7 < result["auc"] <= 1  # type: ignore[operator]
    assert set(result["fairness"]["SEX"]) == {"1", "2"}  # type: ignore[index]
    saved = ScoreModel.objects.get()
    assert (saved.status, saved.created_by, saved.excluded["plan_active"]) == (
        ModelStatus.DRAFT,
        "cli:maker",
        "constant",
    )
    assert AuditEntry.objects.filter(action="score_model.register", object_id="propensity@1").count() == 1
    # the same seed gives the same figures; the next one is version 2
    again = train(tmp_path, MAP, "--seed", "1")
    assert again["model"] == "propensity@2" and again["auc"] == result["auc"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "line", "words"),
    [
        (("PAY_AMT1", "PAY_AMT9"), None, "PAY_AMT9: is not a column"),
        (("status_m1", "status_m0"), None, "mapping.features.status_m0: is not a canonical feature"),
        (("[SEX]", "[PAY_0]"), None, "mapping.protected.PAY_0: is a protected column"),
        (None, '7,1,"1,50",0,20000,7,1,0', "BILL_AMT1: row 7: '1,50' is not a number"),
        (None, "7,1,150,0,20000,7,1,yes", "default: row 7: 'yes' is not a number"),
        (None, "7,1,150,0,20000,7,1,2", "default: row 7: the target must be 0 or 1"),
    ],
)
def test_a_malformed_file_or_mapping_names_the_column_and_registers_nothing(
    tmp_path: Path, change: tuple[str, str] | None, line: str | None, words: str
) -> None:
    csv = legacy_csv(tmp_path / "legacy.csv")
    if line is not None:
        lines = csv.read_text().splitlines()
        lines[7] = line
        csv.write_text("\n".join(lines) + "\n")
    mapping = MAP.replace(*change) if change else MAP
    with pytest.raises(CommandError) as caught:
        train(tmp_path, mapping, csv=csv)
    assert words in str(caught.value)
    assert not ScoreModel.objects.exists()
    assert not AuditEntry.objects.filter(object_type="score_model").exists()


@pytest.mark.django_db
def test_promotion_is_by_a_checker_who_is_not_the_maker(tmp_path: Path) -> None:
    maker, checker, collector = staff(Role.STRATEGY_MANAGER), staff(Role.STRATEGY_MANAGER), staff(Role.COLLECTOR)
    train(tmp_path, MAP, "--actor", maker.username)
    first = ScoreModel.objects.get()
    with pytest.raises(NotPermitted, match="maker"):
        promote(user=maker, model=first)
    with pytest.raises(NotPermitted, match="strategy manager"):
        promote(user=collector, model=first)
    call_command("score", "promote", "propensity@1", "--user", checker.username, stdout=io.StringIO())
    first.refresh_from_db()
    assert (first.status, first.promoted_by) == (ModelStatus.CHAMPION, checker.username)
    train(tmp_path, MAP, "--actor", maker.username)
    second = ScoreModel.objects.get(version=2)
    promote(user=staff(Role.ADMINISTRATOR), model=second)
    first.refresh_from_db()
    assert first.status == ModelStatus.RETIRED
    assert ScoreModel.objects.filter(status=ModelStatus.CHAMPION).get() == second
    assert AuditEntry.objects.filter(action="score_model.promote").count() == 2


BANDED = """
arms: [{code: champion, percent: 50}, {code: challenger, percent: 50, model: propensity@2}]
segments:
  - code: will_pay
    when: {dpd: {min: 1}, score_band: [high]}
    path: [{day: 0, action: no_action}]
  - code: needs_call
    when: {dpd: {min: 1}}
    path: [{day: 0, action: call_queue}]
"""


@pytest.mark.django_db
def test_scoring_accounts_and_a_strategy_reading_the_bands(tmp_path: Path) -> None:
    debtors = past_due(dpd=10, count=6)
    maker, checker = staff(Role.STRATEGY_MANAGER), staff(Role.STRATEGY_MANAGER)
    train(tmp_path, MAP, "--actor", maker.username)
    train(tmp_path, MAP, "--actor", maker.username, "--seed", "2")
    promote(user=checker, model=ScoreModel.objects.get(version=1))
    day = dt.date(2026, 5, 3)
    out = io.StringIO()
    call_command("score", "accounts", "--date", day.isoformat(), stdout=out)
    assert "scored 6 accounts with propensity@1" in out.getvalue()
    scores = AccountScore.objects.filter(model__version=1)
    assert scores.count() == 6
    one = scores.first()
    assert one is not None and 0 < one.score < 1 and one.points == round(1000 * (1 - one.score))
    assert one.reasons and one.reasons[0]["feature"] == "status_m1"  # 1 behind: the worst of its features
    assert one.reasons[0]["en"] == "Repayment status, last statement month"
    assert one.reasons[0]["zh"] == "最近一个账单月的还款状态"
    # a re-run replaces the day's scores
    assert score_accounts(model=ScoreModel.objects.get(version=1), day=day, actor="t") == 6
    assert AccountScore.objects.filter(model__version=1).count() == 6

    # The champion calls every account "high", the challenger's model "low" (scores set directly).
    challenger = ScoreModel.objects.get(version=2)
    scores.update(points=900)
    AccountScore.objects.bulk_create(
        AccountScore(account=d.account, model=challenger, score=0.8, points=200, reasons=[], scored_on=day)
        for d in debtors
    )
    version = draft_version(actor="maker", code="banded", definition=BANDED, effective_from=day, business_date=day)
    approve_version(actor="checker", version=version, business_date=day)
    result = preview(day + dt.timedelta(days=1), "banded")
    assert result is not None
    by_arm = {(s, a) for s, a, _ in result.actions}
    assert by_arm <= {("will_pay", "champion"), ("needs_call", "challenger")}
    assert sum(result.actions.values()) == 6 and len(by_arm) == 2
