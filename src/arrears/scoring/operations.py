"""The score-model registry: train from a legacy file (a draft), promote to champion (maker != checker,
a strategy manager or an administrator), and score accounts in bulk. Every change is audited."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import translation

from arrears.audit.operations import record
from arrears.errors import NotFound, NotPermitted, ValidationFailed
from arrears.kernel import clock
from arrears.kernel.sql import rows_table
from arrears.ledger.models import Account
from arrears.people.models import Role
from arrears.people.operations import roles_of
from arrears.scoring import features as feature_sql
from arrears.scoring import model as scorecard
from arrears.scoring import rules
from arrears.scoring.models import AccountScore, ModelStatus, ScoreModel

PROMOTERS = (Role.STRATEGY_MANAGER, Role.ADMINISTRATOR)
BATCH = 5000


def train_from_file(*, text: str, mapping_text: str, seed: int, actor: str, source: str = "") -> ScoreModel:
    """Read, fit and register a draft; a malformed file or mapping raises before anything is written."""
    mapping = rules.parse_mapping(mapping_text)
    data = rules.read_training(text, mapping)
    x = np.asarray(data.x, dtype=np.float64).reshape(len(data.y), len(data.features))
    spec, metrics = scorecard.train(x, np.asarray(data.y, dtype=np.int64), data.features, data.protected, seed)
    return register(name=mapping.name, spec=spec, metrics=metrics, actor=actor, source=source)


def register(*, name: str, spec: dict[str, Any], metrics: dict[str, Any], actor: str, source: str = "") -> ScoreModel:
    with transaction.atomic():
        latest = ScoreModel.objects.select_for_update().filter(name=name).aggregate(v=Max("version"))["v"] or 0
        saved = ScoreModel.objects.create(
            name=name,
            version=latest + 1,
            created_by=actor,
            created_at=clock.now(),
            metrics=metrics,
            spec=spec,
            features=spec["features"],
            excluded=spec["excluded"],
            source=source[:255],
        )
        record(
            actor=actor,
            action="score_model.register",
            object_type="score_model",
            object_id=saved.label,
            after={"auc": metrics.get("auc"), "ks": metrics.get("ks"), "features": spec["features"]},
        )
    return saved


def find(label: str | None) -> ScoreModel:
    """`name@version`, `name` (its champion, else its latest version), or None: the champion."""
    if not label:
        found = ScoreModel.objects.filter(status=ModelStatus.CHAMPION).first()
        if found is None:
            raise NotFound("no champion model: promote one or name one (name@version)", field="model")
        return found
    name, version = rules.parse_label(label)
    qs = ScoreModel.objects.filter(name=name)
    found = (
        qs.filter(version=version).first()
        if version is not None
        else (qs.filter(status=ModelStatus.CHAMPION).first() or qs.order_by("-version").first())
    )
    if found is None:
        raise NotFound(f"no score model {label}", field="model")
    return found


def promote(*, user: Any, model: ScoreModel) -> ScoreModel:
    """The model becomes the champion (the previous one is retired). The checker is not its maker."""
    if not (user.is_superuser or roles_of(user) & set(PROMOTERS)):
        raise NotPermitted("only a strategy manager or an administrator promotes a score model", field="user")
    actor = user.get_username()
    if rules.is_maker(actor, model.created_by):
        raise NotPermitted("the maker of a score model cannot promote it", field="user")
    if model.status != ModelStatus.DRAFT:
        raise ValidationFailed(f"the model is {model.status}: only a draft is promoted", field="model")
    with transaction.atomic():
        previous = list(ScoreModel.objects.select_for_update().filter(status=ModelStatus.CHAMPION))
        ScoreModel.objects.filter(pk__in=[m.pk for m in previous]).update(status=ModelStatus.RETIRED)
        model.status, model.promoted_by, model.promoted_at = ModelStatus.CHAMPION, actor, clock.now()
        model.save(update_fields=["status", "promoted_by", "promoted_at"])
        record(
            actor=actor,
            action="score_model.promote",
            object_type="score_model",
            object_id=model.label,
            before={"champion": [m.label for m in previous]},
            after={"champion": model.label},
        )
    return model


def _texts(feature: str) -> tuple[str, str]:
    label = rules.LABELS[feature]
    with translation.override("en"):
        en = translation.gettext(label)
    with translation.override("zh-hans"):
        zh = translation.gettext(label)
    return en, zh


def reasons(spec: dict[str, Any], idx: np.ndarray, weights: np.ndarray) -> list[list[dict[str, Any]]]:
    """The reason codes of each row as [{feature, weight, en, zh}], most important first."""
    names = spec["features"]
    texts = {f: _texts(f) for f in names}
    out = []
    for row_idx, row_w in zip(idx.tolist(), weights.tolist(), strict=True):
        out.append(
            [
                {"feature": names[i], "weight": round(w, 4), "en": texts[names[i]][0], "zh": texts[names[i]][1]}
                for i, w in zip(row_idx, row_w, strict=True)
                if i >= 0
            ]
        )
    return out


def _ranges(batch: int) -> Iterator[tuple[int, int]]:
    ids = Account.objects.order_by("pk").values_list("pk", flat=True)
    lo = ids.first()
    top = ids.last()
    if lo is None or top is None:
        return
    while lo <= top:
        hi_row = list(ids.filter(pk__gte=lo)[batch - 1 : batch])
        hi = hi_row[0] if hi_row else top
        yield lo, hi
        lo = hi + 1


SCORE_COLUMNS = (
    ("account_id", "bigint"),
    ("model_id", "bigint"),
    ("score", "double precision"),
    ("points", "smallint"),
    ("reasons", "jsonb"),
    ("scored_on", "date"),
)


def write_scores(model: ScoreModel, day: dt.date, matrix: feature_sql.Matrix) -> int:
    """Score a feature matrix's accounts by `model` on `day` (one vectorised pass) and insert their
    AccountScore rows in ONE statement, the rows as one JSON parameter (kernel.sql.rows_table): no model
    instance an account. The number of rows written."""
    if not len(matrix.ids):
        return 0
    p, idx, gaps = scorecard.score(model.spec, matrix.x, matrix.columns)
    why = reasons(model.spec, idx, gaps)
    day_text = day.isoformat()
    rows = [
        {
            "account_id": a,
            "model_id": model.pk,
            "score": round(pd, 6),
            "points": rules.points_of(pd),
            "reasons": r,
            "scored_on": day_text,
        }
        for a, pd, r in zip(matrix.ids.tolist(), p.tolist(), why, strict=True)
    ]
    names = ", ".join(n for n, _ in SCORE_COLUMNS)
    table = AccountScore._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM {rows_table(SCORE_COLUMNS)}",
            [json.dumps(rows, ensure_ascii=False)],
        )
    return len(rows)


def score_accounts(
    *, model: ScoreModel, day: dt.date, actor: str, batch: int = BATCH, progress: Callable[[int], None] | None = None
) -> int:
    """Score every account as of `day` with `model`, in batches of account ids: one feature build and
    one INSERT statement per batch; a re-run on the same day replaces that day's scores of the model."""
    total = 0
    for lo, hi in _ranges(batch):
        matrix = feature_sql.build(day, lo=lo, hi=hi)
        if not len(matrix.ids):
            continue
        with transaction.atomic():
            AccountScore.objects.filter(model=model, scored_on=day, account_id__gte=lo, account_id__lte=hi).delete()
            written = write_scores(model, day, matrix)
        total += written
        if progress is not None:
            progress(written)
    record(
        actor=actor,
        action="score_model.score",
        object_type="score_model",
        object_id=model.label,
        after={"scored_on": day, "accounts": total},
    )
    return total


def latest_points(*, customers: tuple[int, int], labels: set[str], day: dt.date) -> dict[str, dict[int, int]]:
    """For each model label ("" = the champion), the points of its latest score on or before `day` of
    every account of the customers lo <= id < hi: one query per model. An unknown model scores none."""
    lo, hi = customers
    out: dict[str, dict[int, int]] = {}
    for label in labels:
        try:
            found = find(label or None)
        except NotFound:
            out[label] = {}
            continue
        newest = (
            AccountScore.objects.filter(model=found, account_id=OuterRef("account_id"), scored_on__lte=day)
            .order_by("-scored_on")
            .values("scored_on")[:1]
        )
        out[label] = dict(
            AccountScore.objects.filter(
                model=found, account__customer_id__gte=lo, account__customer_id__lt=hi, scored_on=Subquery(newest)
            ).values_list("account_id", "points")
        )
    return out
