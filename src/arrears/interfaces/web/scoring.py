"""The score-model registry pages (docs/scoring.md): every model with its metrics, one model's features
kept and excluded, its fairness per protected group and its reason-code labels, and promotion to
champion through scoring.operations.promote by a strategy manager or an administrator who is not its
maker (maker != checker, audited). Other roles are refused (403)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, NoReturn

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from arrears.errors import ArrearsError
from arrears.interfaces.web.charts import chart
from arrears.interfaces.web.errors import error_line
from arrears.interfaces.web.lead import Cell, Header, Table
from arrears.people.operations import roles_of
from arrears.scoring import rules
from arrears.scoring.models import ModelStatus, ScoreModel
from arrears.scoring.operations import PROMOTERS, promote


def may_see(user: Any) -> bool:
    return bool(user.is_superuser or roles_of(user) & set(PROMOTERS))


def _forbidden() -> NoReturn:
    raise PermissionDenied(_("This page is for strategy managers and administrators."))


def _model(model_id: int) -> ScoreModel:
    found = ScoreModel.objects.filter(pk=model_id).first()
    if found is None:
        raise Http404(_("No such score model."))
    return found


def _why(code: str) -> str:
    return {
        "all_missing": _("every value is missing"),
        "constant": _("the same value in every row"),
        "not_positive_weight": _("no weight of its own once the others are in (collinear)"),
    }.get(code, code)


def _auc_chart(models: list[ScoreModel]) -> Any:
    """AUC (in %) of each model version, oldest first, on one bar chart with its table."""
    ordered = sorted((m for m in models if m.metrics.get("auc") is not None), key=lambda m: (m.name, m.version))
    if not ordered:
        return None, None
    cells = [Cell("rate", Decimal(str(m.metrics["auc"])) * 100) for m in ordered]
    table = Table(
        id="t-auc",
        title=_("AUC by model version"),
        headers=[Header(pgettext("score", "Model")), Header(_("AUC %"), numeric=True)],
        rows=[[Cell("text", m.label), c] for m, c in zip(ordered, cells, strict=True)],
    )
    drawn = chart(
        id="chart-auc",
        caption=_("AUC by model version"),
        x_label=pgettext("score", "Model"),
        y_label=_("AUC %"),
        categories=[m.label for m in ordered],
        series=[(_("AUC %"), [c.value for c in cells], [c.text for c in cells])],
        fixed_top=Decimal(100),
    )
    return drawn, table


def _allowed(request: HttpRequest, method: str) -> HttpResponse | None:
    """Refuse other roles first (403 whatever the method), then a method the route does not serve (405)."""
    if not may_see(request.user):
        _forbidden()
    return None if request.method == method else HttpResponseNotAllowed([method])


@login_required
def models_page(request: HttpRequest) -> HttpResponse:
    if refused := _allowed(request, "GET"):
        return refused
    models = list(ScoreModel.objects.order_by("name", "-version"))
    drawn, table = _auc_chart(models)
    return render(request, "arrears/scoring/models.html", {"models": models, "chart": drawn, "table": table})


@login_required
def model_page(request: HttpRequest, model_id: int) -> HttpResponse:
    if refused := _allowed(request, "GET"):
        return refused
    model = _model(model_id)
    fairness = [
        {
            "attribute": attribute,
            "group": group,
            "n": figures.get("n"),
            "auc": figures.get("auc"),
            "mean_score": figures.get("mean_score"),
        }
        for attribute, groups in sorted(model.metrics.get("fairness", {}).items())
        for group, figures in sorted(groups.items())
    ]
    me = request.user.get_username()
    return render(
        request,
        "arrears/scoring/model.html",
        {
            "model": model,
            "kept": [{"code": f, "label": _(rules.LABELS.get(f, f))} for f in model.features],
            "excluded": [{"code": f, "why": _why(code)} for f, code in sorted(model.excluded.items())],
            "fairness": fairness,
            "is_maker": rules.is_maker(me, model.created_by),
            "is_draft": model.status == ModelStatus.DRAFT,
        },
    )


@login_required
def promote_model(request: HttpRequest, model_id: int) -> HttpResponse:
    if refused := _allowed(request, "POST"):
        return refused
    model = _model(model_id)
    if rules.is_maker(request.user.get_username(), model.created_by):
        messages.error(
            request,
            _("You made %(model)s: another strategy manager or administrator promotes it.") % {"model": model.label},
        )
        return redirect("scoring-model", model_id=model.pk)
    try:
        promote(user=request.user, model=model)
    except ArrearsError as exc:
        messages.error(request, error_line(exc))
    else:
        messages.success(request, _("%(model)s is the champion.") % {"model": model.label})
    return redirect("scoring-model", model_id=model.pk)
