"""The admin in zh-Hans names our apps and models in Chinese (Django's own strings come translated from
Django, the few it lacks from our catalogue), under our own title rather than Django's."""

from __future__ import annotations

import html
import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import Client

pytestmark = pytest.mark.django_db

# Latin words a Chinese bank's staff read as they are: the product's name and the signed-in user's.
ALLOWED = {"Arrears", "chief"}


def _latin_words(page: str) -> set[str]:
    body = page.split("<body", 1)[1].split(">", 1)[1]
    body = re.sub(r"<script\b.*?</script>|<style\b.*?</style>", " ", body, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", body))
    return {w for w in re.findall(r"[A-Za-z][A-Za-z-]+", text)} - ALLOWED


@pytest.fixture
def chief() -> Client:
    User.objects.create_superuser("chief", password="pw-for-tests")
    client = Client()
    assert client.login(username="chief", password="pw-for-tests")
    return client


def test_the_admin_index_names_every_app_and_model_in_chinese(chief: Client) -> None:
    response = chief.get("/admin/")
    assert response.status_code == 200
    page = response.content.decode()
    assert _latin_words(page) == set()
    assert "Arrears 催收系统管理" in page and "Django" not in page
    for name in ("案件", "合规", "员工与团队"):
        assert name in page


def test_in_english_the_admin_stays_english(chief: Client) -> None:
    page = chief.get("/en/admin/").content.decode()
    assert "Arrears administration" in page and "Staff and teams" in page
    assert not re.search(r"[\u4e00-\u9fff]", page.split("<body", 1)[1].replace("简体中文", ""))


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_every_list_is_titled_in_chinese(chief: Client, model: type) -> None:
    opts = model._meta
    response = chief.get(f"/admin/{opts.app_label}/{opts.model_name}/")
    assert response.status_code == 200
    title = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)
    assert title and not set(re.findall(r"[A-Za-z][A-Za-z-]+", title.group(1))) - ALLOWED, title
