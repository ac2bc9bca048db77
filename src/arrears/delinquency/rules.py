"""Days past due, buckets and the five-tier loan classification (CN-CLASS)."""

from __future__ import annotations

import datetime as dt

CLASSIFICATION = {0: "正常", 1: "关注", 2: "关注", 3: "关注", 4: "次级", 5: "可疑", 6: "可疑"}


def days_past_due(business_date: dt.date, oldest_unpaid_due_date: dt.date | None) -> int:
    """Business date minus the oldest due date whose minimum is unpaid; the day after is DPD 1."""
    if oldest_unpaid_due_date is None or oldest_unpaid_due_date >= business_date:
        return 0
    return (business_date - oldest_unpaid_due_date).days


def classification(bucket: int, *, charged_off: bool = False) -> str:
    if charged_off:
        return "损失"
    return CLASSIFICATION.get(bucket, "损失")
