"""Benchmark: propensity to pay (src/arrears/scoring): train, score a million rows, features from SQL.

    .venv/bin/python benchmarks/scoring.py [--accounts 100000] [--rows 1000000] [--train 100000]
    .venv/bin/python benchmarks/scoring.py --smoke        # 1,000 accounts, 20,000 rows; writes no README

Measures, on PostgreSQL (database `bench_scoring` on $BENCH_PG_SERVER, postgres://postgres@127.0.0.1:5432
by default):

- training (`scoring.model.train`: bins, WoE, logistic regression, test metrics) on a synthetic history of
  --train rows x all 23 canonical features with a known signal;
- scoring --rows synthetic accounts (probability, points' inputs and top-3 reason codes), numpy only;
- the features of N accounts with seven decided statements each (`scoring.features.build`: six queries);
- `arrears score accounts` as the command runs it: features, score, reasons in both languages and the
  bulk insert of AccountScore, in batches of 5,000 accounts.

A full run writes the `scoring` section of benchmarks/README.md. A smoke run uses a database of its own
(`bench_scoring_smoke_<pid>`) and drops it at the end.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/readme.py
import harness
from portfolio import insert_select
from readme import load_average

os.environ.setdefault("ARREARS_DEMO", "1")  # the audit trail's key: demo mode's, unless one is given
DB = "bench_scoring"
AS_OF = dt.date(2026, 9, 10)


def synthetic(n: int, seed: int) -> tuple[Any, Any]:
    """Rows x FEATURES with a known signal (months behind and the payment ratio), and the 0/1 target."""
    import numpy as np

    from arrears.scoring.rules import FEATURES

    rng = np.random.default_rng(seed)
    x = np.empty((n, len(FEATURES)))
    col = {f: j for j, f in enumerate(FEATURES)}
    status = rng.choice([-2, -1, 0, 1, 2, 3], n, p=[0.15, 0.3, 0.3, 0.13, 0.08, 0.04]).astype(float)
    ratio = rng.uniform(0, 1, n)
    x[:, col["limit"]] = rng.choice([5_000.0, 10_000.0, 20_000.0, 50_000.0], n)
    for k in range(1, 7):
        x[:, col[f"status_m{k}"]] = np.clip(status + rng.choice([-1, 0, 0, 1], n) * (k > 1), -2, 8)
        x[:, col[f"balance_m{k}"]] = rng.uniform(0, 40_000, n).round(2)
        share = ratio if k == 1 else rng.uniform(0, 1, n)
        x[:, col[f"payment_m{k}"]] = (x[:, col[f"balance_m{k}"]] * share).round(2)
    x[:, col["contacts_rpc_90d"]] = rng.poisson(1.0, n)
    x[:, col["promises_kept_90d"]] = rng.poisson(0.3, n)
    x[:, col["promises_broken_90d"]] = rng.poisson(0.3, n)
    x[:, col["plan_active"]] = rng.uniform(size=n) < 0.05
    logit = -1.5 + 0.9 * status - 1.8 * ratio + 0.3 * x[:, col["promises_broken_90d"]]
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    return x, y


def build(accounts: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from arrears.products.models import Product

    product = Product.objects.create(code="classic", name="Classic")
    now = timezone.now()
    with connection.cursor() as c:
        for sql in (
            f"""INSERT INTO ledger_customer (id, name, national_id, mobile, home_phone, work_phone, email, address,
                    region, time_zone, language, created_at)
                SELECT i, '客户' || i, '', '138' || lpad(i::text, 8, '0'), '', '', '', '', '', 'Asia/Shanghai',
                       'zh-hans', now() FROM generate_series(1, {accounts}) i""",
            f"""INSERT INTO ledger_account (id, ref, number, customer_id, product_id, opened_on, statement_day,
                    credit_limit_fen, status, principal_fen, interest_fen, fees_fen, plan_fen, dpd, bucket,
                    charged_off_fen, recovered_fen)
                SELECT i, 'AC' || lpad(i::text, 12, '0'), '62' || lpad(i::text, 14, '0'), i, {product.pk},
                       DATE '2024-01-01', 5, 1000000 * (1 + i % 5), 'open', 100000 + (i % 997) * 300, 0, 0, 0,
                       0, 0, 0, 0
                FROM generate_series(1, {accounts}) i""",
            # seven decided statements an account (03-05 .. 09-05 is undecided on 09-10: eight in all)
            f"""INSERT INTO statements_statement (account_id, statement_date, period_start, due_date, principal_fen,
                    interest_fen, fees_fen, new_balance_fen, minimum_payment_fen, minimum_due_fen,
                    minimum_unpaid_fen, payments_fen, paid_by_due_fen, explanation)
                SELECT i, d, d - 30, d + 20, b, 0, 0, b, b / 10, b / 10, 0, p, CASE WHEN d < DATE '2026-09-01'
                       THEN p END, '{{}}'::jsonb
                FROM generate_series(1, {accounts}) i,
                     LATERAL (SELECT (DATE '2026-02-05' + make_interval(months => m))::date AS d, m
                              FROM generate_series(0, 7) m) s,
                     LATERAL (SELECT ((i::bigint * 7919 + m * 104729) % 4000000)::bigint AS b) bal,
                     LATERAL (SELECT (CASE (i + m) % 4 WHEN 0 THEN 0 WHEN 1 THEN b / 10 ELSE b END)::bigint
                              AS p) pay""",
        ):
            insert_select(c, sql, None, now)
        c.execute("ANALYZE")


def _timed(fn: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def measure(accounts: int, rows: int, train_rows: int) -> None:
    import django

    django.setup()
    import numpy as np
    from django.core.management import call_command

    from arrears.scoring import model
    from arrears.scoring.features import build as features
    from arrears.scoring.operations import register, score_accounts
    from arrears.scoring.rules import FEATURES

    call_command("migrate", verbosity=0)
    x, y = synthetic(train_rows, seed=1)
    (spec, metrics), trained = _timed(lambda: model.train(x, y, FEATURES, {}, seed=1))
    big, _ = synthetic(rows, seed=2)
    (p, idx, _), scored = _timed(lambda: model.score(spec, big, FEATURES))
    assert len(p) == rows and idx.shape == (rows, 3)
    _, built = _timed(lambda: build(accounts))
    matrix, feature_s = _timed(lambda: features(AS_OF))
    assert len(matrix.ids) == accounts and not np.isnan(matrix.x[:, 1]).any()  # status_m1 from SQL
    saved = register(name="bench", spec=spec, metrics=metrics, actor="bench")
    written, accounts_s = _timed(lambda: score_accounts(model=saved, day=AS_OF, actor="bench"))
    result = {
        "accounts": accounts,
        "rows": rows,
        "train_rows": train_rows,
        "features": len(spec["features"]),
        "auc": metrics["auc"],
        "train": trained,
        "score": scored,
        "built": built,
        "features_sql": feature_s,
        "score_accounts": accounts_s,
        "written": written,
    }
    print(
        f"scoring: trained on {train_rows:,} rows in {trained:.1f} s (AUC {metrics['auc']}, {len(spec['features'])} "
        f"features kept); scored {rows:,} rows in {scored:.2f} s; features of {accounts:,} accounts in "
        f"{feature_s:.1f} s; score accounts {written:,} in {accounts_s:.1f} s; {load_average()}"
    )
    harness.report(result)


def _section(r: dict[str, Any], load: str) -> str:
    n = r["accounts"]

    def row(what: str, rows: int, seconds: float) -> str:
        return f"| {what} | {rows:,} | {seconds:.2f} | {rows / seconds:,.0f} |"

    trained = f"train (bins, WoE, logistic regression, test AUC {r['auc']}; {r['features']} features kept)"
    return f"""## Propensity to pay (`benchmarks/scoring.py`)

