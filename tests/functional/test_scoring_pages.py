"""/scoring/: the score-model registry. Strategy managers and administrators see every model and one
model's metrics, features kept and excluded (with why), fairness per protected group and reason-code
labels; a checker who is not the maker promotes a draft (audited), the maker is told why they cannot;
other roles get 403, an unknown model 404, a GET on the promote endpoint changes nothing. In Chinese
and English. The CLI: `score promote --user` must name an active strategy manager or administrator."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from arrears.audit.models import AuditEntry
from arrears.people.models import Role
from arrears.scoring.models import ModelStatus, ScoreModel
from arrears.scoring.operations import register
from tests.collections_factories import PASSWORD, staff

pytestmark = pytest.mark.django_db

FAIRNESS = {
    "SEX": {"1": {"n": 90, "auc": 0.812, "mean_score": 0.231}, "2": {"n": 4, "auc": None, "mean_score": 0.25}},
}


def a_model(maker: str, auc: float = 0.8, name: str = "propensity") -> ScoreModel:
    spec = {"features": ["status_m1", "limit"], "excluded": {"plan_active": "constant"}}
    metrics = {"auc": auc, "ks": 0.45, "n_train": 220, "n_test": 94, "fairness": FAIRNESS, "seed": 1}
    return register(name=name, spec=spec, metrics=metrics, actor=maker)


def login(user: Any) -> Client:
    """A signed-in client: paths without a prefix are zh-Hans (the default), /en/… English."""
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_other_roles_are_refused_and_an_unknown_model_is_not_found() -> None:
    model = a_model("someone")
    for role in (Role.COLLECTOR, Role.TEAM_LEAD, Role.COLLECTIONS_MANAGER, Role.COMPLIANCE_OFFICER):
        client = login(staff(role))
        assert client.get("/scoring/").status_code == 403
        assert client.get(f"/scoring/models/{model.pk}/").status_code == 403
        assert client.post(f"/scoring/models/{model.pk}/promote/").status_code == 403
    manager = login(staff(Role.STRATEGY_MANAGER))
    assert manager.get("/scoring/models/987654321/").status_code == 404
    assert manager.post("/scoring/models/987654321/promote/").status_code == 404
    model.refresh_from_db()
    assert model.status == ModelStatus.DRAFT


def test_the_registry_and_a_model_in_english_and_chinese() -> None:
    older = a_model("maker1", auc=0.7)
    newer = a_model("maker1", auc=0.8124)
    admin = staff(Role.ADMINISTRATOR)
    page = login(admin).get("/en/scoring/").content.decode()
    assert 'id="nav-scoring"' in page and "Score models" in page
    for m in (older, newer):
        assert f'href="/en/scoring/models/{m.pk}/"' in page and m.label in page
    assert "0.812" in page and "0.700" in page  # AUC to three places: 0.8124 -> 0.812
    assert 'id="chart-auc"' in page and "81.24%" in page  # the chart's table: 0.8124 x 100
    zh = login(admin).get("/scoring/").content.decode()
    assert "评分模型" in zh and "晋升人" in zh

    detail = login(admin).get(f"/en/scoring/models/{newer.pk}/").content.decode()
    assert "Repayment status, last statement month" in detail and "Credit limit" in detail  # reason labels
    assert "plan_active" in detail and "the same value in every row" in detail  # excluded, with why
    assert "too few" in detail and "0.812" in detail and "0.231" in detail  # fairness: group 2 has no AUC
    assert 'id="promote"' in detail
    detail_zh = login(admin).get(f"/scoring/models/{newer.pk}/").content.decode()
    assert "晋升为冠军模型" in detail_zh and "样本太少" in detail_zh and "每一行取值都相同" in detail_zh


def test_the_maker_cannot_promote_and_a_checker_can_with_an_audit_entry() -> None:
    maker, checker = staff(Role.STRATEGY_MANAGER), staff(Role.STRATEGY_MANAGER)
    model = a_model(maker.username)
    mine = login(maker)
    page = mine.get(f"/en/scoring/models/{model.pk}/").content.decode()
    assert 'id="maker-cannot-promote"' in page and 'id="promote"' not in page
    refused = mine.post(f"/en/scoring/models/{model.pk}/promote/", follow=True).content.decode()
    assert "another strategy manager or administrator promotes it" in refused
    model.refresh_from_db()
    assert model.status == ModelStatus.DRAFT

    theirs = login(checker)
    assert theirs.get(f"/scoring/models/{model.pk}/promote/").status_code == 405  # a GET changes nothing
    model.refresh_from_db()
    assert model.status == ModelStatus.DRAFT and not AuditEntry.objects.filter(action="score_model.promote").exists()
    done = theirs.post(f"/scoring/models/{model.pk}/promote/", follow=True).content.decode()
    assert f"{model.label} 已成为冠军模型" in done
    model.refresh_from_db()
    assert (model.status, model.promoted_by) == (ModelStatus.CHAMPION, checker.username)
    entry = AuditEntry.objects.get(action="score_model.promote")
    assert (entry.actor, entry.object_id) == (checker.username, model.label)
    assert 'id="promote"' not in done  # a champion is not promoted again


def test_the_cli_checker_must_be_an_active_promoter_and_a_cli_maker_never_promotes() -> None:
    model = a_model("cli:alice")  # as `score train --actor alice` records a name that is no user
    collector, idle = staff(Role.COLLECTOR), staff(Role.STRATEGY_MANAGER)
    idle.is_active = False
    idle.save(update_fields=["is_active"])
    for user, words in (
        ("nobody", "--user: no user 'nobody'"),
        (collector.username, "is not a strategy manager or an administrator"),
        (idle.username, "is not active"),
    ):
        with pytest.raises(CommandError, match=words):
            call_command("score", "promote", model.label, "--user", user, stdout=io.StringIO())
    alice = staff(Role.STRATEGY_MANAGER)
    alice.username = "alice"
    alice.save(update_fields=["username"])
    with pytest.raises(CommandError, match="maker"):
        call_command("score", "promote", model.label, "--user", "alice", stdout=io.StringIO())
    model.refresh_from_db()
    assert model.status == ModelStatus.DRAFT
    call_command("score", "promote", model.label, "--user", staff(Role.ADMINISTRATOR).username, stdout=io.StringIO())
    model.refresh_from_db()
    assert model.status == ModelStatus.CHAMPION
