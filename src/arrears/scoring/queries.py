"""Reads of the scores for the pages, the API and the inquiry desk: the latest score of each account
(of whichever model scored it last) in one query, and its view in one language."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import OuterRef, Subquery
from django.utils.translation import get_language, pgettext

from arrears.scoring.models import AccountScore
from arrears.scoring.rules import band_of


def latest_scores(
    *, customer_id: int | None = None, account_ids: Iterable[int] | None = None
) -> dict[int, AccountScore]:
    """The latest score (by date, then the latest written) of each account of the customer, or of the
    accounts named, with its model: one query."""
    newest = AccountScore.objects.filter(account_id=OuterRef("account_id")).order_by("-scored_on", "-pk").values("pk")
    scores = AccountScore.objects.filter(pk=Subquery(newest[:1])).select_related("model")
    if customer_id is not None:
        scores = scores.filter(account__customer_id=customer_id)
    if account_ids is not None:
        scores = scores.filter(account_id__in=list(account_ids))
    return {s.account_id: s for s in scores}


def band_label(band: str | None) -> str:
    """The default bands' names translated; a strategy's own band names are shown as written."""
    labels = {
        "low": pgettext("score band", "low"),
        "medium": pgettext("score band", "medium"),
        "high": pgettext("score band", "high"),
    }
    return labels.get(band or "", band or "")


@dataclasses.dataclass(frozen=True)
class ScoreView:
    account_id: int
    points: int
    band: str | None  # the default bands' code: low, medium, high
    band_label: str
    model: str  # name@version
    scored_on: dt.date
    reasons: list[dict[str, Any]]  # [{code, text, weight}] in the page's language, most important first
    account: str = ""  # the masked card number, where a page lists several accounts


def view_of(score: AccountScore, language: str | None = None, account: str = "") -> ScoreView:
    """The score as a page shows it: the reasons' texts in `language` (default: the active one)."""
    key = "zh" if (language or get_language() or "").lower().startswith("zh") else "en"
    band = band_of(score.points)
    return ScoreView(
        account_id=score.account_id,
        points=score.points,
        band=band,
        band_label=band_label(band),
        model=score.model.label,
        scored_on=score.scored_on,
        reasons=[{"code": r["feature"], "text": r[key], "weight": r["weight"]} for r in score.reasons],
        account=account,
    )
