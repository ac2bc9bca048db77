"""/api/v1/accounts/{ref}/score: the account's latest propensity-to-pay score and why (PIPL-AUTO)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from arrears.application.reads import record_request_reads
from arrears.cases.queries import account_for
from arrears.interfaces.api.errors import errors
from arrears.scoring.queries import latest_scores
from arrears.scoring.rules import band_of

router = Router(tags=["accounts"])


class ReasonOut(Schema):
    code: str
    zh: str
    en: str
    weight: float


class ScoreOut(Schema):
    account: str
    score: int | None  # points 0-1000, higher pays better; null while the account has no score
    probability_of_default: float | None
    band: str | None
    model: str | None
    scored_on: dt.date | None = None
    reasons: list[ReasonOut] = []


@router.get("/accounts/{ref}/score", response={200: ScoreOut, **errors(401, 404, 422)})
def read_score(request: HttpRequest, ref: str) -> Any:
    """The latest score of the account (of whichever model scored it last), its band (the default bands),
    the model (name@version), the date, and its top reasons in zh-Hans and English; nulls and no reasons
    while it has no score. 404 when the account is not one the caller can see."""
    account = account_for(request.user, ref)
    score = latest_scores(account_ids=[account.pk]).get(account.pk)
    record_request_reads(request, object_type="account", ids=[account.pk])
    if score is None:
        return {"account": account.ref, "score": None, "probability_of_default": None, "band": None, "model": None}
    return {
        "account": account.ref,
        "score": score.points,
        "probability_of_default": score.score,
        "band": band_of(score.points),
        "model": score.model.label,
        "scored_on": score.scored_on,
        "reasons": [{"code": r["feature"], "zh": r["zh"], "en": r["en"], "weight": r["weight"]} for r in score.reasons],
    }
