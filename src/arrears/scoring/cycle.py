"""The cycle's `score_accounts` step: keep the scores the strategy reads fresh.

Over the accounts lo <= id < hi that the cycle still works on or collects (open, blocked, charged off),
for the champion model and every model an arm of the strategy in force names: score the accounts whose
latest score by that model is older than ARREARS_RESCORE_DAYS (30 by default) or that have none. So a
newly promoted model scores the whole book the next night, and then each account about once a month.

Set-based: one query a model for the accounts due, then per batch of 5,000 of them one feature build
(six queries), one vectorised score and one INSERT. Idempotent: an account scored on the date is not
due again that date, so a second run writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Exists, OuterRef

from arrears.audit.operations import record
from arrears.errors import NotFound
from arrears.kernel.sql import in_chunks
from arrears.ledger.models import Account, AccountStatus
from arrears.scoring import features
from arrears.scoring.models import AccountScore, ScoreModel
from arrears.scoring.operations import BATCH, find, write_scores

SCORED_STATUSES = (AccountStatus.OPEN, AccountStatus.BLOCKED, AccountStatus.CHARGED_OFF)
ACTOR = "cycle"


def models_to_score(labels: Iterable[str]) -> list[ScoreModel]:
    """The champion ("") and the named models (name@version), each once; a name not in the registry is
    skipped (the strategy then finds no score for it, as an unscored account)."""
    found: dict[int, ScoreModel] = {}
    for label in sorted({"", *labels}):
        try:
            model = find(label or None)
        except NotFound:
            continue
        found.setdefault(model.pk, model)
    return [found[k] for k in sorted(found)]


def due(model: ScoreModel, day: dt.date, lo: int, hi: int) -> list[int]:
    """The ids of the accounts lo <= id < hi the model has not scored in the last ARREARS_RESCORE_DAYS
    days up to `day` (a score of `day` - interval is old enough: rescored that day)."""
    since = day - dt.timedelta(days=settings.ARREARS_RESCORE_DAYS)
    recent = AccountScore.objects.filter(
        model=model, account_id=OuterRef("pk"), scored_on__gt=since, scored_on__lte=day
    )
    return list(
        Account.objects.filter(pk__gte=lo, pk__lt=hi, status__in=SCORED_STATUSES)
        .exclude(Exists(recent))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def score_due(day: dt.date, lo: int, hi: int, labels: Iterable[str] = ()) -> int:
    """Score the accounts due of the partition by each model to score; the number of scores written."""
    total = 0
    for model in models_to_score(labels):
        ids = due(model, day, lo, hi)
        written = 0
        for chunk in in_chunks(ids, BATCH):
            written += write_scores(model, day, features.build(day, ids=chunk))
        if written:
            record(
                actor=ACTOR,
                action="score_model.score",
                object_type="score_model",
                object_id=model.label,
                after={"scored_on": day, "accounts": written, "from": lo, "to": hi},
            )
        total += written
    return total
