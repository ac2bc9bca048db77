"""The plain-language summary of a plan for the customer (zh-Hans and English). Pure."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from arrears.money import format_fen


@dataclasses.dataclass(frozen=True, kw_only=True)
class PlanFacts:
    customer_name: str
    account_number: str
    currency: str
    owed_now_fen: int  # the card balance today, before the plan
    restructured_fen: int
    instalments: int
    first_due_date: dt.date
    last_due_date: dt.date
    first_amount_fen: int
    largest_amount_fen: int
    total_amount_fen: int
    total_interest_fen: int
    total_fee_fen: int
    apr: Decimal
    grace_days: int
    missed_to_break: int


def _pct(rate: Decimal) -> str:
    return f"{(rate * 100).quantize(Decimal('0.01'))}%"


def plan_summary(facts: PlanFacts, language: str) -> str:
    f = facts
    cost = f.total_interest_fen + f.total_fee_fen
    if language.startswith("zh"):
        same = f.first_amount_fen == f.largest_amount_fen
        amount = (
            f"每期 {format_fen(f.first_amount_fen)} 元"
            if same
            else (f"第一期 {format_fen(f.first_amount_fen)} 元，最多一期 {format_fen(f.largest_amount_fen)} 元")
        )
        return "".join(
            [
                f"{f.customer_name}，您好。您的卡账户（尾号 {f.account_number[-4:]}）",
                f"目前共欠 {format_fen(f.owed_now_fen)} 元（{f.currency}）。",
                f"按这份还款计划，其中 {format_fen(f.restructured_fen)} 元分 {f.instalments} 期按月偿还，",
                f"{amount}，从 {f.first_due_date.isoformat()} 开始，到 {f.last_due_date.isoformat()} 结束，",
                f"共还 {format_fen(f.total_amount_fen)} 元，",
                f"其中利息和手续费 {format_fen(cost)} 元（年化 {_pct(f.apr)}）。",
                "计划生效后，这部分欠款不再计收信用卡利息和违约金，我们也不再为这部分欠款向您催收；计划结清前请不要申请新的信用卡。",
                "您可以随时提前还清剩余本金，当期尚未到期的利息和手续费将免收。",
                f"如果某期在到期日后 {f.grace_days} 天内仍未还清，该期即视为未还；",
                f"累计有 {f.missed_to_break} 期未还时，计划终止，未还余额回到信用卡账户，重新计算逾期并恢复催收，",
                "逾期记录可能报送征信。",
            ]
        )
    same = f.first_amount_fen == f.largest_amount_fen
    amount = (
        f"{format_fen(f.first_amount_fen)} each month"
        if same
        else f"{format_fen(f.first_amount_fen)} the first month and at most {format_fen(f.largest_amount_fen)}"
    )
    return " ".join(
        [
            f"Dear {f.customer_name}, your card account ending {f.account_number[-4:]} owes "
            f"{format_fen(f.owed_now_fen)} {f.currency} today.",
            f"Under this plan, {format_fen(f.restructured_fen)} of it is repaid in {f.instalments} monthly instalments "
            f"of {amount}, from {f.first_due_date.isoformat()} to {f.last_due_date.isoformat()}:",
            f"{format_fen(f.total_amount_fen)} in all, of which {format_fen(cost)} is interest and fees "
            f"(annual rate {_pct(f.apr)}).",
            "While the plan runs, that amount bears no card interest or late fees and we stop collection calls about "
            "it; please do not apply for a new card until the plan is settled.",
            "You may pay off the remaining principal at any time; the interest and fee of the current month are then "
            "waived.",
            f"An instalment still unpaid {f.grace_days} days after its due date counts as missed.",
            f"When {f.missed_to_break} instalments are missed, the plan ends: "
            "what is left returns to your card account, it is past due again, collection resumes, "
            "and the late payment may be reported to the credit bureau.",
        ]
    )