`.venv/bin/python benchmarks/scoring.py --accounts {n} --rows {r["rows"]} --train {r["train_rows"]}` on
PostgreSQL. Training and scoring use synthetic rows of all 23 canonical features with a known signal;
the feature SQL and `score accounts` read {n:,} accounts with eight statements each (seven decided).
Measured {dt.date.today().isoformat()} ({load} at the end of the run):

| step | rows | seconds | rows/s |
|---|---:|---:|---:|
{row(trained, r["train_rows"], r["train"])}
{row("score: probability + top-3 reasons (numpy)", r["rows"], r["score"])}
{row("features from SQL (`features.build`, six queries)", n, r["features_sql"])}
{row("`score accounts` (features, score, reasons, one INSERT a batch)", r["written"], r["score_accounts"])}

Scoring itself is a few numpy passes over the matrix (a `searchsorted` per feature, one matrix
product, one pass a feature for each of the top 3 reasons); writing the scores (one row an account,
reasons as JSON in two languages) and reading the statements dominate `score accounts`.
"""


def main() -> None:
    parser = harness.arguments(__doc__, smoke=1000)
    parser.add_argument("--rows", type=int, default=1_000_000, help="synthetic rows to score")
    parser.add_argument("--train", type=int, default=100_000, help="synthetic rows to train on")
    args = harness.parse(parser)
    if args.smoke:
        args.rows, args.train = 20_000, 5_000
    if args.inner:
        measure(args.accounts, args.rows, args.train)
        return
    harness.run(
        script=__file__,
        section="scoring",
        database=DB,
        args=args,
        inner=["--accounts", str(args.accounts), "--rows", str(args.rows), "--train", str(args.train)],
        render=_section,
    )


if __name__ == "__main__":
    main()
